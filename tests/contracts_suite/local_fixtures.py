"""Fixtures that run the contract suites on the in-memory adapters and on SQLite files.

Imported by the test module that uses them: a conftest.py there would take the
`conftest` module name that other tests import helpers from.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.persistence.database import Database
from application.ports import UnitOfWorkFactory
from contracts_suite.adapters import (
    copy_sqlite_file,
    memory_factory,
    migrated_sqlite_file,
    open_sql_database,
    sqlite_url,
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test works on a copy."""
    return migrated_sqlite_file(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture
async def sql_database(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    url = sqlite_url(copy_sqlite_file(sqlite_template, tmp_path))
    async with open_sql_database(url) as database:
        yield database


@pytest.fixture(params=["memory", "sqlite"])
async def uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[UnitOfWorkFactory]:
    if request.param == "memory":
        yield memory_factory()
        return
    url = sqlite_url(copy_sqlite_file(sqlite_template, tmp_path))
    async with open_sql_database(url) as database:
        yield database.unit_of_work_factory()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet, in a folder that does not either."""
    return sqlite_url(tmp_path / "empty" / "casecraft.db")
