"""Hourly stats pulls through a real worker against the sandbox and PostgreSQL (DAY)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from storage.models.accounts import AdAccount
from storage.models.stats import DailyStat, HourlyStat
from tests.fleet import Fleet
from tests.integration.sync.conftest import add_campaign, advance_hours, stats_requests

LA = ZoneInfo("America/Los_Angeles")


def rows(fleet: Fleet, account: str = USD_AD_ACCOUNT_ID) -> list[DailyStat]:
    with fleet.runtime.session() as session:
        stmt = select(DailyStat).where(DailyStat.ad_account_id == account)
        found = list(session.scalars(stmt.order_by(DailyStat.entity_type, DailyStat.day)))
        session.expunge_all()
        return found


def count(fleet: Fleet) -> int:
    with fleet.runtime.session() as session:
        return session.scalar(select(func.count()).select_from(DailyStat)) or 0


def pull(fleet: Fleet, account: str = USD_AD_ACCOUNT_ID, **extra: Any) -> dict[str, Any]:
    result = fleet.call("snap.stats.pull", {"ad_account_id": account, **extra})
    assert result["status"] == "succeeded", result
    return result


def test_a_day_pull_stores_each_entity_per_local_day_in_one_call(worker: Fleet) -> None:
    result = pull(worker)
    # No finality marks yet: the lookback (3 days) through today, 4 local days, one call.
    stored = rows(worker)
    assert sorted({r.day for r in stored}) == [date(2026, 11, 13) + timedelta(d) for d in range(4)]
    assert {r.entity_type for r in stored} == {"ad_account", "campaign"}
    calls = stats_requests(worker)
    assert len(calls) == 1 and calls[0]["query"]["breakdown"] == "campaign"
    assert calls[0]["query"]["start_time"] == "2026-11-13T00:00:00.000-08:00"
    assert result["stats_mode"] == "account_breakdown" and result["api_calls"] == 1
    # The values are the sandbox's own local-day spend, with the attribution recorded.
    campaign = next(
        r for r in stored if r.entity_type == "campaign" and r.day == date(2026, 11, 15)
    )
    noon = datetime(2026, 11, 15, 12, tzinfo=LA)
    assert campaign.spend_micro == worker.sandbox.state.spent_micro(campaign.entity_id, day_of=noon)
    assert campaign.spend_micro > 0 and campaign.impressions > 0
    assert campaign.attribution == "swipe_up=28_DAY,view=1_DAY,report=conversion"
    assert campaign.spend_usd_micro == campaign.spend_micro and not campaign.fx_missing


def test_breakdown_rows_sum_to_the_account_totals(worker: Fleet) -> None:
    add_campaign(worker, USD_AD_ACCOUNT_ID, name="second")
    advance_hours(worker, 5)
    pull(worker)
    totals: dict[date, int] = {}
    sums: dict[date, int] = defaultdict(int)
    for row in rows(worker):
        if row.entity_type == "ad_account":
            totals[row.day] = row.spend_micro
        else:
            sums[row.day] += row.spend_micro
    assert len({r.entity_id for r in rows(worker) if r.entity_type == "campaign"}) == 2
    assert totals and totals == dict(sums)


def test_a_repull_overwrites_and_never_adds_rows(worker: Fleet) -> None:
    pull(worker)
    before = count(worker)
    advance_hours(worker, 1)
    pull(worker)
    assert count(worker) == before


def test_only_days_that_were_not_final_are_pulled_again(worker: Fleet) -> None:
    pull(worker)
    with worker.runtime.session() as session:
        account = session.get(AdAccount, USD_AD_ACCOUNT_ID)
        final_until = account.finalized_data_end_time
    # The sandbox finalises 48 h behind, to the local midnight: Nov 14, 00:00 in LA.
    assert final_until == datetime(2026, 11, 14, tzinfo=LA).astimezone(UTC)
    old = {r.day: r.pulled_at for r in rows(worker) if r.entity_type == "ad_account"}
    seen = len(worker.sandbox.state.requests())
    advance_hours(worker, 1)
    pull(worker)
    calls = stats_requests(worker, since=seen)
    assert [c["query"]["start_time"] for c in calls] == ["2026-11-14T00:00:00.000-08:00"]
    new = {r.day: r.pulled_at for r in rows(worker) if r.entity_type == "ad_account"}
    assert new[date(2026, 11, 13)] == old[date(2026, 11, 13)]  # final: not touched
    assert new[date(2026, 11, 14)] > old[date(2026, 11, 14)]


def test_a_campaign_untouched_for_months_still_gets_its_stats(worker: Fleet) -> None:
    ids = add_campaign(worker, USD_AD_ACCOUNT_ID, name="evergreen", edited_days_ago=200)
    advance_hours(worker, 3)
    pull(worker)
    mine = [r for r in rows(worker) if r.entity_id == ids["campaign"]]
    assert mine and sum(r.spend_micro for r in mine) > 0


def test_an_account_day_is_its_own_local_day_not_the_utc_day(worker: Fleet) -> None:
    # 03:30 UTC on Nov 17 is still Nov 16 in Los Angeles and already 04:30 Nov 17 in Paris.
    worker.sandbox.state.set_time(datetime(2026, 11, 17, 3, 30, tzinfo=UTC))
    pull(worker)
    pull(worker, EUR_AD_ACCOUNT_ID)
    la_days = {r.day for r in rows(worker)}
    paris_days = {r.day for r in rows(worker, EUR_AD_ACCOUNT_ID)}
    assert max(la_days) == date(2026, 11, 16)
    assert max(paris_days) == date(2026, 11, 17)
    starts = [c["query"]["start_time"] for c in stats_requests(worker)]
    assert starts == ["2026-11-13T00:00:00.000-08:00", "2026-11-14T00:00:00.000+01:00"]
    la_row = next(
        r for r in rows(worker) if r.entity_type == "campaign" and r.day == date(2026, 11, 16)
    )
    evening = datetime(2026, 11, 16, 18, tzinfo=LA)
    assert la_row.spend_micro == worker.sandbox.state.spent_micro(la_row.entity_id, day_of=evening)


def test_a_accounts_by_c_campaigns_cost_one_call_per_account(worker: Fleet) -> None:
    for account in (USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID):
        for n in range(3):
            add_campaign(worker, account, name=f"extra {n}")
    advance_hours(worker, 1)
    seen = len(worker.sandbox.state.requests())
    for account in (USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID):
        pull(worker, account)
    calls = stats_requests(worker, since=seen)
    # The minimal plan: one breakdown call per account per window, whatever C is.
    assert len(calls) == 2
    with worker.runtime.session() as session:
        stmt = select(func.count(func.distinct(DailyStat.entity_id))).where(
            DailyStat.entity_type == "campaign"
        )
        assert session.scalar(stmt) == 2 * (1 + 3)


def test_a_custom_range_or_one_campaign_leaves_the_account_marks_alone(worker: Fleet) -> None:
    campaign = worker.sandbox.state.store.children("campaigns", "adaccounts", USD_AD_ACCOUNT_ID)[0]
    pull(worker, start_date="2026-11-05", end_date="2026-11-06")
    pull(worker, campaign_id=campaign.entity["id"])
    calls = stats_requests(worker)
    assert calls[0]["query"]["start_time"] == "2026-11-05T00:00:00.000-08:00"
    assert calls[0]["query"]["end_time"] == "2026-11-07T00:00:00.000-08:00"
    assert calls[1]["path"] == f"/v1/campaigns/{campaign.entity['id']}/stats"
    with worker.runtime.session() as session:
        account = session.get(AdAccount, USD_AD_ACCOUNT_ID)
        assert account.last_synced_at is None and account.finalized_data_end_time is None
    assert {r.day for r in rows(worker) if r.entity_type == "ad_account"} == {
        date(2026, 11, 5),
        date(2026, 11, 6),
    }


def test_an_on_demand_hour_pull_leaves_the_day_marks_alone(worker: Fleet) -> None:
    # A DAY pull leaves Nov 14 (LA) as the first day that is not final.
    pull(worker)
    advance_hours(worker, 24)
    # An HOUR pull asked for by hand stores hourly rows only: the DAY rows of Nov 14 and
    # 15 are still the provisional ones, so the next DAY pull must start at Nov 14 again,
    # not at the mark the HOUR answer carried (Nov 15, now final in that answer).
    pull(worker, granularity="HOUR")
    seen = len(worker.sandbox.state.requests())
    pull(worker)
    calls = stats_requests(worker, since=seen)
    assert [c["query"]["start_time"] for c in calls] == ["2026-11-14T00:00:00.000-08:00"]


def test_a_campaign_of_another_account_is_refused_not_stored_in_the_wrong_currency(
    worker: Fleet,
) -> None:
    state = worker.sandbox.state
    euro_campaign = state.store.children("campaigns", "adaccounts", EUR_AD_ACCOUNT_ID)[0]
    advance_hours(worker, 2)
    # HOUR windows are whole hours in Paris and in Los Angeles alike, so Snap answers: the
    # EUR spend would be stored under the USD account, as USD at a rate of 1.
    result = worker.call(
        "snap.stats.pull",
        {
            "ad_account_id": USD_AD_ACCOUNT_ID,
            "campaign_id": euro_campaign.entity["id"],
            "granularity": "HOUR",
        },
    )
    assert result["status"] == "failed" and result["code"] == "validation", result
    assert "campaign_id" in result["message"]
    with worker.runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(HourlyStat)) == 0


def test_finality_marks_are_kept_per_attribution_setting(worker: Fleet) -> None:
    # Given a pull under the default setting (28-day swipe-up) marked Nov 13 final
    pull(worker)
    default = rows(worker)[0].attribution
    # When the fleet is set to another attribution setting and pulls again
    settings = worker.runtime.settings
    worker.runtime.settings = settings.model_copy(
        update={"snapfleet_swipe_up_attribution_window": "7_DAY"}
    )
    try:
        seen = len(worker.sandbox.state.requests())
        advance_hours(worker, 1)
        pull(worker)
        calls = stats_requests(worker, since=seen)
        # Then the other setting's marks did not shorten it: its whole lookback is pulled
        assert [c["query"]["start_time"] for c in calls] == ["2026-11-13T00:00:00.000-08:00"]
        assert calls[0]["query"]["swipe_up_attribution_window"] == "7_DAY"
        seven = {r.day for r in rows(worker) if r.attribution != default}
        assert date(2026, 11, 13) in seven
        # And back under the first setting, its own marks still hold
        worker.runtime.settings = settings
        seen = len(worker.sandbox.state.requests())
        advance_hours(worker, 1)
        pull(worker)
        calls = stats_requests(worker, since=seen)
        assert [c["query"]["start_time"] for c in calls] == ["2026-11-14T00:00:00.000-08:00"]
    finally:
        worker.runtime.settings = settings
