"""Tables of CaseCraft, as SQLAlchemy rows on advanced-alchemy's UUID-keyed base.

Every timestamp is `DateTimeUTC`: stored in UTC, read back aware in UTC on every
dialect. A phone's cut-outs and a design's variants are JSON lists, read and
written whole with their parent. Statuses and kinds are plain strings checked by
the domain, so a new status needs no database enum change.

The schema itself is created by the migrations in `migrations/versions`, not from
this metadata; the two are compared by the migration test.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

JsonList = list[dict[str, Any]]
# advanced-alchemy's JsonB fails to attach to a table under SQLAlchemy 2.1, so the
# same pairing (JSONB on PostgreSQL, JSON elsewhere) is spelled out here.
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class PhoneRow(UUIDBase):
    """One phone model; `slug` is its natural key, `id` never changes once given."""

    __tablename__ = "phones"
    __table_args__ = (Index("ix_phones_brand_slug_year", "brand_slug", "year"),)

    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    brand: Mapped[str] = mapped_column(String(80))
    brand_slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[float] = mapped_column(Float)
    width_mm: Mapped[float] = mapped_column(Float)
    depth_mm: Mapped[float] = mapped_column(Float)
    corner_radius_mm: Mapped[float] = mapped_column(Float)
    corner_radius_provenance: Mapped[str] = mapped_column(String(16))
    screen_width_px: Mapped[int] = mapped_column(Integer)
    screen_height_px: Mapped[int] = mapped_column(Integer)
    screen_diagonal_in: Mapped[float] = mapped_column(Float)
    cutouts: Mapped[JsonList] = mapped_column(JSON_DOCUMENT)
    source: Mapped[str] = mapped_column(Text)


class UserRow(UUIDBase):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean)
    # Unique: one account per Google subject (NULLs, accounts without Google, are many).
    google_subject: Mapped[str | None] = mapped_column(
        String(255), nullable=True, unique=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    session_epoch: Mapped[int] = mapped_column(Integer, server_default="0")


class UploadRow(UUIDBase):
    __tablename__ = "uploads"

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class DesignRow(UUIDBase):
    """A design and its variants; `phone_slug` is not a foreign key, so a design
    outlives a change to the catalog."""

    __tablename__ = "designs"
    __table_args__ = (
        Index("ix_designs_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_designs_expires_at", "expires_at"),
        Index("ix_designs_status_created_at", "status", "created_at"),
    )

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    phone_slug: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    upload_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True
    )
    seed: Mapped[int] = mapped_column(Integer)
    variant_count: Mapped[int] = mapped_column(Integer)
    aspect_ratio: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    generator: Mapped[str] = mapped_column(String(120))
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    variants: Mapped[JsonList] = mapped_column(JSON_DOCUMENT)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    prediction_id: Mapped[str | None] = mapped_column(String(120), nullable=True)


class UpscaleJobRow(UUIDBase):
    __tablename__ = "upscale_jobs"
    __table_args__ = (
        Index("ix_upscale_jobs_status_next_attempt_at", "status", "next_attempt_at"),
        Index(
            "ix_upscale_jobs_design_id_variant_index_created_at",
            "design_id",
            "variant_index",
            "created_at",
        ),
        # One live job per variant: a failed job may be followed by a retry.
        Index(
            "uq_upscale_jobs_active_variant",
            "design_id",
            "variant_index",
            unique=True,
            sqlite_where=text("status != 'failed'"),
            postgresql_where=text("status != 'failed'"),
        ),
    )

    design_id: Mapped[UUID] = mapped_column(ForeignKey("designs.id", ondelete="CASCADE"))
    variant_index: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    prediction_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    result_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class RefreshTokenRow(UUIDBase):
    """One refresh token of a session family; `token_hash` is the SHA-256 of its value."""

    __tablename__ = "refresh_tokens"

    family_id: Mapped[UUID] = mapped_column(GUID(length=16), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    consumed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # The user's session epoch when the family opened (see domain.sessions).
    session_epoch: Mapped[int] = mapped_column(Integer, server_default="0")


class OneTimeTokenRow(UUIDBase):
    """A mailed single-use token (password reset, email verification), by its SHA-256."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (
        Index("ix_one_time_tokens_user_id_purpose_created_at", "user_id", "purpose", "created_at"),
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
