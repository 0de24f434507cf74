"""Design use cases: upload a photo, create a design, show one, list a library."""

import logging
import secrets
from dataclasses import dataclass
from uuid import UUID, uuid4

from application.catalog import PhoneDirectory
from application.generation import GenerationService, failure_error
from application.limits import NO_QUOTA, DesignQuota
from application.ports import (
    Clock,
    DesignRepository,
    ImageProcessor,
    ObjectStorage,
    UnitOfWorkFactory,
)
from application.settings import DesignPolicy
from domain.designs import (
    MAX_SEED,
    Design,
    DesignStatus,
    Upload,
    Variant,
    check_seed,
    check_variants,
    clean_prompt,
    upload_key,
)
from domain.errors import (
    ImageTooLarge,
    InvalidInput,
    NotFound,
)
from domain.geometry import Kind, covering_aspect_ratio, target_aspect
from domain.jobs import JobStatus

logger = logging.getLogger(__name__)


class UploadPhoto:
    """Take a user's photo in.

    Rules: the byte and pixel caps are checked before decoding; the photo is
    normalised (upright, first frame, RGB or RGBA) and stored as PNG; only its
    owner may use it.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        images: ImageProcessor,
        storage: ObjectStorage,
        clock: Clock,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._images = images
        self._storage = storage
        self._clock = clock
        self._policy = policy

    async def execute(self, owner_id: UUID, data: bytes) -> Upload:
        if len(data) > self._policy.max_upload_bytes:
            raise ImageTooLarge(f"The photo is larger than {self._policy.max_upload_bytes} bytes.")
        info = await self._images.normalise(data)

        upload_id = uuid4()
        key = upload_key(upload_id)
        await self._storage.put(key, info.data, "image/png")

        upload = Upload(upload_id, owner_id, key, info.width, info.height, self._clock.now())
        async with self._uow_factory() as uow:
            await uow.uploads.add(upload)
            await uow.commit()
        logger.info(
            "upload stored upload=%s owner=%s size=%dx%d",
            upload_id,
            owner_id,
            info.width,
            info.height,
        )
        return upload


@dataclass(frozen=True, slots=True)
class NewDesign:
    owner_id: UUID
    phone_slug: str
    kind: Kind
    prompt: str | None = None
    upload_id: UUID | None = None
    variants: int = 1
    seed: int | None = None


class CreateDesign:
    """Start a design and wait a bounded time for its variants and phone-shaped previews.

    Rules: a prompt (1 to 1000 characters, no control characters) or an uploaded
    photo of the caller's is required; 1 to 4 variants; the artwork is asked for at
    the provider aspect ratio that covers the phone with the least crop, then
    cover-cropped (never stretched) and masked; the design is recorded before the
    provider is asked, and the provider's id before anything waits on it; when the
    wait runs out the design stays `generating` and the worker finishes it; the
    owner's quota is checked atomically as the design is recorded (DesignQuota: per
    UTC day, failed designs not counted; over it, 429 `quota_exceeded`).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        directory: PhoneDirectory,
        service: GenerationService,
        storage: ObjectStorage,
        clock: Clock,
        policy: DesignPolicy,
        quota: DesignQuota = NO_QUOTA,
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._service = service
        self._storage = storage
        self._clock = clock
        self._policy = policy
        self._quota = quota

    async def execute(self, command: NewDesign, *, wait_seconds: float | None = None) -> Design:
        prompt = clean_prompt(command.prompt) if command.prompt is not None else None
        if prompt is None and command.upload_id is None:
            raise InvalidInput(
                "Give a prompt, a photo, or both.", code="prompt_or_photo_required", field="prompt"
            )
        count = check_variants(command.variants)
        seed = (
            check_seed(command.seed)
            if command.seed is not None
            else secrets.randbelow(MAX_SEED + 1)
        )
        phone = await self._directory.get(command.phone_slug)
        await self._check_upload(command.owner_id, command.upload_id)
        wait = self._policy.default_wait_seconds if wait_seconds is None else wait_seconds
        wait = min(max(0.0, wait), self._policy.max_wait_seconds)

        now = self._clock.now()
        ratio = covering_aspect_ratio(target_aspect(phone, command.kind))
        design = Design(
            id=uuid4(),
            owner_id=command.owner_id,
            phone_slug=phone.slug,
            kind=command.kind,
            prompt=prompt,
            upload_id=command.upload_id,
            seed=seed,
            variant_count=count,
            aspect_ratio=ratio.name,
            status=DesignStatus.GENERATING,
            created_at=now,
            expires_at=now + self._policy.retention,
        )
        await self._quota.record(self._uow_factory, design)
        logger.info(
            "design started design=%s owner=%s phone=%s kind=%s variants=%d ratio=%s",
            design.id,
            design.owner_id,
            phone.slug,
            design.kind,
            count,
            ratio.name,
        )

        request = await self._service.request_for(design)
        design = await self._service.submit(design, request)
        design = await self._service.finish(design, request, wait)
        if design.status is DesignStatus.FAILED:
            # Another finisher (a webhook) may have ended it first: the answer is the same.
            raise failure_error(design.failure)
        return design

    async def _check_upload(self, owner_id: UUID, upload_id: UUID | None) -> None:
        if upload_id is None:
            return
        async with self._uow_factory() as uow:
            upload = await uow.uploads.get(upload_id)
        if upload is None or upload.owner_id != owner_id:
            raise NotFound("No such upload.", code="upload_not_found")


@dataclass(frozen=True, slots=True)
class VariantView:
    variant: Variant
    preview_url: str
    upscale: JobStatus | None


@dataclass(frozen=True, slots=True)
class DesignView:
    design: Design
    variants: list[VariantView]


class ShowDesign:
    """One design of the caller's, with short-lived preview URLs.

    Rules: another user's design, or an unknown id, is NotFound alike.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        storage: ObjectStorage,
        clock: Clock,
        policy: DesignPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._storage = storage
        self._clock = clock
        self._policy = policy

    async def execute(self, owner_id: UUID, design_id: UUID) -> DesignView:
        async with self._uow_factory() as uow:
            design = await owned_design(uow.designs, owner_id, design_id, self._clock)
            jobs = [await uow.jobs.latest_for_variant(design.id, v.index) for v in design.variants]
        views = [
            VariantView(
                variant,
                await self._storage.signed_url(variant.preview_key, self._policy.url_ttl_seconds),
                job.status if job else None,
            )
            for variant, job in zip(design.variants, jobs, strict=True)
        ]
        return DesignView(design, views)


class ListDesigns:
    """The caller's library: designs still kept, newest first."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self, owner_id: UUID, limit: int = 50) -> list[Design]:
        async with self._uow_factory() as uow:
            return await uow.designs.list_for_owner(owner_id, now=self._clock.now(), limit=limit)


async def owned_design(
    designs: DesignRepository, owner_id: UUID, design_id: UUID, clock: Clock
) -> Design:
    """The design when it exists, belongs to `owner_id` and has not expired; else NotFound."""
    design = await designs.get(design_id)
    if design is None or design.owner_id != owner_id or design.expires_at <= clock.now():
        raise NotFound("No such design.", code="design_not_found")
    return design
