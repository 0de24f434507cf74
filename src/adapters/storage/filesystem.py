"""ObjectStorage on the local disk, for the embedded mode: one file per key under a root.

Writes are atomic: the bytes go to a temporary file beside the target, are
flushed to disk, then renamed over it, so a reader sees the old file or the new
one and a crash never leaves half a file. Every disk call runs in a worker
thread. Files are served by the HTTP route through `open_for_serving`, behind
a signed, expiring URL.

Known limits:
- A key cannot also be the folder of other keys (`a/b` and `a/b/c`); such a put is refused.
- A temporary file left by a crash stays until its folder is deleted.
- Nothing coordinates several hosts: the root must be one machine's disk.
- It trusts that nothing else places symbolic links under the root.
- Files are created readable by the service's own user only.
"""

import asyncio
import contextlib
import logging
import os
import tempfile
from pathlib import Path

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

_TEMP_PREFIX = "."
_TEMP_SUFFIX = ".part"


class FilesystemObjectStorage:
    """Files under `root` by key, served by signed URLs under `public_base_url`."""

    def __init__(self, root: Path, public_base_url: str, signer: UrlSigner, clock: Clock) -> None:
        # abspath, not resolve(): the constructor does no disk I/O.
        self._root = Path(os.path.abspath(root))
        self._urls = SignedFileUrls(public_base_url, signer, clock)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there.

        Raises ValueError for an invalid key, an extension not served, a content
        type that does not match the extension, or a key that collides with a folder.
        """
        check_content_type(validate_key(key), content_type)
        path = self._path(key)

        try:
            await asyncio.to_thread(_write_atomically, path, data)
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
            raise ValueError("the key collides with a folder of other keys") from exc
        logger.debug("stored file key=%s bytes=%d", key, len(data))

    async def get(self, key: str) -> bytes:
        path = self._path(validate_key(key))
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound("No file is stored under this key.") from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(validate_key(key)).is_file)

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key under the folder `prefix` and return how many there were.

        `designs/a` removes `designs/a/...` but neither `designs/ab/...` nor a file
        named `designs/a` itself. An empty or invalid prefix raises ValueError.
        """
        folder = self._path(validate_prefix(prefix))
        count = await asyncio.to_thread(_delete_folder, folder)
        logger.info("deleted files prefix=%s count=%d", prefix, count)
        return count

    async def signed_url(self, key: str, expires_in: int) -> str:
        return self._urls.url(validate_key(key), expires_in)

    def verify_signed(self, key: str, expires: int | str, signature: str) -> bool:
        """Whether a URL's key, `expires` and `signature` are authentic and not yet expired."""
        return self._urls.verify(key, expires, signature)

    async def open_for_serving(self, key: str) -> tuple[Path, str]:
        """The file's path and content type, for the route that streams it.

        Check the URL's signature first. Raises NotFound when nothing is stored
        under the key and ValueError for an invalid key.
        """
        path = self._path(validate_key(key))
        if not await asyncio.to_thread(path.is_file):
            raise NotFound("No file is stored under this key.")
        return path, content_type_for(key)

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*key.split("/"))


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; some file systems refuse, which costs
    # only durability of the newest write, never a torn file.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _delete_folder(folder: Path) -> int:
    if not folder.is_dir():
        return 0

    count = 0
    for current, folders, files in os.walk(folder, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(current, name))
            except FileNotFoundError:
                continue
            if not name.startswith(_TEMP_PREFIX):
                count += 1
        for name in folders:
            _remove_empty_folder(os.path.join(current, name))
    _remove_empty_folder(str(folder))
    return count


def _remove_empty_folder(folder: str) -> None:
    # A put racing the deletion may have refilled it; that file stays.
    with contextlib.suppress(OSError):
        os.rmdir(folder)
