"""Single-use tokens mailed to a user: password reset and email verification.

A token is redeemable once, before it expires, and only while it is the newest
of its user and purpose: issuing a new one voids the older ones. Only the
SHA-256 digest of a token is stored; the token itself exists in the mail alone.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose's name, not a password)
    EMAIL_VERIFICATION = "email_verification"


@dataclass(slots=True)
class OneTimeToken:
    """`used_at` is set when the token is redeemed or voided by a newer one."""

    id: UUID
    user_id: UUID
    purpose: TokenPurpose
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def redeemable(self, now: datetime) -> bool:
        """Not used nor voided, and not expired at `now` (newness is the repository's check)."""
        return self.used_at is None and now < self.expires_at
