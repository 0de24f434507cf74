"""Bringing a database's schema to a revision with alembic, from code.

No alembic.ini is needed: the revisions are found in the `migrations` package,
wherever it is installed, and the URL is handed to `migrations/env.py` directly.
Both functions are synchronous and run their own event loop: from async code
call them in a thread (`await asyncio.to_thread(upgrade_database, url)`).
"""

import asyncio
import logging

from alembic import command
from alembic.config import Config
from migrations import SCRIPT_LOCATION

logger = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    """An alembic Config for `url` with the packaged revisions, for any alembic command."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["database_url"] = url
    return config


def _refuse_inside_event_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name} runs its own event loop: call it with asyncio.to_thread.")


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply every revision up to `revision` (the latest by default); idempotent."""
    _refuse_inside_event_loop("upgrade_database")
    logger.info("database upgrade started revision=%s", revision)
    command.upgrade(alembic_config(url), revision)
    logger.info("database upgrade done revision=%s", revision)


def downgrade_database(url: str, revision: str) -> None:
    """Revert revisions down to `revision` ("base" removes every table)."""
    _refuse_inside_event_loop("downgrade_database")
    logger.info("database downgrade started revision=%s", revision)
    command.downgrade(alembic_config(url), revision)
    logger.info("database downgrade done revision=%s", revision)
