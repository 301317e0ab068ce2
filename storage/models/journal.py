"""The mutation journal: one row per idempotency key (docs/architecture.md, The journal)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class JournalState(StrEnum):
    PENDING = "pending"  # journaled, nothing sent
    IN_FLIGHT = "in_flight"  # claimed under a lease; the request may be on the wire
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    QUOTA_UNAVAILABLE = "quota_unavailable"  # the gate failed closed; nothing sent
    UNKNOWN = "unknown"  # the answer was lost: reconcile before any resend
    # A create's attempts ran out with its outcome unknown: never re-sent, only looked for
    # (the completer lists and matches on each sweep and adopts the entity if it appears).
    MAYBE_CREATED = "maybe_created"


TERMINAL_STATES = frozenset({JournalState.SUCCEEDED, JournalState.FAILED})


class JournalEntry(Base):
    __tablename__ = "mutation_journal"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'in_flight', 'succeeded', 'failed', "
            "'quota_unavailable', 'unknown', 'maybe_created')",
            name="state_known",
        ),
        Index("ix_mutation_journal_state_updated", "state", "updated_at"),
        Index("ix_mutation_journal_account_created", "ad_account_id", "created_at"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(155), index=True)
    task_name: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(64))
    ad_account_id: Mapped[str | None] = mapped_column(String(64))
    request_digest: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any] | None]  # the validated task payload: what a re-drive sends
    state: Mapped[str] = mapped_column(String(20), default=JournalState.PENDING.value)
    attempt: Mapped[int] = mapped_column(default=0)  # fencing token, +1 per claim
    # Attempts that ended without an outcome (their holder was killed, timed out or
    # raised; a later claim took the key over in flight): what the attempt cap counts.
    lost_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    worker_id: Mapped[str | None] = mapped_column(String(128))
    locked_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    snap_ids: Mapped[list[Any] | None]
    response: Mapped[dict[str, Any] | None]
    error: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)
    fx_rate: Mapped[Decimal | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return (
            f"<JournalEntry key={self.idempotency_key!r} task={self.task_name!r} "
            f"step={self.step!r} state={self.state!r} attempt={self.attempt!r}>"
        )
