"""the journal's maybe_created state: a create whose attempts ran out, outcome unknown

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "state IN ('pending', 'in_flight', 'succeeded', 'failed', 'quota_unavailable', 'unknown')"
_AFTER = (
    "state IN ('pending', 'in_flight', 'succeeded', 'failed', 'quota_unavailable', "
    "'unknown', 'maybe_created')"
)


def upgrade() -> None:
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mutation_journal_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mutation_journal_state_known"), _AFTER)


def downgrade() -> None:
    # A maybe_created row goes back to unknown: the completer re-drives it as before.
    op.execute("UPDATE mutation_journal SET state = 'unknown' WHERE state = 'maybe_created'")
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mutation_journal_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mutation_journal_state_known"), _BEFORE)
