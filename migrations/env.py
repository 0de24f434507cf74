"""The alembic environment: runs the revisions on the async engine of one URL.

The URL comes from the config's `database_url` attribute (set by
`adapters.persistence.migrations`), else from `sqlalchemy.url`, else from the
DATABASE_URL variable. SQLite tables are altered in batch mode (copy and move),
as SQLite cannot alter most of a table in place.
"""

import asyncio
import os

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection

from adapters.persistence.database import create_engine
from adapters.persistence.models import UUIDBase

# An arbitrary constant naming this service's migration lock (pg_advisory_xact_lock).
MIGRATION_LOCK = 7_202_612_040
config = context.config
# Only for `alembic revision --autogenerate` to diff against; revisions are explicit.
target_metadata = UUIDBase.metadata


def _database_url() -> str:
    url = (
        config.attributes.get("database_url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        raise RuntimeError("No database URL: set DATABASE_URL or pass one to upgrade_database.")
    return str(url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Processes that start together migrate one after the other: the lock is held
            # to the end of the transaction, and the next one then finds nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    url = _database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    asyncio.run(_run_online())
