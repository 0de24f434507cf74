"""The resilient wrappers over stand-ins of the Redis adapters that can be switched off:
fallback answers, one warning per interval, a pause before Redis is tried again, and
recovery without help."""

import asyncio
import logging
from uuid import UUID, uuid4

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.memory.coordination import (
    InMemoryDesignStatusCache,
    InMemoryRateLimiter,
    InMemoryWebhookLedger,
)
from adapters.redis.outage import RedisOutage
from adapters.redis.resilient import (
    ResilientDesignStatusCache,
    ResilientPredictionNotices,
    ResilientRateLimiter,
    ResilientWebhookLedger,
    ResilientWorkerWakeup,
)
from adapters.system.notices import InProcessPredictionNotices
from adapters.system.wakeup import InProcessWakeup
from application.ports import RateDecision
from contracts_suite.coordination import FakeClock

OUTAGE_LOGGER = "adapters.redis.outage"


class Switch:
    """Whether the stand-in Redis answers, and how often it was asked."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    def check(self) -> None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused")


class SwitchableLimiter:
    def __init__(self, switch: Switch, clock: FakeClock) -> None:
        self._switch = switch
        self._inner = InMemoryRateLimiter(clock)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        self._switch.check()
        return await self._inner.hit(key, limit, window_seconds)


class SwitchableCache:
    def __init__(self, switch: Switch, clock: FakeClock) -> None:
        self._switch = switch
        self._inner = InMemoryDesignStatusCache(clock)

    async def get(self, design_id: UUID) -> str | None:
        self._switch.check()
        return await self._inner.get(design_id)

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None:
        self._switch.check()
        await self._inner.put(design_id, status, ttl_seconds)


class TimingOutLedger:
    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        raise RedisTimeoutError("Timeout reading from socket")


class BrokenWakeup:
    async def notify(self) -> None:
        raise RedisConnectionError("Connection refused")

    async def wait(self, timeout: float) -> None:
        raise RedisConnectionError("Connection refused")


class SwitchableNotices:
    """Publishes into `local`, as Redis would deliver to this process's subscription."""

    def __init__(self, switch: Switch, local: InProcessPredictionNotices) -> None:
        self._switch = switch
        self._local = local

    async def announce(self, prediction_id: str) -> None:
        self._switch.check()
        self._local.deliver(prediction_id)

    async def subscribe(self) -> None:
        self._switch.check()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def outage(monotonic: FakeMonotonic) -> RedisOutage:
    return RedisOutage(pause_seconds=5, warn_every_seconds=60, monotonic=monotonic)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == OUTAGE_LOGGER and r.levelname == "WARNING"]


async def test_limits_fall_back_to_this_process_while_redis_is_down(
    outage: RedisOutage, monotonic: FakeMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    switch, clock = Switch(), FakeClock()
    limiter = ResilientRateLimiter(
        SwitchableLimiter(switch, clock), InMemoryRateLimiter(clock), outage
    )
    switch.down = True

    hits = []
    for _ in range(3):
        hits.append(await limiter.hit("designs:alice", 2, 60))
        monotonic.now += 10

    assert [hit.allowed for hit in hits] == [True, True, False]
    assert len(_warnings(caplog)) == 1


async def test_redis_is_left_alone_during_the_pause_then_tried_again(
    outage: RedisOutage, monotonic: FakeMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    switch, clock = Switch(), FakeClock()
    limiter = ResilientRateLimiter(
        SwitchableLimiter(switch, clock), InMemoryRateLimiter(clock), outage
    )
    switch.down = True
    await limiter.hit("designs:alice", 5, 60)
    switch.down = False

    caplog.set_level(logging.INFO, logger=OUTAGE_LOGGER)
    await limiter.hit("designs:alice", 5, 60)
    calls_during_pause = switch.calls
    monotonic.now += 5
    await limiter.hit("designs:alice", 5, 60)

    assert calls_during_pause == 1
    assert switch.calls == 2
    assert not outage.is_down
    assert any("available again" in r.getMessage() for r in caplog.records)


async def test_a_warning_is_repeated_only_after_its_interval(
    outage: RedisOutage, monotonic: FakeMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    switch, clock = Switch(), FakeClock()
    cache = ResilientDesignStatusCache(SwitchableCache(switch, clock), outage)
    switch.down = True

    for _ in range(12):
        await cache.get(uuid4())
        monotonic.now += 5

    assert switch.calls == 12
    assert len(_warnings(caplog)) == 1
    monotonic.now += 1
    await cache.get(uuid4())
    assert len(_warnings(caplog)) == 2


async def test_the_cache_misses_and_forgets_while_redis_is_down(
    outage: RedisOutage, monotonic: FakeMonotonic
) -> None:
    switch, clock = Switch(), FakeClock()
    cache = ResilientDesignStatusCache(SwitchableCache(switch, clock), outage)
    design_id = uuid4()
    await cache.put(design_id, "generating", 30)
    switch.down = True

    missed = await cache.get(design_id)
    await cache.put(design_id, "ready", 30)
    monotonic.now += 5
    switch.down = False
    recovered = await cache.get(design_id)

    assert missed is None
    assert recovered == "generating"


async def test_the_ledger_falls_back_to_this_process(outage: RedisOutage) -> None:
    ledger = ResilientWebhookLedger(TimingOutLedger(), InMemoryWebhookLedger(FakeClock()), outage)

    first = await ledger.first_delivery("msg_1", 300)
    again = await ledger.first_delivery("msg_1", 300)

    assert (first, again) == (True, False)


async def test_wakeups_reach_this_process_while_redis_is_down(
    outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    wakeup = ResilientWorkerWakeup(BrokenWakeup(), InProcessWakeup(), outage)

    await wakeup.notify()
    async with asyncio.timeout(3):
        await wakeup.wait(30)

    assert len(_warnings(caplog)) == 1


def test_the_warning_names_the_error_type_but_not_its_message(
    outage: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    outage.failed("rate_limit", "per-process limits", RedisConnectionError("secret-password"))

    [warning] = _warnings(caplog)
    assert "ConnectionError" in warning.getMessage()
    assert "secret-password" not in warning.getMessage()


async def test_notices_reach_this_process_while_redis_is_down(outage: RedisOutage) -> None:
    switch = Switch()
    switch.down = True
    local = InProcessPredictionNotices()
    notices = ResilientPredictionNotices(SwitchableNotices(switch, local), local, outage)

    async with notices.listening("pred-1") as listener:
        await notices.announce("pred-1")

        assert await listener.wait(1.0) is True
    assert switch.calls == 1, "the listen failed and the announce waited out the pause"


async def test_notices_go_through_redis_when_it_answers(outage: RedisOutage) -> None:
    switch = Switch()
    local = InProcessPredictionNotices()
    notices = ResilientPredictionNotices(SwitchableNotices(switch, local), local, outage)

    async with notices.listening("pred-2") as listener:
        await notices.announce("pred-2")

        assert await listener.wait(1.0) is True
    assert switch.calls == 2
