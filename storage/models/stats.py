"""Stats rows: one per (entity, day or hour, attribution settings), so re-pulls overwrite.

Spend is kept as Snap sends it (micro of the account's currency) next to the currency,
the FX rate used and the USD amount in micro-USD (integers stay exact on both dialects).
When no rate was known, `fx_missing` is set and the USD amount stays NULL until
`stats.fill_usd` sees a rate. `attribution` is `stats.attribution_key(...)`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow

ENTITY_TYPES = ("ad_account", "campaign", "ad_squad", "ad")


class StatsColumns:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ad_account_id: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    attribution: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    spend_micro: Mapped[int | None] = mapped_column(BigInteger)
    fx_rate: Mapped[Decimal | None]
    spend_usd_micro: Mapped[int | None] = mapped_column(BigInteger)
    fx_missing: Mapped[bool] = mapped_column(default=False)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    swipes: Mapped[int | None] = mapped_column(BigInteger)
    view_completion: Mapped[int | None] = mapped_column(BigInteger)
    # Modelled conversions may be fractional (unconfirmed): keep them exact, not int.
    conversion_purchases: Mapped[Decimal | None]
    conversion_purchases_value_micro: Mapped[int | None] = mapped_column(BigInteger)
    extra: Mapped[dict[str, Any] | None]
    pulled_at: Mapped[datetime] = mapped_column(default=utcnow)


_ENTITY_CHECK = "entity_type IN ('ad_account', 'campaign', 'ad_squad', 'ad')"


class DailyStat(StatsColumns, Base):
    __tablename__ = "stats_daily"
    __table_args__ = (
        UniqueConstraint(
            "entity_type", "entity_id", "day", "attribution", name="uq_stats_daily_entity_day"
        ),
        CheckConstraint(_ENTITY_CHECK, name="entity_type_known"),
        Index("ix_stats_daily_fx_missing", "fx_missing", "currency", "day"),
    )


class HourlyStat(StatsColumns, Base):
    __tablename__ = "stats_hourly"
    __table_args__ = (
        UniqueConstraint(
            "entity_type",
            "entity_id",
            "start_time",
            "attribution",
            name="uq_stats_hourly_entity_start",
        ),
        CheckConstraint(_ENTITY_CHECK, name="entity_type_known"),
        Index("ix_stats_hourly_fx_missing", "fx_missing", "currency", "day"),
    )

    start_time: Mapped[datetime]


class StatsFinality(Base):
    """How far Snap said an account's data is final, per attribution setting.

    Each attribution setting is its own set of numbers on Snap's side and its own rows
    here, so the marks of one setting say nothing about another: a pull plans its
    re-pull window from the marks of the setting it pulls with.
    """

    __tablename__ = "stats_finality"

    ad_account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attribution: Mapped[str] = mapped_column(String(64), primary_key=True)
    finalized_data_end_time: Mapped[datetime | None]
    conversion_data_processed_end_time: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FxRate(Base):
    """USD per one unit of `currency` on `day` (EUR 1.08 means 1 EUR = 1.08 USD)."""

    __tablename__ = "fx_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    rate_to_usd: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["ENTITY_TYPES", "DailyStat", "FxRate", "HourlyStat"]
