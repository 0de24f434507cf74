from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Conflict
from domain.jobs import MAX_ATTEMPTS, JobStatus, UpscaleJob, backoff

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def new_job() -> UpscaleJob:
    return UpscaleJob(uuid4(), uuid4(), 0, JobStatus.QUEUED, 0, NOW, NOW, NOW)


def test_a_leased_job_cannot_be_leased_again_until_its_lease_expires() -> None:
    job = new_job()
    job.lease("a", NOW, LEASE)

    assert not job.can_lease(NOW + timedelta(seconds=59))
    assert job.can_lease(NOW + LEASE)


def test_a_failed_attempt_waits_a_backoff_before_the_next() -> None:
    job = new_job()
    job.lease("a", NOW, LEASE)

    job.fail_attempt("boom", NOW)

    assert job.status is JobStatus.QUEUED
    assert job.next_attempt_at == NOW + backoff(1, jitter=1.0)
    assert not job.can_lease(NOW)


def test_the_last_failed_attempt_fails_the_job_with_its_reason() -> None:
    job = new_job()
    now = NOW
    for _ in range(MAX_ATTEMPTS):
        job.lease("a", now, LEASE)
        job.fail_attempt("provider down", now)
        now = job.next_attempt_at

    assert job.status is JobStatus.FAILED
    assert job.failure == "provider down"


def test_a_terminal_job_never_changes_again() -> None:
    job = new_job()
    job.lease("a", NOW, LEASE)
    job.succeed("designs/x/0/skin.png", NOW)

    with pytest.raises(Conflict):
        job.fail_attempt("late", NOW)
    with pytest.raises(Conflict):
        job.lease("b", NOW + LEASE, LEASE)
    assert job.status is JobStatus.SUCCEEDED
    assert job.result_key == "designs/x/0/skin.png"


actions = st.lists(
    st.sampled_from(["lease", "submit", "succeed", "fail_attempt", "fail", "tick"]), max_size=30
)


@given(actions)
def test_any_sequence_of_steps_keeps_the_job_rules(steps: list[str]) -> None:
    job = new_job()
    now = NOW
    for step in steps:
        before = (job.status, job.result_key, job.failure)
        terminal = job.status.terminal
        try:
            if step == "lease":
                job.lease("w", now, LEASE)
            elif step == "submit":
                job.record_submission("p1", now)
            elif step == "succeed":
                job.succeed("key", now)
            elif step == "fail_attempt":
                job.fail_attempt("x", now)
            elif step == "fail":
                job.fail("x", now)
            else:
                now += timedelta(minutes=10)
        except Conflict:
            pass
        if terminal:
            assert (job.status, job.result_key, job.failure) == before
        assert job.attempts <= MAX_ATTEMPTS or job.status.terminal


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=0.5, max_value=1.0))
def test_backoff_grows_and_is_bounded(attempt: int, jitter: float) -> None:
    delay = backoff(attempt, jitter=jitter)

    assert timedelta(0) < delay <= timedelta(minutes=5)
    assert backoff(attempt + 1, jitter=1.0) >= backoff(attempt, jitter=1.0)
