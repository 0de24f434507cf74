"""Access tokens: what is accepted, and everything that must become Unauthorized."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest

from adapters.security.tokens import JwtTokenIssuer
from application.ports import AccessClaims
from domain.errors import Unauthorized

SECRET = "an-hs256-secret-of-at-least-32-bytes!!"
ISSUER = "casecraft"
AUDIENCE = "casecraft-api"
USER_ID = UUID("6f1c2a9e-0000-4000-8000-000000000001")
SESSION_ID = UUID("0b7d4c3a-0000-4000-8000-000000000002")
ACCESS = AccessClaims(USER_ID, SESSION_ID)


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def issuer(clock: FakeClock) -> JwtTokenIssuer:
    return JwtTokenIssuer(SECRET, ISSUER, AUDIENCE, 900, clock)


def _claims(clock: FakeClock, **changes: Any) -> dict[str, Any]:
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "sub": str(USER_ID),
        "sid": str(SESSION_ID),
        "typ": "access",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 900,
        "jti": "j1",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _sign(claims: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_issued_token_verifies_to_its_user_and_session(issuer: JwtTokenIssuer) -> None:
    token, lifetime = issuer.issue_access(USER_ID, SESSION_ID)

    assert lifetime == 900
    assert issuer.verify_access(token) == ACCESS


def test_an_issued_token_carries_the_access_claims(
    issuer: JwtTokenIssuer, clock: FakeClock
) -> None:
    token, _ = issuer.issue_access(USER_ID, SESSION_ID)

    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)

    assert header["alg"] == "HS256"
    assert claims["typ"] == "access"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == str(USER_ID)
    assert claims["sid"] == str(SESSION_ID)
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]


def test_a_token_is_valid_until_it_expires_give_or_take_the_leeway(
    issuer: JwtTokenIssuer, clock: FakeClock
) -> None:
    token, _ = issuer.issue_access(USER_ID, SESSION_ID)

    clock.advance(900 + 9)
    assert issuer.verify_access(token) == ACCESS

    clock.advance(1)
    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


def test_a_token_from_the_future_is_refused(issuer: JwtTokenIssuer, clock: FakeClock) -> None:
    now = int(clock.now().timestamp())

    with pytest.raises(Unauthorized):
        issuer.verify_access(_sign(_claims(clock, iat=now + 60, exp=now + 960)))
    with pytest.raises(Unauthorized):
        issuer.verify_access(_sign(_claims(clock, nbf=now + 60)))


def test_a_token_with_a_past_nbf_is_accepted(issuer: JwtTokenIssuer, clock: FakeClock) -> None:
    now = int(clock.now().timestamp())

    assert issuer.verify_access(_sign(_claims(clock, nbf=now - 5))) == ACCESS


def test_an_unsigned_alg_none_token_is_refused(issuer: JwtTokenIssuer, clock: FakeClock) -> None:
    header = _segment({"alg": "none", "typ": "JWT"})
    token = f"{header}.{_segment(_claims(clock))}."

    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


def test_a_token_signed_with_another_secret_is_refused(
    issuer: JwtTokenIssuer, clock: FakeClock
) -> None:
    token = _sign(_claims(clock), secret="another-secret-that-is-32-bytes-long!")

    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


def test_a_token_with_another_hmac_algorithm_is_refused(
    issuer: JwtTokenIssuer, clock: FakeClock
) -> None:
    token = _sign(_claims(clock), secret=SECRET * 2, algorithm="HS512")

    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "sid", "typ", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_refused(
    issuer: JwtTokenIssuer, clock: FakeClock, claim: str
) -> None:
    token = _sign(_claims(clock, **{claim: None}))

    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


@pytest.mark.parametrize(
    "changes",
    [
        {"typ": "refresh"},
        {"typ": "reset"},
        {"aud": "someone-else"},
        {"aud": [AUDIENCE, "someone-else"]},
        {"iss": "someone-else"},
        {"sub": "42"},
        {"sub": "not-a-uuid"},
        {"sub": USER_ID.hex},
        {"sub": 42},
        {"sid": "not-a-uuid"},
        {"sid": SESSION_ID.hex},
        {"sid": str(SESSION_ID).upper()},
        {"sid": 42},
        {"sid": [str(SESSION_ID)]},
        {"exp": "tomorrow"},
        {"exp": True},
        {"iat": 1.5},
        {"jti": 7},
    ],
    ids=lambda changes: "-".join(f"{name}={value!r}" for name, value in changes.items()),
)
def test_a_token_with_a_wrong_claim_is_refused(
    issuer: JwtTokenIssuer, clock: FakeClock, changes: dict[str, Any]
) -> None:
    token = _sign(_claims(clock, **changes))

    with pytest.raises(Unauthorized):
        issuer.verify_access(token)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b", "....", "é.é.é", "Bearer x.y.z", "e30.e30.e30", "x" * 5000],
)
def test_a_malformed_string_is_refused_generically(issuer: JwtTokenIssuer, token: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        issuer.verify_access(token)

    assert refused.value.code == "unauthorized"
    assert refused.value.detail == "The access token is invalid or expired."


def test_the_refusal_never_echoes_the_token(issuer: JwtTokenIssuer, clock: FakeClock) -> None:
    token = _sign(_claims(clock, typ="refresh"))

    with pytest.raises(Unauthorized) as refused:
        issuer.verify_access(token)

    assert token not in str(refused.value)
    assert refused.value.__cause__ is None


@pytest.mark.parametrize(
    ("secret", "algorithm"),
    [
        ("short", "HS256"),
        ("x" * 31, "HS256"),
        ("x" * 47, "HS384"),
        ("x" * 63, "HS512"),
        ("x" * 64, "RS256"),
        ("x" * 64, "none"),
        ("x" * 64, "hs256"),
    ],
)
def test_a_weak_secret_or_unsupported_algorithm_is_refused_at_construction(
    clock: FakeClock, secret: str, algorithm: str
) -> None:
    with pytest.raises(ValueError):
        JwtTokenIssuer(secret, ISSUER, AUDIENCE, 900, clock, algorithm=algorithm)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_the_stronger_hmac_algorithms_round_trip(clock: FakeClock, algorithm: str) -> None:
    issuer = JwtTokenIssuer("y" * 64, ISSUER, AUDIENCE, 60, clock, algorithm=algorithm)

    token, _ = issuer.issue_access(USER_ID, SESSION_ID)

    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert issuer.verify_access(token) == ACCESS


def test_a_lifetime_that_is_not_positive_is_refused(clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        JwtTokenIssuer(SECRET, ISSUER, AUDIENCE, 0, clock)
