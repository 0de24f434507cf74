"""What the production benchmarks run against: a database, the settings, child processes.

Everything stays on 127.0.0.1. The database is a throw-away PostgreSQL database on
the server the integration tests use (CASECRAFT_TEST_POSTGRES_URL, default
postgresql+asyncpg://postgres@127.0.0.1:5432/test; it must name a loopback host),
created for one benchmark and dropped after it. When that server does not answer,
the benchmark says so in one line and runs on SQLite in its temporary data folder.

The service's settings are handed over as a mapping (the variables `casecraft`
reads), never taken from this process's environment, so no variable of the calling
shell can aim the service at another database or host; child processes get that
mapping plus a few harmless variables of this process (PATH, HOME, locale), no proxy.
"""

import contextlib
import math
import os
import secrets
import shutil
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_URL = os.environ.get(
    "CASECRAFT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CONNECT_TIMEOUT_S = 3
# Variables of this process a child may keep: none of them names a host or a setting.
_INHERITED = ("PATH", "PYTHONPATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")


@dataclass(frozen=True, slots=True)
class BenchDatabase:
    url: str
    label: str

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")


async def _on_server(*statements: str) -> None:
    engine = create_async_engine(
        POSTGRES_URL,
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": CONNECT_TIMEOUT_S},
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _postgres_unusable() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers on loopback."""
    server = make_url(POSTGRES_URL)
    where = server.render_as_string(hide_password=True)
    if server.host not in LOOPBACK_HOSTS:
        return f"{where} is not on loopback"
    try:
        await _on_server("SELECT 1")
    except Exception as error:
        return f"PostgreSQL unreachable at {where} ({type(error).__name__})"
    return None


@contextlib.asynccontextmanager
async def bench_database(data_dir: Path, purpose: str) -> AsyncIterator[BenchDatabase]:
    """A new PostgreSQL database dropped on the way out; SQLite in `data_dir` otherwise."""
    reason = await _postgres_unusable()
    if reason is not None:
        print(f"    database: SQLite in the data folder (fallback: {reason})")
        url = f"sqlite+aiosqlite:///{data_dir / 'casecraft.db'}"
        yield BenchDatabase(url, "SQLite (fallback)")
        return
    name = f"casecraft_bench_{purpose}_{uuid4().hex[:10]}"
    await _on_server(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    print(f"    database: PostgreSQL, throw-away database {name} on {make_url(url).host}")
    try:
        yield BenchDatabase(url, "PostgreSQL")
    finally:
        await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def service_env(
    *, database_url: str, data_dir: Path, provider_url: str, token: str, webhook_secret: str
) -> dict[str, str]:
    """The service's settings as `casecraft` reads them: production mode, the fake provider
    (its output files allowed from its origin only), files in `data_dir`, no embedded worker."""
    return {
        "CASECRAFT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "CASECRAFT_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "CASECRAFT_EMBEDDED_WORKER": "false",
        "CASECRAFT_LOG_LEVEL": "INFO",
        "REPLICATE_API_TOKEN": token,
        "REPLICATE_BASE_URL": provider_url,
        "REPLICATE_OUTPUT_HOSTS": provider_url,
        "REPLICATE_WEBHOOK_SECRET": webhook_secret,
    }


def child_env(service: dict[str, str]) -> dict[str, str]:
    """The environment of a child process: `service` and a few harmless variables."""
    kept = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    return {**kept, "NO_PROXY": "*", **service}


def casecraft_command() -> list[str]:
    """`casecraft` as installed beside this interpreter, or the module behind it."""
    script = Path(sys.executable).with_name("casecraft")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "entrypoints.cli"]


def copy_logs(folder: Path, logs: list[tuple[Path, str]]) -> None:
    """Copy each (log, name) into `folder`, made when missing (for --keep-logs)."""
    folder.mkdir(parents=True, exist_ok=True)
    for log, name in logs:
        shutil.copyfile(log, folder / name)


def machine_busy_s() -> float:
    """CPU seconds every process of the machine has used so far, over all its cores
    (/proc/stat: user, nice, system, irq, softirq, steal); 0 without /proc."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return 0.0
    busy = sum(int(fields[index]) for index in (1, 2, 3, 6, 7, 8))
    return busy / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.99 for p99) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


class Deadline:
    """A bound on a wait: `expired` once `seconds` have passed since it was made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._ends
