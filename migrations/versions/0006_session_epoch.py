"""Session epochs: a password reset ends every session, even one a login opens after it.

`users.session_epoch` is raised by each reset; `refresh_tokens.session_epoch` is the
epoch its family was opened under. Existing rows start at 0, so every open session
stays open.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "refresh_tokens")


def upgrade() -> None:
    for table in TABLES:
        # A plain string default lets SQLite add the column in place, without copying the table.
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        # In place too (SQLite 3.35+): copying `users` would drop a table that others
        # reference with ON DELETE CASCADE, and take their rows with it.
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("session_epoch")
