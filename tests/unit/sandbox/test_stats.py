"""Stats (Snap facts 7-9) and delivery over time: time-range rules, consistency between
granularities and breakdowns, finalisation, conversion trickle, caps."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from snap.sandbox import Sandbox
from tests.unit.sandbox.conftest import (
    EUR,
    START,
    TOKEN,
    USD,
    campaign,
    error,
    make_ad,
    make_campaign,
    make_creative,
    make_squad,
    put,
)

DAY_FIELDS = (
    "spend,impressions,swipes,view_completion,conversion_purchases,conversion_purchases_value"
)


@pytest.fixture
def delivering(sb, api):
    """One campaign, two ad squads with two and one ads, delivering for three days."""
    campaign_id = make_campaign(api)
    squads = [make_squad(api, campaign_id, daily_budget_micro=b) for b in (50_000_000, 20_000_000)]
    ads = [make_ad(api, squads[0], make_creative(api)) for _ in range(2)]
    ads.append(make_ad(api, squads[1], make_creative(api)))
    sb.state.advance(3 * 24 * 3600)
    return {"campaign": campaign_id, "squads": squads, "ads": ads}


def stats(api, path: str, **params) -> dict:
    response = api.get(f"{path}/stats", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["request_status"] == "SUCCESS"
    key = next(k for k in body if k.endswith("_stats"))
    return body[key][0][key[:-1]]


def day_window(days: int = 2) -> dict[str, str]:
    # START + 3 days = 2026-11-05 12:00 in Los Angeles (PST, -08:00).
    return {
        "start_time": "2026-11-03T00:00:00-08:00",
        "end_time": (f"2026-11-0{3 + days}T00:00:00-08:00"),
    }


def test_day_start_must_be_midnight_in_the_account_time_zone(delivering, api):
    params = {
        "granularity": "DAY",
        "fields": "spend",
        "start_time": "2026-11-03T00:00:00Z",
        "end_time": "2026-11-04T08:00:00Z",
    }
    body = error(api.get(f"/campaigns/{delivering['campaign']}/stats", params=params), 400)
    assert body["debug_message"].startswith(
        "Unsupported Stats Query: Timeseries queries with DAY granularity must have a start time "
        "that is the start of day (00:00:00) for the account's timezone."
    )


def test_times_must_be_whole_hours(delivering, api):
    params = {
        "granularity": "HOUR",
        "fields": "spend",
        "start_time": "2026-11-03T00:30:00-08:00",
        "end_time": "2026-11-03T05:00:00-08:00",
    }
    assert (
        "whole hours"
        in error(api.get(f"/campaigns/{delivering['campaign']}/stats", params=params), 400)[
            "debug_message"
        ]
    )


@pytest.mark.parametrize(("granularity", "days"), [("DAY", 32), ("HOUR", 7)])
def test_range_limits(delivering, api, granularity, days):
    start = datetime(2026, 9, 1, tzinfo=ZoneInfo("America/Los_Angeles"))
    params = {
        "granularity": granularity,
        "fields": "spend",
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(days=days, hours=1)).isoformat(),
    }
    body = error(api.get(f"/campaigns/{delivering['campaign']}/stats", params=params), 400)
    assert "more than" in body["debug_message"]
    params["end_time"] = (start + timedelta(days=days)).isoformat()
    assert api.get(f"/campaigns/{delivering['campaign']}/stats", params=params).status_code == 200


def test_ad_account_stats_without_breakdown_allow_only_spend(delivering, api):
    window = {"granularity": "DAY", **day_window()}
    assert (
        "spend"
        in error(
            api.get(f"/adaccounts/{USD}/stats", params={**window, "fields": "spend,impressions"}),
            400,
        )["debug_message"]
    )
    assert (
        stats(api, f"/adaccounts/{USD}", **window, fields="spend")["timeseries"][0]["stats"][
            "spend"
        ]
        > 0
    )


def test_hour_refuses_uniques_and_unknown_fields_are_refused(delivering, api):
    window = {
        "granularity": "HOUR",
        "start_time": "2026-11-04T00:00:00-08:00",
        "end_time": "2026-11-04T05:00:00-08:00",
    }
    path = f"/campaigns/{delivering['campaign']}/stats"
    assert (
        "uniques"
        in error(api.get(path, params={**window, "fields": "spend,uniques"}), 400)["debug_message"]
    )
    assert (
        "conversion_signups"
        in error(api.get(path, params={**window, "fields": "conversion_signups"}), 400)[
            "debug_message"
        ]
    )


def test_day_is_the_sum_of_its_hours(delivering, api):
    path = f"/campaigns/{delivering['campaign']}"
    day = stats(api, path, granularity="DAY", fields=DAY_FIELDS, **day_window(1))["timeseries"][0][
        "stats"
    ]
    hours = stats(api, path, granularity="HOUR", fields=DAY_FIELDS, **day_window(1))["timeseries"]
    assert len(hours) == 24
    assert day["spend"] > 0
    for field in DAY_FIELDS.split(","):
        assert day[field] == sum(h["stats"][field] for h in hours)


def test_breakdown_rows_sum_to_the_total(delivering, api):
    for path, breakdown in (
        (f"/adaccounts/{USD}", "campaign"),
        (f"/campaigns/{delivering['campaign']}", "adsquad"),
        (f"/campaigns/{delivering['campaign']}", "ad"),
        (f"/adsquads/{delivering['squads'][0]}", "ad"),
    ):
        stat = stats(api, path, granularity="TOTAL", fields=DAY_FIELDS, breakdown=breakdown)
        rows = stat["breakdown_stats"][breakdown]
        assert rows and stat["stats"]["spend"] > 0
        for field in DAY_FIELDS.split(","):
            assert stat["stats"][field] == sum(r["stats"][field] for r in rows)


def test_total_is_the_sum_of_days(delivering, api):
    path = f"/ads/{delivering['ads'][0]}"
    days = stats(api, path, granularity="DAY", fields="spend,impressions", **day_window(2))[
        "timeseries"
    ]
    total = stats(api, path, granularity="TOTAL", fields="spend,impressions", **day_window(2))[
        "stats"
    ]
    assert total["spend"] == sum(d["stats"]["spend"] for d in days) > 0


def test_account_breakdown_can_be_refused_for_the_fallback(api):
    with Sandbox(token=TOKEN, start_time=START, refuse_account_breakdown=True) as strict:
        import httpx

        client = httpx.Client(
            base_url=strict.base_url,
            transport=strict.transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        params = {"granularity": "TOTAL", "fields": "spend", "breakdown": "campaign"}
        assert (
            "breakdown"
            in error(client.get(f"/adaccounts/{USD}/stats", params=params), 400)["debug_message"]
        )
        campaign_id = make_campaign(client)
        assert (
            client.get(
                f"/campaigns/{campaign_id}/stats", params={**params, "breakdown": "adsquad"}
            ).status_code
            == 200
        )


def test_finalized_end_time_is_48h_behind_at_local_midnight(delivering, api):
    stat = stats(
        api,
        f"/campaigns/{delivering['campaign']}",
        granularity="DAY",
        fields="spend",
        **day_window(),
    )
    # now = 2026-11-05T12:00-08:00; minus 48 h = 2026-11-03T12:00 -> midnight 2026-11-03.
    assert stat["finalized_data_end_time"] == "2026-11-03T00:00:00.000-08:00"
    assert stat["conversion_data_processed_end_time"].endswith("Z")


def test_recent_conversions_trickle_in_but_finalized_days_do_not_change(sb, delivering, api):
    path = f"/campaigns/{delivering['campaign']}"
    window = {
        "granularity": "HOUR",
        "fields": "conversion_purchases,spend",
        "start_time": "2026-11-04T20:00:00-08:00",
        "end_time": "2026-11-05T12:00:00-08:00",
    }
    before = stats(api, path, **window)["timeseries"]
    old = stats(
        api,
        path,
        granularity="DAY",
        fields=DAY_FIELDS,
        start_time="2026-11-01T00:00:00-07:00",
        end_time="2026-11-03T00:00:00-08:00",
    )
    sb.state.advance(2 * 24 * 3600)
    after = stats(api, path, **window)["timeseries"]
    assert [h["stats"]["spend"] for h in before] == [h["stats"]["spend"] for h in after]
    gained = sum(
        a["stats"]["conversion_purchases"] - b["stats"]["conversion_purchases"]
        for a, b in zip(after, before, strict=True)
    )
    assert gained > 0
    assert all(
        a["stats"]["conversion_purchases"] >= b["stats"]["conversion_purchases"]
        for a, b in zip(after, before, strict=True)
    )
    again = stats(
        api,
        path,
        granularity="DAY",
        fields=DAY_FIELDS,
        start_time="2026-11-01T00:00:00-07:00",
        end_time="2026-11-03T00:00:00-08:00",
    )
    assert again["timeseries"] == old["timeseries"]


def test_daily_spend_never_exceeds_the_daily_budget(delivering, api):
    squad = delivering["squads"][1]
    days = stats(api, f"/adsquads/{squad}", granularity="DAY", fields="spend", **day_window(2))[
        "timeseries"
    ]
    assert all(0 < d["stats"]["spend"] <= 20_000_000 for d in days)


def test_exhausted_daily_cap_shows_in_delivery_status_for_the_rest_of_the_local_day(
    sb, delivering, api
):
    squad = delivering["squads"][0]
    sb.state.exhaust_cap(squad, "daily")
    body = api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"]
    assert body["status"] == "ACTIVE"
    assert "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND" in body["delivery_status"]
    assert sb.state.spent_micro(squad, day_of=sb.clock.now()) == 50_000_000
    sb.state.advance(6 * 3600)  # 18:00 in Los Angeles: same local day
    body = api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"]
    assert "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND" in body["delivery_status"]
    ad = api.get(f"/ads/{delivering['ads'][0]}").json()["ads"][0]["ad"]
    assert "INVALID_NOT_EFFECTIVE_ACTIVE" in ad["delivery_status"]
    sb.state.advance_to_next_local_day(USD)
    body = api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"]
    assert "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND" not in body["delivery_status"]


def test_exhausted_lifetime_cap(sb, api):
    campaign_id = make_campaign(api)
    squad = make_squad(
        api,
        campaign_id,
        daily_budget_micro=None,
        lifetime_budget_micro=200_000_000,
        end_time="2026-12-01T00:00:00Z",
    )
    make_ad(api, squad, make_creative(api))
    sb.state.exhaust_cap(squad, "lifetime")
    body = api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"]
    assert "INVALID_OVER_BUDGET_AD_SQUAD_REALTIME_LIFETIME_SPEND" in body["delivery_status"]
    sb.state.advance(24 * 3600)
    assert sb.state.spent_micro(squad) == 200_000_000


def test_lifetime_spend_cap_cannot_drop_below_1_1x_spent(sb, delivering, api):
    campaign_id = delivering["campaign"]
    spent = sb.state.spent_micro(campaign_id)
    assert spent > 0
    low = campaign(id=campaign_id, lifetime_spend_cap_micro=int(spent * 1.1) - 1)
    body = error(put(api, f"/adaccounts/{USD}/campaigns", "campaigns", low), 400)
    assert "lifetime_spend_cap_micro" in body["debug_message"] and "1.1" in body["debug_message"]
    ok = campaign(id=campaign_id, lifetime_spend_cap_micro=int(spent * 1.1) + 1)
    assert put(api, f"/adaccounts/{USD}/campaigns", "campaigns", ok).status_code == 200


def test_eur_account_spends_in_its_own_time_zone(sb, api):
    campaign_id = make_campaign(api, EUR)
    squad = make_squad(api, campaign_id, bid_micro=100_000)
    make_ad(api, squad, make_creative(api, EUR))
    sb.state.advance(2 * 24 * 3600)
    stat = stats(
        api,
        f"/campaigns/{campaign_id}",
        granularity="DAY",
        fields="spend",
        start_time="2026-11-03T00:00:00+01:00",
        end_time="2026-11-04T00:00:00+01:00",
    )
    assert stat["timeseries"][0]["start_time"] == "2026-11-03T00:00:00.000+01:00"
    assert stat["timeseries"][0]["stats"]["spend"] > 0
    assert START + timedelta(days=2) == sb.clock.now()


def test_stats_limit_must_be_50_to_1000(delivering, api):
    params = {"granularity": "TOTAL", "fields": "spend", "breakdown": "ad", "limit": "10"}
    assert (
        "limit"
        in error(api.get(f"/campaigns/{delivering['campaign']}/stats", params=params), 400)[
            "debug_message"
        ]
    )
    params["limit"] = "50"
    assert api.get(f"/campaigns/{delivering['campaign']}/stats", params=params).status_code == 200


def test_dst_day_has_25_hours_and_equals_their_sum():
    import httpx

    with Sandbox(token=TOKEN, start_time=START, seed="demo") as demo:
        api = httpx.Client(
            base_url=demo.base_url,
            transport=demo.transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        window = {
            "start_time": "2026-11-01T00:00:00-07:00",
            "end_time": "2026-11-02T00:00:00-08:00",
            "fields": "spend,impressions,conversion_purchases",
        }
        campaigns = api.get(f"/adaccounts/{USD}/campaigns").json()["campaigns"]
        path = f"/campaigns/{campaigns[0]['campaign']['id']}"
        day = stats(api, path, granularity="DAY", **window)["timeseries"]
        hours = stats(api, path, granularity="HOUR", **window)["timeseries"]
        assert len(day) == 1 and len(hours) == 25
        for field in ("spend", "impressions", "conversion_purchases"):
            assert day[0]["stats"][field] == sum(h["stats"][field] for h in hours)
        assert day[0]["stats"]["spend"] > 0


def test_lifetime_granularity_answers_lifetime_stats(delivering, api):
    response = api.get(
        f"/ads/{delivering['ads'][0]}/stats", params={"granularity": "LIFETIME", "fields": "spend"}
    )
    stat = response.json()["lifetime_stats"][0]["lifetime_stat"]
    assert stat["granularity"] == "LIFETIME" and stat["stats"]["spend"] > 0


def test_new_ads_wait_for_review_before_delivering():
    import httpx

    with Sandbox(token=TOKEN, start_time=START, review_delay_s=900) as slow:
        api = httpx.Client(
            base_url=slow.base_url,
            transport=slow.transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        ad_id = make_ad(api, make_squad(api, make_campaign(api)), make_creative(api))
        ad = api.get(f"/ads/{ad_id}").json()["ads"][0]["ad"]
        assert (
            ad["review_status"] == "PENDING"
            and "INVALID_PENDING_REVIEW_STATUS" in ad["delivery_status"]
        )
        slow.state.advance(900)
        ad = api.get(f"/ads/{ad_id}").json()["ads"][0]["ad"]
        assert ad["review_status"] == "APPROVED" and ad["delivery_status"] == ["VALID"]


def test_paused_or_suspended_entities_stop_spending(sb, delivering, api):
    squad = delivering["squads"][1]
    item = {**api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"], "status": "PAUSED"}
    for read_only in ("delivery_status", "created_at", "updated_at"):
        item.pop(read_only)
    assert (
        put(api, f"/campaigns/{delivering['campaign']}/adsquads", "adsquads", item).status_code
        == 200
    )
    before = sb.state.spent_micro(squad)
    sb.state.suspend_ad_account(USD)
    account_before = sb.state.spent_micro(USD)
    sb.state.advance(24 * 3600)
    assert sb.state.spent_micro(squad) == before
    assert sb.state.spent_micro(USD) == account_before
    body = api.get(f"/adsquads/{squad}").json()["adsquads"][0]["adsquad"]
    assert "INVALID_NOT_ACTIVE" in body["delivery_status"]
