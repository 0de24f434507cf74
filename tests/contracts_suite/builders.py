"""Entities for the contract tests, valid by default, and helpers that store them."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from application.ports import UnitOfWorkFactory
from domain.designs import DEFAULT_RETENTION, Design, DesignStatus, Upload, Variant
from domain.geometry import Kind
from domain.jobs import JobStatus, UpscaleJob
from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance
from domain.users import User

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_phone(
    slug: str = "acme-one", *, brand: str = "Acme", name: str = "One", year: int = 2024
) -> PhoneModel:
    lens = Cutout(
        feature="main camera",
        shape=CutoutShape.CIRCLE,
        x_mm=8.5,
        y_mm=9.25,
        width_mm=12.0,
        height_mm=12.0,
        corner_radius_mm=0.0,
        provenance=Provenance.ESTIMATED,
    )
    module = replace(lens, feature="module", shape=CutoutShape.ROUNDED_RECT, width_mm=30.5)
    return PhoneModel(
        slug=slug,
        brand=brand,
        name=name,
        year=year,
        height_mm=147.6,
        width_mm=71.6,
        depth_mm=7.8,
        corner_radius_mm=10.25,
        corner_radius_provenance=Provenance.DERIVED,
        screen_width_px=1179,
        screen_height_px=2556,
        screen_diagonal_in=6.1,
        cutouts=(module, lens),
        source="https://example.com/specs",
    )


def make_user(email: str | None = None) -> User:
    user_id = uuid4()
    return User(
        id=user_id,
        email=email or f"{user_id.hex}@example.com",
        password_hash="$argon2id$stub",
        verified=False,
        created_at=NOW,
    )


def make_upload(owner_id: UUID) -> Upload:
    upload_id = uuid4()
    return Upload(upload_id, owner_id, f"uploads/{upload_id}/source.png", 800, 600, NOW)


def make_design(
    owner_id: UUID,
    *,
    created_at: datetime = NOW,
    expires_at: datetime | None = None,
    upload_id: UUID | None = None,
) -> Design:
    return Design(
        id=uuid4(),
        owner_id=owner_id,
        phone_slug="acme-one",
        kind=Kind.SKIN,
        prompt="a fox in the snow",
        upload_id=upload_id,
        seed=42,
        variant_count=2,
        aspect_ratio="9:16",
        status=DesignStatus.GENERATING,
        created_at=created_at,
        expires_at=expires_at or created_at + DEFAULT_RETENTION,
        generator="local-procedural",
    )


def make_variant(design_id: UUID, index: int) -> Variant:
    return Variant(
        index=index,
        artwork_key=f"designs/{design_id}/{index}/artwork.png",
        preview_key=f"designs/{design_id}/{index}/preview.webp",
        width_px=768,
        height_px=1344,
    )


def make_job(
    design_id: UUID,
    *,
    variant_index: int = 0,
    next_attempt_at: datetime = NOW,
    created_at: datetime = NOW,
    status: JobStatus = JobStatus.QUEUED,
) -> UpscaleJob:
    return UpscaleJob(
        id=uuid4(),
        design_id=design_id,
        variant_index=variant_index,
        status=status,
        attempts=0,
        next_attempt_at=next_attempt_at,
        created_at=created_at,
        updated_at=created_at,
    )


async def stored_user(factory: UnitOfWorkFactory, email: str | None = None) -> User:
    user = make_user(email)
    async with factory() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def stored_design(factory: UnitOfWorkFactory, **fields: datetime) -> Design:
    """A committed design of a new owner; `fields` are passed to `make_design`."""
    owner = await stored_user(factory)
    design = make_design(owner.id, **fields)
    async with factory() as uow:
        await uow.designs.add(design)
        await uow.commit()
    return design


async def stored_jobs(factory: UnitOfWorkFactory, *jobs: UpscaleJob) -> None:
    async with factory() as uow:
        for job in jobs:
            await uow.jobs.add(job)
        await uow.commit()


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def is_utc(moment: datetime | None) -> bool:
    return moment is not None and moment.utcoffset() == timedelta(0)
