"""Password hashing and access tokens."""

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


class TokenIssuer(Protocol):
    def issue_access(self, user_id: UUID) -> tuple[str, int]:
        """A signed access token and its lifetime in seconds."""
        ...

    def verify_access(self, token: str) -> UUID:
        """The user id; raises Unauthorized for anything but a valid access token."""
        ...
