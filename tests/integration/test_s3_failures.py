"""S3ObjectStorage when the S3 endpoint fails: refused, silent, or busy, and with bad settings.

Every endpoint here is a socket of this test on 127.0.0.1; no S3 server is needed.
A failure must come back as StorageUnavailable within the configured timeouts,
never as a hang, and never block the event loop meanwhile.
"""

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.s3.errors import StorageUnavailable
from adapters.s3.storage import S3ObjectStorage

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
KEY = "designs/6f1c2a9e-0000-4000-8000-000000000003/0/preview.webp"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real credential, profile, proxy or instance metadata can be used."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(32)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def closed_endpoint() -> str:
    """A loopback port nothing listens on, so a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def make_storage(endpoint: str, **settings: Any) -> S3ObjectStorage:
    return S3ObjectStorage(
        bucket="casecraft-unreached",
        region=REGION,
        access_key_id="AKIDCASECRAFTTESTONLY",
        secret_access_key="casecraft-test-secret",
        endpoint_url=endpoint,
        **settings,
    )


async def test_an_unreachable_endpoint_fails_at_once_with_a_clear_error(
    closed_endpoint: str,
) -> None:
    storage = make_storage(closed_endpoint, max_attempts=1)

    async with asyncio.timeout(5):
        with pytest.raises(StorageUnavailable, match=r"put .*EndpointConnectionError"):
            await storage.put(KEY, b"x", "image/webp")
        with pytest.raises(StorageUnavailable, match="EndpointConnectionError"):
            await storage.check_bucket()


async def test_a_silent_endpoint_times_out_without_blocking_the_event_loop(
    silent_endpoint: str,
) -> None:
    storage = make_storage(silent_endpoint, read_timeout=0.5, max_attempts=1)
    ticks = 0

    async def count_ticks() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(count_ticks())
    try:
        async with asyncio.timeout(5):
            with pytest.raises(StorageUnavailable, match="ReadTimeoutError"):
                await storage.get(KEY)
    finally:
        ticker.cancel()

    assert ticks >= 20


async def test_calls_beyond_the_pool_size_wait_for_a_free_slot(silent_endpoint: str) -> None:
    read_timeout = 0.3
    storage = make_storage(
        silent_endpoint, max_pool_connections=2, read_timeout=read_timeout, max_attempts=1
    )
    started = time.perf_counter()

    outcomes = await asyncio.gather(
        *(storage.exists(f"designs/a/{n}/preview.webp") for n in range(6)), return_exceptions=True
    )

    elapsed = time.perf_counter() - started
    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
    # Six calls, two at a time, each waiting out the read timeout: three rounds.
    assert elapsed >= 3 * read_timeout * 0.9


@pytest.mark.parametrize(
    "settings",
    [
        {"bucket": ""},
        {"region": ""},
        {"access_key_id": "AKIDONLY", "secret_access_key": None},
        {"access_key_id": None, "secret_access_key": "secret-only"},
        {"endpoint_url": "127.0.0.1:9000"},
        {"public_endpoint_url": "ftp://127.0.0.1:9000"},
        {"max_pool_connections": 0},
        {"connect_timeout": 0},
        {"read_timeout": -1},
        {"max_attempts": 0},
        {"delete_batch_size": 0},
        {"delete_batch_size": 1001},
    ],
    ids=lambda settings: "-".join(f"{name}={value}" for name, value in settings.items()),
)
def test_settings_that_cannot_work_are_refused(settings: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {
        "bucket": "casecraft-unreached",
        "region": REGION,
        "access_key_id": "AKIDCASECRAFTTESTONLY",
        "secret_access_key": "casecraft-test-secret",
        "endpoint_url": "http://127.0.0.1:9",
    }

    with pytest.raises(ValueError):
        S3ObjectStorage(**(arguments | settings))
