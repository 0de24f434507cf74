"""Password reset and verification tokens over plain dicts (see adapters.memory.store)."""

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.store import (
    View,
    copied,
    missing_reference,
)
from domain.errors import Conflict
from domain.one_time_tokens import OneTimeToken, TokenPurpose


class InMemoryOneTimeTokenRepository(View):
    def _visible(self) -> dict[UUID, OneTimeToken]:
        return {**self._store.one_time_tokens, **self._pending.one_time_tokens}

    async def add(self, token: OneTimeToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        tokens = self._visible().values()
        if token.id in self._visible() or any(t.token_hash == token.token_hash for t in tokens):
            raise Conflict("The token already exists.", code="one_time_token_exists")
        if token.user_id not in self._store.users and token.user_id not in self._pending.users:
            raise missing_reference("token")
        self._pending.one_time_tokens[token.id] = copied(token)

    async def void_for_user(self, user_id: UUID, purpose: TokenPurpose, now: datetime) -> int:
        """Mark used every unused token of the user and purpose."""
        unused = [
            t
            for t in self._visible().values()
            if t.user_id == user_id and t.purpose is purpose and t.used_at is None
        ]
        for token in unused:
            self._pending.one_time_tokens[token.id] = replace(token, used_at=now)
        return len(unused)

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> OneTimeToken | None:
        """Mark the token used, if it is unused, unexpired and the newest of its kind."""
        tokens = list(self._visible().values())
        token = next((t for t in tokens if t.token_hash == token_hash), None)
        if token is None or token.purpose is not purpose or not token.redeemable(now):
            return None
        if any(
            t.user_id == token.user_id and t.purpose is purpose and t.created_at > token.created_at
            for t in tokens
        ):
            return None

        used = replace(token, used_at=now)
        self._pending.one_time_tokens[used.id] = used
        self._pending.claimed.add(used.id)
        return copied(used)
