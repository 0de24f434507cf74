"""The sign-in use cases over memory with a stub provider: PKCE, state, linking, settings."""

from pathlib import Path

import pytest

from adapters.memory.repositories import InMemoryStore
from adapters.memory.sign_in_state import InMemorySignInStateStore
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.google_sign_in import (
    FinishGoogleSignIn,
    GoogleSignInLinks,
    ProviderIdentity,
    StartGoogleSignIn,
    code_challenge,
)
from casecraft_testing import make_settings
from contracts_suite.coordination import FakeClock
from domain.errors import Conflict, DomainError
from entrypoints.settings import GOOGLE_DISCOVERY_URL, SettingsError


class StubProvider:
    """Answers the identity it is given; records what it was asked."""

    def __init__(self, identity: ProviderIdentity) -> None:
        self.identity = identity
        self.asked: list[tuple[str, str, str]] = []
        self.challenges: list[str] = []

    @property
    def enabled(self) -> bool:
        return True

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        self.challenges.append(code_challenge)
        return f"http://127.0.0.1:9/authorize?state={state}"

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        self.asked.append((code, code_verifier, nonce))
        return self.identity


def test_the_code_challenge_is_rfc_7636_s256() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_the_verifier_sent_at_the_end_matches_the_challenge_sent_at_the_start() -> None:
    clock = FakeClock()
    states = InMemorySignInStateStore(clock)
    store = InMemoryStore()
    provider = StubProvider(ProviderIdentity("sub-1", "ann@example.com", True))
    url = await StartGoogleSignIn(provider, states).execute()
    state = url.split("state=", 1)[1]
    finish = FinishGoogleSignIn(
        provider, states, InMemoryUnitOfWorkFactory(store), clock, GoogleSignInLinks("http://f")
    )

    answer = await finish.execute(state=state, code="c", error=None)

    (_, verifier, _), challenge = provider.asked[0], provider.challenges[0]
    assert code_challenge(verifier) == challenge
    assert 43 <= len(verifier) <= 128
    assert answer.startswith("http://f/#code=")
    with pytest.raises(DomainError) as replayed:
        await finish.execute(state=state, code="c", error=None)
    assert replayed.value.code == "sign_in_state_invalid"


async def test_a_local_account_linked_to_another_subject_is_not_relinked() -> None:
    clock = FakeClock()
    states = InMemorySignInStateStore(clock)
    store = InMemoryStore()
    uow = InMemoryUnitOfWorkFactory(store)
    links = GoogleSignInLinks("http://f")
    first = StubProvider(ProviderIdentity("sub-1", "ann@example.com", True))
    url = await StartGoogleSignIn(first, states).execute()
    await FinishGoogleSignIn(first, states, uow, clock, links).execute(
        state=url.split("state=", 1)[1], code="c", error=None
    )
    other = StubProvider(ProviderIdentity("sub-2", "ann@example.com", True))
    url = await StartGoogleSignIn(other, states).execute()

    with pytest.raises(Conflict) as refused:
        await FinishGoogleSignIn(other, states, uow, clock, links).execute(
            state=url.split("state=", 1)[1], code="c", error=None
        )

    assert refused.value.code == "account_linked_elsewhere"
    assert [u.google_subject for u in store.users.values()] == ["sub-1"]


def test_google_settings_are_off_without_a_client_id(tmp_path: Path) -> None:
    assert make_settings(tmp_path).google is None


def test_google_settings_default_to_googles_discovery_and_our_callback(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret")

    assert settings.google is not None
    assert settings.google.discovery_url == GOOGLE_DISCOVERY_URL
    assert settings.google.redirect_uri == "http://testserver.local/v1/auth/google/callback"
    assert "secret" not in repr(settings.google)


def test_a_client_id_without_a_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        make_settings(tmp_path, GOOGLE_CLIENT_ID="id")


@pytest.mark.parametrize(
    "discovery",
    [
        "http://accounts.example.com/.well-known/openid-configuration",
        "https://accounts.example.com/openid",
        "ftp://127.0.0.1/.well-known/openid-configuration",
    ],
)
def test_a_discovery_url_off_https_or_off_the_well_known_path_is_refused(
    tmp_path: Path, discovery: str
) -> None:
    with pytest.raises(SettingsError, match="GOOGLE_DISCOVERY_URL"):
        make_settings(
            tmp_path,
            GOOGLE_CLIENT_ID="id",
            GOOGLE_CLIENT_SECRET="secret",
            GOOGLE_DISCOVERY_URL=discovery,
        )


def test_a_plain_http_discovery_url_is_allowed_on_loopback(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9000/.well-known/openid-configuration"

    settings = make_settings(
        tmp_path, GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret", GOOGLE_DISCOVERY_URL=url
    )

    assert settings.google is not None
    assert settings.google.discovery_url == url
