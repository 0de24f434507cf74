"""The coordination contracts on the in-memory adapters, with a fake clock."""

import pytest

from adapters.memory.coordination import (
    InMemoryDesignStatusCache,
    InMemoryRateLimiter,
    InMemoryWebhookLedger,
)
from adapters.system.notices import InProcessPredictionNotices
from adapters.system.wakeup import InProcessWakeup
from contracts_suite.coordination import (
    CoordinationHarness,
    DesignStatusCacheContract,
    FakeClock,
    NoticesHarness,
    PredictionNoticesContract,
    RateLimiterContract,
    WakeupHarness,
    WebhookLedgerContract,
    WorkerWakeupContract,
)


@pytest.fixture
def coordination() -> CoordinationHarness:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(clock)

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    async def leave_counter(key: str, count: int, window_seconds: int) -> None:
        # A memory counter always has its expiry: a full one is the nearest state.
        for _ in range(count):
            await limiter.hit(key, count, window_seconds)

    return CoordinationHarness(
        limiter=limiter,
        ledger=InMemoryWebhookLedger(clock),
        cache=InMemoryDesignStatusCache(clock),
        advance=advance,
        leave_counter_without_expiry=leave_counter,
    )


@pytest.fixture
def wakeups() -> WakeupHarness:
    # One process: its notifier and its waiters share the one in-process wake-up.
    wakeup = InProcessWakeup()
    return WakeupHarness(notifier=wakeup, waiters=[wakeup, wakeup])


@pytest.fixture
def notices() -> NoticesHarness:
    local = InProcessPredictionNotices()
    return NoticesHarness(announcer=local, listeners=[local, local])


class TestInMemoryRateLimiter(RateLimiterContract):
    pass


class TestInMemoryWebhookLedger(WebhookLedgerContract):
    pass


class TestInMemoryDesignStatusCache(DesignStatusCacheContract):
    pass


class TestInProcessWakeup(WorkerWakeupContract):
    pass


class TestInProcessPredictionNotices(PredictionNoticesContract):
    async def test_a_closed_listening_leaves_nothing_behind(self) -> None:
        local = InProcessPredictionNotices()

        async with local.listening("pred-x"), local.listening("pred-x"):
            assert len(local) == 1
        assert len(local) == 0
