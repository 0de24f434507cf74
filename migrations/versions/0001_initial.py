"""Phones, users, uploads, designs and upscale jobs.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp() -> DateTimeUTC:
    return DateTimeUTC(timezone=True)


def _sentinel() -> sa.Column[int]:
    # advanced-alchemy's bases map this column for bulk inserts; it stays empty.
    return sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "phones",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("brand_slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Float(), nullable=False),
        sa.Column("width_mm", sa.Float(), nullable=False),
        sa.Column("depth_mm", sa.Float(), nullable=False),
        sa.Column("corner_radius_mm", sa.Float(), nullable=False),
        sa.Column("corner_radius_provenance", sa.String(length=16), nullable=False),
        sa.Column("screen_width_px", sa.Integer(), nullable=False),
        sa.Column("screen_height_px", sa.Integer(), nullable=False),
        sa.Column("screen_diagonal_in", sa.Float(), nullable=False),
        sa.Column("cutouts", _json(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _sentinel(),
        sa.PrimaryKeyConstraint("id", name="pk_phones"),
    )
    op.create_index("ix_phones_slug", "phones", ["slug"], unique=True)
    op.create_index("ix_phones_brand_slug_year", "phones", ["brand_slug", "year"])

    op.create_table(
        "users",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("google_subject", sa.String(length=255), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        _sentinel(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)

    op.create_table(
        "uploads",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("owner_id", GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        _sentinel(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_uploads_owner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_owner_id", "uploads", ["owner_id"])

    op.create_table(
        "designs",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("owner_id", GUID(length=16), nullable=False),
        sa.Column("phone_slug", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("upload_id", GUID(length=16), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("variant_count", sa.Integer(), nullable=False),
        sa.Column("aspect_ratio", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("generator", sa.String(length=120), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("variants", _json(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        _sentinel(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_designs_owner_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name="fk_designs_upload_id_uploads", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_designs"),
    )
    op.create_index("ix_designs_owner_id_created_at", "designs", ["owner_id", "created_at"])
    op.create_index("ix_designs_expires_at", "designs", ["expires_at"])

    op.create_table(
        "upscale_jobs",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("design_id", GUID(length=16), nullable=False),
        sa.Column("variant_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _timestamp(), nullable=False),
        sa.Column("lease_owner", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", _timestamp(), nullable=True),
        sa.Column("prediction_id", sa.String(length=255), nullable=True),
        sa.Column("result_key", sa.String(length=255), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        _sentinel(),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name="fk_upscale_jobs_design_id_designs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_upscale_jobs"),
    )
    op.create_index(
        "ix_upscale_jobs_status_next_attempt_at", "upscale_jobs", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_upscale_jobs_design_id_variant_index_created_at",
        "upscale_jobs",
        ["design_id", "variant_index", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("upscale_jobs")
    op.drop_table("designs")
    op.drop_table("uploads")
    op.drop_table("users")
    op.drop_table("phones")
