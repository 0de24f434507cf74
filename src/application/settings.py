"""Tunable figures of the use cases, set by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from domain.designs import DEFAULT_RETENTION


@dataclass(frozen=True, slots=True)
class DesignPolicy:
    preview_max_width: int = 768
    retention: timedelta = DEFAULT_RETENTION
    url_ttl_seconds: int = 300
    download_retry_after_seconds: int = 2
    lease_seconds: float = 120.0
