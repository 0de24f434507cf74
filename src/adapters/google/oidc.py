"""An OpenID Connect relying party: discovery, authorize URL, code exchange with PKCE, and
the ID token checked against the provider's keys.

The discovery document and the key set are fetched once and kept; the keys are fetched
again when a token names a key id not among them (the provider rotated its keys), at most
once per `JWKS_REFRESH_SECONDS`. Only asymmetric algorithms are accepted (RS256 by
default), never `none` nor HMAC. Nothing read from the provider is logged: codes, tokens
and the client secret never reach a log line.
"""

import logging
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from application.google_sign_in import ProviderIdentity, SignInFailed
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)

SCOPE = "openid email profile"
ALGORITHMS = ("RS256",)
JWKS_REFRESH_SECONDS = 60.0
# Clocks of the provider and this host may differ a little.
LEEWAY_SECONDS = 30
_REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]


class OidcIdentityProvider:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        discovery_url: str,
        http: httpx.AsyncClient,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._discovery_url = discovery_url
        self._http = http
        self._discovery: dict[str, Any] | None = None
        self._keys: jwt.PyJWKSet | None = None
        self._keys_fetched_at = 0.0

    @property
    def enabled(self) -> bool:
        return True

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        endpoint = str((await self._document())["authorization_endpoint"])
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self._redirect_uri,
                "scope": SCOPE,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in endpoint else "?"
        return f"{endpoint}{separator}{query}"

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        document = await self._document()
        id_token = await self._exchange(str(document["token_endpoint"]), code, code_verifier)
        claims = await self._checked_claims(id_token, str(document["issuer"]))
        if claims.get("nonce") != nonce:
            logger.warning("google sign-in refused: the ID token's nonce does not match")
            raise SignInFailed("The provider's answer could not be verified.")
        email = claims.get("email")
        verified = claims.get("email_verified")
        return ProviderIdentity(
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            # Some providers send "true" as a string; only a true boolean or "true" counts.
            email_verified=verified is True or verified == "true",
        )

    async def _document(self) -> dict[str, Any]:
        if self._discovery is None:
            document = await self._fetch(self._discovery_url)
            for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(name), str):
                    raise SignInFailed("The provider's discovery document is incomplete.")
            self._discovery = document
        return self._discovery

    async def _exchange(self, token_endpoint: str, code: str, code_verifier: str) -> str:
        try:
            answer = await self._http.post(
                token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self._redirect_uri,
                    "code_verifier": code_verifier,
                },
                auth=(self._client_id, self._client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as error:
            logger.warning("google token endpoint unreachable: %s", type(error).__name__)
            raise SignInFailed("The provider could not be reached; try again.") from error
        if answer.status_code != 200:
            logger.warning("google token endpoint refused the code status=%d", answer.status_code)
            raise SignInFailed("The provider refused the sign-in code.")
        try:
            id_token = answer.json().get("id_token")
        except ValueError as error:
            raise SignInFailed("The provider's token answer is not JSON.") from error
        if not isinstance(id_token, str):
            raise SignInFailed("The provider's token answer has no ID token.")
        return id_token

    async def _checked_claims(self, id_token: str, issuer: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            key = await self._key(header.get("kid"))
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self._client_id,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            logger.warning("google ID token refused: %s", type(error).__name__)
            raise SignInFailed("The provider's answer could not be verified.") from error
        return claims

    async def _key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str):
            raise jwt.InvalidTokenError("the ID token names no key")
        keys = await self._key_set(refresh=False)
        found = _find(keys, kid)
        if found is None and time.monotonic() - self._keys_fetched_at >= JWKS_REFRESH_SECONDS:
            found = _find(await self._key_set(refresh=True), kid)
        if found is None:
            raise jwt.InvalidTokenError("the ID token's key is not the provider's")
        return found

    async def _key_set(self, *, refresh: bool) -> jwt.PyJWKSet:
        if self._keys is None or refresh:
            self._keys = jwt.PyJWKSet.from_dict(
                await self._fetch(str((await self._document())["jwks_uri"]))
            )
            self._keys_fetched_at = time.monotonic()
        return self._keys

    async def _fetch(self, url: str) -> dict[str, Any]:
        """A JSON document of the provider; ProviderFailed (502) when it cannot be had."""
        try:
            answer = await self._http.get(url)
            answer.raise_for_status()
            document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("google provider document unavailable: %s", type(error).__name__)
            raise ProviderFailed(
                "Google sign-in is unavailable; try again later.", code="google_unavailable"
            ) from error
        if not isinstance(document, dict):
            raise ProviderFailed(
                "Google sign-in is unavailable; try again later.", code="google_unavailable"
            )
        return document


def _find(keys: jwt.PyJWKSet, kid: str) -> jwt.PyJWK | None:
    return next((key for key in keys.keys if key.key_id == kid), None)


class DisabledIdentityProvider:
    """No Google client configured: every sign-in route answers 404 `google_sign_in_off`."""

    @property
    def enabled(self) -> bool:
        return False

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        raise RuntimeError("Google sign-in is not configured")

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        raise RuntimeError("Google sign-in is not configured")
