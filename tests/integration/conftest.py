"""Integration fixtures: throw-away PostgreSQL databases on 127.0.0.1:5432.

When PostgreSQL does not answer, every fixture here skips with one reason, and
fails instead under CI=true (see `contracts_suite.postgres`).
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text

from adapters.persistence.database import Database
from adapters.persistence.migrations import upgrade_database
from application.ports import UnitOfWorkFactory
from contracts_suite.adapters import open_sql_database
from contracts_suite.postgres import SERVER_URL, require_postgres, throwaway_database

TABLES = "refresh_tokens, one_time_tokens, upscale_jobs, designs, uploads, users, phones"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server's URL, once it has answered."""
    require_postgres()
    return SERVER_URL


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A database of its own for this test session, migrated to the newest revision."""
    for url in throwaway_database():
        upgrade_database(url)
        yield url


@pytest.fixture
def empty_database_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database for one test, dropped after it."""
    yield from throwaway_database()


@pytest.fixture
async def sql_database(postgres_url: str) -> AsyncIterator[Database]:
    """The session's database, emptied for this test."""
    async with open_sql_database(postgres_url) as database:
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} CASCADE"))
        yield database


@pytest.fixture(params=["postgres"])
async def uow_factory(sql_database: Database) -> UnitOfWorkFactory:
    return sql_database.unit_of_work_factory()
