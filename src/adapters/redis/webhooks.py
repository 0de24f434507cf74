"""Webhook de-duplication in Redis, shared by every API process."""

from redis.asyncio import Redis

from adapters.redis.keys import check_name, positive


class RedisWebhookLedger:
    """One key per webhook id under `prefix`, set only if absent (SET NX EX), so exactly
    one caller sees a delivery first.

    Known limit: a Redis that restarts without persistence forgets every id.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = check_name(prefix)

    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        positive("ttl_seconds", ttl_seconds)
        created = await self._redis.set(
            f"{self._prefix}:{webhook_id}", b"1", nx=True, ex=ttl_seconds
        )
        return bool(created)
