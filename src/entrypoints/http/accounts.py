"""Account routes: sign up, log in, who am I."""

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from application.accounts import LogIn, ShowAccount, SignUp
from entrypoints.http.auth import CurrentUser
from entrypoints.http.schemas import AccountOut, Credentials, SignUpOut, TokenOut

BEARER = "bearer"
SIGN_UP_ANSWER = "If this address can be registered, its account is ready: log in to continue."


class AccountController(Controller):
    tags = ["accounts"]

    @post("/v1/auth/signup", status_code=HTTP_202_ACCEPTED)
    @inject
    async def sign_up(self, data: Credentials, use_case: FromDishka[SignUp]) -> SignUpOut:
        """Register by email and password (8 to 256 characters).

        The answer is the same whether or not the address already had an account.
        """
        await use_case.execute(data.email, data.password)
        return SignUpOut(detail=SIGN_UP_ANSWER)

    @post("/v1/auth/login", status_code=HTTP_200_OK)
    @inject
    async def log_in(self, data: Credentials, use_case: FromDishka[LogIn]) -> TokenOut:
        """Exchange an email and password for a bearer access token."""
        grant = await use_case.execute(data.email, data.password)
        return TokenOut(
            access_token=grant.access_token, token_type=BEARER, expires_in=grant.expires_in
        )

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
