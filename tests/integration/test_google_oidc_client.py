"""The OpenID client against the fake provider on loopback: the ID tokens and discovery
documents it refuses, and when it fetches the provider's documents again.

The client's monotonic clock is the test's, so key and discovery caching are shown without
waiting.
"""

from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.google.discovery import DISCOVERY_TTL_SECONDS
from adapters.google.documents import MAX_ANSWER_BYTES
from adapters.google.keys import JWKS_REFRESH_SECONDS
from adapters.google.oidc import OidcIdentityProvider
from application.google_sign_in import ProviderIdentity, SignInFailed, code_challenge
from domain.errors import ProviderFailed
from fakes.oidc_fake import FakeOidcProvider, Signing

pytestmark = pytest.mark.integration

CLIENT_ID = "casecraft-client-test.apps.example"
CLIENT_SECRET = "fake-client-secret-9876543210"
REDIRECT_URI = "http://testserver.local/v1/auth/google/callback"
NONCE = "nonce-of-this-sign-in"
VERIFIER = "verifier-of-this-sign-in-" + "v" * 40
DISCOVERY = "/.well-known/openid-configuration"


class Ticks:
    """A monotonic clock that moves only when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeOidcProvider]:
    provider = FakeOidcProvider(CLIENT_ID, CLIENT_SECRET)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        yield client


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def oidc(fake: FakeOidcProvider, http: httpx.AsyncClient, ticks: Ticks) -> OidcIdentityProvider:
    return client_for(fake.discovery_url, http, ticks)


def client_for(discovery_url: str, http: httpx.AsyncClient, ticks: Ticks) -> OidcIdentityProvider:
    return OidcIdentityProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        discovery_url=discovery_url,
        http=http,
        monotonic=ticks,
    )


async def consented_code(oidc: OidcIdentityProvider, http: httpx.AsyncClient) -> str:
    """Through the fake's consent page as the browser would: the code it sends back."""
    url = await oidc.authorization_url("state-1", NONCE, code_challenge(VERIFIER))
    consented = await http.get(url)
    assert consented.status_code == 302
    return parse_qs(urlsplit(consented.headers["location"]).query)["code"][0]


async def signed_in(oidc: OidcIdentityProvider, http: httpx.AsyncClient) -> ProviderIdentity:
    return await oidc.identify(await consented_code(oidc, http), VERIFIER, NONCE)


async def refused(oidc: OidcIdentityProvider, http: httpx.AsyncClient) -> SignInFailed:
    code = await consented_code(oidc, http)
    with pytest.raises(SignInFailed) as failure:
        await oidc.identify(code, VERIFIER, NONCE)
    return failure.value


async def test_a_good_id_token_gives_the_providers_identity(
    oidc: OidcIdentityProvider, http: httpx.AsyncClient
) -> None:
    identity = await signed_in(oidc, http)

    assert identity == ProviderIdentity("google-subject-1", "ann@example.com", True)


async def test_a_token_signed_with_a_key_never_published_is_refused_after_one_refetch(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient, ticks: Ticks
) -> None:
    await signed_in(oidc, http)
    ticks.now += JWKS_REFRESH_SECONDS
    fake.behaviour.signing = "unknown_key"

    failure = await refused(oidc, http)

    assert failure.code == "sign_in_failed"
    assert fake.served_count("/jwks") == 2


async def test_unknown_key_ids_refetch_the_keys_at_most_once_a_minute(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient
) -> None:
    await signed_in(oidc, http)
    fake.behaviour.signing = "unknown_key"

    await refused(oidc, http)
    await refused(oidc, http)

    assert fake.served_count("/jwks") == 1


async def test_a_rotated_key_is_fetched_and_trusted(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient, ticks: Ticks
) -> None:
    await signed_in(oidc, http)
    fake.rotate_key()
    ticks.now += JWKS_REFRESH_SECONDS

    identity = await signed_in(oidc, http)

    assert identity.subject == "google-subject-1"
    assert fake.served_count("/jwks") == 2


@pytest.mark.parametrize("signing", ["hs256_with_public_key", "none"])
async def test_a_token_not_signed_with_rs256_is_refused(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient, signing: Signing
) -> None:
    fake.behaviour.signing = signing

    failure = await refused(oidc, http)

    assert failure.code == "sign_in_failed"


@pytest.mark.parametrize(
    "change",
    ["wrong audience", "expired", "nonce missing", "nonce wrong", "another authorized party"],
)
async def test_a_token_failing_a_claim_check_is_refused(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient, change: str
) -> None:
    behaviour = fake.behaviour
    if change == "wrong audience":
        behaviour.audience = "someone-else.apps.example"
    elif change == "expired":
        behaviour.expired = True
    elif change == "nonce missing":
        behaviour.omit_nonce = True
    elif change == "nonce wrong":
        behaviour.wrong_nonce = True
    else:
        behaviour.authorized_party = "someone-else.apps.example"

    failure = await refused(oidc, http)

    assert failure.code == "sign_in_failed"


async def test_a_refused_code_is_a_failed_sign_in(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, http: httpx.AsyncClient
) -> None:
    code = await consented_code(oidc, http)

    with pytest.raises(SignInFailed):
        await oidc.identify(code, "not-the-verifier-" + "x" * 40, NONCE)

    assert fake.pkce_checks == [False]


async def test_the_discovery_document_is_kept_for_an_hour(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider, ticks: Ticks
) -> None:
    await oidc.authorization_url("s", "n", "c")
    await oidc.authorization_url("s", "n", "c")
    kept = fake.served_count(DISCOVERY)
    ticks.now += DISCOVERY_TTL_SECONDS

    await oidc.authorization_url("s", "n", "c")

    assert (kept, fake.served_count(DISCOVERY)) == (1, 2)


async def test_a_discovery_document_naming_another_issuer_is_refused(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider
) -> None:
    fake.behaviour.discovery_issuer = "https://accounts.example"

    with pytest.raises(SignInFailed):
        await oidc.authorization_url("s", "n", "c")


async def test_a_discovery_document_naming_plain_http_off_loopback_is_refused(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider
) -> None:
    fake.behaviour.discovery_token_endpoint = "http://accounts.example/token"

    with pytest.raises(SignInFailed):
        await oidc.authorization_url("s", "n", "c")


async def test_an_oversized_discovery_document_is_unavailable(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider
) -> None:
    fake.behaviour.discovery_padding_bytes = MAX_ANSWER_BYTES

    with pytest.raises(ProviderFailed) as failure:
        await oidc.authorization_url("s", "n", "c")

    assert failure.value.code == "google_unavailable"


async def test_an_unreachable_provider_is_unavailable(
    fake: FakeOidcProvider, oidc: OidcIdentityProvider
) -> None:
    fake.stop()

    with pytest.raises(ProviderFailed) as failure:
        await oidc.authorization_url("s", "n", "c")

    assert failure.value.code == "google_unavailable"


@pytest.mark.parametrize(
    "discovery_url",
    [
        "http://accounts.example/.well-known/openid-configuration",
        "https://accounts.example/openid-configuration",
    ],
    ids=["plain http off loopback", "names no issuer"],
)
async def test_a_discovery_url_that_cannot_be_trusted_is_never_fetched(
    ticks: Ticks, discovery_url: str
) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(ProviderFailed) as failure:
            await client_for(discovery_url, http, ticks).authorization_url("s", "n", "c")

    assert failure.value.code == "google_unavailable"
    assert sent == []
