"""Refresh tokens and their families: how a signed-in session lives, rotates and ends.

A login starts a family. Each refresh consumes the token it is given and issues the
next one in the same family, so a family has at most one live token at a time. A
consumed token that comes back is a replay: someone kept a copy, so the whole
family is revoked and both the thief and the owner must log in again. Only the
SHA-256 digest of a token is stored; the token itself is shown once, to its owner.

Each token carries the session epoch of its user when its family opened
(`User.session_epoch`); a family opened under an older epoch than the user's is over.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(slots=True)
class RefreshToken:
    id: UUID
    family_id: UUID
    user_id: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    session_epoch: int
    consumed_at: datetime | None = None
    revoked_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        """Neither consumed nor revoked, and not expired at `now`."""
        return self.consumed_at is None and self.revoked_at is None and now < self.expires_at
