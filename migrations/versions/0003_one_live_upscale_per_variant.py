"""At most one upscale job per variant that has not failed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("status != 'failed'")


def upgrade() -> None:
    op.create_index(
        "uq_upscale_jobs_active_variant",
        "upscale_jobs",
        ["design_id", "variant_index"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_upscale_jobs_active_variant", table_name="upscale_jobs")
