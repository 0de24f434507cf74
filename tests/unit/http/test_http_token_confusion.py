"""Bearer tokens (RFC 8725): anything but a valid access token of this service is 401,
refresh, reset and verification tokens are never taken for access tokens, and an access
token counts only with a live session of its own user."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import bearer, logged_in, mailed, reset_token, signed_up, token_in
from casecraft_testing import TEST_SECRET

USER = "6a1f7c1e-8d53-4f4b-9b1e-2f0f3c1d2e3f"
SESSION = "0c2e9a4d-51f7-4c3b-8a6e-7d1b2c3e4f50"
OTHER_SECRET = "another-secret-that-is-long-enough-for-hs256-000000"


def _claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": USER,
        "sid": SESSION,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "typ": "access",
        "iss": "casecraft",
        "aud": "casecraft-api",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(claims: dict[str, Any]) -> str:
    """A token with `alg: none` and an empty signature."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."


FORGED = {
    "alg none": _unsigned(_claims()),
    "alg none upper case": _unsigned(_claims()).replace(
        _segment({"alg": "none", "typ": "JWT"}), _segment({"alg": "NONE", "typ": "JWT"})
    ),
    "HS256 with another secret": jwt.encode(_claims(), OTHER_SECRET, algorithm="HS256"),
    "HS512 with the right secret": jwt.encode(_claims(), TEST_SECRET, algorithm="HS512"),
    "expired": jwt.encode(
        _claims(exp=int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())),
        TEST_SECRET,
        algorithm="HS256",
    ),
    "issued in the future": jwt.encode(
        _claims(iat=int((datetime.now(UTC) + timedelta(hours=1)).timestamp())),
        TEST_SECRET,
        algorithm="HS256",
    ),
    "typ refresh": jwt.encode(_claims(typ="refresh"), TEST_SECRET, algorithm="HS256"),
    "typ reset": jwt.encode(_claims(typ="reset"), TEST_SECRET, algorithm="HS256"),
    "another audience": jwt.encode(_claims(aud="someone-else"), TEST_SECRET, algorithm="HS256"),
    "another issuer": jwt.encode(_claims(iss="someone-else"), TEST_SECRET, algorithm="HS256"),
    "sub not a user id": jwt.encode(_claims(sub="admin"), TEST_SECRET, algorithm="HS256"),
    "sid not a session id": jwt.encode(_claims(sid="all"), TEST_SECRET, algorithm="HS256"),
} | {
    f"missing {claim}": jwt.encode(_claims(**{claim: None}), TEST_SECRET, algorithm="HS256")
    for claim in ("exp", "iat", "sub", "sid", "typ", "iss", "aud")
}


@pytest.mark.parametrize("token", list(FORGED.values()), ids=list(FORGED))
async def test_a_forged_or_unfit_access_token_is_401(
    client: AsyncTestClient[Litestar], token: str
) -> None:
    answer = await client.get("/v1/me", headers=bearer(token))

    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


def test_the_forged_tokens_are_otherwise_well_formed() -> None:
    # Each token differs from a valid one in the one way its name says.
    valid = jwt.encode(_claims(), TEST_SECRET, algorithm="HS256")
    decoded = jwt.decode(valid, TEST_SECRET, algorithms=["HS256"], audience="casecraft-api")

    assert decoded["sub"] == USER
    assert jwt.get_unverified_header(FORGED["alg none"])["alg"] == "none"


async def test_refresh_reset_and_verification_tokens_are_not_bearer_tokens(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    verification = token_in((await mailed(client))[-1])
    session = await logged_in(client, "ann@example.com")
    reset = await reset_token(client, "ann@example.com")

    answers = [
        await client.get("/v1/me", headers=bearer(token))
        for token in (session["refreshToken"], reset, verification)
    ]
    valid = await client.get("/v1/me", headers=bearer(session["accessToken"]))

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert valid.status_code == 200


async def test_a_reset_token_is_not_a_refresh_token_nor_the_reverse(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")
    reset = await reset_token(client, "ann@example.com")

    as_refresh = await client.post("/v1/auth/refresh", json={"refreshToken": reset})
    as_reset = await client.post(
        "/v1/auth/password/reset",
        json={"token": session["refreshToken"], "password": "a brand new passphrase"},
    )
    as_verification = await client.post("/v1/auth/verify", json={"token": reset})

    assert as_refresh.status_code == 401
    assert as_reset.status_code == 400
    assert as_verification.status_code == 400
    still = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    assert still.status_code == 200


def _session_of(access_token: str) -> str:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    session: str = claims["sid"]
    return session


async def test_an_access_token_naming_another_users_session_is_401(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    await signed_up(client, "bob@example.com")
    ann = await logged_in(client, "ann@example.com")
    bob = await logged_in(client, "bob@example.com")
    ann_id = (await client.get("/v1/me", headers=bearer(ann["accessToken"]))).json()["id"]
    # Signed with the service's own key: only the pairing of sub and sid is wrong.
    forged = jwt.encode(
        _claims(sub=ann_id, sid=_session_of(bob["accessToken"])), TEST_SECRET, algorithm="HS256"
    )

    answer = await client.get("/v1/me", headers=bearer(forged))

    assert answer.status_code == 401
    assert answer.json()["code"] == "session_revoked"
    assert (await client.get("/v1/me", headers=bearer(bob["accessToken"]))).status_code == 200


async def test_an_access_token_of_a_session_never_opened_is_401(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    ann = await logged_in(client, "ann@example.com")
    ann_id = (await client.get("/v1/me", headers=bearer(ann["accessToken"]))).json()["id"]
    stray = jwt.encode(_claims(sub=ann_id), TEST_SECRET, algorithm="HS256")

    answer = await client.get("/v1/designs", headers=bearer(stray))

    assert answer.status_code == 401
    assert answer.json()["code"] == "session_revoked"


async def test_every_way_into_a_session_names_it_in_the_access_token(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    login = await logged_in(client, "ann@example.com")
    renewed = (
        await client.post("/v1/auth/refresh", json={"refreshToken": login["refreshToken"]})
    ).json()
    other = await logged_in(client, "ann@example.com")

    sessions = [_session_of(t["accessToken"]) for t in (login, renewed, other)]

    assert sessions[0] == sessions[1] != sessions[2]
