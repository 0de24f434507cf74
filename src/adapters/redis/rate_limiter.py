"""Fixed-window rate limits counted in Redis, shared by every process."""

import math

from redis.asyncio import Redis

from adapters.redis.keys import check_name, positive
from application.ports import RateDecision

# INCR, then give the key the window as its expiry whenever it has none (PTTL -1).
# Checking PTTL rather than "count == 1" repairs a counter whose expiry was lost, for
# instance by a client that died between a bare INCR and its EXPIRE.
HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisRateLimiter:
    """Counts events per key under `prefix` in a Lua script, so each hit is atomic.

    The window starts with its first event; a refused event still counts.
    `retry_after_seconds` is 0 when allowed, else the key's remaining time to live,
    rounded up to whole seconds.

    Known limit: a hit whose answer timed out may have been counted.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = check_name(prefix)
        self._script = redis.register_script(HIT_SCRIPT)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        positive("limit", limit)
        window_ms = positive("window_seconds", window_seconds) * 1000

        count, ttl_ms = await self._script(keys=[f"{self._prefix}:{key}"], args=[window_ms])

        if int(count) <= limit:
            return RateDecision(allowed=True, remaining=limit - int(count), retry_after_seconds=0)
        left = math.ceil(int(ttl_ms) / 1000)
        return RateDecision(allowed=False, remaining=0, retry_after_seconds=max(1, left))
