"""stats finality marks per (ad account, attribution setting)

The account row's marks do not say which attribution setting they were measured under,
so they are not carried over: the first pull after this migration re-pulls its lookback
window once for the setting it pulls with (bounded by SNAPFLEET_STATS_LOOKBACK_DAYS).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_finality",
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.Column("attribution", sa.String(length=64), nullable=False),
        sa.Column("finalized_data_end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversion_data_processed_end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ad_account_id", "attribution", name=op.f("pk_stats_finality")),
    )


def downgrade() -> None:
    op.drop_table("stats_finality")
