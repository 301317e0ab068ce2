"""Organizations and ad accounts, with the bookkeeping the stats sync needs per account."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class StatsMode(StrEnum):
    """How the stats sync reaches an account's entities (Snap facts 7, docs/architecture.md)."""

    ACCOUNT_BREAKDOWN = "account_breakdown"  # /adaccounts/{id}/stats?breakdown=campaign
    CAMPAIGN_BREAKDOWN = "campaign_breakdown"  # the account level refused: one per campaign


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(32))
    raw: Mapped[dict[str, Any]]
    snap_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AdAccount(Base):
    __tablename__ = "ad_accounts"
    __table_args__ = (
        CheckConstraint(
            "stats_mode IS NULL OR stats_mode IN ('account_breakdown', 'campaign_breakdown')",
            name="stats_mode_known",
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(32))
    delivery_status: Mapped[list[Any] | None]
    rate_limit_rps: Mapped[int | None]
    raw: Mapped[dict[str, Any]]
    snap_updated_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    finalized_data_end_time: Mapped[datetime | None]
    conversion_data_processed_end_time: Mapped[datetime | None]
    stats_mode: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
