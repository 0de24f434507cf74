"""What the migrations must do on every database: go up, all the way down, and up again."""

import asyncio

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from adapters.persistence.database import create_engine
from adapters.persistence.migrations import downgrade_database, upgrade_database

TABLES = {
    "phones",
    "users",
    "uploads",
    "designs",
    "upscale_jobs",
    "refresh_tokens",
    "one_time_tokens",
}


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _tables_of(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_table_names)
    finally:
        await engine.dispose()


def tables(url: str) -> set[str]:
    return asyncio.run(_tables_of(url))


class MigrationContract:
    def test_upgrade_downgrade_to_base_and_upgrade_again(self, empty_database_url: str) -> None:
        upgrade_database(empty_database_url)
        assert tables(empty_database_url) >= TABLES

        upgrade_database(empty_database_url)
        downgrade_database(empty_database_url, "base")
        assert tables(empty_database_url).isdisjoint(TABLES)

        upgrade_database(empty_database_url)
        assert tables(empty_database_url) >= TABLES
