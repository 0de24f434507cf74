"""Password hashing and access tokens."""

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time a verification takes, for an account that does not exist."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        ...


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says: whose it is, and the session it was issued in
    (the id of that session's refresh-token family)."""

    user_id: UUID
    session_id: UUID


class TokenIssuer(Protocol):
    def issue_access(self, user_id: UUID, session_id: UUID) -> tuple[str, int]:
        """A signed access token of the user's session, and its lifetime in seconds."""
        ...

    def verify_access(self, token: str) -> AccessClaims:
        """What the token says; raises Unauthorized for anything but a valid access token.

        It checks the signature, the claims and the times only: whether the session is
        still going is the caller's to check.
        """
        ...
