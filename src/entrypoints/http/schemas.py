"""Request and response bodies of the HTTP API: msgspec Structs with camelCase fields."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from application.catalog import Brand
from application.designs import DesignView
from domain.designs import Design
from domain.geometry import Kind, covering_aspect_ratio, print_size, target_aspect
from domain.phones import Cutout, PhoneModel


class Schema(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Base of every body: camelCase on the wire, unknown fields refused."""


class BrandOut(Schema):
    slug: str
    name: str
    phone_count: int

    @classmethod
    def of(cls, brand: Brand) -> "BrandOut":
        return cls(slug=brand.slug, name=brand.name, phone_count=brand.phone_count)


class PhoneSummaryOut(Schema):
    slug: str
    brand: str
    name: str
    year: int
    estimated: bool

    @classmethod
    def of(cls, phone: PhoneModel) -> "PhoneSummaryOut":
        return cls(
            slug=phone.slug,
            brand=phone.brand,
            name=phone.name,
            year=phone.year,
            estimated=phone.estimated,
        )


class BodyOut(Schema):
    height_mm: float
    width_mm: float
    depth_mm: float
    corner_radius_mm: float
    corner_radius_provenance: str


class ScreenOut(Schema):
    width_px: int
    height_px: int
    diagonal_in: float


class CutoutOut(Schema):
    feature: str
    shape: str
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    corner_radius_mm: float
    provenance: str
    estimated: bool

    @classmethod
    def of(cls, cutout: Cutout) -> "CutoutOut":
        return cls(
            feature=cutout.feature,
            shape=cutout.shape.value,
            x_mm=cutout.x_mm,
            y_mm=cutout.y_mm,
            width_mm=cutout.width_mm,
            height_mm=cutout.height_mm,
            corner_radius_mm=cutout.effective_radius_mm,
            provenance=cutout.provenance.value,
            estimated=cutout.provenance.value == "estimated",
        )


class TargetOut(Schema):
    aspect: float
    provider_aspect_ratio: str
    final_size_px: tuple[int, int]

    @classmethod
    def of(cls, phone: PhoneModel, kind: Kind) -> "TargetOut":
        aspect = target_aspect(phone, kind)
        return cls(
            aspect=round(aspect, 6),
            provider_aspect_ratio=covering_aspect_ratio(aspect).name,
            final_size_px=print_size(phone, kind),
        )


class PhoneOut(Schema):
    slug: str
    brand: str
    name: str
    year: int
    estimated: bool
    body: BodyOut
    screen: ScreenOut
    cutouts: list[CutoutOut]
    skin: TargetOut
    wallpaper: TargetOut
    source: str

    @classmethod
    def of(cls, phone: PhoneModel) -> "PhoneOut":
        return cls(
            slug=phone.slug,
            brand=phone.brand,
            name=phone.name,
            year=phone.year,
            estimated=phone.estimated,
            body=BodyOut(
                height_mm=phone.height_mm,
                width_mm=phone.width_mm,
                depth_mm=phone.depth_mm,
                corner_radius_mm=phone.corner_radius_mm,
                corner_radius_provenance=phone.corner_radius_provenance.value,
            ),
            screen=ScreenOut(
                width_px=phone.screen_width_px,
                height_px=phone.screen_height_px,
                diagonal_in=phone.screen_diagonal_in,
            ),
            cutouts=[CutoutOut.of(c) for c in phone.cutouts],
            skin=TargetOut.of(phone, Kind.SKIN),
            wallpaper=TargetOut.of(phone, Kind.WALLPAPER),
            source=phone.source,
        )


class Credentials(Schema):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class SignUpOut(Schema):
    detail: str


# As long as a bearer header may be, so any token of the wrong kind gets the same answer.
MAX_TOKEN_FIELD = 4096


class TokenOut(Schema):
    """A session: the bearer access token for requests, the refresh token to renew it."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class RefreshIn(Schema):
    refresh_token: Annotated[str, msgspec.Meta(max_length=MAX_TOKEN_FIELD)]


class ForgotPasswordIn(Schema):
    email: Annotated[str, msgspec.Meta(max_length=320)]


class ResetPasswordIn(Schema):
    token: Annotated[str, msgspec.Meta(max_length=MAX_TOKEN_FIELD)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class VerifyEmailIn(Schema):
    token: Annotated[str, msgspec.Meta(max_length=MAX_TOKEN_FIELD)]


class DetailOut(Schema):
    detail: str


class CreateDesignIn(Schema):
    phone: Annotated[str, msgspec.Meta(max_length=120)]
    kind: Kind = Kind.SKIN
    prompt: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    upload_id: UUID | None = None
    variants: int = 1
    seed: int | None = None


class UploadOut(Schema):
    id: UUID
    width: int
    height: int
    created_at: datetime


class VariantOut(Schema):
    index: int
    preview_url: str
    width: int
    height: int
    upscale: str | None


class DesignSummaryOut(Schema):
    id: UUID
    phone: str
    kind: str
    status: str
    prompt: str | None
    variant_count: int
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, design: Design) -> "DesignSummaryOut":
        return cls(
            id=design.id,
            phone=design.phone_slug,
            kind=design.kind.value,
            status=design.status.value,
            prompt=design.prompt,
            variant_count=len(design.variants),
            created_at=design.created_at,
            expires_at=design.expires_at,
        )


class DesignOut(Schema):
    id: UUID
    phone: str
    kind: str
    status: str
    prompt: str | None
    upload_id: UUID | None
    seed: int
    aspect_ratio: str
    generator: str
    failure: str | None
    variants: list[VariantOut]
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, view: DesignView) -> "DesignOut":
        design = view.design
        return cls(
            id=design.id,
            phone=design.phone_slug,
            kind=design.kind.value,
            status=design.status.value,
            prompt=design.prompt,
            upload_id=design.upload_id,
            seed=design.seed,
            aspect_ratio=design.aspect_ratio,
            generator=design.generator,
            failure=design.failure,
            variants=[
                VariantOut(
                    index=v.variant.index,
                    preview_url=v.preview_url,
                    width=v.variant.width_px,
                    height=v.variant.height_px,
                    upscale=v.upscale.value if v.upscale else None,
                )
                for v in view.variants
            ],
            created_at=design.created_at,
            expires_at=design.expires_at,
        )


class DownloadOut(Schema):
    status: str
    url: str | None = None
    expires_at: datetime | None = None
    retry_after: int | None = None


class HealthOut(Schema):
    status: str


class AccountOut(Schema):
    id: UUID
    email: str
    verified: bool
    created_at: datetime
