"""The ObjectStorage contract (contracts_suite.storage) on the in-memory and filesystem adapters.

Each adapter joins through an entry of HARNESSES; the S3 adapter runs the same
contract in tests/integration/test_s3_storage.py, against an S3 server.
"""

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.memory.storage import InMemoryObjectStorage
from adapters.storage.filesystem import FilesystemObjectStorage
from adapters.storage.signing import UrlSigner
from contracts_suite.storage import FakeClock, Harness, ObjectStorageContract

BASE_URL = "https://files.casecraft.test/base"
SECRET = b"s" * 32


def _local_acceptor(signer: UrlSigner, clock: FakeClock) -> Callable[[str], Awaitable[bool]]:
    async def accepts(url: str) -> bool:
        parts = urlsplit(url)
        key = parts.path.removeprefix(urlsplit(BASE_URL).path + "/files/")
        query = parse_qs(parts.query, keep_blank_values=True)
        expires, signature = query["expires"][0], query["signature"][0]
        return signer.verify(key, expires, signature, clock.now().timestamp())

    return accepts


def _memory(tmp_path: Path) -> Harness:
    clock, signer = FakeClock(), UrlSigner(SECRET)
    storage = InMemoryObjectStorage(BASE_URL + "/", signer, clock)
    return Harness(storage, clock, BASE_URL + "/files/", _local_acceptor(signer, clock))


def _filesystem(tmp_path: Path) -> Harness:
    clock, signer = FakeClock(), UrlSigner(SECRET)
    storage = FilesystemObjectStorage(tmp_path / "files", BASE_URL + "/", signer, clock)
    return Harness(storage, clock, BASE_URL + "/files/", _local_acceptor(signer, clock))


HARNESSES: list[Callable[[Path], Harness]] = [_memory, _filesystem]


@pytest.fixture(params=HARNESSES, ids=lambda factory: factory.__name__.strip("_"))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    yield request.param(tmp_path)


class TestObjectStorage(ObjectStorageContract):
    pass
