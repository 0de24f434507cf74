"""Session routes: login, refresh with rotation and replay detection, logout, and the
access tokens of a session ending with it."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import bearer, logged_in, signed_up


async def test_login_answers_an_access_and_a_refresh_token(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")

    answer = await client.post(
        "/v1/auth/login", json={"email": "ann@example.com", "password": "correct horse battery"}
    )

    body = answer.json()
    assert answer.status_code == 200
    assert set(body) == {
        "accessToken",
        "tokenType",
        "expiresIn",
        "refreshToken",
        "refreshExpiresIn",
    }
    assert body["tokenType"] == "bearer"
    assert len(body["refreshToken"]) == 43
    assert answer.headers["cache-control"] == "no-store"


async def test_refresh_rotates_and_the_new_access_token_works(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")

    answer = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})

    renewed = answer.json()
    assert answer.status_code == 200
    assert renewed["refreshToken"] != session["refreshToken"]
    me = await client.get("/v1/me", headers=bearer(renewed["accessToken"]))
    assert me.status_code == 200 and me.json()["email"] == "ann@example.com"


async def test_replaying_a_used_refresh_token_revokes_the_family(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")
    first = session["refreshToken"]
    second = (await client.post("/v1/auth/refresh", json={"refreshToken": first})).json()

    replay = await client.post("/v1/auth/refresh", json={"refreshToken": first})
    newest = await client.post("/v1/auth/refresh", json={"refreshToken": second["refreshToken"]})

    assert replay.status_code == newest.status_code == 401
    assert replay.json()["code"] == newest.json()["code"] == "refresh_token_invalid"


async def test_logout_revokes_and_answers_the_same_for_unknown_tokens(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")

    known = await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
    unknown = await client.post("/v1/auth/logout", json={"refreshToken": "B" * 43})
    garbage = await client.post("/v1/auth/logout", json={"refreshToken": "no"})
    refresh = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})

    assert known.status_code == unknown.status_code == garbage.status_code == 204
    assert known.content == unknown.content == garbage.content == b""
    assert refresh.status_code == 401


async def test_logout_of_one_device_keeps_the_other(client: AsyncTestClient[Litestar]) -> None:
    await signed_up(client, "ann@example.com")
    phone = await logged_in(client, "ann@example.com")
    laptop = await logged_in(client, "ann@example.com")

    await client.post("/v1/auth/logout", json={"refreshToken": phone["refreshToken"]})
    answer = await client.post("/v1/auth/refresh", json={"refreshToken": laptop["refreshToken"]})

    assert answer.status_code == 200


async def test_an_access_token_is_refused_as_a_refresh_token(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")

    answer = await client.post("/v1/auth/refresh", json={"refreshToken": session["accessToken"]})

    assert answer.status_code == 401
    assert answer.json()["code"] == "refresh_token_invalid"


async def test_a_refresh_body_of_the_wrong_shape_is_422(
    client: AsyncTestClient[Litestar],
) -> None:
    missing = await client.post("/v1/auth/refresh", json={})
    too_long = await client.post("/v1/auth/refresh", json={"refreshToken": "x" * 5000})

    assert missing.status_code == too_long.status_code == 422


DESIGN = {"phone": "apple-iphone-15-pro", "prompt": "blue waves", "kind": "skin", "variants": 1}


async def test_after_logout_the_sessions_access_tokens_get_401_everywhere(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    first = await logged_in(client, "ann@example.com")
    renewed = (
        await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    ).json()
    laptop = await logged_in(client, "ann@example.com")

    await client.post("/v1/auth/logout", json={"refreshToken": renewed["refreshToken"]})

    for access in (first["accessToken"], renewed["accessToken"]):
        me = await client.get("/v1/me", headers=bearer(access))
        library = await client.get("/v1/designs", headers=bearer(access))
        create = await client.post("/v1/designs", json=DESIGN, headers=bearer(access))
        assert me.status_code == library.status_code == create.status_code == 401
        assert {me.json()["code"], library.json()["code"], create.json()["code"]} == {
            "session_revoked"
        }
        assert me.headers["www-authenticate"] == "Bearer"
    still = await client.get("/v1/me", headers=bearer(laptop["accessToken"]))
    assert still.status_code == 200


async def test_a_replayed_refresh_token_ends_the_access_tokens_of_its_session(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    first = await logged_in(client, "ann@example.com")
    renewed = (
        await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    ).json()

    await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    me = await client.get("/v1/me", headers=bearer(renewed["accessToken"]))

    assert me.status_code == 401 and me.json()["code"] == "session_revoked"
