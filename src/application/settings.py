"""Tunable figures of the use cases, set by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from domain.designs import DEFAULT_RETENTION


@dataclass(frozen=True, slots=True)
class DesignPolicy:
    preview_max_width: int = 768
    max_upload_bytes: int = 20 * 1024 * 1024
    retention: timedelta = DEFAULT_RETENTION
    url_ttl_seconds: int = 300
    download_retry_after_seconds: int = 2
    lease_seconds: float = 120.0
    # How long a request may wait for its generation; a design younger than the
    # grace is left to that request, an older one to the worker.
    default_wait_seconds: float = 30.0
    max_wait_seconds: float = 60.0
    generation_grace: timedelta = timedelta(seconds=65)
    # An upscale waits this long for its provider within one attempt (predictions end
    # within 30 minutes); the lease is kept alive meanwhile.
    upscale_wait_seconds: float = 1800.0


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` events per `window_seconds` under one key."""

    count: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """Lifetimes of the account tokens and the limits on asking for reset mail.

    OWASP's Forgot Password Cheat Sheet: a reset token short-lived (30 minutes
    here) and single-use; the mail limited per caller and per address.
    """

    refresh_ttl: timedelta = timedelta(days=30)
    reset_ttl: timedelta = timedelta(minutes=30)
    verification_ttl: timedelta = timedelta(hours=24)
    reset_per_ip: RateLimit = RateLimit(5, 15 * 60)
    reset_per_email: RateLimit = RateLimit(3, 60 * 60)


@dataclass(frozen=True, slots=True)
class AccountLinks:
    """Where mailed links point: the configured addresses, never a request's Host.

    `api_base_url` serves the verification link; `frontend_url` hosts the page
    where a new password is typed. Both are absolute, without a trailing slash.
    """

    api_base_url: str
    frontend_url: str
