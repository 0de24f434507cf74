"""The design status cache in Redis, shared by every API process."""

from uuid import UUID

from redis.asyncio import Redis

from adapters.redis.keys import check_name, positive


class RedisDesignStatusCache:
    """One key per design under `prefix`, holding its status for `ttl_seconds` (SET EX).

    Known limit: a status written elsewhere than through `put` is seen only once the
    cached one expires.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = check_name(prefix)

    async def get(self, design_id: UUID) -> str | None:
        value = await self._redis.get(self._key(design_id))
        if isinstance(value, bytes):
            return value.decode("utf-8")
        return value

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None:
        positive("ttl_seconds", ttl_seconds)
        await self._redis.set(self._key(design_id), status.encode("utf-8"), ex=ttl_seconds)

    def _key(self, design_id: UUID) -> str:
        return f"{self._prefix}:{design_id}"
