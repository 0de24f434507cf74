"""In-process twins of the Redis coordination ports: rate limits, webhook de-duplication
and the design status cache.

Each holds its entries in a dict with an expiry read from the injected clock, so tests
can move time by hand. None awaits inside an operation, so each operation is atomic
within one event loop. Each is bounded: when full, expired entries go first, then the
oldest tenth of the live ones.

Known limit: nothing is shared between processes, and nothing survives a restart.
"""

import math
from datetime import datetime, timedelta
from typing import Generic, TypeVar
from uuid import UUID

from application.ports import Clock, RateDecision

DEFAULT_MAX_ENTRIES = 10_000

V = TypeVar("V")


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


class _ExpiringEntries(Generic[V]):
    """Values with an expiry time, at most `max_entries` of them."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = _positive("max_entries", max_entries)
        self._entries: dict[str, tuple[V, datetime]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def live(self, key: str, now: datetime) -> tuple[V, datetime] | None:
        """The value and its expiry, unless there is none or it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[key]
            return None
        return entry

    def store(self, key: str, value: V, expires_at: datetime, now: datetime) -> None:
        if key not in self._entries and len(self._entries) >= self._max_entries:
            self._make_room(now)
        self._entries[key] = (value, expires_at)

    def _make_room(self, now: datetime) -> None:
        expired = [key for key, (_, expires_at) in self._entries.items() if expires_at <= now]
        for key in expired:
            del self._entries[key]
        if len(self._entries) < self._max_entries:
            return

        # Evicting a tenth at once keeps the scan above from running on every insert.
        keep = self._max_entries - max(1, self._max_entries // 10)
        oldest = list(self._entries)[: len(self._entries) - keep]
        for key in oldest:
            del self._entries[key]


class InMemoryRateLimiter:
    """Fixed-window counters in this process; the window starts with its first event.

    A refused event still counts. `retry_after_seconds` is 0 when allowed, else the
    seconds left in the window, rounded up.

    Known limit: evicting a live counter when full restarts that key's window.
    """

    def __init__(self, clock: Clock, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._clock = clock
        self._counters: _ExpiringEntries[int] = _ExpiringEntries(max_entries)

    def __len__(self) -> int:
        return len(self._counters)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        _positive("limit", limit)
        _positive("window_seconds", window_seconds)
        now = self._clock.now()

        current = self._counters.live(key, now)
        if current is None:
            count, ends_at = 1, now + timedelta(seconds=window_seconds)
        else:
            count, ends_at = current[0] + 1, current[1]
        self._counters.store(key, count, ends_at, now)

        if count <= limit:
            return RateDecision(allowed=True, remaining=limit - count, retry_after_seconds=0)
        left = math.ceil((ends_at - now).total_seconds())
        return RateDecision(allowed=False, remaining=0, retry_after_seconds=max(1, left))


class InMemoryWebhookLedger:
    """Webhook ids seen in this process, each forgotten `ttl_seconds` after its first sighting.

    Known limit: evicting a live id when full lets a redelivery of it through again.
    """

    def __init__(self, clock: Clock, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._clock = clock
        self._seen: _ExpiringEntries[bool] = _ExpiringEntries(max_entries)

    def __len__(self) -> int:
        return len(self._seen)

    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        _positive("ttl_seconds", ttl_seconds)
        now = self._clock.now()

        if self._seen.live(webhook_id, now) is not None:
            return False
        self._seen.store(webhook_id, True, now + timedelta(seconds=ttl_seconds), now)
        return True


class InMemoryDesignStatusCache:
    """Designs' statuses in this process, each kept `ttl_seconds` after it was put.

    Known limit: evicting a live status when full only costs a database read.
    """

    def __init__(self, clock: Clock, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._clock = clock
        self._statuses: _ExpiringEntries[str] = _ExpiringEntries(max_entries)

    def __len__(self) -> int:
        return len(self._statuses)

    async def get(self, design_id: UUID) -> str | None:
        entry = self._statuses.live(str(design_id), self._clock.now())
        return None if entry is None else entry[0]

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None:
        _positive("ttl_seconds", ttl_seconds)
        now = self._clock.now()
        self._statuses.store(str(design_id), status, now + timedelta(seconds=ttl_seconds), now)
