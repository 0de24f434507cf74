"""Upscale jobs over plain dicts (see adapters.memory.store)."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from adapters.memory.store import (
    View,
    copied,
    missing_reference,
)
from domain.errors import Conflict, NotFound
from domain.jobs import JobStatus, UpscaleJob

logger = logging.getLogger(__name__)

ALREADY_QUEUED = "upscale_already_queued"


class InMemoryJobRepository(View):
    """Upscale jobs.

    `lease_next` commits: it applies the unit of work's pending changes and the
    lease to the store at once, so the lease holds even if the caller later fails,
    as the SQL adapter's does. Call it in a unit of work of its own.
    """

    def _visible(self) -> dict[UUID, UpscaleJob]:
        return {**self._store.jobs, **self._pending.jobs}

    async def add(self, job: UpscaleJob) -> None:
        """Raises Conflict(code="job_exists") for an id already taken."""
        if job.id in self._visible():
            raise Conflict(f"Job {job.id} already exists.", code="job_exists")
        if job.design_id not in self._store.designs and job.design_id not in self._pending.designs:
            raise missing_reference("job")
        if job.status is not JobStatus.FAILED and any(
            j.design_id == job.design_id
            and j.variant_index == job.variant_index
            and j.status is not JobStatus.FAILED
            for j in self._visible().values()
        ):
            raise Conflict(
                "The variant's upscale is already queued.", code="upscale_already_queued"
            )
        self._pending.jobs[job.id] = copied(job)

    async def get(self, job_id: UUID) -> UpscaleJob | None:
        job = self._visible().get(job_id)
        return copied(job) if job is not None else None

    async def latest_for_variant(self, design_id: UUID, variant_index: int) -> UpscaleJob | None:
        """The variant's most recently created job."""
        jobs = [
            j
            for j in self._visible().values()
            if j.design_id == design_id and j.variant_index == variant_index
        ]
        latest = max(jobs, key=lambda j: (j.created_at, j.id), default=None)
        return copied(latest) if latest is not None else None

    async def save(self, job: UpscaleJob) -> None:
        """Store the job as it is now; raises NotFound for an unknown job."""
        if job.id not in self._visible():
            raise NotFound(f"Job {job.id} does not exist.", code="job_not_found")
        self._pending.jobs[job.id] = copied(job)

    async def lease_next(
        self, worker: str, now: datetime, lease_seconds: float
    ) -> UpscaleJob | None:
        """Lease the oldest due job (by next attempt, then creation) and commit at once.

        Nothing awaits between choosing the job and storing its lease, so two
        coroutines never lease the same job.
        """
        self._store.apply(self._pending)
        self._pending.clear()

        due = [j for j in self._store.jobs.values() if j.can_lease(now)]
        if not due:
            return None
        job = min(due, key=lambda j: (j.next_attempt_at, j.created_at, j.id))
        job.lease(worker, now, timedelta(seconds=lease_seconds))

        logger.debug("job leased job_id=%s worker=%s attempt=%s", job.id, worker, job.attempts)
        return copied(job)

    async def extend_lease(self, job_id: UUID, worker: str, until: datetime) -> bool:
        """Push the lease on, committing at once, while `worker` still holds it."""
        self._store.apply(self._pending)
        self._pending.clear()

        job = self._store.jobs.get(job_id)
        if job is None or job.status.terminal or job.lease_owner != worker:
            return False
        job.lease_expires_at = until
        return True
