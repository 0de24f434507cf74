"""Upscale jobs: queue one, run the next, and turn a variant's artwork into its print file."""

import asyncio
import logging
import time
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from application.catalog import PhoneDirectory
from application.ports import (
    Clock,
    ImageProcessor,
    ObjectStorage,
    PredictionState,
    UnitOfWorkFactory,
    Upscaler,
    WorkerWakeup,
)
from application.settings import DesignPolicy
from domain.designs import print_file_key
from domain.errors import Conflict, DomainError, NotFound, ProviderFailed, SubmissionLost
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

    Rules: the lease is committed before work starts and kept alive while the job
    runs, so a worker that dies leaves a job that another takes up once the lease
    expires; the provider's id is committed before anything waits on it, and a job
    taken over resumes that prediction rather than paying for another; a print file
    already in storage from an earlier attempt is reused; a failed attempt retries
    after an exponential backoff with jitter, and the job fails for good after its
    last attempt, with its reason.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        directory: PhoneDirectory,
        images: ImageProcessor,
        upscaler: Upscaler,
        storage: ObjectStorage,
        clock: Clock,
        wakeup: WorkerWakeup,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._images = images
        self._upscaler = upscaler
        self._storage = storage
        self._clock = clock
        self._wakeup = wakeup
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
        producing = asyncio.create_task(self._produce(job), name=f"upscale-{job.id}")
        heartbeat = asyncio.create_task(
            self._keep_lease(job, worker, producing), name=f"lease-{job.id}"
        )
        try:
            key = await producing
        except asyncio.CancelledError:
            if heartbeat.done() and not heartbeat.cancelled() and heartbeat.result() is False:
                # The lease was lost: the job is another worker's now; leave it alone.
                logger.warning("upscale abandoned job=%s worker=%s", job.id, worker)
                return None
            producing.cancel()
            await asyncio.shield(self._release(job))
            raise
        except DomainError as error:
            return await self._record_failure(job, f"{error.code}: {error.detail}")
        except Exception as error:
            # Whatever raised, the attempt is recorded so the job cannot loop forever.
            logger.exception("upscale crashed job=%s", job.id)
            return await self._record_failure(job, f"internal_error: {type(error).__name__}")
        finally:
            heartbeat.cancel()

        async with self._uow_factory() as uow:
            current = await uow.jobs.get(job.id)
            if current is None or current.status.terminal or current.lease_owner != worker:
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

    async def _keep_lease(
        self, job: UpscaleJob, worker: str, producing: "asyncio.Task[str]"
    ) -> bool:
        """Push the lease on every third of its length while the job runs; when it is lost,
        stop the work (another worker owns the job now) and answer False."""
        interval = self._policy.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            until = self._clock.now() + timedelta(seconds=self._policy.lease_seconds)
            async with self._uow_factory() as uow:
                held = await uow.jobs.extend_lease(job.id, worker, until)
            if not held:
                logger.warning("upscale lease lost job=%s worker=%s", job.id, worker)
                producing.cancel()
                return False

    async def _produce(self, job: UpscaleJob) -> str:
        async with self._uow_factory() as uow:
            design = await uow.designs.get(job.design_id)
        variant = design.variant(job.variant_index) if design is not None else None
        if design is None or variant is None:
            raise NotFound(f"design {job.design_id} variant {job.variant_index} is gone")
        key = print_file_key(design.id, variant.index, design.kind)
        if await self._storage.exists(key):
            return key

        phone = await self._directory.get(design.phone_slug)
        artwork = await self._images.normalise(await self._storage.get(variant.artwork_key))
        factor = upscale_factor(
            (artwork.width, artwork.height),
            target_aspect(phone, design.kind),
            print_size(phone, design.kind),
        )
        prediction_id = job.prediction_id or await self._submit(job, artwork.data, factor)
        outcome = await self._upscaler.outcome(
            prediction_id, artwork.data, factor, self._policy.upscale_wait_seconds
        )
        if outcome.state is PredictionState.RUNNING:
            raise ProviderFailed(f"the upscale {prediction_id} did not end in time")
        if outcome.state is PredictionState.FAILED or outcome.image is None:
            raise ProviderFailed(outcome.error or "the upscale failed")

        final = await self._images.print_file(outcome.image, phone, design.kind)
        await self._storage.put(key, final.data, "image/png")
        return key

    async def _submit(self, job: UpscaleJob, image: bytes, factor: int) -> str:
        """Start the upscale (or find the one a dead worker started) and commit its id."""
        reference = str(job.id)
        # Only a create whose answer was lost (or a worker that died before recording
        # the id) can have left a prediction to resume; a failed one is spent.
        resumable = job.attempts > 1 and (
            job.failure is None or job.failure.startswith(SubmissionLost.code)
        )
        prediction_id = await self._upscaler.find(reference) if resumable else None
        prediction_id = prediction_id or await self._upscaler.submit(image, factor, reference)
        async with self._uow_factory() as uow:
            current = await uow.jobs.get(job.id)
            if current is None or current.status.terminal:
                raise Conflict(f"job {job.id} ended meanwhile", code="job_terminal")
            current.record_submission(prediction_id, self._clock.now())
            await uow.jobs.save(current)
            await uow.commit()
        logger.info("upscale submitted job=%s prediction=%s", job.id, prediction_id)
        return prediction_id

    async def _release(self, job: UpscaleJob) -> None:
        async with self._uow_factory() as uow:
            current = await uow.jobs.get(job.id)
            if current is None or current.status.terminal:
                return
            current.release(self._clock.now())
            await uow.jobs.save(current)
            await uow.commit()
        await self._wakeup.notify()
        logger.info("upscale released job=%s", job.id)

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
