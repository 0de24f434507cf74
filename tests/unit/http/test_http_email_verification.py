"""The verification link: opening it changes nothing; its page's button, or a POST of the
token as JSON, verifies the address once."""

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import bearer, logged_in, mailed, press_verify_button, signed_up, token_in

BASE = "http://testserver.local"
PAGE_POLICY = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
# Anything that would run code or fetch something from elsewhere.
ACTIVE_CONTENT = re.compile(
    r"<(script|style|link|img|iframe|object|embed)"
    r"|\son\w+=|javascript:|src="
    r"|https?://(?!testserver\.local/v1/auth/verify\")",
    re.IGNORECASE,
)


async def _link_token(client: AsyncTestClient[Litestar]) -> str:
    await signed_up(client, "ann@example.com")
    mail = [m for m in await mailed(client) if m.kind == "email_verification"][-1]
    return token_in(mail)


async def _verified(client: AsyncTestClient[Litestar]) -> bool:
    session = await logged_in(client, "ann@example.com")
    account: dict[str, Any] = (
        await client.get("/v1/me", headers=bearer(session["accessToken"]))
    ).json()
    return bool(account["verified"])


async def test_opening_the_link_any_number_of_times_verifies_nothing(
    client: AsyncTestClient[Litestar],
) -> None:
    token = await _link_token(client)

    pages = [await client.get("/v1/auth/verify", params={"token": token}) for _ in range(3)]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert not await _verified(client)
    answer = await press_verify_button(client, pages[-1].text)
    assert answer.status_code == 200 and await _verified(client)


async def test_the_page_is_a_plain_form_that_posts_the_token(
    client: AsyncTestClient[Litestar],
) -> None:
    token = await _link_token(client)

    page = await client.get("/v1/auth/verify", params={"token": token})

    html = page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<form method="post" action="{BASE}/v1/auth/verify">' in html
    assert f'<input type="hidden" name="token" value="{token}">' in html
    assert not ACTIVE_CONTENT.search(html), ACTIVE_CONTENT.search(html)


async def test_the_page_has_strict_headers(client: AsyncTestClient[Litestar]) -> None:
    token = await _link_token(client)

    page = await client.get("/v1/auth/verify", params={"token": token})

    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers.get_list("content-security-policy") == [PAGE_POLICY]


async def test_whatever_the_link_carries_is_written_into_the_page_as_text(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get(
        "/v1/auth/verify", params={"token": '"><script>alert(1)</script><a href="'}
    )

    assert page.status_code == 200
    assert "<script" not in page.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in page.text


async def test_the_pages_button_verifies_once_then_says_the_link_no_longer_works(
    client: AsyncTestClient[Litestar],
) -> None:
    token = await _link_token(client)
    page = await client.get("/v1/auth/verify", params={"token": token})

    first = await press_verify_button(client, page.text)
    again = await press_verify_button(client, page.text)

    assert first.status_code == 200 and "is verified" in first.text
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.headers["content-security-policy"] == PAGE_POLICY
    assert again.status_code == 400 and "no longer works" in again.text
    assert await _verified(client)


@pytest.mark.parametrize("form", [{"token": ""}, {"token": "x" * 5000}, {"other": "y"}])
async def test_a_form_without_a_usable_token_gets_the_refusal_page(
    client: AsyncTestClient[Litestar], form: dict[str, str]
) -> None:
    await _link_token(client)

    answer = await client.post("/v1/auth/verify", data=form)

    assert answer.status_code == 400 and "no longer works" in answer.text
    assert not await _verified(client)


async def test_the_token_posted_as_json_verifies_once(
    client: AsyncTestClient[Litestar],
) -> None:
    token = await _link_token(client)

    first = await client.post("/v1/auth/verify", json={"token": token})
    again = await client.post("/v1/auth/verify", json={"token": token})

    assert first.status_code == 200
    assert first.json() == {"detail": "The email address is verified."}
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"
    assert await _verified(client)


async def test_the_route_documents_both_bodies(client: AsyncTestClient[Litestar]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()

    body = schema["paths"]["/v1/auth/verify"]["post"]["requestBody"]

    assert set(body["content"]) == {"application/json", "application/x-www-form-urlencoded"}
    assert schema["paths"]["/v1/auth/verify"]["get"]["responses"]["200"]


@pytest.mark.parametrize("query", ["", "?token=", "?other=1"])
async def test_a_link_cut_short_gets_a_page_saying_so(
    client: AsyncTestClient[Litestar], query: str
) -> None:
    page = await client.get(f"/v1/auth/verify{query}")

    assert page.status_code == 400
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "incomplete" in page.text
    assert "<form" not in page.text
    assert page.headers["content-security-policy"] == PAGE_POLICY
