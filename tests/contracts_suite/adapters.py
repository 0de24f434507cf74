"""The adapters the contract suites run against, built the same way on each side."""

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.memory.repositories import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.persistence.database import Database
from adapters.persistence.migrations import upgrade_database
from application.ports import UnitOfWorkFactory


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite_file(folder: Path) -> Path:
    """A SQLite file at the latest revision, to copy for each test."""
    path = folder / "template.db"
    upgrade_database(sqlite_url(path))
    return path


def copy_sqlite_file(template: Path, folder: Path) -> Path:
    path = folder / "casecraft.db"
    shutil.copyfile(template, path)
    return path


def memory_factory() -> UnitOfWorkFactory:
    return InMemoryUnitOfWorkFactory(InMemoryStore())


@asynccontextmanager
async def open_sql_database(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()
