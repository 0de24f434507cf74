"""Use cases over the in-memory adapters and hand-written fakes of the provider ports."""

import asyncio
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from PIL import Image

from adapters.catalog.packaged import load_packaged_catalog
from adapters.imaging.procedural import ProceduralImageGenerator
from adapters.imaging.processor import PillowImageProcessor
from adapters.imaging.upscaler import PillowUpscaler
from adapters.memory.coordination import InMemoryDesignStatusCache, InMemoryWebhookLedger
from adapters.memory.repositories import InMemoryStore
from adapters.memory.storage import InMemoryObjectStorage
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.storage.signing import UrlSigner
from adapters.system.notices import InProcessPredictionNotices
from adapters.system.wakeup import InProcessWakeup
from application.accounts import EnsureLocalOwner
from application.catalog import LoadCatalog, PhoneDirectory
from application.designs import CreateDesign, NewDesign
from application.downloads import DownloadPending, DownloadReady, RequestDownload
from application.generation import (
    FinishPendingDesigns,
    GenerationService,
    HandlePredictionWebhook,
)
from application.ports import (
    GenerationOutcome,
    GenerationRequest,
    PredictionState,
    UpscaleOutcome,
)
from application.settings import DesignPolicy
from application.upscaling import RunNextUpscaleJob, upscale_factor
from domain.designs import DesignStatus, print_file_key
from domain.errors import Conflict, ContentBlocked, ProviderBusy, ProviderFailed, SubmissionLost
from domain.geometry import Kind
from domain.jobs import MAX_ATTEMPTS, JobStatus


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 5, 1, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class FailingUpscaler:
    """The local upscaler, failing its first `failures` outcomes; counts submissions."""

    name = "failing"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.submissions = 0
        self.made: dict[str, str] = {}

    async def submit(self, image: bytes, scale: int, reference: str) -> str:
        self.submissions += 1
        self.made[reference] = f"up-{reference}-{self.submissions}"
        return self.made[reference]

    async def find(self, reference: str) -> str | None:
        """Like the provider's list: the newest prediction made for the reference."""
        return self.made.get(reference)

    async def outcome(
        self, prediction_id: str, image: bytes, scale: int, wait_seconds: float
    ) -> UpscaleOutcome:
        self.calls += 1
        if self.calls <= self.failures:
            return UpscaleOutcome(PredictionState.FAILED, error="the upscaler is down")
        return UpscaleOutcome(
            PredictionState.SUCCEEDED, image=await PillowUpscaler().upscale(image, scale)
        )


class ScriptedGenerator:
    """The procedural generator behind a provider's behaviour, chosen per test.

    `mode`: "ok", "fewer" (one image fewer), "blocked" (every image blocked),
    "failed", "slow" (still running until `finish_after` outcomes were asked for),
    "lost" (the first create's answer is lost, though the prediction exists).
    """

    name = "scripted"

    def __init__(self, mode: str = "ok", finish_after: int = 0) -> None:
        self.mode = mode
        self.finish_after = finish_after
        self.submissions: list[str] = []
        self.outcomes = 0
        self._local = ProceduralImageGenerator()

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        self.submissions.append(reference)
        if self.mode == "lost" and len(self.submissions) == 1:
            raise SubmissionLost("the create timed out")
        return f"pred-{reference}"

    async def find(self, reference: str) -> str | None:
        return f"pred-{reference}" if reference in self.submissions else None

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        self.outcomes += 1
        if self.mode == "slow" and self.outcomes <= self.finish_after:
            return GenerationOutcome(PredictionState.RUNNING)
        if self.mode == "blocked":
            return GenerationOutcome(PredictionState.FAILED, error="NSFW", blocked=True)
        if self.mode == "failed":
            return GenerationOutcome(PredictionState.FAILED, error="model crashed")
        images = await self._local.generate(request)
        if self.mode == "fewer":
            images = images[: max(1, request.count - 1)]
        return GenerationOutcome(PredictionState.SUCCEEDED, images=images)


class BusyGenerator(ScriptedGenerator):
    async def submit(self, request: GenerationRequest, reference: str) -> str:
        raise ProviderBusy("throttled")


@dataclass
class World:
    uow: InMemoryUnitOfWorkFactory
    store: InMemoryStore
    directory: PhoneDirectory
    storage: InMemoryObjectStorage
    clock: FakeClock
    images: PillowImageProcessor
    wakeup: InProcessWakeup
    policy: DesignPolicy
    owner: UUID
    status_cache: InMemoryDesignStatusCache = field(
        default_factory=lambda: InMemoryDesignStatusCache(FakeClock())
    )

    def service(self, generator: object = None) -> GenerationService:
        return GenerationService(
            self.uow,
            self.directory,
            generator or ProceduralImageGenerator(),  # type: ignore[arg-type]
            self.images,
            self.storage,
            self.clock,
            self.wakeup,
            self.status_cache,
            self.policy,
        )

    def create(self, generator: object = None) -> CreateDesign:
        service = self.service(generator)
        return CreateDesign(
            self.uow, self.directory, service, self.storage, self.clock, self.policy
        )

    def sweep(self, generator: object) -> FinishPendingDesigns:
        return FinishPendingDesigns(self.uow, self.service(generator), self.clock, self.policy)

    def run_job(self, upscaler: object = None) -> RunNextUpscaleJob:
        return RunNextUpscaleJob(
            self.uow,
            self.directory,
            self.images,
            upscaler or PillowUpscaler(),  # type: ignore[arg-type]
            self.storage,
            self.clock,
            self.wakeup,
            self.policy,
        )

    def download(self) -> RequestDownload:
        return RequestDownload(self.uow, self.storage, self.clock, self.wakeup, self.policy)


@pytest.fixture
async def world() -> World:
    store = InMemoryStore()
    uow = InMemoryUnitOfWorkFactory(store)
    clock = FakeClock()
    directory = PhoneDirectory(uow)
    await LoadCatalog(uow, directory).execute(load_packaged_catalog())
    signer = UrlSigner(b"k" * 32)
    storage = InMemoryObjectStorage("http://files.test", signer, clock)
    owner = await EnsureLocalOwner(uow, clock).execute()
    return World(
        uow,
        store,
        directory,
        storage,
        clock,
        PillowImageProcessor(),
        InProcessWakeup(),
        DesignPolicy(),
        owner.id,
    )


def _command(world: World, **changes: object) -> NewDesign:
    fields: dict[str, object] = {
        "owner_id": world.owner,
        "phone_slug": "apple-iphone-15-pro",
        "kind": Kind.SKIN,
        "prompt": "green forest stripes",
        "variants": 1,
        "seed": 3,
    }
    fields.update(changes)
    return NewDesign(**fields)  # type: ignore[arg-type]


async def test_a_single_variant_design_queues_its_upscale_at_once(world: World) -> None:
    design = await world.create().execute(_command(world))

    async with world.uow() as uow:
        job = await uow.jobs.latest_for_variant(design.id, 0)
    assert design.status is DesignStatus.READY
    assert job is not None and job.status is JobStatus.QUEUED


async def test_fewer_images_than_asked_is_a_smaller_design(world: World) -> None:
    design = await world.create(ScriptedGenerator("fewer")).execute(_command(world, variants=3))

    assert design.status is DesignStatus.READY
    assert [v.index for v in design.variants] == [0, 1]


async def test_a_provider_failure_marks_the_design_failed_and_keeps_it(world: World) -> None:
    with pytest.raises(ProviderFailed):
        await world.create(ScriptedGenerator("failed")).execute(_command(world))

    async with world.uow() as uow:
        designs = await uow.designs.list_for_owner(world.owner, now=world.clock.now())
    assert [d.status for d in designs] == [DesignStatus.FAILED]
    assert designs[0].failure == "provider_failed"


async def test_the_same_prompt_and_seed_give_the_same_preview(world: World) -> None:
    first = await world.create().execute(_command(world))
    second = await world.create().execute(_command(world))

    assert await world.storage.get(first.variants[0].preview_key) == await world.storage.get(
        second.variants[0].preview_key
    )


async def test_a_failed_upscale_retries_after_a_backoff_then_succeeds(world: World) -> None:
    design = await world.create().execute(_command(world))
    upscaler = FailingUpscaler(failures=1)

    failed = await world.run_job(upscaler).execute("w1")
    too_soon = await world.run_job(upscaler).execute("w1")
    world.clock.advance(timedelta(minutes=10))
    done = await world.run_job(upscaler).execute("w1")

    assert upscaler.submissions == 2, "a failed prediction is spent; the retry starts anew"
    assert failed is not None and failed.status is JobStatus.QUEUED
    assert failed.failure is not None and "provider_failed" in failed.failure
    assert too_soon is None
    assert done is not None and done.status is JobStatus.SUCCEEDED
    assert done.attempts == 2
    assert await world.storage.exists(print_file_key(design.id, 0, Kind.SKIN))


async def test_an_upscale_that_always_fails_ends_failed_and_download_says_so(world: World) -> None:
    design = await world.create().execute(_command(world))
    upscaler = FailingUpscaler(failures=MAX_ATTEMPTS)

    for _ in range(MAX_ATTEMPTS):
        await world.run_job(upscaler).execute("w1")
        world.clock.advance(timedelta(hours=1))

    with pytest.raises(Conflict) as caught:
        await world.download().execute(world.owner, design.id, 0)
    retried = await world.download().execute(world.owner, design.id, 0, retry=True)
    assert caught.value.code == "upscale_failed"
    assert isinstance(retried, DownloadPending)
    assert retried.status is JobStatus.QUEUED


async def test_a_print_file_left_by_a_dead_worker_is_reused(world: World) -> None:
    design = await world.create().execute(_command(world))
    key = print_file_key(design.id, 0, Kind.SKIN)
    marker = io.BytesIO()
    Image.new("RGBA", (834, 1731)).save(marker, "PNG")
    await world.storage.put(key, marker.getvalue(), "image/png")
    upscaler = FailingUpscaler(failures=0)

    job = await world.run_job(upscaler).execute("w2")

    assert job is not None and job.status is JobStatus.SUCCEEDED
    assert upscaler.calls == 0
    assert await world.storage.get(key) == marker.getvalue()


async def test_an_expired_lease_is_taken_by_another_worker(world: World) -> None:
    await world.create().execute(_command(world))
    async with world.uow() as uow:
        abandoned = await uow.jobs.lease_next("dead-worker", world.clock.now(), 60)
    assert abandoned is not None

    nothing_yet = await world.run_job().execute("w2")
    world.clock.advance(timedelta(seconds=61))
    taken_over = await world.run_job().execute("w2")

    assert nothing_yet is None
    assert taken_over is not None and taken_over.id == abandoned.id
    assert taken_over.status is JobStatus.SUCCEEDED


async def test_download_of_an_unfinished_upscale_asks_to_retry_then_gives_a_link(
    world: World,
) -> None:
    design = await world.create().execute(_command(world, variants=2))

    pending = await world.download().execute(world.owner, design.id, 1)
    await world.run_job().execute("w1")
    ready = await world.download().execute(world.owner, design.id, 1)

    assert isinstance(pending, DownloadPending)
    assert pending.retry_after_seconds == world.policy.download_retry_after_seconds
    assert isinstance(ready, DownloadReady)
    assert ready.url.startswith("http://files.test/files/designs/")
    assert ready.expires_at == world.clock.now() + timedelta(seconds=world.policy.url_ttl_seconds)


@pytest.mark.parametrize(
    ("artwork", "final", "factor"),
    [((640, 1536), (834, 1731), 2), ((640, 1536), (1179, 2556), 2), ((320, 768), (1290, 2796), 4)],
)
def test_the_upscale_factor_is_the_smallest_that_reaches_the_final_width(
    artwork: tuple[int, int], final: tuple[int, int], factor: int
) -> None:
    assert upscale_factor(artwork, final[0] / final[1], final) == factor


async def test_every_image_blocked_fails_the_design_as_content_blocked(world: World) -> None:
    with pytest.raises(ContentBlocked):
        await world.create(ScriptedGenerator("blocked")).execute(_command(world))

    async with world.uow() as uow:
        designs = await uow.designs.list_for_owner(world.owner, now=world.clock.now())
    assert [(d.status, d.failure) for d in designs] == [(DesignStatus.FAILED, "content_blocked")]


async def test_a_busy_provider_fails_the_design_without_a_prediction(world: World) -> None:
    with pytest.raises(ProviderBusy):
        await world.create(BusyGenerator()).execute(_command(world))

    async with world.uow() as uow:
        designs = await uow.designs.list_for_owner(world.owner, now=world.clock.now())
    assert designs[0].failure == "provider_busy"
    assert designs[0].prediction_id is None


async def test_the_prediction_id_is_stored_before_the_wait_and_the_worker_finishes_it(
    world: World,
) -> None:
    # The request looks twice (its wait, then once more as it lets go); both see it running.
    generator = ScriptedGenerator("slow", finish_after=2)

    design = await world.create(generator).execute(_command(world), wait_seconds=1)
    async with world.uow() as uow:
        stored = await uow.designs.get(design.id)
    too_young = await world.sweep(generator).execute()
    world.clock.advance(world.policy.generation_grace + timedelta(seconds=1))
    ended = await world.sweep(generator).execute()

    assert design.status is DesignStatus.GENERATING
    assert stored is not None and stored.prediction_id == f"pred-{design.id}"
    assert too_young == 0
    assert ended == 1
    async with world.uow() as uow:
        finished = await uow.designs.get(design.id)
    assert finished is not None and finished.status is DesignStatus.READY
    assert generator.submissions == [str(design.id)]


async def test_a_lost_create_is_found_again_and_never_repeated(world: World) -> None:
    generator = ScriptedGenerator("lost")

    design = await world.create(generator).execute(_command(world))
    world.clock.advance(world.policy.generation_grace + timedelta(seconds=1))
    await world.sweep(generator).execute()

    async with world.uow() as uow:
        finished = await uow.designs.get(design.id)
    assert design.status is DesignStatus.GENERATING
    assert finished is not None and finished.status is DesignStatus.READY
    assert generator.submissions == [str(design.id)], "the lost create was not sent again"


async def test_a_design_past_the_providers_limit_times_out(world: World) -> None:
    generator = ScriptedGenerator("slow", finish_after=1000)
    design = await world.create(generator).execute(_command(world), wait_seconds=0)

    world.clock.advance(timedelta(hours=1))
    await world.sweep(generator).execute()

    async with world.uow() as uow:
        ended = await uow.designs.get(design.id)
    assert ended is not None and ended.failure == "generation_timed_out"


async def test_a_job_taken_over_resumes_the_prediction_of_the_dead_worker(world: World) -> None:
    design = await world.create().execute(_command(world))
    async with world.uow() as uow:
        job = await uow.jobs.lease_next("dead-worker", world.clock.now(), 60)
        assert job is not None
        job.record_submission("up-from-the-dead-worker", world.clock.now())
        await uow.jobs.save(job)
        await uow.commit()
    upscaler = FailingUpscaler(failures=0)

    world.clock.advance(timedelta(seconds=61))
    done = await world.run_job(upscaler).execute("w2")

    assert done is not None and done.status is JobStatus.SUCCEEDED
    assert upscaler.submissions == 0, "no second paid prediction"
    assert await world.storage.exists(print_file_key(design.id, 0, Kind.SKIN))


class StalledUpscaler(FailingUpscaler):
    """Never finishes until cancelled, as a provider that hangs would."""

    def __init__(self) -> None:
        super().__init__(failures=0)
        self.waiting = asyncio.Event()

    async def outcome(
        self, prediction_id: str, image: bytes, scale: int, wait_seconds: float
    ) -> UpscaleOutcome:
        self.waiting.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_worker_that_loses_its_lease_stops_and_never_marks_the_job(
    world: World,
) -> None:
    await world.create().execute(_command(world))
    world.policy = DesignPolicy(lease_seconds=0.3)
    upscaler = StalledUpscaler()
    running = asyncio.create_task(world.run_job(upscaler).execute("w1"))
    await asyncio.wait_for(upscaler.waiting.wait(), timeout=5)

    for job in world.store.jobs.values():
        job.lease_owner = "w2"  # another worker took the job over
    abandoned = await asyncio.wait_for(running, timeout=5)

    assert abandoned is None
    assert all(j.status is JobStatus.SUBMITTED for j in world.store.jobs.values())


class GatedGenerator(ScriptedGenerator):
    """Succeeds only once `done` is set, counting how many times images were made."""

    def __init__(self) -> None:
        super().__init__("ok")
        self.done = asyncio.Event()
        self.asked = asyncio.Event()
        self.renders = 0

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        if not self.done.is_set():
            self.asked.set()
            try:
                await asyncio.wait_for(self.done.wait(), timeout=wait_seconds)
            except TimeoutError:
                return GenerationOutcome(PredictionState.RUNNING)
        self.renders += 1
        return await super().outcome(prediction_id, request, wait_seconds)


async def test_a_webhook_for_a_design_a_request_waits_on_leaves_it_to_that_request(
    world: World,
) -> None:
    generator = GatedGenerator()
    service = world.service(generator)
    notices = InProcessPredictionNotices()
    webhook = HandlePredictionWebhook(
        world.uow, service, InMemoryWebhookLedger(world.clock), world.wakeup, notices
    )
    creating = asyncio.create_task(
        CreateDesign(
            world.uow, world.directory, service, world.storage, world.clock, world.policy
        ).execute(_command(world), wait_seconds=5)
    )
    await asyncio.wait_for(generator.asked.wait(), timeout=5)
    design_id = generator.submissions[0]

    generator.done.set()
    async with notices.listening(f"pred-{design_id}") as listener:
        await webhook.execute("msg-1", design_id, f"pred-{design_id}")
        assert await listener.wait(0), "the webhook announced the end to the waiting request"
    design = await creating

    assert design.status is DesignStatus.READY
    assert generator.renders == 1, "the design was finished once, by the waiting request"
