"""The polling plan's reads still report every class of event once, with fewer calls.

Each test baselines an account with the plan's full listing, makes one change on the
sandbox, then runs only the read the plan would run next (the ads listing for caps,
rejections and deletions; the organization listing for the account's status), and
checks the event is reported once, by the read the plan relies on for it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from snap.sandbox.seed import ORGANIZATION_ID, USD_AD_ACCOUNT_ID
from storage.models.events import Event
from tests.fleet import Fleet
from worker.sync import plan, planned


def events(fleet: Fleet, kind: str | None = None) -> list[tuple[str, str, str]]:
    with fleet.runtime.session() as session:
        stmt = select(Event.kind, Event.entity_type, Event.entity_id).order_by(Event.id)
        if kind:
            stmt = stmt.where(Event.kind == kind)
        return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


def ids_of(fleet: Fleet, kind: str) -> list[str]:
    state = fleet.sandbox.state
    return [r.entity["id"] for r in state.store.children(kind, "adaccounts", USD_AD_ACCOUNT_ID)]


def read(fleet: Fleet, *reads: str) -> dict[str, Any]:
    now = fleet.sandbox.clock.now()
    return planned.detect_planned(fleet.runtime, USD_AD_ACCOUNT_ID, reads, now=now)


def statuses(fleet: Fleet) -> dict[str, Any]:
    now = fleet.sandbox.clock.now()
    return planned.detect_statuses(fleet.runtime, ORGANIZATION_ID, now=now)


def test_an_unchanged_account_costs_one_call_and_reports_nothing(synced: Fleet) -> None:
    assert read(synced, "entities")["api_calls"] == 3
    again = read(synced, "ads")
    assert again["api_calls"] == 1 and again["reads"] == ["ads"] and again["events"] == 0


def test_a_rejection_is_seen_by_the_ads_listing_once(synced: Fleet) -> None:
    ad = ids_of(synced, "ads")[0]
    read(synced, "entities")
    synced.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])
    first = read(synced, "ads")
    assert first["events"] == 1
    assert read(synced, "ads")["events"] == 0
    assert events(synced) == [("ad_disapproved", "ad", ad)]


def test_a_daily_cap_of_an_ad_squad_widens_the_ads_read_and_is_reported_once(
    synced: Fleet,
) -> None:
    squad = ids_of(synced, "adsquads")[0]
    read(synced, "entities")
    synced.sandbox.state.exhaust_cap(squad, "daily")
    # The cap shows on the squad's ads (INVALID_NOT_EFFECTIVE_ACTIVE): the same run lists
    # the campaigns and ad squads, and reports the cap on the squad that hit it.
    widened = read(synced, "ads")
    assert widened["reads"] == ["ads", "adsquads", "campaigns"]
    assert widened["api_calls"] == 3
    assert read(synced, "ads")["events"] == 0
    assert events(synced, "daily_cap_hit") == [("daily_cap_hit", "ad_squad", squad)]


def test_a_lifetime_cap_of_a_campaign_is_reported_once(synced: Fleet) -> None:
    campaign = ids_of(synced, "campaigns")[0]
    record = synced.sandbox.state.store.get("campaigns", campaign)
    record.entity["lifetime_spend_cap_micro"] = (
        synced.sandbox.state.spent_micro(campaign) + 5_000_000
    )
    read(synced, "entities")
    synced.sandbox.state.exhaust_cap(campaign, "lifetime")
    read(synced, "ads")
    read(synced, "ads")
    assert events(synced, "lifetime_cap_hit") == [("lifetime_cap_hit", "campaign", campaign)]


def test_deletions_outside_the_fleet_are_seen_from_the_ads_listing(synced: Fleet) -> None:
    state = synced.sandbox.state
    ad = ids_of(synced, "ads")[1]
    read(synced, "entities")
    # An ad deleted: absent from the listing. A campaign deleted: its ads show it.
    state.store.get("ads", ad).deleted_at = state.now()
    campaign = ids_of(synced, "campaigns")[0]
    state.store.get("campaigns", campaign).deleted_at = state.now()
    read(synced, "ads")
    read(synced, "ads")
    gone = Counter((kind, entity_type) for kind, entity_type, _ in events(synced, "entity_deleted"))
    assert gone[("entity_deleted", "ad")] == 1
    assert ("entity_deleted", "campaign", campaign) in events(synced, "entity_deleted")
    assert len(events(synced, "entity_deleted")) == len(set(events(synced, "entity_deleted")))


def test_suspension_and_reinstatement_come_from_one_organization_listing(synced: Fleet) -> None:
    first = statuses(synced)
    assert first["status"] == "succeeded" and first["api_calls"] == 1
    assert first["accounts"] == 2  # both sandbox accounts, one call
    synced.sandbox.state.suspend_ad_account(USD_AD_ACCOUNT_ID)
    statuses(synced)
    statuses(synced)
    synced.sandbox.state.reinstate_ad_account(USD_AD_ACCOUNT_ID)
    statuses(synced)
    statuses(synced)
    assert [e[0] for e in events(synced) if e[1] == "ad_account"] == [
        "account_suspended",
        "account_reinstated",
    ]


def test_the_plan_reads_in_the_sync_lane(synced: Fleet) -> None:
    gate = synced.runtime.gate
    read(synced, "entities")
    account = synced.runtime.account(USD_AD_ACCOUNT_ID)
    sync_key = gate.keys(account.client_id, USD_AD_ACCOUNT_ID, lane="sync")[1]
    mutation_key = gate.keys(account.client_id, USD_AD_ACCOUNT_ID, lane="mutation")[1]
    assert gate.redis.zcard(sync_key) >= 3
    assert gate.redis.zcard(mutation_key) == 0


def test_a_plan_tick_reads_everything_first_then_only_what_is_due(
    synced: Fleet, redis_client: Any
) -> None:
    redis = synced.runtime.gate.redis
    redis.delete(plan.LAST_TICK_KEY, plan.BUDGET_KEY)
    now = synced.sandbox.clock.now()
    first = plan.run_tick(synced.runtime, redis, now)
    assert set(first.reads) >= {USD_AD_ACCOUNT_ID} and first.statuses == [ORGANIZATION_ID]
    assert all(r == ("entities",) for r in first.reads.values())
    # One tick later, at most what crossed its boundary in that minute.
    later = plan.run_tick(synced.runtime, redis, now + timedelta(seconds=60))
    assert len(later.reads) <= len(first.reads)
    # The budget is published for `snapfleet status` and the exporter.
    published = plan.last_budget(redis)
    assert published is not None and published.polling_per_h == later.budget.polling_per_h
    assert sum(published.accounts.values()) == len(first.tiers)
