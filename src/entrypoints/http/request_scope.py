"""Opens dishka's request scope for the routes that inject something per request."""

from typing import Any

from dishka import Scope
from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as AsgiScope


def request_scope(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: a request container for the request, closed when it ends.

    Routes outside the routers that use it (the catalog, the health check) pay
    nothing for dependency injection.
    """

    async def middleware(scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope)
        async with request.app.state.dishka_container(
            {Request: request}, scope=Scope.REQUEST
        ) as container:
            request.state.dishka_container = container
            await app(scope, receive, send)

    return middleware
