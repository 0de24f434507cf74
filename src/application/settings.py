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
