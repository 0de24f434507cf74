"""The routes of the app, found from the app itself, for tests that must cover them all."""

from pathlib import Path
from uuid import uuid4

from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from casecraft_testing import InMemoryAdapters, make_settings
from entrypoints.http.app import create_app
from entrypoints.http.media_types import BODY_TYPES

JSON = "application/json"
_FILLERS = {"uuid": str(uuid4()), "int": "0", "str": "x", "path": "x"}


def _takes_a_body(handler: HTTPRouteHandler) -> bool:
    return "data" in handler.parsed_fn_signature.parameters or BODY_TYPES in handler.opt


def _concrete_path(route: HTTPRoute) -> str:
    path = route.path_format
    for parameter in route.path_parameters:
        path = path.replace(f"{{{parameter.name}}}", _FILLERS[parameter.type.__name__.lower()])
    return path


def body_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path, media types it takes) of every route of the app that reads a body."""
    # Building the app opens nothing: the data folder is only read once it starts.
    app = create_app(make_settings(Path("unused")), InMemoryAdapters())
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not _takes_a_body(handler):
                continue
            accepted = tuple(handler.opt.get(BODY_TYPES, (JSON,)))
            found.extend(
                (method, _concrete_path(route), accepted) for method in handler.http_methods
            )
    return sorted(found)
