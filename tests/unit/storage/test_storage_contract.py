"""One contract for every ObjectStorage adapter.

Each adapter joins through an entry of HARNESSES: a factory that builds the
storage, the fake clock it reads, its configured base URL, and how to ask it
whether a URL it signed would still be served. An S3 harness joins the same list.
"""

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from adapters.memory.storage import InMemoryObjectStorage
from adapters.storage.filesystem import FilesystemObjectStorage
from adapters.storage.signing import UrlSigner
from application.ports import ObjectStorage
from domain.errors import NotFound

BASE_URL = "https://files.casecraft.test/base"
SECRET = b"s" * 32
KEY = "designs/6f1c2a9e-0000-4000-8000-000000000001/0/preview.webp"


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class Harness:
    storage: ObjectStorage
    clock: FakeClock
    base_url: str
    accepts: Callable[[str], Awaitable[bool]]


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
    return Harness(storage, clock, BASE_URL, _local_acceptor(signer, clock))


def _filesystem(tmp_path: Path) -> Harness:
    clock, signer = FakeClock(), UrlSigner(SECRET)
    storage = FilesystemObjectStorage(tmp_path / "files", BASE_URL + "/", signer, clock)
    return Harness(storage, clock, BASE_URL, _local_acceptor(signer, clock))


HARNESSES: list[Callable[[Path], Harness]] = [_memory, _filesystem]


@pytest.fixture(params=HARNESSES, ids=lambda factory: factory.__name__.strip("_"))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    yield request.param(tmp_path)


@pytest.fixture
def storage(harness: Harness) -> ObjectStorage:
    return harness.storage


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {
        name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_put_then_get_returns_the_same_bytes(storage: ObjectStorage) -> None:
    await storage.put(KEY, b"\x00webp bytes\xff", "image/webp")

    assert await storage.get(KEY) == b"\x00webp bytes\xff"


async def test_exists_tells_stored_keys_from_missing_ones(storage: ObjectStorage) -> None:
    await storage.put(KEY, b"x", "image/webp")

    assert await storage.exists(KEY)
    assert not await storage.exists("designs/other/0/preview.webp")


async def test_put_over_an_existing_key_replaces_the_file(storage: ObjectStorage) -> None:
    await storage.put(KEY, b"old", "image/webp")

    await storage.put(KEY, b"new", "image/webp")

    assert await storage.get(KEY) == b"new"


async def test_get_of_a_missing_key_raises_not_found(storage: ObjectStorage) -> None:
    with pytest.raises(NotFound):
        await storage.get(KEY)


async def test_get_of_a_folder_raises_not_found(storage: ObjectStorage) -> None:
    await storage.put("designs/a/0/artwork.png", b"x", "image/png")

    with pytest.raises(NotFound):
        await storage.get("designs/a")
    assert not await storage.exists("designs/a")


async def test_delete_prefix_removes_the_folder_and_counts_its_files(
    storage: ObjectStorage,
) -> None:
    await storage.put("designs/a/0/artwork.png", b"1", "image/png")
    await storage.put("designs/a/0/preview.webp", b"2", "image/webp")
    await storage.put("designs/a/1/artwork.png", b"3", "image/png")
    await storage.put("designs/ab/0/artwork.png", b"4", "image/png")

    deleted = await storage.delete_prefix("designs/a")

    assert deleted == 3
    assert not await storage.exists("designs/a/0/artwork.png")
    assert not await storage.exists("designs/a/1/artwork.png")
    assert await storage.get("designs/ab/0/artwork.png") == b"4"


async def test_delete_prefix_accepts_a_trailing_slash(storage: ObjectStorage) -> None:
    await storage.put("designs/a/0/artwork.png", b"1", "image/png")

    assert await storage.delete_prefix("designs/a/") == 1


async def test_delete_prefix_of_nothing_deletes_nothing(storage: ObjectStorage) -> None:
    await storage.put("designs/a/0/artwork.png", b"1", "image/png")

    assert await storage.delete_prefix("designs/b") == 0
    assert await storage.delete_prefix("designs/a/0/artwork.png") == 0
    assert await storage.exists("designs/a/0/artwork.png")


@pytest.mark.parametrize("prefix", ["", "/", "..", "designs/../x", "/designs"])
async def test_delete_prefix_refuses_an_empty_or_escaping_prefix(
    storage: ObjectStorage, prefix: str
) -> None:
    with pytest.raises(ValueError):
        await storage.delete_prefix(prefix)


INVALID_KEYS = [
    "",
    "../x.png",
    "a/../../x.png",
    "/abs.png",
    "a//b.png",
    "a\\b.png",
    "a/./b.png",
    "a/b.png/",
    ".hidden.png",
    "a/b\x00.png",
    "a b.png",
    "a/%2e%2e/b.png",
    "ünï.png",
    "a/" + "x" * 256 + ".png",
    "a/" * 300 + "b.png",
]


@pytest.mark.parametrize("key", INVALID_KEYS)
async def test_invalid_keys_are_refused_by_every_operation(
    storage: ObjectStorage, key: str
) -> None:
    with pytest.raises(ValueError):
        await storage.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        await storage.get(key)
    with pytest.raises(ValueError):
        await storage.exists(key)
    with pytest.raises(ValueError):
        await storage.signed_url(key, 60)


async def test_put_refuses_a_content_type_that_contradicts_the_extension(
    storage: ObjectStorage,
) -> None:
    with pytest.raises(ValueError):
        await storage.put(KEY, b"x", "image/png")
    with pytest.raises(ValueError):
        await storage.put("designs/a/0/notes.html", b"<script>", "text/html")

    assert not await storage.exists(KEY)


async def test_put_accepts_content_type_parameters_and_any_case(storage: ObjectStorage) -> None:
    await storage.put("uploads/u/source.jpg", b"x", "Image/JPEG; q=1")

    assert await storage.exists("uploads/u/source.jpg")


async def test_a_key_cannot_also_be_a_folder_of_keys(storage: ObjectStorage) -> None:
    await storage.put("a/b.png", b"x", "image/png")
    await storage.put("c/d/e.png", b"x", "image/png")

    with pytest.raises(ValueError):
        await storage.put("a/b.png/c.png", b"y", "image/png")
    with pytest.raises(ValueError):
        await storage.put("c/d", b"y", "image/png")
    assert await storage.get("a/b.png") == b"x"


async def test_signed_url_uses_the_configured_base_url(harness: Harness) -> None:
    url = await harness.storage.signed_url(KEY, 60)

    assert url.startswith(f"{harness.base_url}/files/{KEY}?")


async def test_signed_url_is_served_until_it_expires(harness: Harness) -> None:
    await harness.storage.put(KEY, b"x", "image/webp")
    url = await harness.storage.signed_url(KEY, 60)

    harness.clock.advance(59)
    still_served = await harness.accepts(url)
    harness.clock.advance(1)
    served_after = await harness.accepts(url)

    assert still_served
    assert not served_after


@pytest.mark.parametrize("expires_in", [0, -1, 7 * 24 * 3600 + 1])
async def test_signed_url_refuses_a_lifetime_out_of_bounds(
    storage: ObjectStorage, expires_in: int
) -> None:
    with pytest.raises(ValueError):
        await storage.signed_url(KEY, expires_in)


async def test_signed_url_with_a_tampered_signature_is_refused(harness: Harness) -> None:
    url = await harness.storage.signed_url(KEY, 60)
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert not await harness.accepts(_with_query(url, signature=flipped))
    assert not await harness.accepts(_with_query(url, signature=""))
    assert not await harness.accepts(_with_query(url, signature=signature + "="))


async def test_signed_url_with_a_later_expiry_is_refused(harness: Harness) -> None:
    url = await harness.storage.signed_url(KEY, 60)
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])

    assert not await harness.accepts(_with_query(url, expires=str(expires + 3600)))
    assert not await harness.accepts(_with_query(url, expires=f"0{expires}"))


async def test_signed_url_for_another_key_is_refused(harness: Harness) -> None:
    url = await harness.storage.signed_url(KEY, 60)

    other = url.replace("/preview.webp?", "/artwork.png?")

    assert not await harness.accepts(other)
