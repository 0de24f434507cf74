"""Upscale jobs: queue one, run the next, and turn a variant's artwork into its print file."""

import logging
import time
from datetime import datetime
from uuid import UUID, uuid4

from application.catalog import PhoneDirectory
from application.ports import Clock, ImageProcessor, ObjectStorage, UnitOfWorkFactory, Upscaler
from application.settings import DesignPolicy
from domain.designs import print_file_key
from domain.errors import DomainError
from domain.geometry import crop_box, print_size, target_aspect
from domain.jobs import JobStatus, UpscaleJob, full_jitter

logger = logging.getLogger(__name__)

UPSCALE_FACTORS = (2, 4)


def new_upscale_job(design_id: UUID, variant_index: int, now: datetime) -> UpscaleJob:
    return UpscaleJob(
        id=uuid4(),
        design_id=design_id,
        variant_index=variant_index,
        status=JobStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def upscale_factor(
    artwork_size: tuple[int, int], target: float, final_size: tuple[int, int]
) -> int:
    """The smallest factor that brings the cropped artwork to the final width, at most 4."""
    box = crop_box(artwork_size[0], artwork_size[1], target)
    for factor in UPSCALE_FACTORS:
        if box.width * factor >= final_size[0]:
            return factor
    return UPSCALE_FACTORS[-1]


class RunNextUpscaleJob:
    """Lease the next due upscale job and run it to its print file.

    Rules: the lease is committed before work starts, so a worker that dies leaves
    a job that another takes up once the lease expires; a print file already in
    storage from an earlier attempt is reused rather than made again; a failed
    attempt retries after an exponential backoff with jitter, and the job fails for
    good after its last attempt, with its reason.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        directory: PhoneDirectory,
        images: ImageProcessor,
        upscaler: Upscaler,
        storage: ObjectStorage,
        clock: Clock,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._images = images
        self._upscaler = upscaler
        self._storage = storage
        self._clock = clock
        self._policy = policy

    async def execute(self, worker: str) -> UpscaleJob | None:
        """Run one job; None when nothing is due."""
        async with self._uow_factory() as uow:
            job = await uow.jobs.lease_next(worker, self._clock.now(), self._policy.lease_seconds)
        if job is None:
            return None

        started = time.perf_counter()
        logger.info(
            "upscale started job=%s design=%s variant=%d attempt=%d",
            job.id,
            job.design_id,
            job.variant_index,
            job.attempts,
        )
        try:
            key = await self._produce(job)
        except DomainError as error:
            return await self._record_failure(job, f"{error.code}: {error.detail}")
        except Exception as error:
            logger.exception("upscale crashed job=%s", job.id)
            return await self._record_failure(job, f"internal_error: {type(error).__name__}")

        async with self._uow_factory() as uow:
            current = await uow.jobs.get(job.id)
            if current is None or current.status.terminal:
                return current
            current.succeed(key, self._clock.now())
            await uow.jobs.save(current)
            await uow.commit()
        logger.info(
            "upscale succeeded job=%s duration_ms=%.0f",
            job.id,
            (time.perf_counter() - started) * 1000,
        )
        return current

    async def _produce(self, job: UpscaleJob) -> str:
        async with self._uow_factory() as uow:
            design = await uow.designs.get(job.design_id)
        if design is None:
            raise DomainError(f"design {job.design_id} is gone")
        variant = design.variant(job.variant_index)
        if variant is None:
            raise DomainError(f"variant {job.variant_index} is gone")
        key = print_file_key(design.id, variant.index, design.kind)
        if await self._storage.exists(key):
            return key

        phone = await self._directory.get(design.phone_slug)
        artwork = await self._storage.get(variant.artwork_key)
        info = await self._images.normalise(artwork)
        factor = upscale_factor(
            (info.width, info.height),
            target_aspect(phone, design.kind),
            print_size(phone, design.kind),
        )
        upscaled = await self._upscaler.upscale(info.data, factor)
        final = await self._images.print_file(upscaled, phone, design.kind)
        content_type = "image/png"
        await self._storage.put(key, final.data, content_type)
        return key

    async def _record_failure(self, job: UpscaleJob, reason: str) -> UpscaleJob | None:
        async with self._uow_factory() as uow:
            current = await uow.jobs.get(job.id)
            if current is None or current.status.terminal:
                return current
            current.fail_attempt(reason, self._clock.now(), jitter=full_jitter())
            await uow.jobs.save(current)
            await uow.commit()
        logger.warning(
            "upscale attempt failed job=%s attempt=%d status=%s reason=%s",
            job.id,
            current.attempts,
            current.status,
            reason,
        )
        return current
