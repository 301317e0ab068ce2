"""Ad squad rules of seed 004 (and seed 002's smart budgets and HCE), sent as the seed's
curl examples send them."""

from __future__ import annotations

import pytest

from tests.unit.sandbox.conftest import (
    EUR,
    START,
    USD,
    ad_squad,
    created,
    error,
    make_campaign,
    make_squad,
    post,
    put,
)


def refused(api, campaign_id: str, **over) -> str:
    response = post(
        api, f"/campaigns/{campaign_id}/adsquads", "adsquads", ad_squad(campaign_id, **over)
    )
    return error(response, 400)["debug_message"]


def accepted(api, campaign_id: str, **over) -> dict:
    response = post(
        api, f"/campaigns/{campaign_id}/adsquads", "adsquads", ad_squad(campaign_id, **over)
    )
    return created(response, "adsquads", "adsquad")


def test_one_of_daily_or_lifetime_budget(api):
    campaign_id = make_campaign(api)
    assert "budget" in refused(api, campaign_id, daily_budget_micro=None)
    both = refused(
        api, campaign_id, lifetime_budget_micro=9_000_000_000, end_time="2026-12-01T00:00:00Z"
    )
    assert "budget" in both


def test_daily_budget_minimum(api):
    campaign_id = make_campaign(api)
    assert "daily_budget_micro" in refused(api, campaign_id, daily_budget_micro=4_999_999)
    assert (
        accepted(api, campaign_id, daily_budget_micro=5_000_000)["daily_budget_micro"] == 5_000_000
    )


@pytest.mark.parametrize(
    ("account", "low", "high"), [(USD, 10_000, 500_000_000), (EUR, 10_000, 100_000_000)]
)
def test_bid_micro_bounds_follow_the_account_currency(api, account, low, high):
    campaign_id = make_campaign(api, account)
    assert accepted(api, campaign_id, bid_micro=high)["bid_micro"] == high
    assert "bid_micro" in refused(api, campaign_id, bid_micro=high + 1)
    assert "bid_micro" in refused(api, campaign_id, bid_micro=low - 1)


def test_bid_strategy_to_optimization_goal(api):
    campaign_id = make_campaign(api)
    message = refused(
        api,
        campaign_id,
        bid_strategy="MIN_ROAS",
        optimization_goal="IMPRESSIONS",
        roas_value_micro=1_000_000,
        bid_micro=None,
    )
    assert "optimization_goal" in message


def test_roas_value_micro_required_and_bounded(api):
    campaign_id = make_campaign(api)
    base = {"bid_strategy": "MIN_ROAS", "optimization_goal": "APP_PURCHASE", "bid_micro": None}
    assert "roas_value_micro" in refused(api, campaign_id, **base)
    assert "roas_value_micro" in refused(api, campaign_id, **base, roas_value_micro=9_999)
    assert "roas_value_micro" in refused(api, campaign_id, **base, roas_value_micro=100_000_001)
    assert accepted(api, campaign_id, **base, roas_value_micro=10_000)["roas_value_micro"] == 10_000


def test_accelerated_pacing_rules(api):
    campaign_id = make_campaign(api)
    message = refused(
        api, campaign_id, pacing_type="ACCELERATED", bid_strategy="AUTO_BID", bid_micro=None
    )
    assert "pacing_type" in message or "bid_strategy" in message
    assert accepted(api, campaign_id, pacing_type="ACCELERATED")["pacing_type"] == "ACCELERATED"


def test_ad_scheduling_needs_a_lifetime_budget(api):
    campaign_id = make_campaign(api)
    schedule = {"monday": {"hour_of_day": [9, 10]}}
    assert "ad_scheduling_config" in refused(api, campaign_id, ad_scheduling_config=schedule)


def smart_campaign(api) -> str:
    """seed 002 Smart Budgets example 1: pacing_level CAMPAIGN with shared_properties."""
    return make_campaign(
        api,
        pacing_level="CAMPAIGN",
        daily_budget_micro=100_000_000,
        shared_properties={
            "shared_optimization_goal": "IMPRESSIONS",
            "shared_ad_squad_bid_strategy": "LOWEST_COST_WITH_MAX_BID",
        },
    )


def test_smart_budget_ad_squads_mirror_the_stored_campaign(api):
    campaign_id = smart_campaign(api)
    assert accepted(api, campaign_id)["optimization_goal"] == "IMPRESSIONS"
    assert "optimization_goal" in refused(api, campaign_id, optimization_goal="SWIPES")
    assert "bid_strategy" in refused(api, campaign_id, bid_strategy="AUTO_BID", bid_micro=None)


def test_smart_budget_forbids_lifetime_budgets(api):
    campaign_id = smart_campaign(api)
    message = refused(
        api,
        campaign_id,
        daily_budget_micro=None,
        lifetime_budget_micro=9_000_000_000,
        end_time="2026-12-01T00:00:00Z",
    )
    assert "lifetime_budget_micro" in message


def test_hce_campaigns_restrict_optimization_goals(api):
    campaign_id = make_campaign(api, regulations={"restricted_delivery_signals": True})
    assert "optimization_goal" in refused(
        api,
        campaign_id,
        optimization_goal="PIXEL_PURCHASE",
        bid_strategy="AUTO_BID",
        bid_micro=None,
        pixel_id="5eda10b7-a5fe-4ac6-80f4-417e68d748fb",
    )
    assert accepted(api, campaign_id, optimization_goal="SWIPES")["optimization_goal"] == "SWIPES"


def test_updates_carrying_auto_bid_or_target_bid_are_refused(api):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id)
    item = ad_squad(campaign_id, id=squad_id, auto_bid=True)
    body = error(put(api, f"/campaigns/{campaign_id}/adsquads", "adsquads", item), 400)
    assert "auto_bid" in body["debug_message"]
    item = ad_squad(campaign_id, id=squad_id, target_bid=False)
    assert (
        "target_bid"
        in error(put(api, f"/campaigns/{campaign_id}/adsquads", "adsquads", item), 400)[
            "debug_message"
        ]
    )


def test_start_time_of_a_running_ad_squad_cannot_change(api):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id)  # started 2026-11-01, the clock is 2026-11-02
    item = ad_squad(campaign_id, id=squad_id, start_time="2026-11-10T00:00:00.000Z")
    body = error(put(api, f"/campaigns/{campaign_id}/adsquads", "adsquads", item), 400)
    assert body["error_code"] == "E2023" and "start_time" in body["debug_message"]


def test_start_time_in_the_future_can_change(api):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id, start_time="2026-11-20T00:00:00.000Z")
    item = ad_squad(campaign_id, id=squad_id, start_time="2026-11-21T00:00:00.000Z", name="moved")
    response = put(api, f"/campaigns/{campaign_id}/adsquads", "adsquads", item)
    assert created(response, "adsquads", "adsquad")["start_time"] == "2026-11-21T00:00:00.000Z"
    assert START.isoformat() < "2026-11-21"
