"""Prediction notices across processes, over Redis pub/sub."""

import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from adapters.redis.channel import ChannelSubscription
from adapters.redis.keys import check_name
from adapters.system.notices import InProcessPredictionNotices
from application.ports import NoticeListener

MAX_PREDICTION_ID_BYTES = 128


class RedisPredictionNotices:
    """`announce` publishes the prediction's id on `channel`; each process that has
    listened once holds one subscription to it and wakes its own listeners through
    `local`.

    `listening` raises when Redis is away (it must subscribe first, so that no notice
    published after it opened is missed).
    """

    def __init__(self, redis: Redis, channel: str, local: InProcessPredictionNotices) -> None:
        self._redis = redis
        self._channel = check_name(channel)
        self._local = local
        self._subscription = ChannelSubscription(redis, self._channel, self._heard, _nothing)

    async def announce(self, prediction_id: str) -> None:
        await self._redis.publish(self._channel, prediction_id.encode())

    async def subscribe(self) -> None:
        """Hold this process's subscription; raises when Redis is away."""
        await self._subscription.ensure()

    @contextlib.asynccontextmanager
    async def listening(self, prediction_id: str) -> AsyncIterator[NoticeListener]:
        await self.subscribe()
        async with self._local.listening(prediction_id) as listener:
            yield listener

    async def close(self) -> None:
        await self._subscription.close()

    def _heard(self, data: bytes) -> None:
        if 0 < len(data) <= MAX_PREDICTION_ID_BYTES:
            self._local.deliver(data.decode("ascii", errors="replace"))


def _nothing() -> None:
    """A lost subscription needs no action: listeners poll on, the next listen resubscribes."""
