"""The sign-in state contract on Redis at 127.0.0.1:6379 (SET EX to keep, GETDEL to take)."""

from collections.abc import AsyncIterator

import pytest

from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.sign_in_state import RedisSignInStateStore
from contracts_suite.coordination import (
    advance_redis_time,
    delete_redis_keys,
    require_redis,
    skip_module_without_redis,
    unique_key_prefix,
)
from contracts_suite.sign_in_state import SignInStateHarness, SignInStateStoreContract

pytestmark = pytest.mark.integration
skip_module_without_redis()


@pytest.fixture
async def states() -> AsyncIterator[SignInStateHarness]:
    server = require_redis()
    client = connect_redis(server.host, server.port, db=server.db)
    prefix = unique_key_prefix()

    async def advance(seconds: float) -> None:
        await advance_redis_time(client, prefix, seconds)

    try:
        yield SignInStateHarness(RedisSignInStateStore(client, prefix), advance)
    finally:
        await delete_redis_keys(client, prefix)
        await close_redis(client)


class TestRedisSignInStateStore(SignInStateStoreContract):
    pass
