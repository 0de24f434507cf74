"""How long to wait after the provider refuses a create with 429.

The provider's hint wins: the Retry-After header (seconds or an HTTP date), else the
body's `retry_after`, else a number of seconds in its `detail` ("... available in 9
seconds"). Without any hint the wait doubles from `fallback_seconds`. Jitter only
lengthens a wait, so nobody comes back before the provider said to.
"""

import json
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

_SECONDS_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|second|seconds)\b", re.IGNORECASE)


def provider_hint(headers: Mapping[str, str], body: bytes, now: datetime) -> float | None:
    """Seconds the provider asked to wait, or None when it gave no readable hint."""
    header = _header(headers, "retry-after")
    if header is not None:
        hinted = _retry_after(header.strip(), now)
        if hinted is not None:
            return hinted
    return _body_hint(body)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _retry_after(value: str, now: datetime) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds):
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _body_hint(body: bytes) -> float | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    retry_after = payload.get("retry_after")
    if isinstance(retry_after, int | float) and math.isfinite(retry_after):
        return max(0.0, float(retry_after))
    detail = payload.get("detail")
    if isinstance(detail, str) and (match := _SECONDS_IN_TEXT.search(detail)):
        return float(match.group(1))
    return None


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The waits after 429 on a create, and their bound.

    Rules: each wait is the provider's hint (or the doubling fallback) lengthened by up
    to `jitter_ratio`; once the waits so far plus the next would pass
    `max_total_seconds`, the caller gives up with ProviderBusy.
    """

    max_total_seconds: float = 30.0
    jitter_ratio: float = 0.2
    fallback_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.max_total_seconds < 0 or self.jitter_ratio < 0 or self.fallback_seconds <= 0:
            raise ValueError("throttle bounds must be positive")

    def base(self, hint: float | None, attempt: int) -> float:
        """The wait before jitter for the `attempt`-th refusal (1-based)."""
        if hint is not None:
            return hint
        return self.fallback_seconds * 2.0 ** (max(1, attempt) - 1)

    def delay(self, hint: float | None, attempt: int, rng: random.Random) -> float:
        base = self.base(hint, attempt)
        return base * (1.0 + rng.uniform(0.0, self.jitter_ratio))

    def allows(self, waited: float, delay: float) -> bool:
        return waited + delay <= self.max_total_seconds
