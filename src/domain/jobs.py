"""Upscale jobs: queued, submitted, then succeeded or failed, never changing after."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.errors import Conflict

MAX_ATTEMPTS = 3
BASE_BACKOFF = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=5)


class JobStatus(StrEnum):
    QUEUED = "queued"
    SUBMITTED = "submitted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


def backoff(attempt: int, *, jitter: float) -> timedelta:
    """Exponential delay before attempt `attempt + 1`, scaled by `jitter` in [0.5, 1.0]."""
    # Past 2**20 the delay is long capped; stopping the exponent there avoids overflow.
    exponent = min(max(0, attempt - 1), 20)
    capped: timedelta = min(BASE_BACKOFF * (2**exponent), MAX_BACKOFF)
    return capped * jitter


def full_jitter(rng: random.Random | None = None) -> float:
    return (rng or random).uniform(0.5, 1.0)


@dataclass(slots=True)
class UpscaleJob:
    """Turns one variant's artwork into its print file.

    Rules: a job is leased before it runs and the lease expires, so a dead worker's
    job is taken up again; each lease counts as an attempt; a failed attempt waits
    an exponential backoff; after MAX_ATTEMPTS the job fails with its reason; a
    succeeded or failed job never changes again.
    """

    id: UUID
    design_id: UUID
    variant_index: int
    status: JobStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    prediction_id: str | None = None
    result_key: str | None = None
    failure: str | None = None

    def _guard(self) -> None:
        if self.status.terminal:
            raise Conflict(
                f"Job {self.id} is {self.status} and cannot change.", code="job_terminal"
            )

    def can_lease(self, now: datetime) -> bool:
        if self.status.terminal:
            return False
        if self.lease_expires_at is not None and self.lease_expires_at > now:
            return False
        return self.next_attempt_at <= now

    def lease(self, worker: str, now: datetime, duration: timedelta) -> None:
        self._guard()
        if not self.can_lease(now):
            raise Conflict(f"Job {self.id} is not due or is leased.", code="job_not_leasable")
        self.attempts += 1
        self.lease_owner = worker
        self.lease_expires_at = now + duration
        self.updated_at = now

    def release(self, now: datetime) -> None:
        """Give the lease back without counting the attempt as failed (a worker stopping)."""
        self._guard()
        self.attempts = max(0, self.attempts - 1)
        self.lease_owner = None
        self.lease_expires_at = None
        self.next_attempt_at = now
        self.updated_at = now

    def record_submission(self, prediction_id: str, now: datetime) -> None:
        self._guard()
        self.status = JobStatus.SUBMITTED
        self.prediction_id = prediction_id
        self.updated_at = now

    def succeed(self, result_key: str, now: datetime) -> None:
        self._guard()
        self.status = JobStatus.SUCCEEDED
        self.result_key = result_key
        self.lease_owner = None
        self.lease_expires_at = None
        self.failure = None
        self.updated_at = now

    def fail_attempt(self, reason: str, now: datetime, *, jitter: float = 1.0) -> None:
        """Record a failed attempt: retry after a backoff, or fail for good when out of attempts."""
        self._guard()
        self.failure = reason
        self.lease_owner = None
        self.lease_expires_at = None
        self.updated_at = now
        # The failed prediction is spent; the next attempt starts a new one.
        self.prediction_id = None
        if self.attempts >= MAX_ATTEMPTS:
            self.status = JobStatus.FAILED
            return
        self.status = JobStatus.QUEUED
        self.next_attempt_at = now + backoff(self.attempts, jitter=jitter)

    def fail(self, reason: str, now: datetime) -> None:
        """Fail for good, without retrying: the input itself cannot succeed."""
        self._guard()
        self.status = JobStatus.FAILED
        self.failure = reason
        self.lease_owner = None
        self.lease_expires_at = None
        self.updated_at = now
