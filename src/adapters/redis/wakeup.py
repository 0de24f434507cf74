"""Wake-ups of the upscale workers of every process, over Redis pub/sub."""

import asyncio
import contextlib

from redis.asyncio import Redis

from adapters.redis.channel import ChannelSubscription
from adapters.redis.keys import check_name


class RedisWorkerWakeup:
    """`notify` publishes on `channel`; every process that has waited once holds one
    subscription to it, so one notification wakes the waiting workers of every process.

    The subscription starts at the first `wait` and lasts until `close`; a notification
    that arrives while no `wait` runs is kept for the next one. When the subscription
    breaks, waiters return early and the next `wait` subscribes again (or raises, when
    Redis is away).

    Known limit: a notification published before any process subscribed reaches no one,
    so workers still poll.
    """

    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self._channel = check_name(channel)
        self._signal = asyncio.Event()
        self._subscription = ChannelSubscription(
            redis, self._channel, lambda _: self._signal.set(), self._signal.set
        )

    async def notify(self) -> None:
        await self._redis.publish(self._channel, b"job")

    async def wait(self, timeout: float) -> None:
        await self._subscription.ensure()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._signal.wait(), timeout)
        self._signal.clear()

    async def close(self) -> None:
        """Stop listening and give the subscription's connection back."""
        await self._subscription.close()
