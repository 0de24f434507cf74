"""The embedded default end to end: SQLite, and mail written to the outbox as .eml files."""

from collections.abc import AsyncIterator
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

BASE = "https://casecraft.example"


class FastHasher(Provider):
    scope = Scope.APP

    @provide
    def hasher(self) -> PasswordHasher:
        return ArgonPasswordHasher(time_cost=1, memory_cost=8)


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[tuple[AsyncTestClient[Litestar], Path]]:
    settings = make_settings(
        tmp_path,
        CASECRAFT_AUTO_MIGRATE="true",
        CASECRAFT_PUBLIC_BASE_URL=BASE,
        CASECRAFT_ALLOWED_HOSTS="*",
    )
    async with AsyncTestClient(create_app(settings, FastHasher()), base_url=BASE) as client:
        yield client, settings.data_dir / "outbox"


def _read_outbox(folder: Path) -> list[EmailMessage]:
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [
        cast(EmailMessage, message_from_bytes(path.read_bytes(), policy=policy.default))
        for path in files
    ]


async def outbox(client: AsyncTestClient[Litestar], folder: Path) -> list[EmailMessage]:
    await settle(client)
    return _read_outbox(folder)


async def test_sign_up_writes_a_verification_mail_whose_link_verifies(
    embedded: tuple[AsyncTestClient[Litestar], Path],
) -> None:
    client, folder = embedded
    await signed_up(client, "ann@example.com")

    (mail,) = await outbox(client, folder)
    text = mail.get_content()
    token = token_in(text)
    assert mail["To"] == "ann@example.com"
    assert f"{BASE}/v1/auth/verify?token={token}" in text

    page = await client.get("/v1/auth/verify", params={"token": token})
    verified = await press_verify_button(client, page.text)
    session = await logged_in(client, "ann@example.com")
    me = await client.get("/v1/me", headers=bearer(session["accessToken"]))
    assert verified.status_code == 200 and me.json()["verified"] is True


async def test_a_reset_link_from_the_outbox_resets_whatever_the_host_said(
    embedded: tuple[AsyncTestClient[Litestar], Path],
) -> None:
    client, folder = embedded
    await signed_up(client, "ann@example.com")
    session = await logged_in(client, "ann@example.com")

    await client.post(
        "/v1/auth/password/forgot",
        json={"email": "ann@example.com"},
        headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
    )
    mail = (await outbox(client, folder))[-1]
    text = mail.get_content()
    token = token_in(text)
    reset = await client.post(
        "/v1/auth/password/reset", json={"token": token, "password": "a brand new passphrase"}
    )
    old_session = await client.post(
        "/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )

    assert f"{BASE}/reset-password#token={token}" in text and "attacker" not in text
    assert reset.status_code == 200
    assert old_session.status_code == 401
