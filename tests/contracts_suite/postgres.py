"""The PostgreSQL server of the integration tests: where it is, and whether it answers.

CASECRAFT_TEST_POSTGRES_URL overrides the URL (keep it on loopback). When the
server does not answer, the tests that need it are skipped with one reason,
except under CI=true, where they fail: CI must never pass by skipping.
"""

import asyncio
import functools
import os
from collections.abc import Iterator
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SERVER_URL = os.environ.get(
    "CASECRAFT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CONNECT_TIMEOUT_SECONDS = 3


async def _run_on_server(*statements: str) -> None:
    engine = create_async_engine(
        SERVER_URL, isolation_level="AUTOCOMMIT", connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@functools.cache
def unreachable_reason() -> str | None:
    """Why the server cannot be used, or None when it answers; asked once per run."""
    try:
        asyncio.run(_run_on_server("SELECT 1"))
    except Exception as error:
        where = make_url(SERVER_URL).render_as_string(hide_password=True)
        return f"PostgreSQL unreachable at {where} ({type(error).__name__})"
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_postgres() -> None:
    """In a fixture: skip the test (fail it under CI=true) when the server is away."""
    reason = unreachable_reason()
    if reason is None:
        return
    if _in_ci():
        pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
    pytest.skip(f"{reason}: PostgreSQL tests skipped")


def skip_module_without_postgres() -> None:
    """At a module's top: skip all its tests with one line when the server is away.

    Under CI=true it does nothing, so the fixtures fail each test while the rest of
    the run still goes on.
    """
    reason = unreachable_reason()
    if reason is not None and not _in_ci():
        pytest.skip(f"{reason}: PostgreSQL tests skipped", allow_module_level=True)


def throwaway_database() -> Iterator[str]:
    """The URL of a new database on the server, dropped when the iterator ends."""
    name = f"casecraft_test_{uuid4().hex[:12]}"
    asyncio.run(_run_on_server(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_run_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
