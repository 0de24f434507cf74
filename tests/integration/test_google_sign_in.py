"""Google sign-in end to end against the fake OpenID provider on loopback.

The app runs in the test client with the in-memory adapters; its OpenID client talks over
real sockets to the fake (tests/fakes/oidc_fake.py), whose discovery URL it is given, so
no test ever reaches Google.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from account_http import bearer, logged_in, mailed, reset_token, signed_up, token_in
from adapters.memory.repositories import InMemoryStore
from adapters.redis.sign_in_state import RedisSignInStateStore
from application.google_sign_in import SignInStateStore
from casecraft_testing import InMemoryAdapters, make_settings
from contracts_suite.coordination import require_redis
from entrypoints.http.app import create_app
from fakes.oidc_fake import FakeOidcProvider

pytestmark = pytest.mark.integration

CLIENT_ID = "casecraft-test-client.apps.example"
CLIENT_SECRET = "fake-client-secret-0123456789"
FRONTEND = "http://front.example"
REDIRECT_URI = "http://testserver.local/v1/auth/google/callback"


@pytest.fixture
def provider() -> Iterator[FakeOidcProvider]:
    fake = FakeOidcProvider(CLIENT_ID, CLIENT_SECRET)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
async def client(
    tmp_path: Path, provider: FakeOidcProvider
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = make_settings(
        tmp_path,
        GOOGLE_CLIENT_ID=CLIENT_ID,
        GOOGLE_CLIENT_SECRET=CLIENT_SECRET,
        GOOGLE_REDIRECT_URI=REDIRECT_URI,
        GOOGLE_DISCOVERY_URL=provider.discovery_url,
        CASECRAFT_FRONTEND_URL=FRONTEND,
        CASECRAFT_AUTH_RATE_LIMIT="1000",
    )
    app = create_app(settings, InMemoryAdapters())
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        # Redirects lead to the fake provider and the front-end: followed by hand.
        test_client.follow_redirects = False
        yield test_client


async def consent(provider: FakeOidcProvider, client: AsyncTestClient[Litestar]) -> dict[str, str]:
    """Start a sign-in and go through the fake's consent page: the callback's parameters."""
    started = await client.get("/v1/auth/google/login")
    assert started.status_code == 302, started.text
    location = started.headers["location"]
    assert location.startswith(f"{provider.base_url}/authorize?")
    async with httpx.AsyncClient() as browser:
        consented = await browser.get(location)
    assert consented.status_code == 302
    back = urlsplit(consented.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(back.query).items()}


async def callback(client: AsyncTestClient[Litestar], params: dict[str, str]) -> httpx.Response:
    return await client.get("/v1/auth/google/callback", params=params)


def one_time_code(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(f"{FRONTEND}/#code=")
    assert "?" not in location
    return location.split("#code=", 1)[1]


async def exchange(client: AsyncTestClient[Litestar], code: str) -> httpx.Response:
    return await client.post("/v1/auth/google/exchange", json={"code": code})


async def sign_in(provider: FakeOidcProvider, client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    code = one_time_code(await callback(client, await consent(provider, client)))
    answer = await exchange(client, code)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def me(client: AsyncTestClient[Litestar], session: dict[str, Any]) -> dict[str, Any]:
    answer = await client.get("/v1/me", headers=bearer(session["accessToken"]))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def store_of(client: AsyncTestClient[Litestar]) -> InMemoryStore:
    app: Litestar = client.app
    store: InMemoryStore = await app.state.dishka_container.get(InMemoryStore)
    return store


async def verify_by_mail(client: AsyncTestClient[Litestar]) -> None:
    mail = [m for m in await mailed(client) if m.kind == "email_verification"][-1]
    answer = await client.post("/v1/auth/verify", json={"token": token_in(mail)})
    assert answer.status_code == 200, answer.text


async def test_a_new_google_user_signs_in_and_reaches_me(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    session = await sign_in(provider, client)

    account = await me(client, session)
    assert set(session) == {
        "accessToken",
        "tokenType",
        "expiresIn",
        "refreshToken",
        "refreshExpiresIn",
    }
    assert account["email"] == "ann@example.com" and account["verified"] is True
    sent = provider.authorize_queries[-1]
    assert sent["redirect_uri"] == REDIRECT_URI
    assert sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256" and sent["nonce"]
    assert provider.pkce_checks == [True]
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert refreshed.status_code == 200


async def test_logging_out_of_a_google_session_ends_its_access_token(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    session = await sign_in(provider, client)
    await me(client, session)

    await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
    answer = await client.get("/v1/me", headers=bearer(session["accessToken"]))

    assert answer.status_code == 401
    assert answer.json()["code"] == "session_revoked"


async def test_the_same_subject_signs_in_to_the_same_account(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    first = await me(client, await sign_in(provider, client))
    provider.behaviour.email = "ann.new@example.com"

    second = await me(client, await sign_in(provider, client))

    assert second["id"] == first["id"]


async def test_a_replayed_state_is_refused(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    params = await consent(provider, client)
    one_time_code(await callback(client, params))

    replay = await callback(client, params)

    assert replay.status_code == 400
    assert replay.json()["code"] == "sign_in_state_invalid"


async def test_an_unknown_or_missing_state_is_refused(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    params = await consent(provider, client)

    forged = await callback(client, {**params, "state": "not-a-state-we-made"})
    missing = await callback(client, {"code": params["code"]})

    assert forged.status_code == missing.status_code == 400
    assert forged.json()["code"] == missing.json()["code"] == "sign_in_state_invalid"
    assert provider.pkce_checks == []


async def test_a_wrong_nonce_is_refused(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    provider.behaviour.wrong_nonce = True

    answer = await callback(client, await consent(provider, client))

    assert answer.status_code == 400
    assert answer.json()["code"] == "sign_in_failed"
    assert (await store_of(client)).users == {}


@pytest.mark.parametrize("change", ["audience", "expired"])
async def test_an_id_token_for_another_audience_or_expired_is_refused(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar], change: str
) -> None:
    if change == "audience":
        provider.behaviour.audience = "someone-else.apps.example"
    else:
        provider.behaviour.expired = True

    answer = await callback(client, await consent(provider, client))

    assert answer.status_code == 400
    assert answer.json()["code"] == "sign_in_failed"


async def test_denied_consent_is_a_clean_400(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    provider.behaviour.deny_consent = True

    params = await consent(provider, client)
    answer = await callback(client, params)

    assert params["error"] == "access_denied"
    assert answer.status_code == 400
    assert answer.json()["code"] == "sign_in_denied"


async def test_google_unverified_email_never_links_a_local_account(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    await signed_up(client, "ann@example.com")
    await verify_by_mail(client)
    before = (await store_of(client)).users.copy()
    provider.behaviour.email_verified = False

    answer = await callback(client, await consent(provider, client))

    assert answer.status_code == 400
    assert answer.json()["code"] == "google_email_unverified"
    assert (await store_of(client)).users == before
    local = next(iter(before.values()))
    assert local.google_subject is None
    await logged_in(client, "ann@example.com")


async def test_a_google_email_google_has_not_verified_claims_no_address(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    provider.behaviour.email_verified = False

    answer = await callback(client, await consent(provider, client))

    assert answer.status_code == 400
    assert answer.json()["code"] == "google_email_unverified"
    assert (await store_of(client)).users == {}
    # The address stays free for its owner, who signs up and logs in as anyone would.
    await signed_up(client, "ann@example.com")
    await verify_by_mail(client)
    await logged_in(client, "ann@example.com")


async def test_an_unverified_local_account_is_never_linked(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    await signed_up(client, "ann@example.com")
    before = (await store_of(client)).users.copy()

    answer = await callback(client, await consent(provider, client))

    assert answer.status_code == 409
    assert answer.json()["code"] == "account_exists_unverified"
    assert (await store_of(client)).users == before


async def test_verified_on_both_sides_links_the_local_account(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    await signed_up(client, "ann@example.com")
    await verify_by_mail(client)
    local = await me(client, await logged_in(client, "ann@example.com"))

    through_google = await me(client, await sign_in(provider, client))

    assert through_google["id"] == local["id"]
    assert len((await store_of(client)).users) == 1
    await logged_in(client, "ann@example.com")


async def test_the_exchange_code_works_once(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    code = one_time_code(await callback(client, await consent(provider, client)))

    first = await exchange(client, code)
    second = await exchange(client, code)
    malformed = await exchange(client, "x")

    assert first.status_code == 200
    assert second.status_code == malformed.status_code == 400
    assert second.json()["code"] == malformed.json()["code"] == "sign_in_code_invalid"


async def test_a_password_reset_voids_a_sign_in_code_not_yet_exchanged(
    provider: FakeOidcProvider, client: AsyncTestClient[Litestar]
) -> None:
    await sign_in(provider, client)
    code = one_time_code(await callback(client, await consent(provider, client)))
    token = await reset_token(client, "ann@example.com")
    reset = await client.post(
        "/v1/auth/password/reset", json={"token": token, "password": "a brand new password"}
    )
    assert reset.status_code == 200, reset.text

    late = await exchange(client, code)

    assert late.status_code == 400
    assert late.json()["code"] == "sign_in_code_invalid"
    assert (
        await exchange(
            client, one_time_code(await callback(client, await consent(provider, client)))
        )
    ).status_code == 200


async def test_the_fake_refuses_a_wrong_pkce_verifier(provider: FakeOidcProvider) -> None:
    async with httpx.AsyncClient() as browser:
        authorize = await browser.get(
            f"{provider.base_url}/authorize",
            params={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "scope": "openid email",
                "redirect_uri": REDIRECT_URI,
                "state": "s",
                "nonce": "n",
                "code_challenge": "A" * 43,
                "code_challenge_method": "S256",
            },
        )
        code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
        token = await browser.post(
            f"{provider.base_url}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": "not-the-verifier-" + "x" * 40,
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        )

    assert token.status_code == 400
    assert provider.pkce_checks == [False]


async def test_the_flow_keeps_its_state_in_redis_when_redis_is_set(
    tmp_path: Path, provider: FakeOidcProvider
) -> None:
    server = require_redis()
    settings = make_settings(
        tmp_path,
        GOOGLE_CLIENT_ID=CLIENT_ID,
        GOOGLE_CLIENT_SECRET=CLIENT_SECRET,
        GOOGLE_REDIRECT_URI=REDIRECT_URI,
        GOOGLE_DISCOVERY_URL=provider.discovery_url,
        CASECRAFT_FRONTEND_URL=FRONTEND,
        CASECRAFT_AUTH_RATE_LIMIT="1000",
        REDIS_SERVER=server.host,
        REDIS_PORT=str(server.port),
        REDIS_DB=str(server.db),
    )
    app = create_app(settings, InMemoryAdapters())
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False
        assert isinstance(
            await app.state.dishka_container.get(SignInStateStore), RedisSignInStateStore
        )
        params = await consent(provider, test_client)
        code = one_time_code(await callback(test_client, params))
        session = await exchange(test_client, code)
        replay = await callback(test_client, params)
        again = await exchange(test_client, code)

    assert session.status_code == 200
    assert replay.json()["code"] == "sign_in_state_invalid"
    assert again.json()["code"] == "sign_in_code_invalid"


async def test_sign_in_routes_answer_404_when_google_is_off(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), InMemoryAdapters())
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        answers = [
            await test_client.get("/v1/auth/google/login"),
            await test_client.get("/v1/auth/google/callback", params={"state": "s", "code": "c"}),
            await test_client.post("/v1/auth/google/exchange", json={"code": "c"}),
        ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["code"] for a in answers} == {"google_sign_in_off"}
