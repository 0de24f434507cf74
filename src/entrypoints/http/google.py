"""Google sign-in routes: start, the provider's callback, and the one-time code exchange.

Every route answers 404 `google_sign_in_off` when GOOGLE_CLIENT_ID is unset, whatever its
parameters or body hold (a guard answers before they are read; only a body sent as
another type than JSON is refused before, 415, as on every JSON route). The callback
never puts a token in a URL: it sends the browser to the front-end with a one-time code in
the fragment, which the front-end exchanges by POST for the session.
"""

from typing import Annotated, Any

import msgspec
from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_302_FOUND, HTTP_303_SEE_OTHER

from application.google_sign_in import (
    ExchangeSignInCode,
    FinishGoogleSignIn,
    IdentityProvider,
    StartGoogleSignIn,
)
from application.sessions import SessionGrant
from domain.errors import NotFound
from entrypoints.http.accounts import BEARER, NO_STORE
from entrypoints.http.schemas import MAX_TOKEN_FIELD, Schema, TokenOut

# The provider's callback parameters are short; anything longer is not theirs.
MAX_CALLBACK_FIELD = 2048
# Neither the callback's code nor the front-end URL may leak through a Referer.
NO_STORE_NO_REFERRER = {**NO_STORE, "Referrer-Policy": "no-referrer"}


class GoogleExchangeIn(Schema):
    code: Annotated[str, msgspec.Meta(max_length=MAX_TOKEN_FIELD)]


Field = Annotated[str | None, QueryParameter(max_length=MAX_CALLBACK_FIELD)]
# `state` is a name Litestar keeps for the app's state: the query parameter is read by alias.
StateField = Annotated[str | None, QueryParameter(name="state", max_length=MAX_CALLBACK_FIELD)]


async def google_sign_in_on(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: with sign-in off, 404 before the request's body or parameters are read, so
    the answer is the same whatever was sent."""
    container: AsyncContainer = connection.app.state.dishka_container
    provider = await container.get(IdentityProvider)
    if not provider.enabled:
        raise NotFound("Google sign-in is not configured.", code="google_sign_in_off")


class GoogleSignInController(Controller):
    tags = ["accounts"]
    guards = [google_sign_in_on]

    @get("/v1/auth/google/login", status_code=HTTP_302_FOUND)
    @inject
    async def start(self, use_case: FromDishka[StartGoogleSignIn]) -> Redirect:
        """Go to Google's consent page; the sign-in must finish within 10 minutes."""
        url = await use_case.execute()
        return Redirect(url, status_code=HTTP_302_FOUND, headers=NO_STORE_NO_REFERRER)

    @get("/v1/auth/google/callback", status_code=HTTP_303_SEE_OTHER)
    @inject
    async def callback(
        self,
        use_case: FromDishka[FinishGoogleSignIn],
        oauth_state: StateField = None,
        code: Field = None,
        error: Field = None,
    ) -> Redirect:
        """Where Google sends the browser back: on success, a redirect to the front-end with
        a one-time code in the fragment (`#code=...`), valid once for 60 seconds.

        A replayed or unknown state is 400 `sign_in_state_invalid`, a denied consent 400
        `sign_in_denied`, an answer that fails the checks 400 `sign_in_failed`, an email
        Google has not verified 400 `google_email_unverified`, and an existing account of
        the same email that cannot be linked 409 `account_exists_unverified` (or
        `account_linked_elsewhere` when another Google account holds it).
        """
        url = await use_case.execute(state=oauth_state, code=code, error=error)
        return Redirect(url, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE_NO_REFERRER)

    @post("/v1/auth/google/exchange", status_code=HTTP_200_OK, response_headers=NO_STORE)
    @inject
    async def exchange(
        self, data: JSONBody[GoogleExchangeIn], use_case: FromDishka[ExchangeSignInCode]
    ) -> TokenOut:
        """Exchange the callback's one-time code for a session (as `/v1/auth/login` answers)."""
        grant: SessionGrant = await use_case.execute(data.code)
        return TokenOut(
            access_token=grant.access_token,
            token_type=BEARER,
            expires_in=grant.expires_in,
            refresh_token=grant.refresh_token,
            refresh_expires_in=grant.refresh_expires_in,
        )
