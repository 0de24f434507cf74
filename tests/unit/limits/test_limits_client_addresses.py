"""Which address a request's limits are counted under."""

import ipaddress
from typing import Any

import pytest

from entrypoints.http.client_address import ClientAddresses, client_key, parse_address

PROXIES = ClientAddresses([ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")])


def _scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"client": (peer, 5000) if peer is not None else None, "headers": headers}


def test_without_a_trusted_proxy_the_peer_is_the_client() -> None:
    scope = _scope("203.0.113.9", "198.51.100.1")

    assert ClientAddresses().of(scope) == "203.0.113.9"
    assert PROXIES.of(scope) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client_it_saw() -> None:
    assert PROXIES.of(_scope("10.0.0.5", "198.51.100.1")) == "198.51.100.1"


def test_the_right_most_untrusted_hop_wins_over_what_the_client_wrote() -> None:
    spoofed = _scope("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.1.1.1")

    assert PROXIES.of(spoofed) == "198.51.100.1"


def test_several_forwarded_headers_are_read_in_order() -> None:
    assert PROXIES.of(_scope("10.0.0.5", "1.2.3.4", "198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_trusted_hops_ends_at_the_left_most() -> None:
    assert PROXIES.of(_scope("10.0.0.5", "10.2.2.2, 10.3.3.3")) == "10.2.2.2"


def test_a_hop_that_is_no_address_leaves_the_last_trusted_proxy() -> None:
    assert PROXIES.of(_scope("10.0.0.5", "unknown, 10.9.9.9")) == "10.9.9.9"
    assert PROXIES.of(_scope("10.0.0.5", "")) == "10.0.0.5"


def test_a_trusted_proxy_without_the_header_is_its_own_client() -> None:
    assert PROXIES.of(_scope("10.0.0.5")) == "10.0.0.5"


def test_ipv6_clients_are_counted_by_their_64_bit_prefix() -> None:
    first = ClientAddresses().of(_scope("2001:db8:1:2::1"))
    second = ClientAddresses().of(_scope("2001:db8:1:2:ffff::9"))
    elsewhere = ClientAddresses().of(_scope("2001:db8:1:3::1"))

    assert first == second == "2001:db8:1:2::/64"
    assert elsewhere != first


def test_an_ipv4_mapped_peer_counts_as_its_ipv4_address() -> None:
    assert ClientAddresses().of(_scope("::ffff:192.0.2.8")) == "192.0.2.8"


def test_a_peer_without_an_address_is_keyed_by_what_the_server_gave() -> None:
    assert ClientAddresses().of(_scope("testclient")) == "testclient"
    assert ClientAddresses().of(_scope(None)) == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1:8080 ", "192.0.2.1"),
        ("[2001:db8::1]:443", "2001:db8::/64"),
        ("2001:db8::1", "2001:db8::/64"),
    ],
)
def test_forwarded_hops_may_carry_ports_and_brackets(text: str, expected: str) -> None:
    address = parse_address(text)

    assert address is not None
    assert client_key(address) == expected


@pytest.mark.parametrize("text", ["", "unknown", "_hidden", "999.1.1.1", "1.2.3.4.5"])
def test_text_that_is_no_address_is_refused(text: str) -> None:
    assert parse_address(text) is None
