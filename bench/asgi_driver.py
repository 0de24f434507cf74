"""Driving an ASGI app in process: its lifespan, and GET requests built by hand.

No server and no socket: each request is an ASGI `http` scope with `receive` and
`send` callables, so the figure is the application's own cost per request.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

Message = dict[str, Any]
# Called as app(scope, receive, send); left open so Litestar's typed signature fits.
AsgiApp = Callable[..., Coroutine[Any, Any, None]]

ASGI = {"version": "3.0", "spec_version": "2.3"}
HEADERS = [(b"host", b"127.0.0.1"), (b"accept", b"application/json")]
_REQUEST: Message = {"type": "http.request", "body": b"", "more_body": False}


class RequestFailed(RuntimeError):
    """The app answered something other than 200."""


@contextlib.asynccontextmanager
async def lifespan(app: AsgiApp) -> AsyncIterator[dict[str, Any]]:
    """Run the app's startup, yield its lifespan state, and run its shutdown on the way out."""
    state: dict[str, Any] = {}
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": ASGI, "state": state}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started.get('message', started['type'])}")
    try:
        yield state
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


def http_scope(path: str, state: dict[str, Any]) -> dict[str, Any]:
    """A GET scope for `path` as a server on 127.0.0.1 would hand it over."""
    raw_path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": ASGI,
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": HEADERS,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": dict(state),
    }


async def _receive() -> Message:
    return _REQUEST


async def get(app: AsgiApp, path: str, state: dict[str, Any]) -> int:
    """GET `path`; the body's length in bytes. Raises RequestFailed unless the status is 200."""
    status = 0
    size = 0

    async def send(message: Message) -> None:
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))

    await app(http_scope(path, state), _receive, send)
    if status != 200:
        raise RequestFailed(f"GET {path} answered {status}")
    return size
