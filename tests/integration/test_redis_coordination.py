"""The coordination contracts on Redis at 127.0.0.1:6379 (see contracts_suite.coordination),
plus what only Redis can show: repaired expiries and held subscriptions."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.notices import RedisPredictionNotices
from adapters.redis.rate_limiter import RedisRateLimiter
from adapters.redis.status_cache import RedisDesignStatusCache
from adapters.redis.wakeup import RedisWorkerWakeup
from adapters.redis.webhooks import RedisWebhookLedger
from adapters.system.notices import InProcessPredictionNotices
from contracts_suite.coordination import (
    CoordinationHarness,
    DesignStatusCacheContract,
    NoticesHarness,
    PredictionNoticesContract,
    RateLimiterContract,
    RedisServer,
    WakeupHarness,
    WebhookLedgerContract,
    WorkerWakeupContract,
    advance_redis_time,
    delete_redis_keys,
    require_redis,
    skip_module_without_redis,
    unique_key_prefix,
)

pytestmark = pytest.mark.integration

skip_module_without_redis()


@pytest.fixture
def server() -> RedisServer:
    return require_redis()


def _client(server: RedisServer) -> Redis:
    return connect_redis(server.host, server.port, db=server.db)


@pytest.fixture
async def prefix(server: RedisServer) -> AsyncIterator[str]:
    """This test's key prefix; its keys are deleted after it."""
    key_prefix = unique_key_prefix()
    yield key_prefix

    client = _client(server)
    try:
        await delete_redis_keys(client, key_prefix)
    finally:
        await close_redis(client)


@pytest.fixture
async def redis_client(server: RedisServer, prefix: str) -> AsyncIterator[Redis]:
    client = _client(server)
    yield client
    await close_redis(client)


@pytest.fixture
def coordination(redis_client: Redis, prefix: str) -> CoordinationHarness:
    async def advance(seconds: float) -> None:
        await advance_redis_time(redis_client, prefix, seconds)

    async def leave_counter(key: str, count: int, window_seconds: int) -> None:
        await redis_client.set(f"{prefix}:rate:{key}", count)

    return CoordinationHarness(
        limiter=RedisRateLimiter(redis_client, f"{prefix}:rate"),
        ledger=RedisWebhookLedger(redis_client, f"{prefix}:webhook"),
        cache=RedisDesignStatusCache(redis_client, f"{prefix}:status"),
        advance=advance,
        leave_counter_without_expiry=leave_counter,
    )


@pytest.fixture
async def wakeups(server: RedisServer, prefix: str) -> AsyncIterator[WakeupHarness]:
    # Each wake-up gets a client of its own, as each process would.
    clients = [_client(server) for _ in range(3)]
    notifier, *waiters = [RedisWorkerWakeup(client, f"{prefix}:wakeup") for client in clients]
    yield WakeupHarness(notifier=notifier, waiters=waiters)

    for wakeup in (notifier, *waiters):
        await wakeup.close()
    for client in clients:
        await close_redis(client)


@pytest.fixture
async def notices(server: RedisServer, prefix: str) -> AsyncIterator[NoticesHarness]:
    # Each side gets a client of its own, as each process would.
    clients = [_client(server) for _ in range(3)]
    announcer, *listeners = [
        RedisPredictionNotices(client, f"{prefix}:predictions", InProcessPredictionNotices())
        for client in clients
    ]
    yield NoticesHarness(announcer=announcer, listeners=listeners)

    for side in (announcer, *listeners):
        await side.close()
    for client in clients:
        await close_redis(client)


class TestRedisRateLimiter(RateLimiterContract):
    async def test_the_window_is_the_counter_keys_time_to_live(
        self, redis_client: Redis, prefix: str
    ) -> None:
        limiter = RedisRateLimiter(redis_client, f"{prefix}:rate")

        await limiter.hit("designs:alice", 5, 60)

        ttl_ms = await redis_client.pttl(f"{prefix}:rate:designs:alice")
        assert 59_000 < ttl_ms <= 60_000

    async def test_later_hits_keep_the_windows_expiry(
        self, redis_client: Redis, prefix: str
    ) -> None:
        limiter = RedisRateLimiter(redis_client, f"{prefix}:rate")
        await limiter.hit("designs:alice", 5, 60)
        await advance_redis_time(redis_client, prefix, 20)

        await limiter.hit("designs:alice", 5, 60)

        ttl_ms = await redis_client.pttl(f"{prefix}:rate:designs:alice")
        assert 39_000 < ttl_ms <= 40_000


class TestRedisWebhookLedger(WebhookLedgerContract):
    pass


class TestRedisDesignStatusCache(DesignStatusCacheContract):
    pass


class TestRedisWorkerWakeup(WorkerWakeupContract):
    async def test_a_process_holds_one_subscription_and_gives_it_back(
        self, redis_client: Redis, wakeups: WakeupHarness, prefix: str
    ) -> None:
        waiter = wakeups.waiters[0]
        channel = f"{prefix}:wakeup"

        for _ in range(3):
            await waiter.wait(0.01)
        held = await _subscribers(redis_client, channel)
        assert isinstance(waiter, RedisWorkerWakeup)
        await waiter.close()

        assert held == 1
        # The server drops the subscription when it sees the socket close, a moment later.
        for _ in range(200):
            if await _subscribers(redis_client, channel) == 0:
                break
            await asyncio.sleep(0.01)
        assert await _subscribers(redis_client, channel) == 0


async def _subscribers(client: Redis, channel: str) -> int:
    counts = dict(await client.pubsub_numsub(channel))
    return int(counts[channel.encode()])


class TestRedisPredictionNotices(PredictionNoticesContract):
    async def test_a_process_holds_one_subscription_for_all_its_listeners(
        self, redis_client: Redis, notices: NoticesHarness, prefix: str
    ) -> None:
        side = notices.listeners[0]
        channel = f"{prefix}:predictions"

        async with side.listening("pred-1"), side.listening("pred-2"):
            held = await _subscribers(redis_client, channel)

        assert held == 1

    async def test_a_message_that_is_not_a_prediction_id_is_ignored(
        self, redis_client: Redis, notices: NoticesHarness, prefix: str
    ) -> None:
        async with notices.listeners[0].listening("pred-f") as listener:
            await redis_client.publish(f"{prefix}:predictions", b"x" * 4096)
            await redis_client.publish(f"{prefix}:predictions", b"")

            assert await listener.wait(0.1) is False
