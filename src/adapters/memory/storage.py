"""ObjectStorage in a dict, for the tests and the embedded mode without a disk.

It applies the same key, prefix and content-type rules as the filesystem
adapter (`adapters.storage.keys`) and hands out the same signed URL form, so a
test over it says something about the real thing.

Known limits: nothing survives the process; every file is held in memory; a
URL it signs is served only by a route that calls `read_for_serving`.
"""

import logging

from adapters.storage.keys import (
    check_content_type,
    content_type_for,
    validate_key,
    validate_prefix,
)
from adapters.storage.signing import SignedFileUrls, UrlSigner
from application.ports import Clock
from domain.errors import NotFound

logger = logging.getLogger(__name__)


class InMemoryObjectStorage:
    """Files in a dict by key, served by signed URLs under `public_base_url`."""

    def __init__(self, public_base_url: str, signer: UrlSigner, clock: Clock) -> None:
        self._files: dict[str, bytes] = {}
        self._urls = SignedFileUrls(public_base_url, signer, clock)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`; refuses what the filesystem adapter refuses.

        A key that is also the folder of other keys, or lies inside a folder that
        is itself a key, raises ValueError, as it would on a disk.
        """
        check_content_type(validate_key(key), content_type)
        if self._collides(key):
            raise ValueError("the key collides with a folder of other keys")

        self._files[key] = bytes(data)

    async def get(self, key: str) -> bytes:
        try:
            return self._files[validate_key(key)]
        except KeyError:
            raise NotFound("No file is stored under this key.") from None

    async def exists(self, key: str) -> bool:
        return validate_key(key) in self._files

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key under the folder `prefix`; see FilesystemObjectStorage."""
        folder = validate_prefix(prefix) + "/"
        doomed = [key for key in self._files if key.startswith(folder)]
        for key in doomed:
            del self._files[key]
        logger.debug("deleted files prefix=%s count=%d", prefix, len(doomed))
        return len(doomed)

    async def signed_url(self, key: str, expires_in: int) -> str:
        return self._urls.url(validate_key(key), expires_in)

    def verify_signed(self, key: str, expires: int | str, signature: str) -> bool:
        """Whether a URL's key, `expires` and `signature` are authentic and not yet expired."""
        return self._urls.verify(key, expires, signature)

    async def read_for_serving(self, key: str) -> tuple[bytes, str]:
        """The file's bytes and content type; NotFound when nothing is stored under the key."""
        return await self.get(key), content_type_for(key)

    def _collides(self, key: str) -> bool:
        folder = key + "/"
        if any(other.startswith(folder) for other in self._files):
            return True
        segments = key.split("/")
        return any("/".join(segments[:end]) in self._files for end in range(1, len(segments)))
