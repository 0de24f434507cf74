"""The in-memory coordination adapters stay within their size: expired entries go first,
then the oldest live ones."""

from uuid import uuid4

from adapters.memory.coordination import (
    InMemoryDesignStatusCache,
    InMemoryRateLimiter,
    InMemoryWebhookLedger,
)
from contracts_suite.coordination import FakeClock


async def test_a_full_ledger_drops_expired_ids_before_live_ones() -> None:
    clock = FakeClock()
    ledger = InMemoryWebhookLedger(clock, max_entries=3)
    await ledger.first_delivery("short", 10)
    await ledger.first_delivery("long-1", 100)
    await ledger.first_delivery("long-2", 100)
    clock.advance(20)

    await ledger.first_delivery("new", 100)

    assert len(ledger) == 3
    assert not await ledger.first_delivery("long-1", 100)
    assert not await ledger.first_delivery("long-2", 100)


async def test_a_ledger_full_of_live_ids_drops_the_oldest() -> None:
    ledger = InMemoryWebhookLedger(FakeClock(), max_entries=3)
    for webhook_id in ("a", "b", "c"):
        await ledger.first_delivery(webhook_id, 100)

    await ledger.first_delivery("d", 100)

    assert len(ledger) == 3
    assert await ledger.first_delivery("a", 100)


async def test_many_limited_keys_stay_within_the_bound() -> None:
    limiter = InMemoryRateLimiter(FakeClock(), max_entries=50)

    for n in range(500):
        await limiter.hit(f"signup:ip-{n}", 5, 60)

    assert len(limiter) <= 50


async def test_many_cached_designs_stay_within_the_bound() -> None:
    cache = InMemoryDesignStatusCache(FakeClock(), max_entries=20)

    for _ in range(100):
        await cache.put(uuid4(), "ready", 30)

    assert len(cache) <= 20


async def test_an_expired_status_is_dropped_when_read() -> None:
    clock = FakeClock()
    cache = InMemoryDesignStatusCache(clock)
    design_id = uuid4()
    await cache.put(design_id, "ready", 30)
    clock.advance(30)

    assert await cache.get(design_id) is None
    assert len(cache) == 0
