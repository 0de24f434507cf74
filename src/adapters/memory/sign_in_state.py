"""Sign-in state (OAuth state, nonce, PKCE verifier, one-time exchange codes) in this process.

Each value has an expiry read from the injected clock and is removed when taken, so it is
read once. No operation awaits, so each is atomic within one event loop. Bounded: when
full, expired entries go first, then the oldest.

Known limit: nothing is shared between processes (a sign-in must finish on the process
that started it), and nothing survives a restart. Set REDIS_SERVER for several processes.
"""

from datetime import datetime, timedelta

from application.ports import Clock

DEFAULT_MAX_ENTRIES = 10_000


class InMemorySignInStateStore:
    def __init__(self, clock: Clock, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, tuple[str, datetime]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        if ttl_seconds < 1:
            raise ValueError(f"ttl_seconds must be at least 1, got {ttl_seconds}")
        now = self._clock.now()
        if key not in self._entries and len(self._entries) >= self._max_entries:
            self._make_room(now)
        self._entries[key] = (value, now + timedelta(seconds=ttl_seconds))

    async def take(self, key: str) -> str | None:
        entry = self._entries.pop(key, None)
        if entry is None or entry[1] <= self._clock.now():
            return None
        return entry[0]

    def _make_room(self, now: datetime) -> None:
        for key in [k for k, (_, expires_at) in self._entries.items() if expires_at <= now]:
            del self._entries[key]
        # Dicts keep insertion order: the first keys are the oldest.
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
