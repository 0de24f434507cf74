"""How long a create waits after 429: the provider's hint, jitter upward only, and the bound."""

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.replicate.throttling import ThrottlePolicy, provider_hint

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_retry_after_header_in_seconds_wins_over_the_body() -> None:
    hint = provider_hint({"Retry-After": "3"}, body(detail="available in 9 seconds"), NOW)

    assert hint == 3.0


def test_retry_after_header_as_a_date_counts_from_now() -> None:
    later = format_datetime(NOW + timedelta(seconds=20), usegmt=True)

    assert provider_hint({"retry-after": later}, b"", NOW) == 20.0


def test_retry_after_in_the_past_means_no_wait() -> None:
    assert provider_hint({"Retry-After": "-4"}, b"", NOW) == 0.0


def test_body_retry_after_field_is_read_without_a_header() -> None:
    assert provider_hint({}, body(retry_after=2.5), NOW) == 2.5


@pytest.mark.parametrize(
    ("detail", "seconds"),
    [
        ("Request was throttled. Expected available in 1 second.", 1.0),
        ("Request was throttled. Your rate limit resets in ~9s.", 9.0),
        ("Request was throttled. Expected available in 0.25 seconds.", 0.25),
    ],
)
def test_seconds_written_in_the_detail_are_a_hint(detail: str, seconds: float) -> None:
    assert provider_hint({}, body(detail=detail), NOW) == seconds


@pytest.mark.parametrize(
    "raw", [b"", b"nonsense", body(detail="Request was throttled."), body(retry_after="soon")]
)
def test_no_readable_hint_is_none(raw: bytes) -> None:
    assert provider_hint({"Retry-After": "whenever"}, raw, NOW) is None


@given(hint=st.floats(0, 120), attempt=st.integers(1, 10), seed=st.integers(0, 2**32))
def test_jitter_never_shortens_the_providers_wait(hint: float, attempt: int, seed: int) -> None:
    policy = ThrottlePolicy(jitter_ratio=0.2)

    delay = policy.delay(hint, attempt, random.Random(seed))

    assert hint <= delay <= hint * 1.2 + 1e-9


def test_without_a_hint_the_wait_doubles_from_the_fallback() -> None:
    policy = ThrottlePolicy(fallback_seconds=0.5)

    assert [policy.base(None, attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]


def test_waiting_stops_once_the_next_wait_would_pass_the_bound() -> None:
    policy = ThrottlePolicy(max_total_seconds=10.0)

    assert policy.allows(waited=6.0, delay=4.0)
    assert not policy.allows(waited=6.0, delay=4.1)


def test_negative_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        ThrottlePolicy(max_total_seconds=-1)
