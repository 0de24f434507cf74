"""The database of one URL: its engine, its sessions and its units of work.

Two URLs are supported: `sqlite+aiosqlite:///path/to/file.db` (the embedded
default) and `postgresql+asyncpg://user@host/db` (production). Every SQLite
connection is set up for several writers on one machine: WAL journal, a busy
timeout instead of an immediate "database is locked", and foreign keys enforced.
The SQLite file's folder is created when missing. PostgreSQL connections are
pinged before use, so a database restart costs a reconnection, not an error.

Known limits: an in-memory SQLite URL holds one connection for the whole engine;
on SQLite a unit of work reads the latest commits until its first write, which
opens its transaction (the driver's deferred BEGIN), so its reads before that
are not one snapshot.
"""

import logging
from pathlib import Path
from typing import Any, cast

from advanced_alchemy.config import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import StaticPool

from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory

logger = logging.getLogger(__name__)

# Milliseconds a SQLite writer waits for another to finish before failing.
SQLITE_BUSY_TIMEOUT_MS = 5000


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def engine_config(url: URL) -> EngineConfig:
    """Pool and driver settings for the URL's database."""
    # Statement parameters hold emails and prompts: keep them out of error messages and logs.
    if not is_sqlite(url):
        return EngineConfig(pool_pre_ping=True, hide_parameters=True)
    if _sqlite_file(url) is None:
        return EngineConfig(
            poolclass=StaticPool, connect_args={"check_same_thread": False}, hide_parameters=True
        )
    return EngineConfig(hide_parameters=True)


def create_engine(url: str, *, poolclass: Any = None) -> AsyncEngine:
    """An engine for `url`, with the SQLite pragmas set on every new connection.

    `poolclass` overrides the pool (the migrations use `NullPool`).
    """
    parsed = make_url(url)
    config = engine_config(parsed)
    if poolclass is not None:
        config.poolclass = poolclass
    sqlite_file = _sqlite_file(parsed) if is_sqlite(parsed) else None
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)

    engine = SQLAlchemyAsyncConfig(connection_string=url, engine_config=config).get_engine()
    if is_sqlite(parsed):
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


class Database:
    """Owns the engine of one database URL and makes its sessions and units of work.

    Build one per process, at start-up, and `dispose()` it at shutdown.
    """

    def __init__(self, url: str) -> None:
        self._config = SQLAlchemyAsyncConfig(
            engine_instance=create_engine(url),
            session_config=AsyncSessionConfig(expire_on_commit=False),
            enable_touch_updated_timestamp_listener=False,
            enable_file_object_listener=False,
        )

    @property
    def engine(self) -> AsyncEngine:
        return self._config.get_engine()

    @property
    def session_maker(self) -> async_sessionmaker[AsyncSession]:
        # Without routing, advanced-alchemy's config always builds an async_sessionmaker.
        return cast(async_sessionmaker[AsyncSession], self._config.create_session_maker())

    def unit_of_work_factory(self) -> SqlAlchemyUnitOfWorkFactory:
        return SqlAlchemyUnitOfWorkFactory(self.session_maker)

    async def ping(self) -> bool:
        """Whether the database answers a trivial query, for readiness checks."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            logger.warning("database ping failed", exc_info=True)
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection; the engine may not be used afterwards."""
        await self.engine.dispose()
