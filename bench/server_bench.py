"""Optional comparison: the same two apps behind uvicorn on loopback, loaded by httpx.

Each app runs in its own process (bench/serve.py) on 127.0.0.1 and a free port;
one httpx.AsyncClient per server keeps CONNECTIONS connections busy for REQUESTS
requests per sample. Client and servers share the machine, so the client's own
cost is in both figures and the ratio is nearer 1 than in process.
"""

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from apps import BARE_PATH
from report import Row
from timing import Plan, Sampler, Summary, interleave

SERVE = Path(__file__).with_name("serve.py")
CATALOG_PATHS = ("/v1/phones", "/v1/phones/apple-iphone-15-pro")
CONNECTIONS = 4
REQUESTS = 300
TARGET_RATIO = 0.5
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 5.0
PLAN = Plan(rounds=7, budget_s=4.0)


class ServerFailed(RuntimeError):
    """A benchmark server did not start or did not answer."""


@contextlib.asynccontextmanager
async def served(kind: str, data_dir: Path, log: Path) -> AsyncIterator[str]:
    """Start bench/serve.py for `kind`; yield its base URL; stop it on the way out."""
    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SERVE),
            kind,
            "--data-dir",
            str(data_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
        )
        try:
            yield f"http://127.0.0.1:{await _port(process, log)}"
        finally:
            await _stop(process)


async def _port(process: asyncio.subprocess.Process, log: Path) -> int:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
    if not line.strip().isdigit():
        output = await asyncio.to_thread(log.read_text, errors="replace")
        raise ServerFailed(f"server did not start: {output[-2000:]}")
    return int(line)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


def client(base_url: str) -> httpx.AsyncClient:
    """A client for one loopback server; environment proxies are ignored."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    return httpx.AsyncClient(
        base_url=base_url, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
    )


async def ready(http: httpx.AsyncClient, path: str) -> None:
    """Wait until `path` answers 200 (the app's startup runs after the port is printed)."""
    deadline = time.perf_counter() + START_TIMEOUT_S
    while True:
        try:
            if (await http.get(path)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.perf_counter() > deadline:
            raise ServerFailed(f"{http.base_url} did not answer GET {path}")
        await asyncio.sleep(0.1)


def load(http: httpx.AsyncClient, path: str) -> Sampler:
    """A sample: REQUESTS GETs over CONNECTIONS concurrent connections, in requests per second."""

    async def sample() -> float:
        remaining = REQUESTS

        async def connection() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                response = await http.get(path)
                if response.status_code != 200:
                    raise ServerFailed(f"GET {path} answered {response.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
        return REQUESTS / (time.perf_counter() - started)

    return sample


def _row(path: str, subject: Summary, floor: Summary) -> Row:
    ratio = subject.median / floor.median
    return Row(
        figure=f"uvicorn GET {path}",
        unit="req/s",
        subject_name="catalog",
        subject=subject,
        floor_name="bare",
        floor=floor,
        ratio_name="catalog/bare",
        ratio=ratio,
        target=f">= {TARGET_RATIO:.2f}",
        passed=ratio >= TARGET_RATIO,
    )


async def server_rows() -> list[Row]:
    print("[3b] the same routes through uvicorn on 127.0.0.1, loaded by httpx")
    print(f"    one process per app; {REQUESTS} requests per sample over {CONNECTIONS} connections")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="casecraft-bench-") as folder:
        base = Path(folder)
        async with (
            served("catalog", base / "data", base / "catalog.log") as catalog_url,
            served("bare", base / "data", base / "bare.log") as bare_url,
            client(catalog_url) as catalog,
            client(bare_url) as bare,
        ):
            await asyncio.gather(ready(catalog, CATALOG_PATHS[0]), ready(bare, BARE_PATH))
            for path in CATALOG_PATHS:
                subject_load, floor_load = load(catalog, path), load(bare, BARE_PATH)
                await subject_load()  # one discarded sample each: connections open, caches warm
                await floor_load()
                subject, floor = await interleave(subject_load, floor_load, PLAN)
                rows.append(_row(path, subject, floor))
    return rows
