"""FX rates to USD, per currency and day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.base import utcnow
from storage.models.stats import FxRate
from storage.upsert import upsert

USD = "USD"


def record_rate(
    session: Session, currency: str, day: date, rate_to_usd: Decimal | str, *, source: str
) -> None:
    """Store (or correct) the rate of `currency` on `day`: USD per one unit."""
    rate = Decimal(str(rate_to_usd))
    if rate <= 0:
        raise ValueError(f"rate_to_usd for {currency} on {day} must be positive, got {rate}")
    row = dict(
        currency=currency.upper(), day=day, rate_to_usd=rate, source=source, fetched_at=utcnow()
    )
    upsert(session, FxRate.__table__, [row], conflict=["currency", "day"])


def rate_for(
    session: Session, currency: str, day: date, *, max_age_days: int = 0
) -> Decimal | None:
    """The rate on `day`, or the newest up to `max_age_days` before it; USD is always 1."""
    if currency.upper() == USD:
        return Decimal(1)
    stmt = (
        select(FxRate.rate_to_usd)
        .where(
            FxRate.currency == currency.upper(),
            FxRate.day <= day,
            FxRate.day >= day - timedelta(days=max_age_days),
        )
        .order_by(FxRate.day.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
