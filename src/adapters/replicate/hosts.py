"""The allow-list of hosts that provider output files may come from.

Rules, per entry:
- a bare host name (`replicate.delivery`) allows https on port 443 for that host and
  every subdomain of it;
- an entry with a scheme (`http://127.0.0.1:8701`) allows exactly that scheme, host
  and port (the scheme's default port when none is written), and subdomains only for
  a host name, never for an IP literal.
A URL passes only when its scheme is http or https, it has no user info, its host is
not an IP literal unless that literal is listed, and its effective port is the one
allowed. Loopback is never allowed unless listed.
"""

import ipaddress
from dataclasses import dataclass

import httpx

PRODUCTION_OUTPUT_HOSTS = ("replicate.delivery",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class HostNotAllowed(ValueError):
    """The URL is not one the allow-list lets the service fetch."""


@dataclass(frozen=True, slots=True)
class AllowedOrigin:
    scheme: str
    host: str
    port: int
    subdomains: bool

    @classmethod
    def parse(cls, entry: str) -> "AllowedOrigin":
        text = entry.strip()
        if not text:
            raise ValueError("an allowed host is empty")
        if "://" not in text:
            text = f"https://{text}"
        url = httpx.URL(text)
        if url.scheme not in _DEFAULT_PORTS or url.userinfo or url.path not in ("", "/"):
            raise ValueError(f"not an allowed-host entry: {entry!r}")
        host = _host(url)
        port = url.port or _DEFAULT_PORTS[url.scheme]
        return cls(url.scheme, host, port, subdomains=not _is_ip(host))

    def admits(self, scheme: str, host: str, port: int) -> bool:
        if scheme != self.scheme or port != self.port:
            return False
        return host == self.host or (self.subdomains and host.endswith(f".{self.host}"))


class AllowedHosts:
    """Checks URLs against the allow-list; see the module's rules."""

    def __init__(self, entries: tuple[str, ...] | list[str]) -> None:
        if not entries:
            raise ValueError("at least one allowed host is needed")
        self._origins = tuple(AllowedOrigin.parse(entry) for entry in entries)

    def check(self, url: str | httpx.URL) -> httpx.URL:
        """The parsed URL when it is allowed; raises HostNotAllowed otherwise."""
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise HostNotAllowed("not a valid URL") from exc
        if parsed.scheme not in _DEFAULT_PORTS:
            raise HostNotAllowed(f"scheme {parsed.scheme!r} is not fetched")
        if parsed.userinfo:
            raise HostNotAllowed("URLs with user info are not fetched")
        host = _host(parsed)
        if not host:
            raise HostNotAllowed("the URL has no host")
        port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
        if not any(origin.admits(parsed.scheme, host, port) for origin in self._origins):
            raise HostNotAllowed(f"host {host!r} is not on the allow-list")
        return parsed


def _host(url: httpx.URL) -> str:
    """The host in ASCII (IDNA), lowercase, without a trailing dot."""
    return url.raw_host.decode("ascii", errors="replace").lower().rstrip(".")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
