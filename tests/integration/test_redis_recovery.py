"""Redis goes away and comes back under the resilient wrappers: they fall back, then use
Redis again with no help. The test runs a Redis server of its own on a free loopback port
(no persistence) so that it can stop and start it; it needs the `redis-server` program,
and without it skips with one line (fails under CI=true).
"""

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.memory.coordination import InMemoryRateLimiter
from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.outage import RedisOutage
from adapters.redis.rate_limiter import RedisRateLimiter
from adapters.redis.resilient import ResilientRateLimiter, ResilientWorkerWakeup
from adapters.redis.wakeup import RedisWorkerWakeup
from adapters.system.clock import SystemClock
from contracts_suite.coordination import free_loopback_port

pytestmark = pytest.mark.integration

REDIS_SERVER = shutil.which("redis-server")
STARTUP_SECONDS = 5.0
STARTUP_ATTEMPTS = 250


class OwnRedis:
    """A redis-server on 127.0.0.1:`port` that this test starts and stops."""

    def __init__(self, program: str, port: int) -> None:
        self.program = program
        self.port = port
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        arguments += ["--appendonly", "no", "--loglevel", "warning"]
        self._process = await asyncio.create_subprocess_exec(
            self.program, *arguments, stdout=asyncio.subprocess.DEVNULL
        )

        probe = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)
        try:
            for _ in range(STARTUP_ATTEMPTS):
                if await _answers(probe):
                    return
                await asyncio.sleep(STARTUP_SECONDS / STARTUP_ATTEMPTS)
        finally:
            await probe.aclose()
        pytest.fail(f"redis-server did not answer on 127.0.0.1:{self.port}")

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()


async def _answers(probe: Redis) -> bool:
    try:
        return bool(await probe.ping())
    except RedisConnectionError:
        return False


@pytest.fixture
async def own_redis() -> AsyncIterator[OwnRedis]:
    if REDIS_SERVER is None:
        reason = "no redis-server program on PATH"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(f"{reason}: Redis recovery test skipped")
    server = OwnRedis(REDIS_SERVER, free_loopback_port())
    await server.start()
    yield server
    await server.stop()


async def test_limits_and_wakeups_use_redis_again_once_it_is_back(
    own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.redis.outage")
    api = connect_redis("127.0.0.1", own_redis.port)
    worker = connect_redis("127.0.0.1", own_redis.port)
    try:
        await _go_away_and_come_back(own_redis, api, worker)
    finally:
        for client in (api, worker):
            await close_redis(client)

    messages = [record.getMessage() for record in caplog.records]
    assert any("redis available again operation=rate_limit" in m for m in messages)
    assert any("redis available again operation=wakeup_wait" in m for m in messages)


async def _go_away_and_come_back(own_redis: OwnRedis, api: Redis, worker: Redis) -> None:
    limiter = ResilientRateLimiter(
        RedisRateLimiter(api, "test:rate"),
        InMemoryRateLimiter(SystemClock()),
        RedisOutage(pause_seconds=0),
    )
    worker_wakeup = RedisWorkerWakeup(worker, "test:wakeup")
    notifier = ResilientWorkerWakeup(
        RedisWorkerWakeup(api, "test:wakeup"), outage=RedisOutage(pause_seconds=0)
    )
    waiter = ResilientWorkerWakeup(worker_wakeup, outage=RedisOutage(pause_seconds=0))
    try:
        await limiter.hit("designs:alice", 1, 60)
        await waiter.wait(0.01)

        await own_redis.stop()
        during = await limiter.hit("designs:alice", 1, 60)
        await notifier.notify()
        await waiter.wait(0.05)

        await own_redis.start()
        after = [await limiter.hit("designs:bob", 1, 60) for _ in range(2)]
        counted_in_redis = await api.exists("test:rate:designs:bob")
        await waiter.wait(0.01)
        waiting = asyncio.create_task(waiter.wait(30))
        await notifier.notify()
        async with asyncio.timeout(3):
            await waiting
    finally:
        await worker_wakeup.close()

    assert during.allowed, "the per-process fallback starts its own count"
    assert [hit.allowed for hit in after] == [True, False]
    assert counted_in_redis == 1
