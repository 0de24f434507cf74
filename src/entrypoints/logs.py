"""Logging for operators: one line per event, key=value fields, to standard error."""

import logging
import os

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def configure_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=(level or os.environ.get("CASECRAFT_LOG_LEVEL", "INFO")).upper(), format=FORMAT
    )
    for noisy in ("aiosqlite", "sqlalchemy.engine", "PIL", "httpx", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
