"""Opaque tokens: 32 random bytes, never a JWT, stored as SHA-256 digests."""

import base64
import hashlib

import pytest

from application.opaque_tokens import digest_of, mint


def test_a_token_is_32_random_bytes_in_url_safe_base64() -> None:
    token = mint()

    raw = base64.urlsafe_b64decode(token.value + "=")
    assert len(token.value) == 43 and len(raw) == 32
    assert "." not in token.value


def test_the_digest_is_the_sha256_of_the_value() -> None:
    token = mint()

    assert token.digest == hashlib.sha256(token.value.encode()).hexdigest()
    assert digest_of(token.value) == token.digest


def test_tokens_do_not_repeat() -> None:
    assert len({mint().value for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "value",
    ["", "short", "A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "+", "eyJhbGciOi.eyJzdWIi.sig"],
)
def test_anything_that_cannot_be_a_token_has_no_digest(value: str) -> None:
    assert digest_of(value) is None
