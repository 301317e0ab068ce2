"""An account level that refuses breakdowns: one call per campaign, remembered per account."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from storage.models.accounts import AdAccount
from storage.models.stats import DailyStat
from tests.fleet import Fleet
from tests.integration.sync.conftest import add_campaign, advance_hours, stats_requests


@pytest.fixture
def sandbox_config(sandbox_config: dict[str, Any]) -> dict[str, Any]:
    return {**sandbox_config, "refuse_account_breakdown": True}


def _requests(fleet: Fleet, since: int) -> list[dict[str, Any]]:
    """API requests after `since`, without the token refreshes (and 401s) of a moved clock."""
    logged = fleet.sandbox.state.requests()[since:]
    return [r for r in logged if r["status"] != 401 and r["path"].startswith("/v1/")]


def test_refused_breakdown_falls_back_to_one_call_per_campaign_and_remembers(worker: Fleet) -> None:
    old = add_campaign(
        worker, USD_AD_ACCOUNT_ID, name="untouched since spring", edited_days_ago=240
    )
    advance_hours(worker, 3)
    seen = len(worker.sandbox.state.requests())
    first = worker.call("snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    assert first["status"] == "succeeded" and first["stats_mode"] == "campaign_breakdown"
    sent = _requests(worker, seen)
    refused = [r for r in sent if r["status"] == 400]
    assert len(refused) == 1 and refused[0]["query"]["breakdown"] == "campaign"
    campaigns = 2  # the demo's and the old one
    # refused try + one full campaign listing + account spend + one per campaign
    assert len(sent) == 1 + 1 + 1 + campaigns
    with worker.runtime.session() as session:
        assert session.get(AdAccount, USD_AD_ACCOUNT_ID).stats_mode == "campaign_breakdown"
        ids = set(
            session.scalars(select(DailyStat.entity_id).where(DailyStat.entity_type == "campaign"))
        )
    assert old["campaign"] in ids and len(ids) == campaigns

    seen = len(worker.sandbox.state.requests())
    second = worker.call("snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    assert second["status"] == "succeeded"
    again = _requests(worker, seen)
    assert not [r for r in again if r["status"] == 400]  # remembered: no second refusal
    assert len(again) == 1 + 1 + campaigns

    # The first pull of the next local day asks the account level once more.
    worker.sandbox.state.advance_to_next_local_day(USD_AD_ACCOUNT_ID)
    seen = len(worker.sandbox.state.requests())
    worker.call("snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    worker.call("snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    assert len([r for r in _requests(worker, seen) if r["status"] == 400]) == 1


def test_fallback_rows_match_the_campaigns_and_the_account_spend(worker: Fleet) -> None:
    worker.call("snap.stats.pull", {"ad_account_id": EUR_AD_ACCOUNT_ID})
    with worker.runtime.session() as session:
        rows = list(
            session.scalars(select(DailyStat).where(DailyStat.ad_account_id == EUR_AD_ACCOUNT_ID))
        )
        session.expunge_all()
    totals = {r.day: r.spend_micro for r in rows if r.entity_type == "ad_account"}
    sums: dict[Any, int] = {}
    for r in rows:
        if r.entity_type == "campaign":
            sums[r.day] = sums.get(r.day, 0) + r.spend_micro
    assert totals and totals == sums
    calls = stats_requests(worker)
    assert all(c["query"].get("breakdown") != "adsquad" for c in calls)
