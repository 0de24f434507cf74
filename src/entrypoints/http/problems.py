"""One place that turns every error into an RFC 9457 problem with a stable `code`."""

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    ValidationException,
)
from redis.exceptions import RedisError

from adapters.s3.errors import StorageUnavailable
from domain.errors import (
    Conflict,
    ContentBlocked,
    DomainError,
    ImageTooLarge,
    InvalidInput,
    NotFound,
    ProviderBusy,
    ProviderFailed,
    RateLimited,
    Unauthorized,
    UnsupportedImage,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Unauthorized, 401),
    (UnsupportedImage, 415),
    (ImageTooLarge, 413),
    (ProviderFailed, 502),
    (ContentBlocked, 422),
    (ProviderBusy, 503),
    (RateLimited, 429),
)

_CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def problem(
    status: int, code: str, detail: str, *, extra: dict[str, Any] | None = None
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _cause_of(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def domain_error_handler(_: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    status = next((code for kind, code in _STATUS_OF if isinstance(error, kind)), 400)
    extra = {"field": error.field} if isinstance(error, InvalidInput) and error.field else None
    response = problem(status, error.code, error.detail, extra=extra)
    if isinstance(error, RateLimited | ProviderBusy):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


# A msgspec validation message ends with where it applies, as a path from `$`.
_AT_PATH = re.compile(r"(?P<what>.*) - at `\$(?P<path>[^`]*)`", re.DOTALL)
# Litestar validates a route's body as its parameter `data`, a name no client sees.
_BODY_PARAMETER = "data"
_BODY_MISSING = f"Object missing required field `{_BODY_PARAMETER}`"


def describe_body_error(message: str) -> tuple[str, str | None]:
    """A msgspec validation message about a request body, in the client's terms: the
    detail, and the field it is about (None for the body as a whole)."""
    found = _AT_PATH.fullmatch(message)
    if found is None:
        return f"{message} in the request body.", None
    what, path = found["what"], found["path"].removeprefix(".")
    if not path:
        return f"{what} in the request body.", None
    return f"{what} in field `{path}` of the request body.", path


def _describe_parameters_error(message: str) -> tuple[str, str | None]:
    """A validation message about a route's parameters (its body is `data` among them)."""
    if message == _BODY_MISSING:
        return "The request body is missing.", None
    found = _AT_PATH.fullmatch(message)
    if found is None:
        return message, None
    what, path = found["what"], found["path"].removeprefix(".")
    if path == _BODY_PARAMETER or path.startswith((_BODY_PARAMETER + ".", _BODY_PARAMETER + "[")):
        rest = path.removeprefix(_BODY_PARAMETER)
        return describe_body_error(f"{what} - at `${rest}`" if rest else what)
    return f"{what} in parameter `{path}`.", path


def _invalid_input(message: str) -> Response[Any]:
    detail, field = _describe_parameters_error(message)
    return problem(422, "invalid_input", detail, extra={"field": field} if field else None)


def http_error_handler(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Litestar's own errors: malformed JSON is 400, a body of the wrong shape 422."""
    if isinstance(error, ClientException):
        invalid = _cause_of(error, msgspec.ValidationError)
        if invalid is not None:
            return _invalid_input(str(invalid))
        if _cause_of(error, msgspec.DecodeError) is not None:
            return problem(400, "malformed_json", "The request body is not valid JSON.")
        if isinstance(error, ValidationException):
            return problem(422, "invalid_input", _validation_detail(error))
    if isinstance(error, NotFoundException):
        return problem(404, "route_not_found", "No such route.")
    status = error.status_code
    if status >= 500:
        logger.error("http error path=%s status=%d", request.url.path, status)
        return problem(status, "internal_error", "The service failed; try again later.")
    return problem(status, _CODE_OF_STATUS.get(status, "bad_request"), str(error.detail))


def _validation_detail(error: ValidationException) -> str:
    extra = error.extra
    if isinstance(extra, list) and extra:
        first = extra[0]
        if isinstance(first, dict):
            key = first.get("key") or "input"
            where = "The request body" if key == _BODY_PARAMETER else f"`{key}`"
            return f"{where}: {first.get('message', 'invalid')}"
    return "The request is not valid."


def nesting_error_handler(_: Request[Any, Any, Any], error: RecursionError) -> Response[Any]:
    """JSON nested deeper than the decoder follows is refused like any malformed body."""
    return problem(400, "malformed_json", "The request body is nested too deeply.")


def storage_error_handler(_: Request[Any, Any, Any], error: StorageUnavailable) -> Response[Any]:
    logger.error("storage unavailable: %s", error)
    response = problem(
        503, "storage_unavailable", "File storage is unavailable; try again shortly."
    )
    response.headers["Retry-After"] = "5"
    return response


def redis_error_handler(_: Request[Any, Any, Any], error: RedisError) -> Response[Any]:
    """Redis away where nothing can stand in for it (sign-in state shared by processes)."""
    logger.error("redis unavailable error=%s", type(error).__name__)
    response = problem(503, "service_unavailable", "A service is unavailable; try again shortly.")
    response.headers["Retry-After"] = "5"
    return response


def unexpected_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    logger.exception("unhandled error path=%s method=%s", request.url.path, request.method)
    return problem(500, "internal_error", "The service failed; try again later.")


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    RecursionError: nesting_error_handler,
    StorageUnavailable: storage_error_handler,
    RedisError: redis_error_handler,
    Exception: unexpected_error_handler,
}
