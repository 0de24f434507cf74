"""What only the disk adapter does: file layout, atomic writes, serving by path."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.storage.filesystem import FilesystemObjectStorage
from adapters.storage.signing import UrlSigner
from domain.errors import NotFound

KEY = "designs/6f1c2a9e-0000-4000-8000-000000000001/0/artwork.png"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def storage(root: Path) -> FilesystemObjectStorage:
    return FilesystemObjectStorage(
        root, "http://127.0.0.1:8000", UrlSigner(b"k" * 32), FixedClock()
    )


def _all_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


async def test_a_file_lands_under_the_root_at_its_key(
    storage: FilesystemObjectStorage, root: Path
) -> None:
    await storage.put(KEY, b"png", "image/png")

    assert (root / KEY).read_bytes() == b"png"
    assert _all_files(root) == [KEY]


async def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
    storage: FilesystemObjectStorage, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.put(KEY, b"old", "image/png")

    def crash(source: str, target: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        await storage.put(KEY, b"new", "image/png")

    assert (root / KEY).read_bytes() == b"old"
    assert _all_files(root) == [KEY]


async def test_open_for_serving_gives_the_path_and_the_extension_type(
    storage: FilesystemObjectStorage, root: Path
) -> None:
    await storage.put("designs/d/0/preview.webp", b"webp", "image/webp")

    path, content_type = await storage.open_for_serving("designs/d/0/preview.webp")

    assert path == root / "designs/d/0/preview.webp"
    assert content_type == "image/webp"


async def test_open_for_serving_a_missing_key_raises_not_found(
    storage: FilesystemObjectStorage,
) -> None:
    with pytest.raises(NotFound):
        await storage.open_for_serving(KEY)


async def test_open_for_serving_refuses_an_escaping_key(
    storage: FilesystemObjectStorage,
) -> None:
    with pytest.raises(ValueError):
        await storage.open_for_serving("../../etc/passwd")


async def test_delete_prefix_also_sweeps_temporary_files_left_by_a_crash(
    storage: FilesystemObjectStorage, root: Path
) -> None:
    await storage.put(KEY, b"png", "image/png")
    (root / KEY).with_name(".abc.part").write_bytes(b"half")

    deleted = await storage.delete_prefix("designs")

    assert deleted == 1
    assert _all_files(root) == []


async def test_a_url_it_signs_verifies_with_its_own_check(
    storage: FilesystemObjectStorage,
) -> None:
    url = await storage.signed_url(KEY, 60)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))

    assert url.startswith(f"http://127.0.0.1:8000/files/{KEY}?")
    assert storage.verify_signed(KEY, query["expires"], query["signature"])
    assert not storage.verify_signed(KEY.replace("0/", "1/"), query["expires"], query["signature"])


def test_a_base_url_without_a_scheme_is_refused(root: Path) -> None:
    with pytest.raises(ValueError):
        FilesystemObjectStorage(root, "files.example", UrlSigner(b"k" * 32), FixedClock())
