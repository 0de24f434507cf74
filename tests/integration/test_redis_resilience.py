"""The Redis adapters pointed at a port of 127.0.0.1 where nothing listens, behind their
resilient wrappers: each falls back as documented, raises nothing and warns once.

No Redis server is needed, so these run everywhere.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from adapters.memory.coordination import InMemoryRateLimiter, InMemoryWebhookLedger
from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.outage import RedisOutage
from adapters.redis.rate_limiter import RedisRateLimiter
from adapters.redis.resilient import (
    ResilientDesignStatusCache,
    ResilientRateLimiter,
    ResilientWebhookLedger,
    ResilientWorkerWakeup,
)
from adapters.redis.status_cache import RedisDesignStatusCache
from adapters.redis.wakeup import RedisWorkerWakeup
from adapters.redis.webhooks import RedisWebhookLedger
from adapters.system.clock import SystemClock
from contracts_suite.coordination import free_loopback_port

pytestmark = pytest.mark.integration

OUTAGE_LOGGER = "adapters.redis.outage"
PREFIX = "casecraft-test:away"


@pytest.fixture
async def away() -> AsyncIterator[Redis]:
    client = connect_redis("127.0.0.1", free_loopback_port())
    yield client
    await close_redis(client)


@pytest.fixture
def outage() -> RedisOutage:
    # No pause: every call goes to the closed port, so each fallback is really taken.
    return RedisOutage(pause_seconds=0)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == OUTAGE_LOGGER and r.levelno == logging.WARNING
    ]


async def test_rate_limits_become_per_process(
    away: Redis, outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = ResilientRateLimiter(
        RedisRateLimiter(away, f"{PREFIX}:rate"), InMemoryRateLimiter(SystemClock()), outage
    )

    hits = [await limiter.hit("designs:alice", 2, 60) for _ in range(3)]

    assert [hit.allowed for hit in hits] == [True, True, False]
    assert hits[2].retry_after_seconds > 0
    assert _warnings(caplog) == [
        "redis unavailable, falling back operation=rate_limit "
        "fallback=per-process limits error=ConnectionError"
    ]


async def test_webhooks_are_remembered_per_process(
    away: Redis, outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ResilientWebhookLedger(
        RedisWebhookLedger(away, f"{PREFIX}:webhook"), InMemoryWebhookLedger(SystemClock()), outage
    )

    first = await ledger.first_delivery("msg_1", 300)
    again = await ledger.first_delivery("msg_1", 300)

    assert (first, again) == (True, False)
    assert len(_warnings(caplog)) == 1


async def test_the_status_cache_always_misses(
    away: Redis, outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ResilientDesignStatusCache(RedisDesignStatusCache(away, f"{PREFIX}:status"), outage)
    design_id = uuid4()

    await cache.put(design_id, "ready", 30)
    cached = await cache.get(design_id)

    assert cached is None
    assert len(_warnings(caplog)) == 1


async def test_workers_poll_and_local_notifications_still_wake(
    away: Redis, outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    redis_wakeup = RedisWorkerWakeup(away, f"{PREFIX}:wakeup")
    wakeup = ResilientWorkerWakeup(redis_wakeup, outage=outage)
    loop = asyncio.get_running_loop()

    started = loop.time()
    await wakeup.wait(0.1)
    waited = loop.time() - started
    await wakeup.notify()
    async with asyncio.timeout(3):
        await wakeup.wait(30)
    await redis_wakeup.close()

    assert 0.09 <= waited < 1.0
    assert len(_warnings(caplog)) == 1
