"""The two apps the HTTP comparison drives: the real service and a bare Litestar route."""

import logging
from pathlib import Path

from litestar import Litestar, get

from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

BARE_PATH = "/bare"
BARE_BODY = [{"slug": "bench-phone", "brand": "Bench", "name": "Bench Phone"}]
# Loggers that report at INFO (start-up steps, each client request) once the app's
# logging configuration is in place; a benchmark shows warnings only.
_QUIET_LOGGERS = (
    "alembic",
    "adapters",
    "application",
    "entrypoints",
    "litestar",
    "httpx",
    "httpcore",
)


@get(BARE_PATH)
async def bare_route() -> list[dict[str, str]]:
    """The floor: one handler answering a constant small JSON list."""
    return BARE_BODY


def bare_app() -> Litestar:
    return Litestar(route_handlers=[bare_route], debug=False)


def catalog_app(data_dir: Path) -> Litestar:
    """The service as `casecraft serve` builds it: SQLite and files under `data_dir`.

    The settings come from this mapping alone, not from the environment, so no
    variable of the calling shell can point the app at another database or host.
    """
    settings = load_settings(
        {"CASECRAFT_DATA_DIR": str(data_dir), "CASECRAFT_EMBEDDED_WORKER": "false"}
    )
    app = create_app(settings)
    quiet_logs()
    return app


def quiet_logs() -> None:
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
