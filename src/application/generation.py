"""Finishing a generation: from the provider's outcome to stored artwork and previews.

Shared by the request that created the design (while it waits) and by the worker
(for whatever nobody waited for), so either may finish a design, and finishing
twice stores the same files under the same keys.
"""

import asyncio
import logging
import math
import time
from datetime import datetime
from uuid import UUID

from application.catalog import PhoneDirectory
from application.ports import (
    Clock,
    DesignStatusCache,
    GenerationOutcome,
    GenerationRequest,
    ImageGenerator,
    ImageProcessor,
    ObjectStorage,
    PredictionNotices,
    PredictionState,
    UnitOfWorkFactory,
    WebhookLedger,
    WorkerWakeup,
)
from application.settings import DesignPolicy
from application.upscaling import new_upscale_job
from domain.designs import (
    GENERATION_DEADLINE,
    Design,
    DesignStatus,
    Variant,
    artwork_key,
    preview_key,
)
from domain.errors import (
    Conflict,
    ContentBlocked,
    DomainError,
    NotFound,
    ProviderBusy,
    ProviderFailed,
    SubmissionLost,
)
from domain.geometry import aspect_by_name

logger = logging.getLogger(__name__)

PENDING_BATCH = 20
# The status cache's mark of a design whose request is waiting on its outcome.
AWAITED = "awaited"
# Time past the wait for the request to store what came back before its mark lapses.
AWAIT_MARGIN = 60


def failure_error(failure: str | None) -> DomainError:
    """The error a design's recorded failure stands for, as its creator is told it."""
    if failure == ContentBlocked.code:
        return ContentBlocked(
            "The provider's safety filter blocked every image; try another prompt."
        )
    if failure == ProviderBusy.code:
        return ProviderBusy("The image provider is busy; try again shortly.")
    return ProviderFailed(f"The image provider failed ({failure or 'no reason given'}).")


class GenerationService:
    """Submits a design's generation and turns its outcome into variants.

    Rules: the provider's id is committed before anything waits on it; a create
    whose answer was lost is looked up by the design's id, never repeated; fewer
    images than asked is fine; every image blocked for safety fails the design with
    `content_blocked`; a single-variant design queues its upscale at once.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        directory: PhoneDirectory,
        generator: ImageGenerator,
        images: ImageProcessor,
        storage: ObjectStorage,
        clock: Clock,
        wakeup: WorkerWakeup,
        status_cache: DesignStatusCache,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._generator = generator
        self._images = images
        self._storage = storage
        self._clock = clock
        self._wakeup = wakeup
        self._status_cache = status_cache
        self._policy = policy

    async def request_for(self, design: Design) -> GenerationRequest:
        """What the generator is asked, rebuilt from the design alone."""
        source = None
        if design.upload_id is not None:
            async with self._uow_factory() as uow:
                upload = await uow.uploads.get(design.upload_id)
            if upload is None:
                raise NotFound("The design's photo is gone.", code="upload_not_found")
            source = await self._storage.get(upload.key)
        return GenerationRequest(
            design.prompt,
            aspect_by_name(design.aspect_ratio),
            design.variant_count,
            design.seed,
            source,
        )

    async def submit(self, design: Design, request: GenerationRequest) -> Design:
        """Start the generation, or find the one already started, and commit its id."""
        try:
            prediction_id = None
            if design.generator:
                # An earlier create's answer was lost: the provider may hold that prediction.
                prediction_id = await self._generator.find(str(design.id))
            if prediction_id is None:
                prediction_id = await self._generator.submit(request, str(design.id))
        except SubmissionLost:
            # The provider may hold a paid prediction: mark the design as submitted so the
            # worker looks it up by the design's id instead of creating another.
            design.generator = self._generator.name
            await self._save(design)
            await self._wakeup.notify()
            logger.warning("generation submission lost design=%s", design.id)
            return design
        except (ProviderBusy, ProviderFailed) as error:
            await self._fail(design, error.code)
            raise
        design.record_submission(self._generator.name, prediction_id)
        await self._save(design)
        logger.info("generation submitted design=%s prediction=%s", design.id, prediction_id)
        return design

    async def finish(
        self, design: Design, request: GenerationRequest, wait_seconds: float
    ) -> Design:
        """Wait up to `wait_seconds` for the outcome and store it; the design as it then stands.

        While a request waits and stores, the design is marked as awaited, so a webhook
        for it does not store the same files a second time; the mark goes when this
        ends, and expires by itself if the process dies meanwhile.
        """
        if design.prediction_id is None:
            return design
        awaited = wait_seconds > 0
        if awaited:
            ttl = math.ceil(wait_seconds) + AWAIT_MARGIN
            await self._status_cache.put(design.id, AWAITED, ttl)
        try:
            finished = await self._finish(design, design.prediction_id, request, wait_seconds)
        finally:
            if awaited:
                await self._status_cache.put(design.id, DesignStatus.GENERATING.value, 1)
        if awaited and not finished.finished:
            # A webhook that came while the mark stood was left to this request: look once
            # more now that the mark is gone, so that outcome is not left to the sweep.
            finished = await self._finish(finished, design.prediction_id, request, 0)
        return finished

    async def _finish(
        self, design: Design, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> Design:
        started = time.perf_counter()
        outcome = await self._generator.outcome(prediction_id, request, wait_seconds)
        if outcome.state is PredictionState.RUNNING:
            return design
        async with self._uow_factory() as uow:
            current = await uow.designs.get(design.id)
        if current is None or current.finished:
            return current or design
        if outcome.state is PredictionState.FAILED:
            return await self._record_failure(current, outcome)

        variants = await asyncio.gather(
            *(self._store_variant(current, index, raw) for index, raw in enumerate(outcome.images))
        )
        current.mark_ready(list(variants))
        await self._save(current)
        if len(current.variants) == 1:
            await self._queue_upscale(current)
        logger.info(
            "design ready design=%s variants=%d generator=%s duration_ms=%.0f",
            current.id,
            len(current.variants),
            current.generator,
            (time.perf_counter() - started) * 1000,
        )
        return current

    async def is_awaited(self, design: Design) -> bool:
        """Whether a request is waiting on this design's outcome and will store it itself."""
        return await self._status_cache.get(design.id) == AWAITED

    async def _queue_upscale(self, design: Design) -> None:
        """A single variant is the chosen one: its upscale starts at once, queued only once."""
        job = new_upscale_job(design.id, design.variants[0].index, self._clock.now())
        try:
            async with self._uow_factory() as uow:
                await uow.jobs.add(job)
                await uow.commit()
        except Conflict as clash:
            if clash.code != "upscale_already_queued":
                raise
            return
        await self._wakeup.notify()

    async def _record_failure(self, design: Design, outcome: GenerationOutcome) -> Design:
        if outcome.blocked:
            await self._fail(design, ContentBlocked.code)
            raise failure_error(ContentBlocked.code)
        await self._fail(design, ProviderFailed.code)
        raise ProviderFailed(f"The image provider failed: {outcome.error or 'no reason given'}")

    async def _store_variant(self, design: Design, index: int, raw: bytes) -> Variant:
        phone = await self._directory.get(design.phone_slug)
        artwork, preview = await self._images.artwork_with_preview(
            raw, phone, design.kind, self._policy.preview_max_width
        )
        await self._storage.put(artwork_key(design.id, index), artwork.data, "image/png")
        await self._storage.put(preview_key(design.id, index), preview.data, "image/webp")
        return Variant(
            index,
            artwork_key(design.id, index),
            preview_key(design.id, index),
            preview.width,
            preview.height,
        )

    async def _fail(self, design: Design, code: str) -> None:
        design.mark_failed(code)
        await self._save(design)
        logger.warning("design failed design=%s code=%s", design.id, code)

    async def _save(self, design: Design) -> None:
        async with self._uow_factory() as uow:
            await uow.designs.save(design)
            await uow.commit()


class FinishPendingDesigns:
    """The worker's sweep over designs nobody is waiting for any more.

    Rules: a design still generating after the API's wait is polled again (its
    prediction looked up by the design's id when the create's answer was lost);
    one past the provider's 30-minute limit fails with `generation_timed_out`.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        service: GenerationService,
        clock: Clock,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._service = service
        self._clock = clock
        self._policy = policy

    async def execute(self) -> int:
        """Finish what can be finished now; the number of designs that ended."""
        now = self._clock.now()
        cutoff = now - self._policy.generation_grace
        async with self._uow_factory() as uow:
            pending = await uow.designs.list_generating(created_before=cutoff, limit=PENDING_BATCH)
        ended = 0
        for design in pending:
            if await self._finish_one(design, now):
                ended += 1
        return ended

    async def _finish_one(self, design: Design, now: datetime) -> bool:
        try:
            if now - design.created_at > GENERATION_DEADLINE:
                design.mark_failed("generation_timed_out")
                async with self._uow_factory() as uow:
                    await uow.designs.save(design)
                    await uow.commit()
                return True
            request = await self._service.request_for(design)
            if design.prediction_id is None:
                design = await self._service.submit(design, request)
            finished = await self._service.finish(design, request, wait_seconds=0)
        except DomainError as error:
            logger.info("pending design ended design=%s code=%s", design.id, error.code)
            return True
        return finished.status is not DesignStatus.GENERATING


WEBHOOK_MEMORY_SECONDS = 24 * 3600


class HandlePredictionWebhook:
    """A provider's word that a prediction moved on, already checked for its signature.

    Rules: each delivery is handled once (deliveries are retried with the same id);
    a design whose request is waiting on that prediction is announced to that request
    (in whichever process it waits), one nobody waits for is finished now; anything
    else (an upscale) wakes the worker, which asks the provider itself, so a webhook
    never decides an outcome on its own and a lost webhook only costs the next poll.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        service: GenerationService,
        ledger: WebhookLedger,
        wakeup: WorkerWakeup,
        notices: PredictionNotices,
    ) -> None:
        self._uow_factory = uow_factory
        self._service = service
        self._ledger = ledger
        self._wakeup = wakeup
        self._notices = notices

    async def execute(self, webhook_id: str, reference: str | None, prediction_id: str) -> None:
        if not await self._ledger.first_delivery(webhook_id, WEBHOOK_MEMORY_SECONDS):
            logger.info("webhook repeated webhook=%s", webhook_id)
            return
        design = await self._design(reference)
        if design is None or design.prediction_id != prediction_id or design.finished:
            await self._wakeup.notify()
            return
        if await self._service.is_awaited(design):
            await self._notices.announce(prediction_id)
            return
        try:
            request = await self._service.request_for(design)
            await self._service.finish(design, request, wait_seconds=0)
        except DomainError as error:
            logger.info("webhook ended design=%s code=%s", design.id, error.code)

    async def _design(self, reference: str | None) -> Design | None:
        try:
            design_id = UUID(reference or "")
        except ValueError:
            return None
        async with self._uow_factory() as uow:
            return await uow.designs.get(design_id)
