"""Who is calling, as an address: the connection's peer or, behind a trusted proxy, the
address that proxy saw.

X-Forwarded-For is read only when the peer is one of the configured proxies
(CASECRAFT_TRUSTED_PROXIES; none by default), and then from its right end: each
trusted hop is skipped and the first untrusted one is the client, since only the
entries left of it can have been written by the client itself.
"""

import ipaddress
from collections.abc import Iterable, Sequence

from litestar.types import Scope

from entrypoints.settings import ProxyNetwork

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# An IPv6 subscriber is usually given a whole /64 (RFC 6177), so an address within it
# is the same client: keying by the full address would let one client be many.
IPV6_CLIENT_PREFIX = 64
# More hops than any real chain of proxies; the rest of a longer header is ignored.
MAX_FORWARDED_HOPS = 32
UNKNOWN_CLIENT = "unknown"


def parse_address(text: str) -> Address | None:
    """An IP address from a peer or a forwarded hop (`[v6]:port` and `v4:port` too)."""
    value = text.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_key(address: Address) -> str:
    """The address as a limit counts it: IPv4 whole, IPv6 by its /64."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))


def _forwarded_hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    hops: list[str] = []
    for name, value in headers:
        if name.lower() == b"x-forwarded-for":
            hops.extend(value.decode("latin-1").split(","))
    return hops[-MAX_FORWARDED_HOPS:]


class ClientAddresses:
    """The client of a request, as the key its limits are counted under."""

    def __init__(self, trusted_proxies: Sequence[ProxyNetwork] = ()) -> None:
        self._trusted = tuple(trusted_proxies)

    def of(self, scope: Scope) -> str:
        peer = scope.get("client")
        host = peer[0] if peer else ""
        address = parse_address(host)
        if address is None:
            # A server on a Unix socket, or a test client, names no IP address.
            return host or UNKNOWN_CLIENT
        if self._is_trusted(address):
            address = self._forwarded_client(scope["headers"], address)
        return client_key(address)

    def _forwarded_client(self, headers: Iterable[tuple[bytes, bytes]], proxy: Address) -> Address:
        client = proxy
        for hop in reversed(_forwarded_hops(headers)):
            address = parse_address(hop)
            if address is None:
                # A hop a trusted proxy could not name: the last trusted one stands in.
                break
            client = address
            if not self._is_trusted(address):
                break
        return client

    def _is_trusted(self, address: Address) -> bool:
        return any(address in network for network in self._trusted)
