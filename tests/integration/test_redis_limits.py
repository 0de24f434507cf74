"""The auth limit and the anonymous trial counted in Redis at 127.0.0.1:6379: atomic under
concurrent hits from one process, and shared between two clients as between processes."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.rate_limiter import RedisRateLimiter
from adapters.security.tokens import JwtTokenIssuer
from application.limits import LimitAuthRequests, LimitsPolicy, StartTrial
from application.settings import AccountPolicy
from contracts_suite.adapters import memory_factory
from contracts_suite.coordination import (
    RedisServer,
    delete_redis_keys,
    require_redis,
    skip_module_without_redis,
    unique_key_prefix,
)
from domain.errors import RateLimited

pytestmark = pytest.mark.integration

skip_module_without_redis()

SECRET = "a-test-secret-that-is-long-enough-for-hs256-000000"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def clients() -> AsyncIterator[tuple[Redis, Redis, str]]:
    """Two clients of one server, as two processes would hold, and this test's key prefix."""
    server: RedisServer = require_redis()
    prefix = unique_key_prefix()
    first = connect_redis(server.host, server.port, db=server.db)
    second = connect_redis(server.host, server.port, db=server.db)
    yield first, second, prefix
    await delete_redis_keys(first, prefix)
    await close_redis(first)
    await close_redis(second)


async def test_concurrent_auth_requests_past_the_limit_are_refused_exactly(
    clients: tuple[Redis, Redis, str],
) -> None:
    first, second, prefix = clients
    policy = LimitsPolicy(auth_requests=10, auth_window_seconds=60)
    limits = [
        LimitAuthRequests(RedisRateLimiter(client, prefix), policy) for client in (first, second)
    ]

    outcomes = await asyncio.gather(
        *(limits[n % 2].execute("198.51.100.1") for n in range(40)), return_exceptions=True
    )

    refused = [o for o in outcomes if isinstance(o, RateLimited)]
    assert sum(o is None for o in outcomes) == 10
    assert len(refused) == 30
    assert all(1 <= r.retry_after_seconds <= 60 for r in refused)
    await limits[0].execute("198.51.100.2")


async def test_the_trial_is_counted_once_for_every_process(
    clients: tuple[Redis, Redis, str],
) -> None:
    first, second, prefix = clients
    clock = FixedClock()
    tokens = JwtTokenIssuer(SECRET, "casecraft", "casecraft-api", 900, clock)
    policy = LimitsPolicy(anonymous_trial=2, trial_window_seconds=30 * 86400)
    uow_factory = memory_factory()
    trials = [
        StartTrial(
            uow_factory, RedisRateLimiter(client, prefix), tokens, clock, policy, AccountPolicy()
        )
        for client in (first, second)
    ]

    outcomes = await asyncio.gather(
        *(trials[n % 2].execute("198.51.100.1") for n in range(6)), return_exceptions=True
    )

    refused = [o for o in outcomes if isinstance(o, RateLimited)]
    assert len(refused) == 4
    assert {r.code for r in refused} == {"quota_exceeded"}
    assert all(r.retry_after_seconds > 29 * 86400 for r in refused)
