"""Logging for operators: one line per event, key=value fields, to standard error."""

import logging
import os

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: str | None = None) -> None:
    """Raises ValueError for a level logging does not know."""
    chosen = (level or os.environ.get("CASECRAFT_LOG_LEVEL", "INFO")).upper()
    if chosen not in LEVELS:
        raise ValueError(f"CASECRAFT_LOG_LEVEL must be one of {', '.join(LEVELS)}")
    logging.basicConfig(level=chosen, format=FORMAT)
    for noisy in ("aiosqlite", "sqlalchemy.engine", "PIL", "httpx", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
