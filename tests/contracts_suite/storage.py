"""What every ObjectStorage adapter must do: memory, filesystem and S3 alike.

A test module joins by subclassing ObjectStorageContract and providing a
`harness` fixture: the storage, the fake clock that ages its URLs, what a signed
URL of a key starts with, and how to ask whether a URL would still be served.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from application.ports import ObjectStorage
from domain.errors import NotFound

KEY = "designs/6f1c2a9e-0000-4000-8000-000000000001/0/preview.webp"

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


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2030, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class Harness:
    """One adapter under the contract.

    `url_prefix` is what a signed URL starts with, right before the key.
    `accepts(url)` answers whether the URL would be served at the clock's time.
    `signature_field` and `expiry_field` name the URL's query fields to tamper with.
    `keys_may_be_folders` is True where a key may also be the folder of other keys.
    """

    storage: ObjectStorage
    clock: FakeClock
    url_prefix: str
    accepts: Callable[[str], Awaitable[bool]]
    signature_field: str = "signature"
    expiry_field: str = "expires"
    keys_may_be_folders: bool = False


def with_query(url: str, **changes: str) -> str:
    """`url` with some query fields replaced, the others kept."""
    parts = urlsplit(url)
    query = {
        name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


class ObjectStorageContract:
    @pytest.fixture
    def storage(self, harness: Harness) -> ObjectStorage:
        return harness.storage

    async def test_put_then_get_returns_the_same_bytes(self, storage: ObjectStorage) -> None:
        await storage.put(KEY, b"\x00webp bytes\xff", "image/webp")

        assert await storage.get(KEY) == b"\x00webp bytes\xff"

    async def test_exists_tells_stored_keys_from_missing_ones(self, storage: ObjectStorage) -> None:
        await storage.put(KEY, b"x", "image/webp")

        assert await storage.exists(KEY)
        assert not await storage.exists("designs/other/0/preview.webp")

    async def test_put_over_an_existing_key_replaces_the_file(self, storage: ObjectStorage) -> None:
        await storage.put(KEY, b"old", "image/webp")

        await storage.put(KEY, b"new", "image/webp")

        assert await storage.get(KEY) == b"new"

    async def test_get_of_a_missing_key_raises_not_found(self, storage: ObjectStorage) -> None:
        with pytest.raises(NotFound):
            await storage.get(KEY)

    async def test_get_of_a_folder_raises_not_found(self, storage: ObjectStorage) -> None:
        await storage.put("designs/a/0/artwork.png", b"x", "image/png")

        with pytest.raises(NotFound):
            await storage.get("designs/a")
        assert not await storage.exists("designs/a")

    async def test_delete_prefix_removes_the_folder_and_counts_its_files(
        self, storage: ObjectStorage
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

    async def test_delete_prefix_accepts_a_trailing_slash(self, storage: ObjectStorage) -> None:
        await storage.put("designs/a/0/artwork.png", b"1", "image/png")

        assert await storage.delete_prefix("designs/a/") == 1

    async def test_delete_prefix_of_nothing_deletes_nothing(self, storage: ObjectStorage) -> None:
        await storage.put("designs/a/0/artwork.png", b"1", "image/png")

        assert await storage.delete_prefix("designs/b") == 0
        assert await storage.delete_prefix("designs/a/0/artwork.png") == 0
        assert await storage.exists("designs/a/0/artwork.png")

    @pytest.mark.parametrize("prefix", ["", "/", "..", "designs/../x", "/designs"])
    async def test_delete_prefix_refuses_an_empty_or_escaping_prefix(
        self, storage: ObjectStorage, prefix: str
    ) -> None:
        with pytest.raises(ValueError):
            await storage.delete_prefix(prefix)

    @pytest.mark.parametrize("key", INVALID_KEYS)
    async def test_invalid_keys_are_refused_by_every_operation(
        self, storage: ObjectStorage, key: str
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
        self, storage: ObjectStorage
    ) -> None:
        with pytest.raises(ValueError):
            await storage.put(KEY, b"x", "image/png")
        with pytest.raises(ValueError):
            await storage.put("designs/a/0/notes.html", b"<script>", "text/html")

        assert not await storage.exists(KEY)

    async def test_put_accepts_content_type_parameters_and_any_case(
        self, storage: ObjectStorage
    ) -> None:
        await storage.put("uploads/u/source.jpg", b"x", "Image/JPEG; q=1")

        assert await storage.exists("uploads/u/source.jpg")

    async def test_a_key_cannot_also_be_a_folder_of_keys(self, harness: Harness) -> None:
        if harness.keys_may_be_folders:
            pytest.skip("this store has no folders; see the next test")
        storage = harness.storage
        await storage.put("a/b.png", b"x", "image/png")
        await storage.put("c/d/e.png", b"x", "image/png")

        with pytest.raises(ValueError):
            await storage.put("a/b.png/c.png", b"y", "image/png")
        with pytest.raises(ValueError):
            await storage.put("c/d", b"y", "image/png")
        assert await storage.get("a/b.png") == b"x"

    async def test_a_key_and_a_folder_of_the_same_name_stay_apart(self, harness: Harness) -> None:
        if not harness.keys_may_be_folders:
            pytest.skip("this store refuses a key that is also a folder; see the previous test")
        storage = harness.storage
        await storage.put("a/b.png", b"file", "image/png")
        await storage.put("a/b.png/c.png", b"inside", "image/png")

        deleted = await storage.delete_prefix("a/b.png")

        assert deleted == 1
        assert await storage.get("a/b.png") == b"file"
        assert not await storage.exists("a/b.png/c.png")

    async def test_signed_url_uses_the_configured_base_url(self, harness: Harness) -> None:
        url = await harness.storage.signed_url(KEY, 60)

        assert url.startswith(f"{harness.url_prefix}{KEY}?")

    async def test_signed_url_is_served_until_it_expires(self, harness: Harness) -> None:
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
        self, storage: ObjectStorage, expires_in: int
    ) -> None:
        with pytest.raises(ValueError):
            await storage.signed_url(KEY, expires_in)

    async def test_signed_url_with_a_tampered_signature_is_refused(self, harness: Harness) -> None:
        await harness.storage.put(KEY, b"x", "image/webp")
        url = await harness.storage.signed_url(KEY, 60)
        field = harness.signature_field
        signature = parse_qs(urlsplit(url).query)[field][0]
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

        assert await harness.accepts(url)
        assert not await harness.accepts(with_query(url, **{field: flipped}))
        assert not await harness.accepts(with_query(url, **{field: ""}))
        assert not await harness.accepts(with_query(url, **{field: signature + "="}))

    async def test_signed_url_with_a_later_expiry_is_refused(self, harness: Harness) -> None:
        await harness.storage.put(KEY, b"x", "image/webp")
        url = await harness.storage.signed_url(KEY, 60)
        field = harness.expiry_field
        expires = int(parse_qs(urlsplit(url).query)[field][0])

        assert not await harness.accepts(with_query(url, **{field: str(expires + 3600)}))
        assert not await harness.accepts(with_query(url, **{field: f"0{expires}"}))

    async def test_signed_url_for_another_key_is_refused(self, harness: Harness) -> None:
        await harness.storage.put(KEY, b"x", "image/webp")
        await harness.storage.put(KEY.replace("preview.webp", "artwork.png"), b"y", "image/png")
        url = await harness.storage.signed_url(KEY, 60)

        other = url.replace("/preview.webp?", "/artwork.png?")

        assert not await harness.accepts(other)
