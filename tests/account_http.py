"""Helpers of the account route tests: sign up, log in, and read what was mailed."""

import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.memory.mail import InMemoryMailer
from adapters.system.background import AsyncioBackgroundTasks
from application.ports import BackgroundTasks, MailMessage
from casecraft_testing import PASSWORD

_TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_-]+)")
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]*)">')
_FORM_TOKEN = re.compile(r'<input type="hidden" name="token" value="([^"]*)">')


async def settle(client: AsyncTestClient[Any]) -> None:
    """Wait until the app's background work has finished.

    The test client runs the app on an event loop of its own, in another thread: the
    background work is awaited there.
    """
    app: Litestar = client.app
    tasks = await app.state.dishka_container.get(BackgroundTasks)
    assert isinstance(tasks, AsyncioBackgroundTasks)
    assert client.blocking_portal.call(tasks.drain, 10)


async def mailed(client: AsyncTestClient[Any]) -> list[MailMessage]:
    """Every mail the in-memory mailer was given, once the background work has finished."""
    await settle(client)
    app: Litestar = client.app
    mailer = await app.state.dishka_container.get(InMemoryMailer)
    return list(mailer.sent)


def token_in(mail: MailMessage | str) -> str:
    found = _TOKEN_IN_LINK.search(mail if isinstance(mail, str) else mail.text)
    assert found is not None, "no token link in the mail"
    return found.group(1)


async def signed_up(client: AsyncTestClient[Any], email: str) -> None:
    answer = await client.post("/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 202, answer.text


async def logged_in(
    client: AsyncTestClient[Any], email: str, password: str = PASSWORD
) -> dict[str, Any]:
    answer = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def reset_token(client: AsyncTestClient[Any], email: str) -> str:
    before = [m for m in await mailed(client) if m.kind == "password_reset"]
    answer = await client.post("/v1/auth/password/forgot", json={"email": email})
    assert answer.status_code == 202, answer.text
    after = [m for m in await mailed(client) if m.kind == "password_reset"]
    assert len(after) == len(before) + 1
    return token_in(after[-1])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def press_verify_button(client: AsyncTestClient[Any], page_html: str) -> Any:
    """What a browser does with the verification page's button: post its form."""
    action = _FORM_ACTION.search(page_html)
    token = _FORM_TOKEN.search(page_html)
    assert action is not None and token is not None, "no verification form on the page"
    return await client.post(
        urlsplit(unescape(action.group(1))).path, data={"token": unescape(token.group(1))}
    )
