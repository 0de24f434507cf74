"""How the resilient wrappers notice that Redis is away, say so, and try it again."""

import logging
import time
from collections.abc import Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is away" looks like: no connection (refused, reset, auth, too many
# clients), no answer in time, or a server that cannot take writes right now.
REDIS_UNAVAILABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    TimeoutError,
    ReadOnlyError,
    OutOfMemoryError,
)


class RedisOutage:
    """Redis' health as one process sees it.

    After a failure, Redis is left alone for `pause_seconds`, so that each call does not
    pay a connect timeout; then the next call tries it again, which is how recovery
    happens. A warning is logged at most once per `warn_every_seconds`, with the error's
    type only (a message could carry an address or a credential), and one line when
    Redis answers again.
    """

    def __init__(
        self,
        *,
        pause_seconds: float = 1.0,
        warn_every_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pause_seconds = pause_seconds
        self._warn_every_seconds = warn_every_seconds
        self._monotonic = monotonic
        self._retry_at: float | None = None
        self._warned_at: float | None = None

    @property
    def is_down(self) -> bool:
        return self._retry_at is not None

    def worth_trying(self) -> bool:
        """Whether to ask Redis now: it is up, or its pause has passed."""
        return self._retry_at is None or self._monotonic() >= self._retry_at

    def failed(self, operation: str, fallback: str, error: Exception) -> None:
        now = self._monotonic()
        self._retry_at = now + self._pause_seconds
        if self._warned_at is not None and now - self._warned_at < self._warn_every_seconds:
            return

        self._warned_at = now
        logger.warning(
            "redis unavailable, falling back operation=%s fallback=%s error=%s",
            operation,
            fallback,
            type(error).__name__,
        )

    def succeeded(self, operation: str) -> None:
        if self._retry_at is None:
            return
        self._retry_at = None
        logger.info("redis available again operation=%s", operation)
