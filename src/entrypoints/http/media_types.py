"""Request bodies only in the media type a route reads: a JSON route refuses anything else.

A browser sends text/plain, application/x-www-form-urlencoded and multipart/form-data
bodies to another origin without asking it first (a CORS "simple request"), so a JSON
route that parsed such a body anyway could be driven from any web page. Every route
whose handler takes a JSON `data` body, found from its signature once the request is
routed, therefore answers 415 `unsupported_media_type` to any other Content-Type, a
missing one included, before any limit is counted and before the body is read.

A route that decodes its body itself declares the types it takes in its `opt`, under
`BODY_TYPES`, and reads a JSON body with `json_body`; routes that do neither (uploads,
webhooks) keep their own rules.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.params import BodyKwarg
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.errors import DomainError, InvalidInput
from entrypoints.http.problems import describe_body_error

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
BODY_TYPES = "body_types"

_Body = TypeVar("_Body")


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, without its parameters, in lower case."""
    return content_type.partition(";")[0].strip().lower()


def accepted_body_types(handler: BaseRouteHandler) -> Sequence[str] | None:
    """The media types a route's body may have; None when the route reads no JSON body
    and declares none."""
    declared: Any = handler.opt.get(BODY_TYPES)
    if declared is not None:
        return tuple(declared)
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    body = data.kwarg_definition
    if isinstance(body, BodyKwarg) and body.media_type is not RequestEncodingType.JSON:
        return None
    return (JSON,)


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            return media_type(value.decode("latin-1"))
    return ""


def body_media_types(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: a body of a type its route does not read is 415."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            accepted = accepted_body_types(scope["route_handler"])
            if accepted is not None and _content_type(scope) not in accepted:
                raise HTTPException(
                    status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    detail=f"Send the request body with Content-Type {' or '.join(accepted)}.",
                )
        await app(scope, receive, send)

    return middleware


async def json_body(request: Request[Any, Any, Any], kind: type[_Body]) -> _Body:
    """The request's JSON body as `kind`, refused as Litestar refuses a `data` body:
    malformed JSON is 400 `malformed_json`, a body of the wrong shape 422."""
    raw = await request.body()
    if not raw:
        raise InvalidInput("The request body is missing.")
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as invalid:
        detail, field = describe_body_error(str(invalid))
        raise InvalidInput(detail, field=field) from None
    except msgspec.DecodeError:
        raise DomainError("The request body is not valid JSON.", code="malformed_json") from None
