"""A design keeps the provider's prediction id; generating designs are found by age.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("designs") as batch:
        batch.add_column(sa.Column("prediction_id", sa.String(length=120), nullable=True))
    op.create_index("ix_designs_status_created_at", "designs", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_designs_status_created_at", table_name="designs")
    # In place (SQLite 3.35+): copying `designs` would drop a table that upscale_jobs
    # references with ON DELETE CASCADE, and take the jobs with it.
    with op.batch_alter_table("designs", recreate="never") as batch:
        batch.drop_column("prediction_id")
