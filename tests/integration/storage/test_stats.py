"""Stats rows: idempotent re-pulls, one row per attribution, USD filled when a rate arrives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage import fx, stats
from storage.models import DailyStat, HourlyStat
from storage.stats import StatRow

ATTR = stats.attribution_key("28_DAY", "1_DAY", "conversion")
DAY = date(2026, 11, 20)


def _eur(entity: str, spend: int, **over) -> StatRow:
    values = dict(
        ad_account_id="acct-eur",
        entity_type="campaign",
        entity_id=entity,
        day=DAY,
        currency="EUR",
        spend_micro=spend,
        fx_rate=None,
        impressions=1000,
        swipes=10,
        view_completion=5,
        conversion_purchases=Decimal("2"),
        conversion_purchases_value_micro=9_990_000,
        extra={"video_views": 12},
    )
    values.update(over)
    return StatRow(**values)


def _count(s: Session, model=DailyStat) -> int:
    return s.scalar(select(func.count()).select_from(model))


def test_a_repull_overwrites_and_never_duplicates(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        stats.upsert_daily(
            s,
            [_eur(f"c-{i}", 1_000_000, fx_rate=Decimal("1.08")) for i in range(50)],
            attribution=ATTR,
        )
    with factory.begin() as s:
        stats.upsert_daily(
            s,
            [
                _eur(f"c-{i}", 3_000_000, fx_rate=Decimal("1.08"), impressions=2000)
                for i in range(50)
            ],
            attribution=ATTR,
        )
    with factory() as s:
        assert _count(s) == 50
        [row] = stats.daily_for_entity(s, "campaign", "c-3", attribution=ATTR)
    assert row.spend_micro == 3_000_000 and row.impressions == 2000
    assert row.fx_rate == Decimal("1.08") and row.spend_usd_micro == 3_240_000
    assert not row.fx_missing and row.extra == {"video_views": 12}
    assert row.conversion_purchases == Decimal("2")


def test_other_attribution_settings_are_other_rows(factory: sessionmaker[Session]) -> None:
    other = stats.attribution_key("7_DAY", "none", "impression")
    with factory.begin() as s:
        stats.upsert_daily(s, [_eur("c-1", 1_000_000)], attribution=ATTR)
        stats.upsert_daily(s, [_eur("c-1", 2_000_000)], attribution=other)
    with factory() as s:
        assert _count(s) == 2
        assert [
            r.spend_micro for r in stats.daily_for_entity(s, "campaign", "c-1", attribution=other)
        ] == [2_000_000]


def test_usd_accounts_need_no_rate(factory: sessionmaker[Session]) -> None:
    row = _eur("c-usd", 1_234_567, currency="usd", ad_account_id="acct-1")
    with factory.begin() as s:
        stats.upsert_daily(s, [row], attribution=ATTR)
    with factory() as s:
        [stored] = stats.daily_for_entity(s, "campaign", "c-usd")
    assert stored.currency == "USD" and stored.fx_rate == Decimal(1)
    assert stored.spend_usd_micro == 1_234_567 and not stored.fx_missing


def test_a_missing_rate_is_flagged_and_filled_when_it_arrives(
    factory: sessionmaker[Session],
) -> None:
    hour = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with factory.begin() as s:
        stats.upsert_daily(s, [_eur("c-1", 1_000_001), _eur("c-2", 2_000_000)], attribution=ATTR)
        stats.upsert_hourly(s, [_eur("c-1", 500_000, start_time=hour)], attribution=ATTR)
        stats.upsert_daily(s, [_eur("c-3", 1_000_000, day=date(2026, 11, 21))], attribution=ATTR)
    with factory() as s:
        [waiting] = stats.daily_for_entity(s, "campaign", "c-1")
        assert waiting.fx_missing and waiting.spend_usd_micro is None and waiting.fx_rate is None
        assert stats.fill_missing_usd(s) == 0  # no rate yet
    # When the rate for the 20th arrives
    with factory.begin() as s:
        fx.record_rate(s, "EUR", DAY, "1.085", source="ecb")
        assert stats.fill_missing_usd(s) == 3
    with factory() as s:
        [filled] = stats.daily_for_entity(s, "campaign", "c-1")
        hourly = s.scalars(select(HourlyStat)).one()
        [other_day] = stats.daily_for_entity(s, "campaign", "c-3")
    assert not filled.fx_missing and filled.fx_rate == Decimal("1.085")
    assert filled.spend_usd_micro == 1_085_001  # 1_000_001 * 1.085 = 1_085_001.085
    assert hourly.spend_usd_micro == 542_500 and not hourly.fx_missing
    assert other_day.fx_missing  # no rate for the 21st yet


def test_fill_usd_rounds_half_up(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        stats.upsert_daily(s, [_eur("c-1", 5)], attribution=ATTR)
        assert stats.fill_usd(s, "EUR", DAY, Decimal("1.1")) == 1  # 5.5 -> 6
    with factory() as s:
        assert stats.daily_for_entity(s, "campaign", "c-1")[0].spend_usd_micro == 6


def test_hourly_rows_are_unique_per_start_time(factory: sessionmaker[Session]) -> None:
    nine, ten = (datetime(2026, 11, 20, h, tzinfo=UTC) for h in (9, 10))
    with factory.begin() as s:
        stats.upsert_hourly(
            s, [_eur("c-1", 1, start_time=nine), _eur("c-1", 2, start_time=ten)], attribution=ATTR
        )
        stats.upsert_hourly(s, [_eur("c-1", 3, start_time=nine)], attribution=ATTR)
    with factory() as s:
        rows = {r.start_time: r.spend_micro for r in s.scalars(select(HourlyStat))}
    assert rows == {nine: 3, ten: 2}
    with factory() as s, pytest.raises(ValueError, match="start_time"):
        stats.upsert_hourly(s, [_eur("c-1", 1)], attribution=ATTR)


def test_fx_rates_are_per_currency_and_day(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        fx.record_rate(s, "eur", DAY, Decimal("1.08"), source="static")
        fx.record_rate(s, "EUR", DAY, Decimal("1.09"), source="ecb")  # a correction overwrites
    with factory() as s:
        assert fx.rate_for(s, "EUR", DAY) == Decimal("1.09")
        assert fx.rate_for(s, "EUR", date(2026, 11, 22)) is None
        assert fx.rate_for(s, "EUR", date(2026, 11, 22), max_age_days=3) == Decimal("1.09")
        assert fx.rate_for(s, "USD", DAY) == Decimal(1)
    with factory() as s, pytest.raises(ValueError):
        fx.record_rate(s, "EUR", DAY, 0, source="x")


def test_the_attribution_key_is_the_snap_sides_key() -> None:
    """The worker stores snap rows by their `attribution`: both sides must spell it alike."""
    snap_stats = pytest.importorskip("snap.stats")
    for settings in [("28_DAY", "1_DAY", "conversion"), ("7_DAY", "none", "IMPRESSION")]:
        assert stats.attribution_key(*settings) == snap_stats.attribution_key(*settings)


def test_a_row_from_a_wider_mapping_keeps_only_its_fields(factory: sessionmaker[Session]) -> None:
    wide = {
        "entity_type": "ad",
        "entity_id": "ad-9",
        "day": DAY,
        "granularity": "DAY",
        "spend_micro": 2_000_000,
        "impressions": 7,
        "extra": {"shares": 1},
        "breakdown": "ad",
        "start_time": None,
        "attribution": "ignored-here",
    }
    row = StatRow.of(wide, ad_account_id="acct-eur", currency="EUR", fx_rate=Decimal("1.1"))
    with factory.begin() as s:
        stats.upsert_daily(s, [row], attribution=ATTR)
    with factory() as s:
        [stored] = stats.daily_for_entity(s, "ad", "ad-9")
    assert stored.spend_usd_micro == 2_200_000 and stored.extra == {"shares": 1}
