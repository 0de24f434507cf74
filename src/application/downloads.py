"""Downloads: a signed URL for a ready print file, or a request to come back later."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.designs import owned_design
from application.ports import Clock, ObjectStorage, UnitOfWorkFactory, WorkerWakeup
from application.settings import DesignPolicy
from application.upscaling import new_upscale_job
from domain.errors import Conflict, NotFound
from domain.jobs import JobStatus, UpscaleJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DownloadReady:
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class DownloadPending:
    retry_after_seconds: int
    status: JobStatus


class RequestDownload:
    """The print file of one variant.

    Rules: only the owner sees it; the first request queues the upscale; while it
    runs the answer says when to ask again; once done the answer is a URL that works
    for a few minutes; a failed upscale is reported with its reason and is queued
    again only when the caller asks to retry.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        storage: ObjectStorage,
        clock: Clock,
        wakeup: WorkerWakeup,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._storage = storage
        self._clock = clock
        self._wakeup = wakeup
        self._policy = policy

    async def execute(
        self, owner_id: UUID, design_id: UUID, index: int, *, retry: bool = False
    ) -> DownloadReady | DownloadPending:
        async with self._uow_factory() as uow:
            design = await owned_design(uow.designs, owner_id, design_id, self._clock)
            if design.variant(index) is None:
                raise NotFound("No such variant.", code="variant_not_found")
            job = await uow.jobs.latest_for_variant(design.id, index)
        if job is None or (job.status is JobStatus.FAILED and retry):
            job = await self._queue(design.id, index)

        if job.status is JobStatus.SUCCEEDED and job.result_key:
            ttl = self._policy.url_ttl_seconds
            url = await self._storage.signed_url(job.result_key, ttl)
            return DownloadReady(url, self._clock.now() + timedelta(seconds=ttl))
        if job.status is JobStatus.FAILED:
            raise Conflict(
                f"The upscale failed ({job.failure}); ask again with retry to queue it anew.",
                code="upscale_failed",
            )
        return DownloadPending(self._policy.download_retry_after_seconds, job.status)

    async def _queue(self, design_id: UUID, index: int) -> UpscaleJob:
        """Queue the variant's upscale; when another request queued it first, that job."""
        job = new_upscale_job(design_id, index, self._clock.now())
        try:
            async with self._uow_factory() as uow:
                await uow.jobs.add(job)
                await uow.commit()
        except Conflict as clash:
            if clash.code != "upscale_already_queued":
                raise
            async with self._uow_factory() as uow:
                existing = await uow.jobs.latest_for_variant(design_id, index)
            if existing is None:
                raise
            return existing
        await self._wakeup.notify()
        logger.info("upscale queued job=%s design=%s variant=%d", job.id, design_id, index)
        return job
