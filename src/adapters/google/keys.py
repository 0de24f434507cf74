"""The provider's signing keys (its JWKS), by key id.

The key set is fetched when first needed and kept for `JWKS_TTL_SECONDS`. A token naming
a key id not among the kept keys has the set fetched again (the provider rotated its
keys), at most once per `JWKS_REFRESH_SECONDS`, so forged key ids cannot make this
service hammer the provider. Only RSA signing keys are kept: the ID token is checked
with RS256 alone.
"""

import logging
import math
from collections.abc import Callable
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from adapters.google.documents import fetch_document, unavailable

logger = logging.getLogger(__name__)

# Google rotates its keys over days and publishes the next one ahead of use.
JWKS_TTL_SECONDS = 3600.0
JWKS_REFRESH_SECONDS = 60.0


class ProviderKeys:
    def __init__(self, http: httpx.AsyncClient, *, monotonic: Callable[[], float]) -> None:
        self._http = http
        self._monotonic = monotonic
        self._keys: dict[str, RSAKey] = {}
        self._uri: str | None = None
        self._fetched_at = 0.0

    async def signing_key(self, kid: str, jwks_uri: str) -> RSAKey | None:
        """The provider's key of that id, None when the provider has none of that id;
        ProviderFailed (502) when the key set cannot be had."""
        age = self._monotonic() - self._fetched_at if self._uri == jwks_uri else math.inf
        unknown = kid not in self._keys
        if age >= JWKS_TTL_SECONDS or (unknown and age >= JWKS_REFRESH_SECONDS):
            self._keys = _signing_keys(await fetch_document(self._http, jwks_uri))
            self._uri, self._fetched_at = jwks_uri, self._monotonic()
        return self._keys.get(kid)


def _signing_keys(document: dict[str, Any]) -> dict[str, RSAKey]:
    entries = document.get("keys")
    if not isinstance(entries, list):
        logger.warning("google key set refused: it has no list of keys")
        raise unavailable()
    keys: dict[str, RSAKey] = {}
    for entry in entries:
        key = _rsa_signing_key(entry)
        if key is not None and key.kid is not None:
            keys[key.kid] = key
    return keys


def _rsa_signing_key(entry: object) -> RSAKey | None:
    """An RS256 verification key from a JWK; None for any other kind of key."""
    if not isinstance(entry, dict) or entry.get("kty") != "RSA":
        return None
    if not isinstance(entry.get("kid"), str) or "d" in entry:
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg", "RS256") != "RS256":
        return None
    try:
        return RSAKey.import_key(entry)
    except (JoseError, ValueError, TypeError):
        logger.warning("google key set: a malformed RSA key was skipped")
        return None
