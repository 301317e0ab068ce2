"""Campaigns, ad squads, ads, creatives and media as last seen on Snap.

The columns are the fields the fleet reads (status, delivery_status, review status,
budgets in micro, parents); `raw` keeps the full last-seen object, so a later feature
never needs a migration to look at a field, and `deleted` marks an entity Snap no longer
lists. Parents are indexed but not foreign keys: a partial sync may see a child first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from storage.models.base import Base, utcnow


class MirrorColumns:
    """The columns every mirrored entity has."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    raw: Mapped[dict[str, Any]]
    snap_created_at: Mapped[datetime | None]
    snap_updated_at: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def ad_account_id(cls) -> Mapped[str]:
        return mapped_column(ForeignKey("ad_accounts.id", ondelete="CASCADE"), index=True)


class Campaign(MirrorColumns, Base):
    __tablename__ = "campaigns"

    objective: Mapped[str | None] = mapped_column(String(64))
    delivery_status: Mapped[list[Any] | None]
    daily_budget_micro: Mapped[int | None] = mapped_column(BigInteger)
    lifetime_spend_cap_micro: Mapped[int | None] = mapped_column(BigInteger)
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]


class AdSquad(MirrorColumns, Base):
    __tablename__ = "ad_squads"

    campaign_id: Mapped[str | None] = mapped_column(String(64), index=True)
    type: Mapped[str | None] = mapped_column(String(32))
    delivery_status: Mapped[list[Any] | None]
    daily_budget_micro: Mapped[int | None] = mapped_column(BigInteger)
    lifetime_budget_micro: Mapped[int | None] = mapped_column(BigInteger)
    bid_micro: Mapped[int | None] = mapped_column(BigInteger)
    optimization_goal: Mapped[str | None] = mapped_column(String(64))
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]


class Ad(MirrorColumns, Base):
    __tablename__ = "ads"

    ad_squad_id: Mapped[str | None] = mapped_column(String(64), index=True)
    creative_id: Mapped[str | None] = mapped_column(String(64), index=True)
    type: Mapped[str | None] = mapped_column(String(32))
    delivery_status: Mapped[list[Any] | None]
    review_status: Mapped[str | None] = mapped_column(String(32))
    review_status_reasons: Mapped[list[Any] | None]


class Creative(MirrorColumns, Base):
    __tablename__ = "creatives"

    type: Mapped[str | None] = mapped_column(String(32))
    review_status: Mapped[str | None] = mapped_column(String(32))
    top_snap_media_id: Mapped[str | None] = mapped_column(String(64))


class Media(MirrorColumns, Base):
    __tablename__ = "media"

    type: Mapped[str | None] = mapped_column(String(32))
    media_status: Mapped[str | None] = mapped_column(String(32))
    file_name: Mapped[str | None] = mapped_column(Text)
