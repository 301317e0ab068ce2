"""What a connection is made of before and after the code exchange: the OAuth `state` the
dashboard's redirect must bring back, and the stats backfill a connection may ask for."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AuthorizationState(Base):
    """One `state` handed out by `snap.connection.authorize`: bound to a tenant and a
    redirect URI, usable once (by one task id), until `expires_at`.

    Only a SHA-256 of the state is stored: the row alone cannot complete a connection.
    """

    __tablename__ = "authorization_states"

    state_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(Text)
    backfill_since: Mapped[date | None]
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
    consumed_by_task_id: Mapped[str | None] = mapped_column(String(155))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatsBackfill(Base):
    """One `snap.stats.backfill`: the account's history from `since` to `until`, in windows.

    `next_day` is where it resumes: the first day not stored yet, moved in the same
    transaction as the rows of each window, so a crash repeats at most one window.
    """

    __tablename__ = "stats_backfills"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'succeeded', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(155), unique=True)
    ad_account_id: Mapped[str] = mapped_column(String(64), index=True)
    since: Mapped[date]
    until: Mapped[date]
    levels: Mapped[list[Any]]
    state: Mapped[str] = mapped_column(String(16), default="running")
    next_day: Mapped[date]
    windows_total: Mapped[int] = mapped_column(default=0)
    windows_done: Mapped[int] = mapped_column(default=0)
    rows_upserted: Mapped[int] = mapped_column(BigInteger, default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> float:
        if not self.windows_total:
            return 100.0 if self.state == "succeeded" else 0.0
        return round(100.0 * self.windows_done / self.windows_total, 1)
