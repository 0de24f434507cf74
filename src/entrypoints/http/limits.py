"""Limits applied before a route runs: per-address limits on every authentication route,
and the anonymous trial of `POST /v1/designs`.

Routes are matched by their path template after routing, so every route under
`/v1/auth/` is limited, whoever adds it, and a path spelled differently (a trailing
slash, doubled slashes) is matched as the route it reaches. A refusal is a
RateLimited error, which the problem handler turns into 429 with Retry-After.
"""

from typing import Any, cast
from uuid import UUID

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.limits import LimitAuthRequests, StartTrial
from entrypoints.http.client_address import ClientAddresses

AUTH_PREFIX = "/v1/auth/"
TRIAL_PATH = "/v1/designs"
# The access token of a trial's account travels back in this header, since the body
# is the design itself; browsers read it only when CORS exposes it.
TRIAL_HEADER = "CaseCraft-Trial-Token"
_TRIAL_USER = "casecraft.trial_user"


def _container(scope: Scope) -> AsyncContainer:
    container: AsyncContainer = scope["app"].state.dishka_container
    return container


def _has_authorization(scope: Scope) -> bool:
    return any(name.lower() == b"authorization" for name, _ in scope["headers"])


def trial_user(connection: ASGIConnection[Any, Any, Any, Any]) -> UUID | None:
    """The trial account this request was given, when it came without a token."""
    return cast(UUID | None, connection.scope["state"].get(_TRIAL_USER))


async def _limit_auth(scope: Scope) -> None:
    container = _container(scope)
    addresses = await container.get(ClientAddresses)
    limit = await container.get(LimitAuthRequests)
    await limit.execute(addresses.of(scope))


async def _start_trial(scope: Scope, send: Send) -> Send:
    """Give the request a trial account when the trial is on; `send` adds its token."""
    container = _container(scope)
    trial = await container.get(StartTrial)
    if not trial.enabled:
        return send
    addresses = await container.get(ClientAddresses)
    grant = await trial.execute(addresses.of(scope))
    scope["state"][_TRIAL_USER] = grant.user_id
    extra = [
        (TRIAL_HEADER.lower().encode(), grant.access_token.encode()),
        (b"cache-control", b"no-store"),
    ]

    async def send_with_token(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [
                (name, value)
                for name, value in message.get("headers", [])
                if name.lower() != b"cache-control"
            ]
            message["headers"] = [*kept, *extra]
        await send(message)

    return send_with_token


def request_limits(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: the auth limits and the anonymous trial; other routes pass."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            route = scope.get("path_template") or scope["path"]
            if route.startswith(AUTH_PREFIX):
                await _limit_auth(scope)
            elif (
                route == TRIAL_PATH and scope["method"] == "POST" and not _has_authorization(scope)
            ):
                send = await _start_trial(scope, send)
        await app(scope, receive, send)

    return middleware
