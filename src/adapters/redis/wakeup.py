"""Wake-ups of the upscale workers of every process, over Redis pub/sub."""

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.redis.keys import check_name
from adapters.redis.outage import REDIS_UNAVAILABLE

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 1.0
# How long one read of the subscription lasts; between reads the client may ping.
LISTEN_SLICE_SECONDS = 5.0


class RedisWorkerWakeup:
    """`notify` publishes on `channel`; every process that has waited once holds one
    subscription to it, so one notification wakes the waiting workers of every process.

    The subscription starts at the first `wait` and lasts until `close`, on a connection
    of its own; a notification that arrives while no `wait` runs is kept for the next one.
    When the subscription breaks, waiters return early and the next `wait` subscribes
    again (or raises, when Redis is away).

    Known limit: a notification published before any process subscribed reaches no one,
    so workers still poll.
    """

    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self._channel = check_name(channel)
        self._signal = asyncio.Event()
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    async def notify(self) -> None:
        await self._redis.publish(self._channel, b"job")

    async def wait(self, timeout: float) -> None:
        await self._ensure_listening()

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._signal.wait(), timeout)
        self._signal.clear()

    async def close(self) -> None:
        """Stop listening and give the subscription's connection back."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.wait({listener})

    async def _ensure_listening(self) -> None:
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
                self._listen(pubsub), name=f"wakeup-listener:{self._channel}"
            )

    async def _subscribe(self, pubsub: PubSub) -> None:
        """Subscribe and wait for Redis to confirm, so no notification sent after this
        returns can be missed."""
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
                    self._signal.set()
        except REDIS_UNAVAILABLE as error:
            logger.info(
                "wake-up subscription lost channel=%s error=%s",
                self._channel,
                type(error).__name__,
            )
        except Exception:
            logger.exception("wake-up subscription failed channel=%s", self._channel)
        finally:
            # Waiters go round again: they subscribe anew or fall back to polling.
            self._signal.set()
            await pubsub.aclose()
