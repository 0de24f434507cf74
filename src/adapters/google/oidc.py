"""An OpenID Connect relying party on Authlib: authorize URL, code exchange with PKCE, and
the ID token checked against the provider's keys.

Authlib builds the authorize URL and the token request (client_secret_basic, with the
PKCE verifier); the provider's answers travel over the app's httpx client, read within a
size limit and a deadline (see `documents`). Only RS256 ID tokens are accepted, never
`none` nor HMAC. Nothing read from the provider is logged: codes, tokens and the client
secret never reach a log line. Failures are domain errors: the provider's documents out
of reach are 502 `google_unavailable`, a refused code or an untrusted answer 400
`sign_in_failed`.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request

from adapters.google.discovery import ProviderDiscovery
from adapters.google.documents import ACCEPT_JSON, ANSWER_DEADLINE_SECONDS, read_json
from adapters.google.id_token import IdTokenRefused, checked_claims, key_id_of
from adapters.google.keys import ProviderKeys
from application.google_sign_in import ProviderIdentity, SignInFailed

logger = logging.getLogger(__name__)

SCOPE = "openid email profile"


class OidcIdentityProvider:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        discovery_url: str,
        http: httpx.AsyncClient,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id = client_id
        self._redirect_uri = redirect_uri
        self._client_auth = ClientAuth(client_id, client_secret, "client_secret_basic")
        self._http = http
        self._discovery = ProviderDiscovery(discovery_url, http, monotonic=monotonic)
        self._keys = ProviderKeys(http, monotonic=monotonic)

    @property
    def enabled(self) -> bool:
        return True

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        metadata = await self._discovery.metadata()
        url: str = prepare_grant_uri(
            metadata.authorization_endpoint,
            self._client_id,
            "code",
            redirect_uri=self._redirect_uri,
            scope=SCOPE,
            state=state,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method="S256",
        )
        return url

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        metadata = await self._discovery.metadata()
        id_token = await self._exchange(metadata.token_endpoint, code, code_verifier)

        refused = SignInFailed("The provider's answer could not be verified.")
        try:
            key = await self._keys.signing_key(key_id_of(id_token), metadata.jwks_uri)
            if key is None:
                raise IdTokenRefused("the key is not the provider's")
            claims = checked_claims(
                id_token, key, issuer=metadata.issuer, client_id=self._client_id, nonce=nonce
            )
        except IdTokenRefused as error:
            logger.warning("google ID token refused: %s", error)
            raise refused from error
        return _identity(claims)

    async def _exchange(self, token_endpoint: str, code: str, code_verifier: str) -> str:
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self._redirect_uri,
            code_verifier=code_verifier,
        )
        headers = {**ACCEPT_JSON, "Content-Type": "application/x-www-form-urlencoded"}
        url, headers, body = self._client_auth.prepare("POST", token_endpoint, headers, body)
        try:
            async with (
                asyncio.timeout(ANSWER_DEADLINE_SECONDS),
                self._http.stream("POST", url, content=body, headers=headers) as answer,
            ):
                if answer.status_code != 200:
                    logger.warning(
                        "google token endpoint refused the code status=%d", answer.status_code
                    )
                    raise SignInFailed("The provider refused the sign-in code.")
                token = await read_json(answer)
        except (httpx.HTTPError, TimeoutError) as error:
            logger.warning("google token endpoint unreachable: %s", type(error).__name__)
            raise SignInFailed("The provider could not be reached; try again.") from error
        except ValueError as error:
            logger.warning("google token answer refused: %s", type(error).__name__)
            raise SignInFailed("The provider's token answer is not JSON.") from error
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise SignInFailed("The provider's token answer has no ID token.")
        return id_token


def _identity(claims: dict[str, Any]) -> ProviderIdentity:
    email = claims.get("email")
    verified = claims.get("email_verified")
    return ProviderIdentity(
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        # Some providers send "true" as a string; only a true boolean or "true" counts.
        email_verified=verified is True or verified == "true",
    )


class DisabledIdentityProvider:
    """No Google client configured: every sign-in route answers 404 `google_sign_in_off`."""

    @property
    def enabled(self) -> bool:
        return False

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        raise RuntimeError("Google sign-in is not configured")

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        raise RuntimeError("Google sign-in is not configured")
