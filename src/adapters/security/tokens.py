"""TokenIssuer with signed JWTs (PyJWT), for short-lived access tokens.

An access token carries `sub` (the user's UUID), `sid` (the UUID of the session it
was issued in: its refresh-token family), `typ="access"`, `iss`, `aud`, `iat`, `exp`
and a random `jti`. Verification accepts one algorithm, fixed at construction, and
demands every claim but `jti` and `nbf`; times are checked against the injected
clock with a 10-second leeway. Any failure, whatever its cause, is the same
Unauthorized with a generic detail, and nothing of the token is logged or echoed.

Whether the session named by `sid` is still going is not checked here: the
Authenticate use case asks the database on every request.

Known limits: one secret at a time, so rotating it signs everybody out.
"""

import logging
from typing import Any
from uuid import UUID, uuid4

import jwt

from application.ports import AccessClaims, Clock
from domain.errors import Unauthorized

logger = logging.getLogger(__name__)

# The HMAC key must be at least as long as the hash output (RFC 7518, section 3.2).
MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
LEEWAY_SECONDS = 10
# Ours are about 300 characters; a longer string is refused before any parsing.
MAX_TOKEN_LENGTH = 4096
ACCESS = "access"
_REQUIRED = ["exp", "iat", "sub", "sid", "typ", "iss", "aud"]
_DETAIL = "The access token is invalid or expired."


class JwtTokenIssuer:
    """Issues and verifies access tokens signed with one HMAC algorithm and secret."""

    def __init__(
        self,
        secret: str,
        issuer: str,
        audience: str,
        access_ttl_seconds: int,
        clock: Clock,
        algorithm: str = "HS256",
    ) -> None:
        if algorithm not in MIN_SECRET_BYTES:
            raise ValueError("JWT_ALGORITHM must be one of HS256, HS384, HS512")
        if len(secret.encode()) < MIN_SECRET_BYTES[algorithm]:
            raise ValueError(f"the secret needs at least {MIN_SECRET_BYTES[algorithm]} bytes")
        if not issuer or not audience:
            raise ValueError("issuer and audience must not be empty")
        if access_ttl_seconds <= 0:
            raise ValueError("access_ttl_seconds must be positive")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl = access_ttl_seconds
        self._clock = clock
        self._algorithm = algorithm
        self._jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})

    def issue_access(self, user_id: UUID, session_id: UUID) -> tuple[str, int]:
        now = int(self._clock.now().timestamp())
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "typ": ACCESS,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid4().hex,
        }
        return self._jwt.encode(claims, self._secret, algorithm=self._algorithm), self._ttl

    def verify_access(self, token: str) -> AccessClaims:
        """The user and session of a valid access token; Unauthorized for anything else."""
        try:
            claims = self._decode(token)
            self._check_times(claims)
            return AccessClaims(_uuid_claim(claims, "sub"), _uuid_claim(claims, "sid"))
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            logger.debug("access token refused reason=%s", type(exc).__name__)
            raise Unauthorized(_DETAIL) from None

    def _decode(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise ValueError("not a token")
        claims = self._jwt.decode(
            token,
            self._secret,
            algorithms=[self._algorithm],
            audience=self._audience,
            issuer=self._issuer,
            # Times are checked against the injected clock in _check_times.
            options={
                "require": _REQUIRED,
                "strict_aud": True,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        if claims.get("typ") != ACCESS:
            raise ValueError("not an access token")
        return claims

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now().timestamp()
        if _seconds(claims["exp"]) <= now - LEEWAY_SECONDS:
            raise ValueError("expired")
        if _seconds(claims["iat"]) > now + LEEWAY_SECONDS:
            raise ValueError("issued in the future")
        if "nbf" in claims and _seconds(claims["nbf"]) > now + LEEWAY_SECONDS:
            raise ValueError("not yet valid")


def _seconds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a time claim must be whole seconds")
    return value


def _uuid_claim(claims: dict[str, Any], name: str) -> UUID:
    value = claims[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    parsed = UUID(value)
    if str(parsed) != value:
        raise ValueError(f"{name} is not a UUID in canonical form")
    return parsed
