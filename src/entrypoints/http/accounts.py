"""Account routes: sign up, log in, sessions, password reset, email verification, who am I."""

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.enums import MediaType
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.account_mail import VERIFY_PATH
from application.accounts import LogIn, ShowAccount, SignUp
from application.password_reset import RequestPasswordReset, ResetPassword
from application.sessions import EndSession, RefreshSession, SessionGrant
from application.settings import AccountLinks
from application.verification import VerifyEmail
from entrypoints.http.auth import CurrentUser
from entrypoints.http.client_address import ClientAddresses
from entrypoints.http.media_types import BODY_TYPES, FORM, JSON, json_body, media_type
from entrypoints.http.schemas import (
    MAX_TOKEN_FIELD,
    AccountOut,
    Credentials,
    DetailOut,
    ForgotPasswordIn,
    RefreshIn,
    ResetPasswordIn,
    SignUpOut,
    TokenOut,
    VerifyEmailIn,
)
from entrypoints.http.verification_page import (
    VerifyEmailOperation,
    confirm_page,
    incomplete_page,
    verify_by_form,
)

BEARER = "bearer"
SIGN_UP_ANSWER = (
    "If this address was free, its account is ready and a mail asks to verify it: log in to "
    "continue. If it already had an account, log in, or reset its password."
)
FORGOT_ANSWER = "If an account uses this address, a link to reset its password is on its way."
RESET_ANSWER = "The password is changed and every session has ended: log in again."
VERIFIED_ANSWER = "The email address is verified."
# Token answers must never be kept by a browser or a shared cache.
NO_STORE = {"Cache-Control": "no-store"}


def _token_out(grant: SessionGrant) -> TokenOut:
    return TokenOut(
        access_token=grant.access_token,
        token_type=BEARER,
        expires_in=grant.expires_in,
        refresh_token=grant.refresh_token,
        refresh_expires_in=grant.refresh_expires_in,
    )


class AccountController(Controller):
    tags = ["accounts"]

    @post("/v1/auth/signup", status_code=HTTP_202_ACCEPTED)
    @inject
    async def sign_up(self, data: JSONBody[Credentials], use_case: FromDishka[SignUp]) -> SignUpOut:
        """Register by email and password (8 to 256 characters); a verification mail follows.

        The answer is the same whether or not the address already had an account.
        """
        await use_case.execute(data.email, data.password)
        return SignUpOut(detail=SIGN_UP_ANSWER)

    @post("/v1/auth/login", status_code=HTTP_200_OK, response_headers=NO_STORE)
    @inject
    async def log_in(self, data: JSONBody[Credentials], use_case: FromDishka[LogIn]) -> TokenOut:
        """Exchange an email and password for a bearer access token and a refresh token."""
        return _token_out(await use_case.execute(data.email, data.password))

    @post("/v1/auth/refresh", status_code=HTTP_200_OK, response_headers=NO_STORE)
    @inject
    async def refresh(
        self, data: JSONBody[RefreshIn], use_case: FromDishka[RefreshSession]
    ) -> TokenOut:
        """Exchange a refresh token for a new access token and the next refresh token.

        The token given stops working; giving it again ends the whole session.
        """
        return _token_out(await use_case.execute(data.refresh_token))

    @post("/v1/auth/logout", status_code=HTTP_204_NO_CONTENT)
    @inject
    async def log_out(self, data: JSONBody[RefreshIn], use_case: FromDishka[EndSession]) -> None:
        """End the session of a refresh token; the same answer for a token already unknown."""
        await use_case.execute(data.refresh_token)

    @post("/v1/auth/password/forgot", status_code=HTTP_202_ACCEPTED)
    @inject
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ForgotPasswordIn],
        use_case: FromDishka[RequestPasswordReset],
        addresses: FromDishka[ClientAddresses],
    ) -> DetailOut:
        """Ask for a mail with a link to choose a new password.

        The answer is the same, and as fast, whether or not an account uses the
        address; too many asks from one caller or for one address get 429.
        """
        await use_case.execute(data.email, addresses.of(request.scope))
        return DetailOut(detail=FORGOT_ANSWER)

    @post("/v1/auth/password/reset", status_code=HTTP_200_OK)
    @inject
    async def reset_password(
        self, data: JSONBody[ResetPasswordIn], use_case: FromDishka[ResetPassword]
    ) -> DetailOut:
        """Choose a new password with the token of a reset link; every session ends.

        A token used before, voided by a newer one or expired gets 400 `token_invalid`.
        """
        await use_case.execute(data.token, data.password)
        return DetailOut(detail=RESET_ANSWER)

    @get("/v1/auth/verify", media_type=MediaType.HTML)
    @inject
    async def verify_page(
        self,
        links: FromDishka[AccountLinks],
        token: Annotated[str | None, QueryParameter(max_length=MAX_TOKEN_FIELD)] = None,
    ) -> Response[str]:
        """The verification mail's link: an HTML page whose button verifies the address.

        Opening it changes nothing, so a mail scanner that opens the link first does
        not verify anybody: the button posts the token to `POST /v1/auth/verify`. A link
        cut short (no token) gets a page saying so, 400.
        """
        if not token:
            return incomplete_page()
        return confirm_page(f"{links.api_base_url}{VERIFY_PATH}", token)

    @post(
        "/v1/auth/verify",
        status_code=HTTP_200_OK,
        opt={BODY_TYPES: (JSON, FORM)},
        operation_class=VerifyEmailOperation,
    )
    @inject
    async def verify(
        self, request: Request[Any, Any, Any], use_case: FromDishka[VerifyEmail]
    ) -> Response[Any]:
        """Verify the account's address with the token of its verification mail.

        A JSON body `{"token"}` gets JSON: a used, superseded or expired token is 400
        `token_invalid`. The form of the link's page gets a page, 400 for such a token.
        """
        if media_type(request.headers.get("content-type", "")) == FORM:
            return await verify_by_form(request, use_case)
        body = await json_body(request, VerifyEmailIn)
        await use_case.execute(body.token)
        return Response(DetailOut(detail=VERIFIED_ANSWER))

    @get("/v1/me", security=[{"bearer": []}])
    @inject
    async def me(
        self, user: FromDishka[CurrentUser], use_case: FromDishka[ShowAccount]
    ) -> AccountOut:
        """The caller's account."""
        account = await use_case.execute(user.id)
        return AccountOut(
            id=account.id,
            email=account.email,
            verified=account.verified,
            created_at=account.created_at,
        )
