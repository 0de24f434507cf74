"""Signed, expiring URLs for files served by the service itself (embedded mode).

A signature is HMAC-SHA256 over the key and the expiry (unix seconds), encoded
as URL-safe base64 without padding. A URL carries the key in its path and
`expires` and `signature` in its query, so changing any of the three breaks it.

Known limits: a URL cannot be revoked before it expires; rotating the secret
invalidates every URL already handed out.
"""

import base64
import hashlib
import hmac
import re
from typing import Self

from application.ports import Clock

# HMAC-SHA256 gains nothing from a longer key and is weak with a shorter one
# (RFC 2104, section 3).
MIN_SECRET_BYTES = 32
# The longest life of an S3 presigned URL (SigV4), kept here so both stores agree.
MAX_EXPIRES_IN = 7 * 24 * 3600

_EXPIRES = re.compile(r"[1-9][0-9]{0,11}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")
_PURPOSE = b"casecraft/storage-url/v1"


class UrlSigner:
    """Signs and checks (key, expiry) pairs with one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the URL signing secret needs at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

    @classmethod
    def from_secret_key(cls, secret_key: str) -> Self:
        """A signer whose key is derived from the service's SECRET_KEY for this one purpose,
        so a URL signature can never stand in for a token signed with the same setting."""
        if len(secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SECRET_KEY needs at least {MIN_SECRET_BYTES} bytes")
        return cls(hmac.digest(secret_key.encode(), _PURPOSE, hashlib.sha256))

    def sign(self, key: str, expires_at_unix: int) -> str:
        message = f"{key}\n{expires_at_unix}".encode()
        digest = hmac.digest(self._secret, message, hashlib.sha256)
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def verify(self, key: str, expires: int | str, signature: str, now_unix: float) -> bool:
        """True only for an untampered signature whose expiry is still ahead of `now_unix`.

        `expires` may come straight from a query string: anything but a positive
        whole number written without leading zeros is refused, as is a signature
        of the wrong shape. The final comparison takes constant time.
        """
        if isinstance(expires, bool):
            return False
        text = str(expires) if isinstance(expires, int) else expires
        if not isinstance(text, str) or not _EXPIRES.fullmatch(text):
            return False
        if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
            return False
        if not isinstance(key, str) or "\n" in key:
            return False

        expected = self.sign(key, int(text))
        authentic = hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))
        return authentic and now_unix < int(text)


class SignedFileUrls:
    """Builds and checks `{public_base_url}/files/{key}?expires=..&signature=..` URLs.

    The base URL is configuration, never taken from a request's Host header; a
    trailing slash is dropped. A URL is valid until `expires`, exclusive.
    """

    def __init__(self, public_base_url: str, signer: UrlSigner, clock: Clock) -> None:
        base = public_base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ValueError("the public base URL must start with http:// or https://")
        self._base = base
        self._signer = signer
        self._clock = clock

    def now_unix(self) -> int:
        return int(self._clock.now().timestamp())

    def url(self, key: str, expires_in: int) -> str:
        """The URL of `key` for the next `expires_in` seconds (1 s to 7 days)."""
        if isinstance(expires_in, bool) or not 0 < expires_in <= MAX_EXPIRES_IN:
            raise ValueError(f"expires_in must be 1 to {MAX_EXPIRES_IN} seconds")
        expires = self.now_unix() + int(expires_in)
        signature = self._signer.sign(key, expires)
        return f"{self._base}/files/{key}?expires={expires}&signature={signature}"

    def verify(self, key: str, expires: int | str, signature: str) -> bool:
        return self._signer.verify(key, expires, signature, self.now_unix())
