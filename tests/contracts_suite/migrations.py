"""What the migrations must do on every database: go up, all the way down, and up again,
and keep the rows of every table a step does not drop."""

import asyncio

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from adapters.persistence.database import Database, create_engine
from adapters.persistence.migrations import downgrade_database, upgrade_database
from contracts_suite.builders import make_job, stored_design, stored_jobs

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


# The tables of the first revision, which every later step keeps.
FIRST_TABLES = ("users", "designs", "upscale_jobs")


async def _store_a_design_and_its_job(url: str) -> None:
    database = Database(url)
    try:
        factory = database.unit_of_work_factory()
        design = await stored_design(factory)
        await stored_jobs(factory, make_job(design.id))
    finally:
        await database.dispose()


async def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table: int(
                    (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                )
                for table in FIRST_TABLES
            }
    finally:
        await engine.dispose()


class MigrationContract:
    def test_upgrade_downgrade_to_base_and_upgrade_again(self, empty_database_url: str) -> None:
        upgrade_database(empty_database_url)
        assert tables(empty_database_url) >= TABLES

        upgrade_database(empty_database_url)
        downgrade_database(empty_database_url, "base")
        assert tables(empty_database_url).isdisjoint(TABLES)

        upgrade_database(empty_database_url)
        assert tables(empty_database_url) >= TABLES

    def test_going_down_to_the_first_revision_and_up_keeps_the_rows(
        self, empty_database_url: str
    ) -> None:
        upgrade_database(empty_database_url)
        asyncio.run(_store_a_design_and_its_job(empty_database_url))
        stored = asyncio.run(_row_counts(empty_database_url))

        downgrade_database(empty_database_url, "0001")
        after_down = asyncio.run(_row_counts(empty_database_url))
        upgrade_database(empty_database_url)

        assert stored == {"users": 1, "designs": 1, "upscale_jobs": 1}
        assert after_down == stored
        assert asyncio.run(_row_counts(empty_database_url)) == stored
