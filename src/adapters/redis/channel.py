"""One subscription of this process to a Redis pub/sub channel."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.redis.outage import REDIS_UNAVAILABLE

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 1.0
# How long one read of the subscription lasts; between reads the client may ping.
LISTEN_SLICE_SECONDS = 5.0


class ChannelSubscription:
    """Hands every message of `channel` to `on_message`, from the first `ensure` until `close`.

    The subscription has a connection of its own. When it breaks, `on_lost` is called
    and the next `ensure` subscribes again (or raises, when Redis is away). A message
    published before the subscription was confirmed reaches no one here.
    """

    def __init__(
        self,
        redis: Redis,
        channel: str,
        on_message: Callable[[bytes], None],
        on_lost: Callable[[], None],
    ) -> None:
        self._redis = redis
        self._channel = channel
        self._on_message = on_message
        self._on_lost = on_lost
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    async def ensure(self) -> None:
        """Subscribed once this returns: no message published afterwards is missed."""
        async with self._lock:
            if self._listener is not None and not self._listener.done():
                return
            pubsub = self._redis.pubsub()
            try:
                await self._subscribe(pubsub)
            except BaseException:
                await pubsub.aclose()
                raise
            self._listener = asyncio.create_task(
                self._listen(pubsub), name=f"redis-listener:{self._channel}"
            )

    async def close(self) -> None:
        """Stop listening and give the subscription's connection back."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({listener})

    async def _subscribe(self, pubsub: PubSub) -> None:
        await pubsub.subscribe(self._channel)
        confirmation = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
        if confirmation is None or confirmation.get("type") != "subscribe":
            raise RedisTimeoutError("no confirmation of the subscription")

    async def _listen(self, pubsub: PubSub) -> None:
        try:
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=LISTEN_SLICE_SECONDS
                )
                if message is not None and message.get("type") == "message":
                    data = message.get("data")
                    self._on_message(data if isinstance(data, bytes) else b"")
        except REDIS_UNAVAILABLE as error:
            logger.info(
                "subscription lost channel=%s error=%s", self._channel, type(error).__name__
            )
        except Exception:
            logger.exception("subscription failed channel=%s", self._channel)
        finally:
            self._on_lost()
            await pubsub.aclose()
