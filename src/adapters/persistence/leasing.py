"""Leasing the next due upscale job, atomically, on each database.

PostgreSQL locks the chosen row with `SELECT ... FOR UPDATE SKIP LOCKED`, so
concurrent workers each skip to a row nobody holds. SQLite has no row locks: the
lease is a compare-and-set UPDATE, checked by its row count, that only matches
while the job is still due, unleased and at the attempt count that was read;
a worker that loses the race tries the next candidate.

Neither commits: the caller does, at once.
"""

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.mapping import job_from_row, write_job
from adapters.persistence.models import UpscaleJobRow
from domain.jobs import JobStatus, UpscaleJob

logger = logging.getLogger(__name__)

# How many due jobs a SQLite worker tries before it reports none; losing the race
# for this many in a row means other workers are taking the queue anyway.
SQLITE_CANDIDATES = 8

_OPEN_STATUSES = [status.value for status in JobStatus if not status.terminal]


def due(now: datetime) -> ColumnElement[bool]:
    """Not terminal, due by `now`, and with no lease or an expired one (as `can_lease`)."""
    return and_(
        UpscaleJobRow.status.in_(_OPEN_STATUSES),
        UpscaleJobRow.next_attempt_at <= now,
        or_(UpscaleJobRow.lease_expires_at.is_(None), UpscaleJobRow.lease_expires_at <= now),
    )


def _oldest_due(now: datetime) -> Any:
    return (
        select(UpscaleJobRow)
        .where(due(now))
        .order_by(UpscaleJobRow.next_attempt_at, UpscaleJobRow.created_at, UpscaleJobRow.id)
        .execution_options(populate_existing=True)
    )


async def lease_skip_locked(
    session: AsyncSession, worker: str, now: datetime, duration: timedelta
) -> UpscaleJob | None:
    """PostgreSQL: lock the oldest due row nobody else holds, and lease it."""
    statement = _oldest_due(now).limit(1).with_for_update(skip_locked=True)
    row = (await session.execute(statement)).scalar_one_or_none()
    if row is None:
        return None

    job = job_from_row(row)
    job.lease(worker, now, duration)
    write_job(row, job)
    await session.flush()
    return job


async def lease_compare_and_set(
    session: AsyncSession, worker: str, now: datetime, duration: timedelta
) -> UpscaleJob | None:
    """SQLite: try the oldest due rows in turn until one compare-and-set UPDATE matches."""
    rows = (await session.execute(_oldest_due(now).limit(SQLITE_CANDIDATES))).scalars().all()

    for row in rows:
        job = job_from_row(row)
        seen_attempts = job.attempts
        job.lease(worker, now, duration)
        statement = (
            update(UpscaleJobRow)
            .where(UpscaleJobRow.id == job.id, UpscaleJobRow.attempts == seen_attempts, due(now))
            .values(
                attempts=job.attempts,
                lease_owner=job.lease_owner,
                lease_expires_at=job.lease_expires_at,
                updated_at=job.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await session.execute(statement))
        if result.rowcount == 1:
            return job
        logger.debug("job lease lost job_id=%s worker=%s", job.id, worker)
    return None
