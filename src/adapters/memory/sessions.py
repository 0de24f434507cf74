"""Refresh tokens over plain dicts (see adapters.memory.store)."""

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.store import (
    View,
    copied,
    missing_reference,
)
from domain.errors import Conflict
from domain.sessions import RefreshToken


class InMemoryRefreshTokenRepository(View):
    def _visible(self) -> dict[UUID, RefreshToken]:
        return {**self._store.refresh_tokens, **self._pending.refresh_tokens}

    def _by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._visible().values() if t.token_hash == token_hash), None)

    async def add(self, token: RefreshToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        if token.id in self._visible() or self._by_hash(token.token_hash) is not None:
            raise Conflict("The refresh token already exists.", code="refresh_token_exists")
        if token.user_id not in self._store.users and token.user_id not in self._pending.users:
            raise missing_reference("refresh token")
        self._pending.refresh_tokens[token.id] = copied(token)

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        token = self._by_hash(token_hash)
        return copied(token) if token is not None else None

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Mark the token consumed, if it is live and its family was never revoked."""
        token = self._by_hash(token_hash)
        if token is None or not token.live(now):
            return None
        family = [t for t in self._visible().values() if t.family_id == token.family_id]
        if any(t.revoked_at is not None for t in family):
            return None

        spent = replace(token, consumed_at=now)
        self._pending.refresh_tokens[spent.id] = spent
        self._pending.claimed.add(spent.id)
        return copied(spent)

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        return self._revoke([t for t in self._visible().values() if t.family_id == family_id], now)

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        return self._revoke([t for t in self._visible().values() if t.user_id == user_id], now)

    async def session_live(self, family_id: UUID, user_id: UUID, now: datetime) -> bool:
        """No token of the family revoked, and one of the user's unexpired and issued under
        the user's current session epoch."""
        user = self._pending.users.get(user_id, self._store.users.get(user_id))
        if user is None:
            return False
        family = [t for t in self._visible().values() if t.family_id == family_id]
        if any(t.revoked_at is not None for t in family):
            return False
        return any(
            t.user_id == user_id and now < t.expires_at and user.session_current(t.session_epoch)
            for t in family
        )

    def _revoke(self, tokens: list[RefreshToken], now: datetime) -> int:
        live = [t for t in tokens if t.revoked_at is None]
        for token in live:
            self._pending.refresh_tokens[token.id] = replace(token, revoked_at=now)
        return len(live)
