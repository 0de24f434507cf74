"""What every RateLimiter, WebhookLedger, DesignStatusCache, WorkerWakeup and
PredictionNotices must do, and the Redis server the integration side runs them on.

A test module joins by defining fixtures: `coordination`, a CoordinationHarness
(the three storage-like ports, and how to move time for them), `wakeups`, a
WakeupHarness (one notifier and two waiters, in separate processes where the adapter
spans processes), and `notices`, a NoticesHarness (likewise). Memory moves a fake
clock; Redis shortens the keys' time to live, which is all that time means to it, so
neither side sleeps.

The Redis server is CASECRAFT_TEST_REDIS_URL (keep it on loopback), by default
redis://127.0.0.1:6379/0. When it does not answer, its tests are skipped with one
reason, except under CI=true, where they fail: CI must never pass by skipping.
"""

import asyncio
import functools
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
import redis
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from application.ports import (
    DesignStatusCache,
    PredictionNotices,
    RateLimiter,
    WebhookLedger,
    WorkerWakeup,
)

REDIS_URL = os.environ.get("CASECRAFT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SESSION_PREFIX = f"casecraft-test:{uuid4().hex[:12]}"


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class CoordinationHarness:
    limiter: RateLimiter
    ledger: WebhookLedger
    cache: DesignStatusCache
    advance: Callable[[float], Awaitable[None]]
    # Leaves `key` counted `count` times with no expiry, as a client that died between a
    # bare INCR and its EXPIRE would; an adapter that cannot hold such a counter makes
    # the closest state it can: a counter at `count` in a window of `window_seconds`.
    leave_counter_without_expiry: Callable[[str, int, int], Awaitable[None]]


@dataclass
class WakeupHarness:
    notifier: WorkerWakeup
    waiters: Sequence[WorkerWakeup]


@dataclass
class NoticesHarness:
    announcer: PredictionNotices
    listeners: Sequence[PredictionNotices]


class RateLimiterContract:
    async def test_allows_the_limit_then_refuses_until_the_window_ends(
        self, coordination: CoordinationHarness
    ) -> None:
        hits = [await coordination.limiter.hit("signup:ip-1", 3, 60) for _ in range(4)]

        assert [hit.allowed for hit in hits] == [True, True, True, False]
        assert [hit.remaining for hit in hits] == [2, 1, 0, 0]
        assert [hit.retry_after_seconds for hit in hits[:3]] == [0, 0, 0]
        assert 59 <= hits[3].retry_after_seconds <= 60

    async def test_retry_after_shrinks_as_the_window_passes(
        self, coordination: CoordinationHarness
    ) -> None:
        await coordination.limiter.hit("login:bob", 1, 10)

        await coordination.advance(4)
        refused = await coordination.limiter.hit("login:bob", 1, 10)

        assert not refused.allowed
        assert 5 <= refused.retry_after_seconds <= 6

    async def test_a_new_window_starts_once_the_old_one_ends(
        self, coordination: CoordinationHarness
    ) -> None:
        for _ in range(3):
            await coordination.limiter.hit("designs:alice", 2, 10)

        await coordination.advance(10)
        fresh = await coordination.limiter.hit("designs:alice", 2, 10)

        assert fresh.allowed
        assert fresh.remaining == 1

    async def test_keys_are_counted_apart(self, coordination: CoordinationHarness) -> None:
        await coordination.limiter.hit("designs:alice", 1, 60)

        other = await coordination.limiter.hit("designs:bob", 1, 60)

        assert other.allowed

    async def test_concurrent_hits_never_pass_the_limit(
        self, coordination: CoordinationHarness
    ) -> None:
        hits = await asyncio.gather(
            *(coordination.limiter.hit("designs:burst", 10, 60) for _ in range(50))
        )

        allowed = [hit for hit in hits if hit.allowed]
        assert len(allowed) == 10
        assert sorted(hit.remaining for hit in allowed) == list(range(10))

    async def test_a_counter_left_without_expiry_gets_one_and_ends(
        self, coordination: CoordinationHarness
    ) -> None:
        await coordination.leave_counter_without_expiry("login:stuck", 5, 30)

        refused = await coordination.limiter.hit("login:stuck", 5, 30)
        await coordination.advance(30)
        later = await coordination.limiter.hit("login:stuck", 5, 30)

        assert not refused.allowed
        assert 29 <= refused.retry_after_seconds <= 30
        assert later.allowed

    async def test_nonsense_limits_are_refused(self, coordination: CoordinationHarness) -> None:
        with pytest.raises(ValueError):
            await coordination.limiter.hit("designs:alice", 0, 60)
        with pytest.raises(ValueError):
            await coordination.limiter.hit("designs:alice", 5, 0)


class WebhookLedgerContract:
    async def test_a_delivery_is_first_once(self, coordination: CoordinationHarness) -> None:
        first = await coordination.ledger.first_delivery("msg_1", 300)
        again = await coordination.ledger.first_delivery("msg_1", 300)
        other = await coordination.ledger.first_delivery("msg_2", 300)

        assert (first, again, other) == (True, False, True)

    async def test_concurrent_deliveries_of_one_id_have_one_first(
        self, coordination: CoordinationHarness
    ) -> None:
        firsts = await asyncio.gather(
            *(coordination.ledger.first_delivery("msg_race", 300) for _ in range(20))
        )

        assert firsts.count(True) == 1

    async def test_an_id_is_forgotten_after_its_ttl(
        self, coordination: CoordinationHarness
    ) -> None:
        await coordination.ledger.first_delivery("msg_old", 60)

        await coordination.advance(59)
        still_known = await coordination.ledger.first_delivery("msg_old", 60)
        await coordination.advance(1)
        forgotten = await coordination.ledger.first_delivery("msg_old", 60)

        assert (still_known, forgotten) == (False, True)


class DesignStatusCacheContract:
    async def test_a_put_status_comes_back_until_its_ttl_ends(
        self, coordination: CoordinationHarness
    ) -> None:
        design_id = uuid4()
        await coordination.cache.put(design_id, "generating", 30)

        cached = await coordination.cache.get(design_id)
        await coordination.advance(30)
        expired = await coordination.cache.get(design_id)

        assert (cached, expired) == ("generating", None)

    async def test_an_unknown_design_is_a_miss(self, coordination: CoordinationHarness) -> None:
        assert await coordination.cache.get(uuid4()) is None

    async def test_a_later_put_replaces_the_status(self, coordination: CoordinationHarness) -> None:
        design_id = uuid4()
        await coordination.cache.put(design_id, "generating", 30)

        await coordination.cache.put(design_id, "ready", 30)

        assert await coordination.cache.get(design_id) == "ready"


WOKEN_WITHIN_SECONDS = 3.0
LONG_WAIT_SECONDS = 30.0


class WorkerWakeupContract:
    """A worker subscribes at its first wait, so each test lets the waiters wait once."""

    async def test_a_notification_wakes_a_waiting_worker(self, wakeups: WakeupHarness) -> None:
        waiter = wakeups.waiters[0]
        await waiter.wait(0.01)
        waiting = asyncio.create_task(waiter.wait(LONG_WAIT_SECONDS))

        await wakeups.notifier.notify()

        async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
            await waiting

    async def test_one_notification_wakes_every_waiting_worker(
        self, wakeups: WakeupHarness
    ) -> None:
        await asyncio.gather(*(waiter.wait(0.01) for waiter in wakeups.waiters))
        waiting = [asyncio.create_task(w.wait(LONG_WAIT_SECONDS)) for w in wakeups.waiters]

        await wakeups.notifier.notify()

        async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
            await asyncio.gather(*waiting)

    async def test_a_notification_while_busy_ends_the_next_wait(
        self, wakeups: WakeupHarness
    ) -> None:
        waiter = wakeups.waiters[0]
        await waiter.wait(0.01)

        await wakeups.notifier.notify()

        async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
            await waiter.wait(LONG_WAIT_SECONDS)

    async def test_without_a_notification_the_wait_lasts_its_timeout(
        self, wakeups: WakeupHarness
    ) -> None:
        waiter = wakeups.waiters[0]
        await waiter.wait(0.01)
        loop = asyncio.get_running_loop()

        started = loop.time()
        await waiter.wait(0.2)
        waited = loop.time() - started

        assert 0.19 <= waited < 1.0


class PredictionNoticesContract:
    async def test_an_announcement_reaches_every_listener_of_that_prediction(
        self, notices: NoticesHarness
    ) -> None:
        async with (
            notices.listeners[0].listening("pred-a") as first,
            notices.listeners[-1].listening("pred-a") as second,
        ):
            await notices.announcer.announce("pred-a")

            async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
                heard = await asyncio.gather(
                    first.wait(LONG_WAIT_SECONDS), second.wait(LONG_WAIT_SECONDS)
                )
        assert heard == [True, True]

    async def test_an_announcement_before_the_wait_is_kept_for_it(
        self, notices: NoticesHarness
    ) -> None:
        async with notices.listeners[0].listening("pred-b") as listener:
            await notices.announcer.announce("pred-b")
            await asyncio.sleep(0.05)

            async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
                assert await listener.wait(LONG_WAIT_SECONDS) is True

    async def test_another_predictions_announcement_lets_the_wait_run_out(
        self, notices: NoticesHarness
    ) -> None:
        async with notices.listeners[0].listening("pred-c") as listener:
            await notices.announcer.announce("pred-other")
            loop = asyncio.get_running_loop()

            started = loop.time()
            heard = await listener.wait(0.2)
            waited = loop.time() - started

        assert heard is False
        assert 0.19 <= waited < 1.0

    async def test_a_wait_returns_each_announcement_once(self, notices: NoticesHarness) -> None:
        async with notices.listeners[0].listening("pred-d") as listener:
            await notices.announcer.announce("pred-d")
            async with asyncio.timeout(WOKEN_WITHIN_SECONDS):
                assert await listener.wait(LONG_WAIT_SECONDS) is True

            assert await listener.wait(0.05) is False

    async def test_an_announcement_nobody_listens_for_is_dropped(
        self, notices: NoticesHarness
    ) -> None:
        await notices.announcer.announce("pred-e")

        async with notices.listeners[0].listening("pred-e") as listener:
            assert await listener.wait(0.05) is False


def free_loopback_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the OS just handed it out)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    db: int


def redis_server() -> RedisServer:
    parts = urlsplit(REDIS_URL)
    db = int(parts.path.lstrip("/") or 0)
    return RedisServer(parts.hostname or "127.0.0.1", parts.port or 6379, db)


@functools.cache
def redis_unreachable_reason() -> str | None:
    """Why the server cannot be used, or None when it answers; asked once per run."""
    server = redis_server()
    client = redis.Redis(
        host=server.host,
        port=server.port,
        db=server.db,
        socket_timeout=2,
        socket_connect_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis unreachable at {server.host}:{server.port} ({type(error).__name__})"
    finally:
        client.close()
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_redis() -> RedisServer:
    """In a fixture: skip the test (fail it under CI=true) when the server is away."""
    reason = redis_unreachable_reason()
    if reason is None:
        return redis_server()
    if _in_ci():
        pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
    pytest.skip(f"{reason}: Redis tests skipped")


def skip_module_without_redis() -> None:
    """At a module's top: skip all its tests with one line when the server is away.

    Under CI=true it does nothing, so `require_redis` fails each test instead.
    """
    reason = redis_unreachable_reason()
    if reason is not None and not _in_ci():
        pytest.skip(f"{reason}: Redis tests skipped", allow_module_level=True)


def unique_key_prefix() -> str:
    """Keys of one test, under this run's prefix, so runs and tests never meet."""
    return f"{SESSION_PREFIX}:{uuid4().hex[:8]}"


async def advance_redis_time(client: Redis, prefix: str, seconds: float) -> None:
    """Do to the keys under `prefix` what `seconds` of time would: shorten their time to
    live, and delete those whose time is up."""
    elapsed_ms = round(seconds * 1000)
    async for key in client.scan_iter(match=f"{prefix}:*"):
        ttl_ms = await client.pttl(key)
        if ttl_ms < 0:
            continue
        if ttl_ms <= elapsed_ms:
            await client.delete(key)
        else:
            await client.pexpire(key, ttl_ms - elapsed_ms)


async def delete_redis_keys(client: Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
