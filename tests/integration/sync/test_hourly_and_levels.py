"""HOUR granularity, and ad squad rows through campaign stats, with the calls they cost."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from storage.models.stats import DailyStat, HourlyStat
from tests.fleet import Fleet
from tests.integration.sync.conftest import add_campaign, advance_hours, stats_requests

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {
        "snapfleet_stats_lookback_days": 1,
        "snapfleet_stats_breakdown_levels": "campaign,adsquad",
        "snapfleet_stats_fields": "spend,impressions,uniques,conversion_purchases",
    }


def test_an_hour_pull_stores_whole_local_hours_that_add_up_to_the_day(worker: Fleet) -> None:
    result = worker.call(
        "snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID, "granularity": "HOUR"}
    )
    assert result["status"] == "succeeded", result
    with worker.runtime.session() as session:
        hourly = list(
            session.scalars(select(HourlyStat).where(HourlyStat.entity_type == "campaign"))
        )
        session.expunge_all()
    assert hourly and all(h.start_time.minute == 0 == h.start_time.second for h in hourly)
    per_day: dict[date, int] = defaultdict(int)
    for row in hourly:
        per_day[row.day] += row.spend_micro
    campaign = hourly[0].entity_id
    noon = datetime(2026, 11, 15, 12, tzinfo=LA)
    assert per_day[date(2026, 11, 15)] == worker.sandbox.state.spent_micro(campaign, day_of=noon)
    # 24 hours of Nov 15 plus Nov 16 through the current hour (07:30 LA: 8 hours).
    assert len([h for h in hourly if h.entity_id == campaign]) == 24 + 8
    # HOUR leaves out what it cannot serve but keeps the rest of the configured fields.
    fields = stats_requests(worker)[0]["query"]["fields"].split(",")
    assert "spend" in fields and "conversion_purchases" in fields
    assert "uniques" not in fields  # configured, but Snap has no uniques at HOUR


def test_ad_squad_rows_come_from_one_campaign_call_each(worker: Fleet) -> None:
    add_campaign(worker, USD_AD_ACCOUNT_ID, name="second")
    add_campaign(worker, EUR_AD_ACCOUNT_ID, name="second")
    advance_hours(worker, 2)
    seen = len(worker.sandbox.state.requests())
    for account in (USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID):
        assert worker.call("snap.stats.pull", {"ad_account_id": account})["status"] == "succeeded"
    calls = stats_requests(worker, since=seen)
    # A accounts x (1 account call + C campaign calls with breakdown=adsquad); never per ad.
    accounts, campaigns = 2, 2
    assert len(calls) == accounts * (1 + campaigns)
    assert sum(c["path"].startswith("/v1/adaccounts/") for c in calls) == accounts
    assert {c["query"].get("breakdown") for c in calls} == {"campaign", "adsquad"}
    assert not any(c["path"].startswith("/v1/ads/") for c in calls)
    with worker.runtime.session() as session:
        squads = session.scalars(
            select(DailyStat.entity_id).where(DailyStat.entity_type == "ad_squad")
        )
        assert len(set(squads)) == 2 * 2 + 2  # the demo's two squads per account + one each
