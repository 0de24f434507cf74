"""Hardening of every answer: security headers, allowed hosts and CORS, from the settings.

Security headers are added by a before-send hook, so they reach every response,
errors and CORS preflights included: nosniff, no framing, no referrer, a Content
Security Policy that lets an API answer load nothing (the `/schema` docs page is
left without one, since it runs scripts), Strict-Transport-Security in production,
and `Cache-Control: no-store` on authentication answers. A header a route set itself
is kept.

Allowed hosts are checked here rather than by Litestar's AllowedHostsConfig, which
compares the whole Host header, port included, so `127.0.0.1:8000` never matched
`127.0.0.1`. The health routes are not checked: probes call them by address.
"""

from collections.abc import Awaitable, Callable, Sequence

from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import DomainError
from entrypoints.http.limits import AUTH_PREFIX, TRIAL_HEADER
from entrypoints.settings import HardeningSettings

Header = tuple[bytes, bytes]
BeforeSend = Callable[[Message, Scope], Awaitable[None]]

API_CONTENT_SECURITY_POLICY = b"default-src 'none'; frame-ancestors 'none'"
DOCS_PREFIX = "/schema"
HEALTH_PREFIX = "/health/"
ACCOUNT_PATH = "/v1/me"
# A year, as the HSTS preload list asks; only sent in production, where TLS ends in front.
HSTS = b"max-age=31536000; includeSubDomains"
CORS_MAX_AGE_SECONDS = 600
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Prefer"]
CORS_EXPOSED_HEADERS = ["Location", "Retry-After", TRIAL_HEADER]


def _is_docs(path: str) -> bool:
    return path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/")


def _is_auth(path: str) -> bool:
    return path.startswith(AUTH_PREFIX) or path == ACCOUNT_PATH


def security_headers(settings: HardeningSettings) -> BeforeSend:
    """A before-send hook adding the security headers to each response's start."""
    common: list[Header] = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if settings.strict_transport_security:
        common.append((b"strict-transport-security", HSTS))
    api = [*common, (b"content-security-policy", API_CONTENT_SECURITY_POLICY)]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope.get("path", "")
        wanted = common if _is_docs(path) else api
        headers = list(message.get("headers", []))
        present = {name.lower() for name, _ in headers}
        headers.extend(header for header in wanted if header[0] not in present)
        if _is_auth(path):
            headers = [h for h in headers if h[0].lower() != b"cache-control"]
            headers.append((b"cache-control", b"no-store"))
        message["headers"] = headers

    return add_headers


def host_name(host_header: str) -> str:
    """The host of a Host header: lower case, without port, brackets or final dot."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


class AllowedHosts:
    """Host names the service answers for: exact names, `*.domain` for its subdomains,
    or `*` for any."""

    def __init__(self, hosts: Sequence[str]) -> None:
        self.any = "*" in hosts
        self._exact = frozenset(h for h in hosts if not h.startswith("*"))
        self._suffixes = tuple(h[1:] for h in hosts if h.startswith("*."))

    def allows(self, host_header: str | None) -> bool:
        if self.any:
            return True
        if not host_header:
            return False
        host = host_name(host_header)
        return host in self._exact or (bool(host) and host.endswith(self._suffixes))


def _host_header(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == b"host":
            return value.decode("latin-1")
    return None


def allowed_hosts(settings: HardeningSettings) -> Callable[[ASGIApp], ASGIApp]:
    """Litestar middleware: a request whose Host is not allowed gets 400 `host_not_allowed`."""
    hosts = AllowedHosts(settings.allowed_hosts)

    def factory(app: ASGIApp) -> ASGIApp:
        if hosts.any:
            return app

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if (
                scope["type"] == ScopeType.HTTP
                and not scope["path"].startswith(HEALTH_PREFIX)
                and not hosts.allows(_host_header(scope))
            ):
                raise DomainError(
                    "The Host header names no host this service answers for.",
                    code="host_not_allowed",
                )
            await app(scope, receive, send)

        return middleware

    return factory


def cors_config(settings: HardeningSettings) -> CORSConfig | None:
    """CORS for the configured origins only, without credentials (bearer tokens, no
    cookies); None when no origin is configured, so browsers keep the same-origin rule."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=list(CORS_METHODS),  # type: ignore[arg-type]
        allow_headers=list(CORS_REQUEST_HEADERS),
        expose_headers=list(CORS_EXPOSED_HEADERS),
        allow_credentials=False,
        max_age=CORS_MAX_AGE_SECONDS,
    )
