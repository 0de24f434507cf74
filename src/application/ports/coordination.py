"""Time, wake-ups, rate limits, webhook de-duplication and the status cache."""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class WorkerWakeup(Protocol):
    """Tells the upscale worker that a job is waiting, so it need not poll."""

    async def notify(self) -> None: ...

    async def wait(self, timeout: float) -> None:
        """Return at the next notification or after `timeout` seconds."""
        ...


class NoticeListener(Protocol):
    async def wait(self, timeout: float) -> bool:
        """True at the first notice since the last wait returned, False after `timeout`."""
        ...


class PredictionNotices(Protocol):
    """Word that the provider reported a prediction ended, carried to whoever waits on it
    in this process or another, so a waiting request need not poll.

    A hint, never an outcome: the waiter still asks the provider. A notice that goes
    astray only costs the waiter its next poll.
    """

    async def announce(self, prediction_id: str) -> None: ...

    def listening(self, prediction_id: str) -> AbstractAsyncContextManager[NoticeListener]:
        """Notices for `prediction_id` while the context lasts; none is missed once it opened."""
        ...


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_seconds: int


class RateLimiter(Protocol):
    """Fixed-window counters, atomic across processes."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one event under `key`; allowed while the window holds at most `limit` events.

        The window's expiry is set with the first event and can never be lost, so a
        key never stays blocked for good.
        """
        ...


class WebhookLedger(Protocol):
    """Remembers which webhook deliveries were handled, so each is handled once."""

    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        """True the first time `webhook_id` is seen within `ttl_seconds`, False after."""
        ...


class DesignStatusCache(Protocol):
    """A short-lived copy of designs' statuses, to spare the database on polls.

    The database stays the truth: a miss, or a cache that is down, means asking it.
    """

    async def get(self, design_id: UUID) -> str | None: ...

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None: ...
