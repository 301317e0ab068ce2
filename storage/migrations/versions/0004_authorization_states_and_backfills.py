"""the OAuth states of snap.connection.authorize and the progress of snap.stats.backfill

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "authorization_states",
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=128), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("backfill_since", sa.Date(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consumed_by_task_id", sa.String(length=155), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_sha256", name=op.f("pk_authorization_states")),
    )
    op.create_index(
        op.f("ix_authorization_states_tenant_id"), "authorization_states", ["tenant_id"]
    )
    op.create_table(
        "stats_backfills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=155), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("levels", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("next_day", sa.Date(), nullable=False),
        sa.Column("windows_total", sa.Integer(), nullable=False),
        sa.Column("windows_done", sa.Integer(), nullable=False),
        sa.Column("rows_upserted", sa.BigInteger(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("error", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('running', 'succeeded', 'failed')",
            name=op.f("ck_stats_backfills_state_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_backfills")),
        sa.UniqueConstraint("task_id", name=op.f("uq_stats_backfills_task_id")),
    )
    op.create_index(op.f("ix_stats_backfills_ad_account_id"), "stats_backfills", ["ad_account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stats_backfills_ad_account_id"), table_name="stats_backfills")
    op.drop_table("stats_backfills")
    op.drop_index(op.f("ix_authorization_states_tenant_id"), table_name="authorization_states")
    op.drop_table("authorization_states")
