"""Comparison 3: catalog routes of the real app against a bare Litestar route, in process.

Both apps run their lifespan first and are then called through the ASGI interface
directly (asgi_driver), the same way: SEQUENTIAL requests one after another, and
CONCURRENT requests BATCH at a time with asyncio.gather. A sample is requests per
second over one such series.
"""

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apps import BARE_PATH, bare_app, catalog_app
from asgi_driver import AsgiApp, get, lifespan
from report import Row
from timing import Plan, Sampler, Summary, interleave

CATALOG_PATHS = ("/v1/phones", "/v1/phones/apple-iphone-15-pro")
SEQUENTIAL = 600
BATCH = 32
BATCHES = 20
WARM_UP = 200
TARGET_RATIO = 0.5
PLAN = Plan(rounds=9, budget_s=4.0)


@dataclass(frozen=True, slots=True)
class Target:
    """An app after its startup, with the lifespan state each request scope carries."""

    app: AsgiApp
    state: dict[str, Any]

    async def get(self, path: str) -> int:
        return await get(self.app, path, self.state)


def sequential(target: Target, path: str) -> Sampler:
    async def sample() -> float:
        started = time.perf_counter()
        for _ in range(SEQUENTIAL):
            await target.get(path)
        return SEQUENTIAL / (time.perf_counter() - started)

    return sample


def concurrent(target: Target, path: str) -> Sampler:
    async def sample() -> float:
        started = time.perf_counter()
        for _ in range(BATCHES):
            await asyncio.gather(*(target.get(path) for _ in range(BATCH)))
        return BATCH * BATCHES / (time.perf_counter() - started)

    return sample


@contextlib.asynccontextmanager
async def started_apps(data_dir: Path) -> AsyncIterator[tuple[Target, Target]]:
    """The real app on SQLite under `data_dir` and the bare app, both past startup."""
    catalog = catalog_app(data_dir)
    bare = bare_app()
    async with lifespan(catalog) as catalog_state, lifespan(bare) as bare_state:
        yield Target(catalog, catalog_state), Target(bare, bare_state)


def _row(path: str, mode: str, subject: Summary, floor: Summary) -> Row:
    ratio = subject.median / floor.median
    return Row(
        figure=f"GET {path} {mode}",
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


async def _warm(target: Target, path: str) -> int:
    size = 0
    for _ in range(WARM_UP):
        size = await target.get(path)
    return size


async def http_rows() -> list[Row]:
    print("[3] catalog routes vs a bare Litestar route, in process through ASGI")
    print(
        f"    real app on embedded SQLite in a temporary data folder; sequential = "
        f"{SEQUENTIAL} requests, concurrent = {BATCHES} x gather({BATCH})"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="casecraft-bench-") as folder:
        async with started_apps(Path(folder)) as (catalog, bare):
            bare_size = await _warm(bare, BARE_PATH)
            for path in CATALOG_PATHS:
                size = await _warm(catalog, path)
                print(f"    GET {path}: {size:,} bytes; GET {BARE_PATH}: {bare_size} bytes")
                for mode, sampler in (("sequential", sequential), ("concurrent", concurrent)):
                    subject, floor = await interleave(
                        sampler(catalog, path), sampler(bare, BARE_PATH), PLAN
                    )
                    rows.append(_row(path, mode, subject, floor))
    return rows
