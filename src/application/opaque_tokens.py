"""Opaque tokens: refresh, password reset and email verification.

A token is 32 random bytes from the operating system's CSPRNG, in unpadded
URL-safe base64 (43 characters), so it is never a JWT and can never pass for an
access token. Only its SHA-256 digest is stored: with 256 bits of entropy a
plain, unsalted hash cannot be reversed or guessed, and a lookup by digest
stays one indexed query.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32
# Unpadded base64 of 32 bytes is 43 characters of the URL-safe alphabet.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    """A new token: `value` goes to its owner once, `digest` to the database."""

    value: str
    digest: str


def mint() -> OpaqueToken:
    value = secrets.token_urlsafe(TOKEN_BYTES)
    return OpaqueToken(value, _sha256(value))


def digest_of(value: str) -> str | None:
    """The digest under which `value` would be stored; None when it cannot be a token of
    ours (wrong length or alphabet), so no lookup is needed to refuse it."""
    if not isinstance(value, str) or _SHAPE.fullmatch(value) is None:
        return None
    return _sha256(value)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()
