"""Who is calling: the bearer access token of the Authorization header."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from application.accounts import Authenticate
from domain.errors import Unauthorized
from entrypoints.http.limits import trial_user

MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: UUID


def bearer_token(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized("A bearer access token is required.", code="token_missing")
    return token


async def current_user(request: Request[Any, Any, Any], authenticate: Authenticate) -> CurrentUser:
    return CurrentUser(await authenticate.execute(bearer_token(request)))


def credentials_present(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: a request with neither a bearer token nor a trial account is 401 before its
    parameters or body are read, so a caller without credentials learns nothing of them.
    The token itself is checked when the caller is resolved."""
    if trial_user(connection) is None:
        bearer_token(connection)
