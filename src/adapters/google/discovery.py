"""The provider's discovery document: where to send the browser, the code and for the keys.

It is trusted only when its issuer is the one its URL names (OpenID Connect Discovery:
the document of issuer X lives at X + `/.well-known/openid-configuration` and names X)
and every endpoint in it is https; plain http is allowed only on loopback, where the
tests' fake provider runs. A trusted document is kept for `DISCOVERY_TTL_SECONDS`.
"""

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.google.documents import fetch_document, unavailable
from application.google_sign_in import SignInFailed

logger = logging.getLogger(__name__)

WELL_KNOWN_PATH = "/.well-known/openid-configuration"
# Endpoints change rarely; a changed one is picked up within the hour.
DISCOVERY_TTL_SECONDS = 3600.0
_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def is_trusted_url(url: str) -> bool:
    """https anywhere, http only on loopback; never credentials or a fragment in it."""
    parts = urlsplit(url)
    if not parts.hostname or parts.username is not None or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_of(discovery_url: str) -> str | None:
    """The issuer a discovery URL names; None for a URL that names none or is untrusted."""
    if not is_trusted_url(discovery_url) or not discovery_url.endswith(WELL_KNOWN_PATH):
        return None
    return discovery_url.removesuffix(WELL_KNOWN_PATH)


class ProviderDiscovery:
    def __init__(
        self, url: str, http: httpx.AsyncClient, *, monotonic: Callable[[], float]
    ) -> None:
        self._url = url
        self._issuer = issuer_of(url)
        self._http = http
        self._monotonic = monotonic
        self._metadata: ProviderMetadata | None = None
        self._fetched_at = 0.0

    async def metadata(self) -> ProviderMetadata:
        """The provider's endpoints; ProviderFailed (502) when the document cannot be had,
        SignInFailed when it cannot be trusted."""
        fresh = self._monotonic() - self._fetched_at < DISCOVERY_TTL_SECONDS
        if self._metadata is not None and fresh:
            return self._metadata
        if self._issuer is None:
            logger.error(
                "google discovery URL refused: it must be https (http on loopback only) "
                "and end in %s",
                WELL_KNOWN_PATH,
            )
            raise unavailable()
        metadata = self._checked(await fetch_document(self._http, self._url), self._issuer)
        self._metadata, self._fetched_at = metadata, self._monotonic()
        return metadata

    @staticmethod
    def _checked(document: dict[str, Any], issuer: str) -> ProviderMetadata:
        values = {name: document.get(name) for name in ("issuer", *_ENDPOINTS)}
        if not all(isinstance(value, str) for value in values.values()):
            logger.warning("google discovery document refused: a required field is missing")
            raise SignInFailed("The provider's discovery document is incomplete.")
        if values["issuer"] != issuer:
            logger.warning("google discovery document refused: another issuer")
            raise SignInFailed("The provider's discovery document names another issuer.")
        if not all(is_trusted_url(str(values[name])) for name in _ENDPOINTS):
            logger.warning("google discovery document refused: an endpoint is not https")
            raise SignInFailed("The provider's discovery document names an insecure endpoint.")
        return ProviderMetadata(**{name: str(value) for name, value in values.items()})
