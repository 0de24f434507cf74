"""Fixtures shared by every test: settings, the app over in-memory adapters, and clients."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from casecraft_testing import InMemoryAdapters, make_settings, sign_up_and_log_in
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings, InMemoryAdapters())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def alice(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return await sign_up_and_log_in(client, "alice@example.com")


@pytest.fixture
async def bob(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return await sign_up_and_log_in(client, "bob@example.com")


@pytest.fixture
def shared_images() -> Iterator[Path]:
    folder = Path(__file__).resolve().parents[1].parent / "shared" / "images"
    if not folder.is_dir():
        pytest.skip(f"no shared images folder at {folder}")
    yield folder
