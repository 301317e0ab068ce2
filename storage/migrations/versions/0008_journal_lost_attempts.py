"""the journal counts lost attempts: the attempt cap counts only attempts that ended
without an outcome (killed, timed out), not gate waits or recorded errors

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows journaled before this count no lost attempts: the cap starts afresh for them,
    # still bounded by Celery's retries.
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lost_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.drop_column("lost_attempts")
