"""Sign-in state in Redis, shared by every API process: SET EX to keep, GETDEL to take.

GETDEL (Redis 6.2+) reads and removes in one command, so of two callers taking one key
at most one gets the value. Keys are the callers' random values under `prefix`.

Known limit: with Redis away, sign-ins fail (there is no local fallback, since a state
kept in one process could not be taken by another).
"""

from redis.asyncio import Redis

from adapters.redis.keys import check_name, positive


class RedisSignInStateStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = check_name(prefix)

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        positive("ttl_seconds", ttl_seconds)
        await self._redis.set(f"{self._prefix}:{key}", value.encode("utf-8"), ex=ttl_seconds)

    async def take(self, key: str) -> str | None:
        raw = await self._redis.getdel(f"{self._prefix}:{key}")
        if raw is None:
            return None
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
