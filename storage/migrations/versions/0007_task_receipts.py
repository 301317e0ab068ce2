"""task receipts: mutation messages a worker node holds, seen before any journal row

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_receipts",
        sa.Column("task_id", sa.String(length=155), nullable=False),
        sa.Column("task_name", sa.String(length=128), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("node", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redriven", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_receipts")),
    )
    op.create_index(
        "ix_task_receipts_open_lease", "task_receipts", ["finished_at", "lease_expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_task_receipts_open_lease", table_name="task_receipts")
    op.drop_table("task_receipts")
