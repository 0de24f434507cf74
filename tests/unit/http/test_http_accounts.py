from datetime import UTC, datetime, timedelta

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from casecraft_testing import TEST_SECRET

PASSWORD = "correct horse battery"


async def test_sign_up_then_log_in_gives_a_bearer_token(client: AsyncTestClient[Litestar]) -> None:
    signed_up = await client.post(
        "/v1/auth/signup", json={"email": "Ada@Example.com", "password": PASSWORD}
    )
    logged_in = await client.post(
        "/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )

    assert signed_up.status_code == 202
    assert logged_in.status_code == 200
    body = logged_in.json()
    assert body["tokenType"] == "bearer"
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"


async def test_sign_up_of_a_taken_email_answers_the_same(client: AsyncTestClient[Litestar]) -> None:
    first = await client.post(
        "/v1/auth/signup", json={"email": "ada@example.com", "password": PASSWORD}
    )
    second = await client.post(
        "/v1/auth/signup", json={"email": "ada@example.com", "password": "other password"}
    )

    assert (first.status_code, first.json()) == (second.status_code, second.json())
    still_old = await client.post(
        "/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert still_old.status_code == 200


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.post("/v1/auth/signup", json={"email": "ada@example.com", "password": PASSWORD})

    wrong = await client.post(
        "/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password"}
    )
    unknown = await client.post(
        "/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, 422),
        ({"email": "ada@example.com", "password": "short"}, 422),
        ({"email": "ada@example.com", "password": "p" * 257}, 422),
        ({"email": "ada@example.com"}, 422),
        ({"email": "ada@example.com", "password": PASSWORD, "admin": True}, 422),
    ],
)
async def test_bad_sign_up_input_is_422(
    client: AsyncTestClient[Litestar], body: dict[str, object], status: int
) -> None:
    response = await client.post("/v1/auth/signup", json=body)

    assert response.status_code == status
    assert response.json()["code"]


def _token(**claims: object) -> str:
    now = datetime.now(UTC)
    payload: dict[str, object] = {
        "sub": "6a1f7c1e-8d53-4f4b-9b1e-2f0f3c1d2e3f",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "typ": "access",
        "iss": "casecraft",
        "aud": "casecraft-api",
    }
    payload.update(claims)
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, TEST_SECRET, algorithm="HS256"
    )


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not.a.jwt",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "bearer " + "x" * 5000,
        "Bearer " + _token(exp=int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())),
        "Bearer " + _token(typ="refresh"),
        "Bearer " + _token(aud="someone-else"),
        "Bearer "
        + jwt.encode({"sub": "x"}, "another-secret-that-is-long-enough-000000", algorithm="HS256"),
    ],
)
async def test_malformed_or_expired_tokens_are_401(
    client: AsyncTestClient[Litestar], header: str
) -> None:
    response = await client.get("/v1/designs", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["code"] in ("unauthorized", "token_missing")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_no_token_is_401(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/designs")

    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"
