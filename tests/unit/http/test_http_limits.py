"""Limits over HTTP: per-address limits on the auth routes, the daily design quota and the
anonymous trial; every refusal is 429 with Retry-After."""

import asyncio
from pathlib import Path
from typing import Any

from dishka import Provider, Scope, provide
from limits_http import ScriptedGeneration, at, design_body, serving
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.security.passwords import ArgonPasswordHasher
from application.ports import PasswordHasher
from casecraft_testing import PASSWORD, sign_up_and_log_in

WRONG_LOGIN = {"email": "nobody@example.com", "password": PASSWORD}


def _assert_rate_limited(response: Any, code: str = "rate_limited") -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


async def test_an_address_past_the_auth_limit_gets_429_with_retry_after(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_AUTH_RATE_LIMIT="3") as client:
        allowed = [
            await client.post("/v1/auth/login", json=WRONG_LOGIN, headers=at("198.51.100.1"))
            for _ in range(3)
        ]
        refused = await client.post("/v1/auth/login", json=WRONG_LOGIN, headers=at("198.51.100.1"))
        other_route = await client.post(
            "/v1/auth/signup",
            json={"email": "ada@example.com", "password": PASSWORD},
            headers=at("198.51.100.1"),
        )
        other_address = await client.post(
            "/v1/auth/login", json=WRONG_LOGIN, headers=at("198.51.100.2")
        )

    assert [a.status_code for a in allowed] == [401, 401, 401]
    assert _assert_rate_limited(refused) <= 60
    assert refused.headers["cache-control"] == "no-store"
    _assert_rate_limited(other_route)
    assert other_address.status_code == 401


async def test_the_limit_follows_the_route_not_the_spelling_of_its_path(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_AUTH_RATE_LIMIT="1") as client:
        await client.post("/v1/auth/login", json=WRONG_LOGIN, headers=at("198.51.100.1"))
        slashed = await client.post("/v1/auth/login/", json=WRONG_LOGIN, headers=at("198.51.100.1"))

    _assert_rate_limited(slashed)


async def test_routes_outside_auth_are_not_limited(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_AUTH_RATE_LIMIT="1") as client:
        answers = [await client.get("/v1/phones", headers=at("198.51.100.1")) for _ in range(5)]

    assert {a.status_code for a in answers} == {200}


async def test_a_trusted_proxys_forwarded_address_is_the_client(tmp_path: Path) -> None:
    async with serving(
        tmp_path, CASECRAFT_AUTH_RATE_LIMIT="2", CASECRAFT_TRUSTED_PROXIES="10.0.0.0/8"
    ) as client:

        async def login(forwarded: str) -> Any:
            headers = at("10.0.0.5", **{"x-forwarded-for": forwarded})
            return await client.post("/v1/auth/login", json=WRONG_LOGIN, headers=headers)

        first = [await login("198.51.100.1") for _ in range(2)]
        first_refused = await login("198.51.100.1")
        second = await login("203.0.113.50, 198.51.100.2")

    assert [a.status_code for a in first] == [401, 401]
    _assert_rate_limited(first_refused)
    assert second.status_code == 401


async def test_an_untrusted_peers_forwarded_for_is_ignored(tmp_path: Path) -> None:
    async with serving(
        tmp_path, CASECRAFT_AUTH_RATE_LIMIT="2", CASECRAFT_TRUSTED_PROXIES="10.0.0.0/8"
    ) as client:
        answers = [
            await client.post(
                "/v1/auth/login",
                json=WRONG_LOGIN,
                headers=at("203.0.113.9", **{"x-forwarded-for": f"198.51.100.{n}"}),
            )
            for n in range(3)
        ]

    assert [a.status_code for a in answers[:2]] == [401, 401]
    _assert_rate_limited(answers[2])


async def test_the_daily_quota_counts_neither_blocked_nor_failed_designs(tmp_path: Path) -> None:
    async with serving(tmp_path, ScriptedGeneration(), CASECRAFT_DAILY_DESIGNS="2") as client:
        alice = await sign_up_and_log_in(client, "alice@example.com")
        blocked = await client.post(
            "/v1/designs", json=design_body(prompt="blocked fox"), headers=alice
        )
        broken = await client.post(
            "/v1/designs", json=design_body(prompt="broken fox"), headers=alice
        )
        made = [
            await client.post("/v1/designs", json=design_body(), headers=alice) for _ in range(2)
        ]
        over = await client.post("/v1/designs", json=design_body(), headers=alice)
        bob = await sign_up_and_log_in(client, "bob@example.com")
        others = await client.post("/v1/designs", json=design_body(), headers=bob)

    assert blocked.json()["code"] == "content_blocked"
    assert broken.status_code == 502
    assert [m.status_code for m in made] == [201, 201]
    assert _assert_rate_limited(over, "quota_exceeded") <= 24 * 3600
    assert "midnight UTC" in over.json()["detail"]
    assert others.status_code == 201


class CheapPasswords(Provider):
    scope = Scope.APP

    @provide
    def hasher(self) -> PasswordHasher:
        return ArgonPasswordHasher(time_cost=1, memory_cost=8)


async def test_concurrent_creates_on_the_embedded_database_never_exceed_the_quota(
    tmp_path: Path,
) -> None:
    async with serving(
        tmp_path,
        CheapPasswords(),
        memory=False,
        CASECRAFT_AUTO_MIGRATE="true",
        CASECRAFT_DAILY_DESIGNS="3",
    ) as client:
        alice = await sign_up_and_log_in(client, "alice@example.com")
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/designs",
                    json=design_body(seed=n),
                    headers={**alice, "Prefer": "respond-async"},
                )
                for n in range(8)
            )
        )
        library = await client.get("/v1/designs", headers=alice)

    created = [a for a in answers if a.status_code in (201, 202)]
    refused = [a for a in answers if a.status_code == 429]
    assert (len(created), len(refused)) == (3, 5)
    assert {a.json()["code"] for a in refused} == {"quota_exceeded"}
    assert len(library.json()) == 3


async def test_the_anonymous_trial_is_off_by_default(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/v1/designs", json=design_body())

    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"


async def test_an_address_gets_the_trial_designs_then_429_whatever_its_cookies(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, CASECRAFT_ANONYMOUS_TRIAL="2") as client:
        trials = [
            await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.7"))
            for _ in range(2)
        ]
        used_up = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.7"))
        client.cookies.clear()
        new_jar = await client.post(
            "/v1/designs",
            json=design_body(),
            headers=at("198.51.100.7", cookie="trial=fresh; session=new"),
        )
        elsewhere = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.8"))

    assert [t.status_code for t in trials] == [201, 201]
    assert all(t.headers["casecraft-trial-token"] for t in trials)
    assert all(t.headers["cache-control"] == "no-store" for t in trials)
    assert _assert_rate_limited(used_up, "quota_exceeded") > 24 * 3600
    _assert_rate_limited(new_jar, "quota_exceeded")
    assert elsewhere.status_code == 201


async def test_a_trial_design_is_seen_only_with_its_own_token_which_makes_no_more(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, CASECRAFT_ANONYMOUS_TRIAL="2") as client:
        first = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.7"))
        second = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.7"))
        first_token = {"Authorization": f"Bearer {first.headers['casecraft-trial-token']}"}
        own = await client.get(f"/v1/designs/{first.json()['id']}", headers=first_token)
        not_own = await client.get(f"/v1/designs/{second.json()['id']}", headers=first_token)
        another = await client.post(
            "/v1/designs", json=design_body(), headers={**first_token, **at("198.51.100.9")}
        )
        login = await client.post(
            "/v1/auth/login",
            json={
                "email": (await client.get("/v1/me", headers=first_token)).json()["email"],
                "password": PASSWORD,
            },
        )

    assert own.status_code == 200
    assert not_own.status_code == 404
    _assert_rate_limited(another, "quota_exceeded")
    assert login.status_code == 401
