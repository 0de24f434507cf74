"""Upscale jobs in SQL."""

import logging
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.leasing import lease_compare_and_set, lease_skip_locked
from adapters.persistence.mapping import job_from_row, job_values, write_job
from adapters.persistence.models import UpscaleJobRow
from adapters.persistence.transaction import commit
from domain.errors import NotFound
from domain.jobs import JobStatus, UpscaleJob

logger = logging.getLogger(__name__)


class UpscaleJobRows(SQLAlchemyAsyncRepository[UpscaleJobRow]):
    model_type = UpscaleJobRow


class SqlAlchemyJobRepository:
    """Upscale jobs by id, by variant, and by lease.

    `lease_next` commits the unit of work, with whatever else it holds, as soon as
    the lease is taken (or none is found), so a lease outlives a worker that dies
    right after; call it in a unit of work of its own. A job's design must exist.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = UpscaleJobRows(session=session, auto_refresh=False)

    async def add(self, job: UpscaleJob) -> None:
        """Raises Conflict(code="job_exists") for an id already taken."""
        with integrity_as_conflict("job"):
            await self._rows.add(UpscaleJobRow(**job_values(job)))

    async def get(self, job_id: UUID) -> UpscaleJob | None:
        row = await self._rows.get_one_or_none(UpscaleJobRow.id == job_id)
        return job_from_row(row) if row is not None else None

    async def latest_for_variant(self, design_id: UUID, variant_index: int) -> UpscaleJob | None:
        """The variant's most recently created job."""
        statement = (
            select(UpscaleJobRow)
            .where(
                UpscaleJobRow.design_id == design_id,
                UpscaleJobRow.variant_index == variant_index,
            )
            .order_by(UpscaleJobRow.created_at.desc(), UpscaleJobRow.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(statement)).scalar_one_or_none()
        return job_from_row(row) if row is not None else None

    async def save(self, job: UpscaleJob) -> None:
        """Store the job as it is now; raises NotFound for an unknown job."""
        row = await self._rows.get_one_or_none(UpscaleJobRow.id == job.id)
        if row is None:
            raise NotFound(f"Job {job.id} does not exist.", code="job_not_found")

        write_job(row, job)
        with integrity_as_conflict("job"):
            await self._session.flush()

    async def lease_next(
        self, worker: str, now: datetime, lease_seconds: float
    ) -> UpscaleJob | None:
        """Lease the oldest due job (by next attempt, then creation) and commit at once.

        Two callers never get the same job for the same lease: see `leasing`.
        """
        duration = timedelta(seconds=lease_seconds)
        bind = self._session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            job = await lease_skip_locked(self._session, worker, now, duration)
        else:
            job = await lease_compare_and_set(self._session, worker, now, duration)

        await commit(self._session)
        if job is not None:
            logger.debug("job leased job_id=%s worker=%s attempt=%s", job.id, worker, job.attempts)
        return job

    async def extend_lease(self, job_id: UUID, worker: str, until: datetime) -> bool:
        """Push the lease on, committing at once, while `worker` still holds it."""
        statement = (
            update(UpscaleJobRow)
            .where(
                UpscaleJobRow.id == job_id,
                UpscaleJobRow.lease_owner == worker,
                UpscaleJobRow.status.not_in([s.value for s in JobStatus if s.terminal]),
            )
            .values(lease_expires_at=until)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await self._session.execute(statement))
        await commit(self._session)
        return result.rowcount == 1
