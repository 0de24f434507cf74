"""Where files live and how clients are handed them."""

from typing import Protocol


class ObjectStorage(Protocol):
    """Files under keys derived from ids; served to clients by signed, expiring URLs."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """Raises NotFound when the key holds nothing."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete_prefix(self, prefix: str) -> int: ...

    async def signed_url(self, key: str, expires_in: int) -> str:
        """A URL that serves the file for `expires_in` seconds, then refuses."""
        ...
