"""What a process does before it serves: migrate the database and load the catalog."""

import asyncio
import logging
import time

from dishka import AsyncContainer

from adapters.catalog.packaged import load_packaged_catalog
from adapters.persistence.migrations import upgrade_database
from application.catalog import LoadCatalog
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)


async def prepare(container: AsyncContainer, settings: Settings) -> None:
    """Bring the schema to the newest revision (when allowed) and load the packaged catalog.

    Both steps are idempotent, so every process may run them at start.
    """
    started = time.perf_counter()
    if settings.database.auto_migrate:
        await asyncio.to_thread(upgrade_database, settings.database.url)
    phones = await asyncio.to_thread(load_packaged_catalog)
    async with container() as request:
        load = await request.get(LoadCatalog)
        await load.execute(phones)
    logger.info(
        "prepared phones=%d duration_ms=%.0f", len(phones), (time.perf_counter() - started) * 1000
    )
