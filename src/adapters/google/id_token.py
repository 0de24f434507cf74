"""The ID token's checks: its signature (RS256 only, by the provider's key), then its claims
as OpenID Connect Core 3.1.3.7 lists them for the code flow.

The signature is checked with joserfc, Authlib's JOSE engine; the claims with Authlib's
`CodeIDToken`: issuer, audience (and `azp` when present or when there are several
audiences), expiry and issue time within a small leeway, subject, and the nonce sent at
the start. Both are a few hash and big-number operations, cheap enough for the event loop.
"""

from typing import Any

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry, extract_compact

ALGORITHMS = ["RS256"]
# Clocks of the provider and this host may differ a little.
LEEWAY_SECONDS = 30
# Google's ID tokens may name their issuer without the scheme (Google's documentation).
_ISSUER_ALIASES = {"https://accounts.google.com": ("accounts.google.com",)}


class IdTokenRefused(Exception):
    """The ID token failed a check; the reason is safe to log (no token, no claim value)."""


def _registry() -> JWSRegistry:
    # Unknown header parameters are ignored as Authlib's own OpenID client does: only the
    # algorithm and the key id are read, and both are checked.
    return JWSRegistry(algorithms=ALGORITHMS, strict_check_header=False)


def key_id_of(id_token: str) -> str:
    """The key id in the token's header, read before anything is trusted."""
    try:
        header = extract_compact(id_token.encode("ascii"), registry=_registry()).headers()
    except (JoseError, ValueError) as error:
        raise IdTokenRefused(type(error).__name__) from error
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise IdTokenRefused("no key id")
    return kid


def checked_claims(
    id_token: str, key: RSAKey, *, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """The claims of a token signed by `key` that passes every check; IdTokenRefused else."""
    issuers = [issuer, *_ISSUER_ALIASES.get(issuer, ())]
    try:
        token = jwt.decode(id_token, key, registry=_registry())
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "values": issuers},
                "aud": {"essential": True, "value": client_id},
                "sub": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            {"client_id": client_id, "nonce": nonce},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except ClaimError as error:
        # The claim's name is one of those checked here, never a value from the token.
        raise IdTokenRefused(f"{type(error).__name__} claim={error.claim}") from error
    except (JoseError, ValueError) as error:
        raise IdTokenRefused(type(error).__name__) from error
    checked: dict[str, Any] = dict(claims)
    return checked
