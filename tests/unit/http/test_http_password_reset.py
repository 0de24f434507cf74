"""Password reset and verification routes: same answers for everybody, links from the
configuration, tokens that work once."""

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import (
    bearer,
    logged_in,
    mailed,
    press_verify_button,
    reset_token,
    signed_up,
    token_in,
)
from application.ports import Clock, TokenIssuer, UnitOfWorkFactory
from application.sessions import open_session
from application.settings import AccountPolicy
from casecraft_testing import InMemoryAdapters, make_settings
from entrypoints.http.app import create_app

NEW_PASSWORD = "a brand new passphrase"
BASE = "http://testserver.local"


async def test_forgot_answers_the_same_for_known_and_unknown_addresses(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")

    known = await client.post("/v1/auth/password/forgot", json={"email": "ann@example.com"})
    unknown = await client.post("/v1/auth/password/forgot", json={"email": "bob@example.com"})
    malformed = await client.post("/v1/auth/password/forgot", json={"email": "not an address"})

    assert known.status_code == unknown.status_code == malformed.status_code == 202
    assert known.json() == unknown.json() == malformed.json()
    sent = [m for m in await mailed(client) if m.kind == "password_reset"]
    assert [m.to for m in sent] == ["ann@example.com"]


async def test_login_answers_the_same_for_a_wrong_password_and_an_unknown_address(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")

    wrong = await client.post(
        "/v1/auth/login", json={"email": "ann@example.com", "password": "wrong password"}
    )
    unknown = await client.post(
        "/v1/auth/login", json={"email": "bob@example.com", "password": "wrong password"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


@pytest.fixture
async def any_host_client(tmp_path: Path) -> AsyncTestClient[Litestar]:
    # Host checking off, as behind a proxy that forwards every host: the links must
    # still come from the configuration alone.
    app = create_app(make_settings(tmp_path, CASECRAFT_ALLOWED_HOSTS="*"), InMemoryAdapters())
    return AsyncTestClient(app, base_url=BASE)


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example"},
        {"X-Forwarded-Host": "attacker.example"},
        {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
        {"Forwarded": "host=attacker.example;proto=https", "X-Forwarded-Proto": "https"},
    ],
)
async def test_the_mailed_link_ignores_the_requests_host(
    any_host_client: AsyncTestClient[Litestar], headers: dict[str, str]
) -> None:
    async with any_host_client as client:
        await signed_up(client, "ann@example.com")

        answer = await client.post(
            "/v1/auth/password/forgot", json={"email": "ann@example.com"}, headers=headers
        )

        assert answer.status_code == 202
        mail = [m for m in await mailed(client) if m.kind == "password_reset"][-1]
        assert f"{BASE}/reset-password#token={token_in(mail)}" in mail.text
        assert "attacker" not in mail.text


async def test_forgot_is_limited_per_address_with_retry_after(
    client: AsyncTestClient[Litestar],
) -> None:
    answers = [
        await client.post("/v1/auth/password/forgot", json={"email": "ann@example.com"})
        for _ in range(4)
    ]

    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 3600


async def test_forgot_is_limited_per_caller(client: AsyncTestClient[Litestar]) -> None:
    answers = [
        await client.post("/v1/auth/password/forgot", json={"email": f"user{n}@example.com"})
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1


async def test_reset_sets_the_password_and_kills_the_old_refresh_tokens(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")
    token = await reset_token(client, "ann@example.com")

    reset = await client.post(
        "/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    refresh = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})

    assert reset.status_code == 200
    assert refresh.status_code == 401
    assert (await logged_in(client, "ann@example.com", NEW_PASSWORD))["accessToken"]


async def test_reset_ends_every_access_token_of_the_account_at_once(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    await signed_up(client, "bob@example.com")
    phone = await logged_in(client, "ann@example.com")
    laptop = await logged_in(client, "ann@example.com")
    bob = await logged_in(client, "bob@example.com")
    token = await reset_token(client, "ann@example.com")

    await client.post("/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})

    for session in (phone, laptop):
        me = await client.get("/v1/me", headers=bearer(session["accessToken"]))
        library = await client.get("/v1/designs", headers=bearer(session["accessToken"]))
        assert me.status_code == library.status_code == 401
        assert me.json()["code"] == library.json()["code"] == "session_revoked"
    fresh = await logged_in(client, "ann@example.com", NEW_PASSWORD)
    assert (await client.get("/v1/me", headers=bearer(fresh["accessToken"]))).status_code == 200
    assert (await client.get("/v1/me", headers=bearer(bob["accessToken"]))).status_code == 200


async def test_a_session_opened_under_the_epoch_before_a_reset_is_refused(
    client: AsyncTestClient[Litestar],
) -> None:
    # A login that checked the old password before the reset committed, and opens its
    # session after: its session belongs to the epoch of the account it read.
    await signed_up(client, "ann@example.com")
    container = client.app.state.dishka_container
    uow_factory = await container.get(UnitOfWorkFactory)
    async with uow_factory() as uow:
        read_before = await uow.users.get_by_email("ann@example.com")
    assert read_before is not None
    token = await reset_token(client, "ann@example.com")
    await client.post("/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})

    now = (await container.get(Clock)).now()
    async with uow_factory() as uow:
        session_id, refresh_token = await open_session(
            uow, read_before, now, await container.get(AccountPolicy)
        )
        await uow.commit()
    access, _ = (await container.get(TokenIssuer)).issue_access(read_before.id, session_id)

    me = await client.get("/v1/me", headers=bearer(access))
    refresh = await client.post("/v1/auth/refresh", json={"refreshToken": refresh_token})
    assert me.status_code == 401 and me.json()["code"] == "session_revoked"
    assert refresh.status_code == 401 and refresh.json()["code"] == "refresh_token_invalid"


async def test_refused_reset_tokens_all_get_one_answer(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    used = await reset_token(client, "ann@example.com")
    await client.post("/v1/auth/password/reset", json={"token": used, "password": NEW_PASSWORD})
    older = await reset_token(client, "ann@example.com")
    await reset_token(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com", NEW_PASSWORD)

    answers = [
        await client.post(
            "/v1/auth/password/reset", json={"token": token, "password": "third passphrase"}
        )
        for token in (used, older, "C" * 43, session["accessToken"], session["refreshToken"])
    ]

    assert {a.status_code for a in answers} == {400}
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["code"] == "token_invalid"


async def test_the_verification_link_verifies_once(
    client: AsyncTestClient[Litestar],
) -> None:
    await signed_up(client, "ann@example.com")
    mail = [m for m in await mailed(client) if m.kind == "email_verification"][-1]
    token = token_in(mail)
    assert f"{BASE}/v1/auth/verify?token={token}" in mail.text
    session = await logged_in(client, "ann@example.com")
    before = await client.get("/v1/me", headers=bearer(session["accessToken"]))

    page = await client.get("/v1/auth/verify", params={"token": token})
    opened = await client.get("/v1/me", headers=bearer(session["accessToken"]))
    first = await press_verify_button(client, page.text)
    again = await client.post("/v1/auth/verify", json={"token": token})

    after = await client.get("/v1/me", headers=bearer(session["accessToken"]))
    assert before.json()["verified"] is False and opened.json()["verified"] is False
    assert first.status_code == 200 and after.json()["verified"] is True
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"
