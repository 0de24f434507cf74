"""The pages of the verification mail's link: opening the link changes nothing.

Mail scanners and link previews open links before people do, so the link's GET only
shows a page whose button posts the token to `POST /v1/auth/verify`, at the API
address the mail linked to; that POST verifies the address and answers with a page
too. The pages are plain HTML: no script, no style, no image, nothing from elsewhere,
and a Content Security Policy that allows nothing but posting that form to this origin.

The route's form answer and its OpenAPI entry, whose body is JSON or that form, are
here too.
"""

from dataclasses import dataclass
from html import escape
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody
from litestar.openapi.spec import Schema as OpenAPISchema
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST

from application.verification import VerifyEmail
from domain.errors import InvalidToken
from entrypoints.http.media_types import FORM, JSON
from entrypoints.http.schemas import MAX_TOKEN_FIELD

PAGE_POLICY = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title} - CaseCraft</title>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>
{form}</main>
</body>
</html>
"""

_FORM = """<form method="post" action="{action}">
<input type="hidden" name="token" value="{token}">
<button type="submit">Verify my address</button>
</form>
"""


def _page(title: str, text: str, form: str = "", status: int = HTTP_200_OK) -> Response[str]:
    body = _PAGE.format(title=escape(title), text=escape(text), form=form)
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=PAGE_HEADERS)


def confirm_page(action: str, token: str) -> Response[str]:
    """The link's page: a button that posts the token to `action`."""
    form = _FORM.format(action=escape(action, quote=True), token=escape(token, quote=True))
    return _page(
        "Verify your email address",
        "Press the button to confirm that this address is yours.",
        form,
    )


def verified_page() -> Response[str]:
    return _page(
        "Email address verified", "The email address is verified. You can close this page."
    )


def incomplete_page() -> Response[str]:
    return _page(
        "This link is incomplete",
        "Open the whole link from the verification mail; it ends with a long token.",
        status=HTTP_400_BAD_REQUEST,
    )


def refused_page() -> Response[str]:
    return _page(
        "This link no longer works",
        "It was used already, replaced by a newer one, or it has expired.",
        status=HTTP_400_BAD_REQUEST,
    )


_TOKEN_BODY = OpenAPISchema(
    type=OpenAPIType.OBJECT,
    properties={"token": OpenAPISchema(type=OpenAPIType.STRING, max_length=MAX_TOKEN_FIELD)},
    required=["token"],
)


@dataclass
class VerifyEmailOperation(Operation):
    """The OpenAPI entry of `POST /v1/auth/verify`, whose body is JSON or the page's form."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={media: OpenAPIMediaType(schema=_TOKEN_BODY) for media in (JSON, FORM)},
            required=True,
        )


async def verify_by_form(request: Request[Any, Any, Any], use_case: VerifyEmail) -> Response[str]:
    """Redeem the token of the link page's form; the answer is a page, 400 for a token
    that does not work."""
    form = await request.form()
    token = form.get("token")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_FIELD:
        return refused_page()
    try:
        await use_case.execute(token)
    except InvalidToken:
        return refused_page()
    return verified_page()
