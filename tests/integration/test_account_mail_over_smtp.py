"""Sign-up and password reset end to end through the app, its SQLite database and a real
SMTP server on loopback: the mails arrive and their links work."""

from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import bearer, logged_in, press_verify_button, settle, signed_up, token_in
from adapters.security.passwords import ArgonPasswordHasher
from application.ports import PasswordHasher
from casecraft_testing import make_settings
from entrypoints.http.app import create_app
from fakes.smtp_server import LOOPBACK, Inbox, smtp_server

pytestmark = pytest.mark.integration

BASE = "https://casecraft.example"
FRONTEND = "https://app.casecraft.example"
SENDER = "CaseCraft <no-reply@casecraft.example>"


class FastHasher(Provider):
    scope = Scope.APP

    @provide
    def hasher(self) -> PasswordHasher:
        return ArgonPasswordHasher(time_cost=1, memory_cost=8)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture
async def client(tmp_path: Path, inbox: Inbox) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = make_settings(
        tmp_path,
        CASECRAFT_AUTO_MIGRATE="true",
        CASECRAFT_PUBLIC_BASE_URL=BASE,
        CASECRAFT_FRONTEND_URL=FRONTEND,
        SMTP_HOST=LOOPBACK,
        SMTP_PORT=str(inbox.port),
        SMTP_TLS="none",
        MAIL_FROM=SENDER,
    )
    async with AsyncTestClient(create_app(settings, FastHasher()), base_url=BASE) as running:
        yield running


async def received(client: AsyncTestClient[Litestar], inbox: Inbox) -> list[EmailMessage]:
    await settle(client)
    return [
        cast(EmailMessage, message_from_bytes(mail.data, policy=policy.default))
        for mail in inbox.received
    ]


async def test_the_verification_mail_arrives_and_its_link_verifies(
    client: AsyncTestClient[Litestar], inbox: Inbox
) -> None:
    await signed_up(client, "ann@example.com")

    (mail,) = await received(client, inbox)
    token = token_in(mail.get_content())
    page = await client.get("/v1/auth/verify", params={"token": token})
    answer = await press_verify_button(client, page.text)
    session = await logged_in(client, "ann@example.com")
    me = await client.get("/v1/me", headers=bearer(session["accessToken"]))

    assert mail["From"] == SENDER and mail["To"] == "ann@example.com"
    assert f"{BASE}/v1/auth/verify?token={token}" in mail.get_content()
    assert answer.status_code == 200 and me.json()["verified"] is True


async def test_the_reset_mail_arrives_and_its_token_resets_once(
    client: AsyncTestClient[Litestar], inbox: Inbox
) -> None:
    await signed_up(client, "ann@example.com")

    forgot = await client.post("/v1/auth/password/forgot", json={"email": "ann@example.com"})
    mail = (await received(client, inbox))[-1]
    token = token_in(mail.get_content())
    first = await client.post(
        "/v1/auth/password/reset", json={"token": token, "password": "a brand new passphrase"}
    )
    second = await client.post(
        "/v1/auth/password/reset", json={"token": token, "password": "another passphrase"}
    )

    assert forgot.status_code == 202
    assert inbox.received[-1].rcpt_tos == ["ann@example.com"]
    assert f"{FRONTEND}/reset-password#token={token}" in mail.get_content()
    assert first.status_code == 200 and second.status_code == 400
    assert (await logged_in(client, "ann@example.com", "a brand new passphrase"))["accessToken"]


async def test_forgot_for_an_unknown_address_sends_nothing(
    client: AsyncTestClient[Litestar], inbox: Inbox
) -> None:
    answer = await client.post("/v1/auth/password/forgot", json={"email": "nobody@example.com"})

    assert answer.status_code == 202
    assert await received(client, inbox) == []
