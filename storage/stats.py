"""Daily and hourly stats rows: bulk upserts keyed by (entity, day or hour, attribution).

A re-pull of the same window overwrites the rows it pulled before, never adds to them.
USD is computed here from the native micro amount and the rate the caller passes (USD
accounts need none); without a rate the row is flagged `fx_missing` with USD NULL, and
`fill_usd` completes the flagged rows once a rate is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import fx
from storage.models.base import utcnow
from storage.models.stats import DailyStat, HourlyStat, StatsFinality
from storage.upsert import upsert

MICRO = Decimal(1)


@dataclass(frozen=True)
class StatRow:
    """One entity's metrics for one day (or, with `start_time`, one hour)."""

    ad_account_id: str
    entity_type: str  # ad_account, campaign, ad_squad, ad
    entity_id: str
    day: date  # the ad account's local day
    currency: str
    spend_micro: int | None
    fx_rate: Decimal | None = None
    impressions: int | None = None
    swipes: int | None = None
    view_completion: int | None = None
    conversion_purchases: Decimal | None = None
    conversion_purchases_value_micro: int | None = None
    extra: dict[str, Any] | None = None
    start_time: datetime | None = None  # hourly rows only

    @classmethod
    def of(cls, values: Mapping[str, Any], **context: Any) -> StatRow:
        """A row from a wider mapping (e.g. `snap.stats.StatsRow.as_dict()`) plus context
        such as `ad_account_id`, `currency`, `fx_rate`; keys this row has no field for
        are ignored."""
        merged = {**values, **context}
        return cls(**{f.name: merged[f.name] for f in fields(cls) if f.name in merged})


def attribution_key(swipe_up_window: str, view_window: str, action_report_time: str) -> str:
    """The attribution settings a row was pulled with, as one comparable string.

    The same format as `snap.stats.attribution_key` (`swipe_up=28_DAY,view=1_DAY,
    report=conversion`), so a row's `attribution` from the snap side keys the same row.
    """
    return f"swipe_up={swipe_up_window},view={view_window},report={action_report_time.lower()}"


def usd_micro(spend_micro: int | None, rate_to_usd: Decimal | None) -> int | None:
    """Spend in micro-USD, rounded half-up like the rest of the fleet's money."""
    if spend_micro is None or rate_to_usd is None:
        return None
    return int((Decimal(spend_micro) * rate_to_usd).quantize(MICRO, rounding=ROUND_HALF_UP))


def _row(stat: StatRow, attribution: str, now: datetime, hourly: bool) -> dict[str, Any]:
    row = asdict(stat)
    if not hourly:
        row.pop("start_time")
    elif stat.start_time is None:
        raise ValueError(f"hourly stats row for {stat.entity_id} on {stat.day} has no start_time")
    rate = Decimal(1) if stat.currency.upper() == fx.USD else stat.fx_rate
    row.update(
        currency=stat.currency.upper(),
        fx_rate=rate,
        spend_usd_micro=usd_micro(stat.spend_micro, rate),
        fx_missing=rate is None,
        attribution=attribution,
        pulled_at=now,
    )
    return row


def upsert_daily(session: Session, stats: Sequence[StatRow], *, attribution: str) -> int:
    """Store DAY rows; unique per (entity, day, attribution)."""
    now = utcnow()
    rows = [_row(s, attribution, now, hourly=False) for s in stats]
    conflict = ["entity_type", "entity_id", "day", "attribution"]
    return upsert(session, DailyStat.__table__, rows, conflict=conflict)


def upsert_hourly(session: Session, stats: Sequence[StatRow], *, attribution: str) -> int:
    """Store HOUR rows; unique per (entity, start time, attribution)."""
    now = utcnow()
    rows = [_row(s, attribution, now, hourly=True) for s in stats]
    conflict = ["entity_type", "entity_id", "start_time", "attribution"]
    return upsert(session, HourlyStat.__table__, rows, conflict=conflict)


def fill_usd(session: Session, currency: str, day: date, rate_to_usd: Decimal) -> int:
    """Complete the rows of `currency` on `day` that waited for a rate; returns rows filled."""
    filled = 0
    for model in (DailyStat, HourlyStat):
        stmt = select(model.id, model.spend_micro).where(
            model.fx_missing.is_(True), model.currency == currency.upper(), model.day == day
        )
        updates = [
            dict(
                id=row_id,
                fx_rate=rate_to_usd,
                spend_usd_micro=usd_micro(spend, rate_to_usd),
                fx_missing=False,
            )
            for row_id, spend in session.execute(stmt)
        ]
        if updates:
            session.execute(update(model), updates)  # ORM bulk UPDATE by primary key
        filled += len(updates)
    return filled


def fill_missing_usd(session: Session, *, max_age_days: int = 0) -> int:
    """`fill_usd` for every (currency, day) still waiting whose rate is now recorded."""
    filled = 0
    for currency, day in waiting_for_rates(session):
        rate = fx.rate_for(session, currency, day, max_age_days=max_age_days)
        if rate is not None:
            filled += fill_usd(session, currency, day, rate)
    return filled


def waiting_for_rates(session: Session) -> list[tuple[str, date]]:
    """The (currency, day) pairs of stats rows flagged `fx_missing`."""
    pairs: set[tuple[str, date]] = set()
    for model in (DailyStat, HourlyStat):
        stmt = select(model.currency, model.day).where(model.fx_missing.is_(True)).distinct()
        pairs.update((c, d) for c, d in session.execute(stmt))
    return sorted(pairs)


def day_spend_micro(session: Session, entity_type: str, entity_id: str, day: date) -> int | None:
    """The entity's largest stored spend of `day` over its attributions (DAY rows)."""
    stmt = select(DailyStat.spend_micro).where(
        DailyStat.entity_type == entity_type,
        DailyStat.entity_id == entity_id,
        DailyStat.day == day,
    )
    values = [v for v in session.scalars(stmt) if v is not None]
    return max(values) if values else None


def days_with_delivery(session: Session) -> list[DailyStat]:
    """The daily rows that show delivery (impressions or spend), by day and entity type."""
    stmt = select(DailyStat).where((DailyStat.impressions > 0) | (DailyStat.spend_micro > 0))
    return list(session.scalars(stmt.order_by(DailyStat.day, DailyStat.entity_type)))


def daily_for_entity(
    session: Session, entity_type: str, entity_id: str, *, attribution: str | None = None
) -> list[DailyStat]:
    stmt = select(DailyStat).where(
        DailyStat.entity_type == entity_type, DailyStat.entity_id == entity_id
    )
    if attribution is not None:
        stmt = stmt.where(DailyStat.attribution == attribution)
    stmt = stmt.order_by(DailyStat.day).execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def finality(
    session: Session, ad_account_id: str, attribution: str
) -> tuple[datetime | None, datetime | None]:
    """The marks of the last whole pull under `attribution`: (finalized, conversions)."""
    row = session.get(StatsFinality, (ad_account_id, attribution), populate_existing=True)
    if row is None:
        return None, None
    return row.finalized_data_end_time, row.conversion_data_processed_end_time


def record_finality(
    session: Session,
    ad_account_id: str,
    attribution: str,
    *,
    finalized_data_end_time: datetime | None,
    conversion_data_processed_end_time: datetime | None,
) -> None:
    """Remember how far Snap says the account's data under `attribution` is final."""
    row = dict(
        ad_account_id=ad_account_id,
        attribution=attribution,
        finalized_data_end_time=finalized_data_end_time,
        conversion_data_processed_end_time=conversion_data_processed_end_time,
        updated_at=utcnow(),
    )
    upsert(session, StatsFinality.__table__, [row], conflict=["ad_account_id", "attribution"])
