"""Detection through a real worker: each transition once, delivered to the runner's queue."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from snap.sandbox.seed import USD_AD_ACCOUNT_ID
from storage.models.events import Event
from tests.fleet import Fleet
from worker.sync import events as delivery


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {
        "snapfleet_stats_lookback_days": 1,
        "snapfleet_stats_breakdown_levels": "campaign,adsquad",
    }


def detect(fleet: Fleet, account: str = USD_AD_ACCOUNT_ID) -> dict[str, Any]:
    result = fleet.call("snap.detect.run", {"ad_account_ids": [account]})
    assert result["status"] == "succeeded", result
    return result


def events(fleet: Fleet, kind: str | None = None) -> list[Event]:
    with fleet.runtime.session() as session:
        stmt = select(Event).order_by(Event.id)
        if kind:
            stmt = stmt.where(Event.kind == kind)
        found = list(session.scalars(stmt))
        session.expunge_all()
    return found


def ids_of(fleet: Fleet, kind: str) -> list[str]:
    state = fleet.sandbox.state
    return [r.entity["id"] for r in state.store.children(kind, "adaccounts", USD_AD_ACCOUNT_ID)]


def test_the_first_sync_is_a_baseline_not_a_burst_of_events(worker: Fleet) -> None:
    result = detect(worker)
    assert result["events"] == 0 and result["entities"] == 1 + 2 + 2
    assert result["api_calls"] == 4


def test_a_rejected_ad_is_one_event_and_its_approval_a_second(worker: Fleet) -> None:
    ad = ids_of(worker, "ads")[0]
    detect(worker)
    worker.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])
    assert detect(worker)["events"] == 1
    assert detect(worker)["events"] == 0  # the next sync repeats nothing
    rejected = events(worker, "ad_disapproved")
    assert len(rejected) == 1 and rejected[0].entity_id == ad
    assert rejected[0].after == {
        "review_status": "REJECTED",
        "review_status_reasons": ["Misleading claims"],
    }
    worker.sandbox.state.set_review_status(ad, "APPROVED")
    detect(worker)
    detect(worker)
    assert [e.kind for e in events(worker)] == ["ad_disapproved", "ad_approved"]


def test_a_daily_cap_hit_is_detected_once_and_confirmed_by_spend(worker: Fleet) -> None:
    squad = ids_of(worker, "adsquads")[0]
    detect(worker)
    worker.sandbox.state.exhaust_cap(squad, "daily")
    assert (
        worker.call("snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})["status"]
        == "succeeded"
    )
    detect(worker)
    detect(worker)
    hits = events(worker, "daily_cap_hit")
    assert len(hits) == 1 and hits[0].entity_id == squad and hits[0].entity_type == "ad_squad"
    after = hits[0].after
    assert after["codes"] == ["INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"]
    assert after["confirmed_by_spend"] is True
    assert after["spend_today_micro"] >= after["daily_budget_micro"] == 50_000_000


def test_a_lifetime_cap_hit_is_detected_once(worker: Fleet) -> None:
    campaign = ids_of(worker, "campaigns")[0]
    record = worker.sandbox.state.store.get("campaigns", campaign)
    record.entity["lifetime_spend_cap_micro"] = (
        worker.sandbox.state.spent_micro(campaign) + 5_000_000
    )
    detect(worker)
    worker.sandbox.state.exhaust_cap(campaign, "lifetime")
    detect(worker)
    detect(worker)
    hits = events(worker, "lifetime_cap_hit")
    assert [(e.entity_type, e.entity_id) for e in hits] == [("campaign", campaign)]
    assert hits[0].after["codes"] == ["INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND"]


def test_suspension_and_reinstatement_are_each_detected_once(worker: Fleet) -> None:
    detect(worker)
    worker.sandbox.state.suspend_ad_account(USD_AD_ACCOUNT_ID)
    detect(worker)
    detect(worker)
    worker.sandbox.state.reinstate_ad_account(USD_AD_ACCOUNT_ID)
    detect(worker)
    detect(worker)
    found = [(e.kind, e.after) for e in events(worker) if e.entity_type == "ad_account"]
    assert found == [
        ("account_suspended", {"status": "DISABLED"}),
        ("account_reinstated", {"status": "ACTIVE"}),
    ]


def test_an_entity_deleted_outside_the_fleet_is_one_event(worker: Fleet) -> None:
    ad = ids_of(worker, "ads")[1]
    detect(worker)
    worker.sandbox.state.store.get("ads", ad).deleted_at = worker.sandbox.state.now()
    detect(worker)
    detect(worker)
    gone = events(worker, "entity_deleted")
    assert [(e.entity_type, e.entity_id) for e in gone] == [("ad", ad)]


def test_events_reach_the_runner_queue_once_and_failed_sends_are_retried(
    synced: Fleet, redis_client: Any
) -> None:
    ad = ids_of(synced, "ads")[0]
    from worker.sync.entities import detect_account

    detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=synced.sandbox.clock.now())
    synced.sandbox.state.set_review_status(ad, "REJECTED", ["Prohibited content"])
    detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=synced.sandbox.clock.now())

    # Given a broker that fails once, the event stays pending and counts the attempt.
    real_send = synced.app.send_task
    synced.app.send_task = _failing  # type: ignore[method-assign]
    assert delivery.deliver_pending(synced.app, synced.runtime) == {"delivered": 0, "failed": 1}
    synced.app.send_task = real_send  # type: ignore[method-assign]
    (event,) = events(synced)
    assert event.delivered_at is None and event.delivery_attempts == 1
    # The next sweep delivers it; the one after sends nothing more.
    assert delivery.deliver_pending(synced.app, synced.runtime) == {"delivered": 1, "failed": 0}
    assert delivery.deliver_pending(synced.app, synced.runtime) == {"delivered": 0, "failed": 0}
    queued = [json.loads(m) for m in redis_client.lrange("growth", 0, -1)]
    runner = [m for m in queued if m["headers"]["task"] == "growth.snap_event"]
    assert len(runner) == 1 and runner[0]["headers"]["id"] == delivery.message_id(events(synced)[0])


def _failing(*args: Any, **kwargs: Any) -> Any:
    raise ConnectionError("broker unreachable")


def test_asking_for_a_webhook_gets_a_clear_error(worker: Fleet) -> None:
    result = worker.call("snap.webhook.register", {"url": "https://runner.example/hook"})
    assert result == {
        "status": "failed",
        "code": "webhooks_not_supported",
        "message": "webhooks not supported on snapchat_ads",
    }


def test_concurrent_detections_of_one_account_report_a_transition_once(synced: Fleet) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from worker.sync.entities import detect_account

    ad = ids_of(synced, "ads")[0]
    now = synced.sandbox.clock.now()
    detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=now)
    synced.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])

    # Each run reads its own clock (distinct observed times, so distinct transition keys):
    # only the account lock keeps the later runs from reporting the rejection again.
    def run(n: int) -> dict[str, Any]:
        return detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=now + timedelta(seconds=n))

    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(run, range(4)))
    assert sorted(r["events"] for r in runs) == [0, 0, 0, 1]
    assert len(events(synced, "ad_disapproved")) == 1


def test_an_entity_the_fleet_deleted_during_a_detection_is_no_deletion_event(
    worker: Fleet,
) -> None:
    from worker.sync.entities import apply_fresh, read_fresh

    ad = ids_of(worker, "ads")[1]
    detect(worker)
    runtime = worker.runtime
    account = runtime.account(USD_AD_ACCOUNT_ID)
    # A detection reads Snap's listings (the ad is still there)...
    with runtime.account_gate_scope(account):
        fresh = read_fresh(runtime.client(account.connection_id), USD_AD_ACCOUNT_ID)
    # ...meanwhile the fleet deletes the ad (Snap and the mirror say so)...
    deleted = worker.call("snap.ad.delete", {"ad_account_id": USD_AD_ACCOUNT_ID, "ad_id": ad})
    assert deleted["status"] == "succeeded", deleted
    # ...then the detection stores what it read, and the next one runs.
    with runtime.session() as session:
        apply_fresh(session, account, fresh, now=worker.sandbox.clock.now())
    detect(worker)
    assert events(worker, "entity_deleted") == []


def test_a_rejection_is_reported_even_when_the_fleet_edits_the_ad_before_the_next_sync(
    worker: Fleet,
) -> None:
    ad = ids_of(worker, "ads")[0]
    detect(worker)
    worker.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])
    # The runner pauses the ad before detection has run: the write's answer (the whole
    # ad, REJECTED included) lands in the mirror, which detection compares against.
    paused = worker.call("snap.ad.pause", {"ad_account_id": USD_AD_ACCOUNT_ID, "ad_id": ad})
    assert paused["status"] == "succeeded", paused
    detect(worker)
    detect(worker)
    assert [e.entity_id for e in events(worker, "ad_disapproved")] == [ad]


def test_a_suspension_is_reported_even_when_a_reconnect_read_the_account_first(
    worker: Fleet,
) -> None:
    from worker.connections.capture import capture_accounts

    detect(worker)
    worker.sandbox.state.suspend_ad_account(USD_AD_ACCOUNT_ID)
    # The operator reconnects (or re-captures) before detection runs: the captured
    # account, DISABLED already, must not become the state detection compares against.
    capture_accounts(worker.runtime, worker.connected.connection_id)
    detect(worker)
    detect(worker)
    found = [e.kind for e in events(worker) if e.entity_type == "ad_account"]
    assert found == ["account_suspended"]


def test_a_rejected_ad_approved_after_a_new_review_is_reported_approved_again(
    worker: Fleet,
) -> None:
    ad = ids_of(worker, "ads")[0]
    detect(worker)
    worker.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])
    detect(worker)
    # The advertiser fixes the ad; a sync sees it back in review, a later one approved.
    worker.sandbox.state.set_review_status(ad, "PENDING")
    detect(worker)
    worker.sandbox.state.set_review_status(ad, "APPROVED")
    detect(worker)
    detect(worker)
    found = [e.kind for e in events(worker) if e.entity_id == ad]
    assert found == ["ad_disapproved", "ad_approved"]


def test_an_entity_the_fleet_created_during_a_detection_is_no_deletion_event(
    worker: Fleet,
) -> None:
    from worker.sync.entities import apply_fresh, read_fresh

    detect(worker)
    runtime = worker.runtime
    account = runtime.account(USD_AD_ACCOUNT_ID)
    # A detection reads Snap's listings...
    with runtime.account_gate_scope(account):
        fresh = read_fresh(runtime.client(account.connection_id), USD_AD_ACCOUNT_ID)
    # ...meanwhile the fleet creates a campaign (Snap and the mirror hold it)...
    created = worker.call(
        "snap.campaign.create",
        {
            "ad_account_id": USD_AD_ACCOUNT_ID,
            "name": "made during detection",
            "status": "PAUSED",
            "start_time": "2026-12-01T00:00:00-08:00",
            "daily_budget_usd": "150.00",
            "objective_v2_properties": {"objective_v2_type": "SALES"},
        },
    )
    assert created["status"] == "succeeded", created
    # ...then the detection compares what it read (without the campaign) and stores it.
    with runtime.session() as session:
        apply_fresh(session, account, fresh, now=worker.sandbox.clock.now())
    detect(worker)
    assert events(worker, "entity_deleted") == []


def test_an_ad_first_seen_already_rejected_is_reported_not_a_silent_baseline(
    worker: Fleet,
) -> None:
    # Given the ad was rejected before detection ever saw it
    ad = ids_of(worker, "ads")[0]
    worker.sandbox.state.set_review_status(ad, "REJECTED", ["Misleading claims"])
    # Then the first sync reports it, once
    assert detect(worker)["events"] == 1
    assert detect(worker)["events"] == 0
    (rejected,) = events(worker, "ad_disapproved")
    assert rejected.entity_id == ad
    assert rejected.after == {
        "review_status": "REJECTED",
        "review_status_reasons": ["Misleading claims"],
    }


def test_a_campaign_first_seen_already_capped_is_reported(worker: Fleet) -> None:
    # Given a campaign that hit its lifetime cap before detection ever saw it
    campaign = ids_of(worker, "campaigns")[0]
    record = worker.sandbox.state.store.get("campaigns", campaign)
    record.entity["lifetime_spend_cap_micro"] = (
        worker.sandbox.state.spent_micro(campaign) + 5_000_000
    )
    worker.sandbox.state.exhaust_cap(campaign, "lifetime")
    # Then the first sync reports it, once
    detect(worker)
    detect(worker)
    hits = events(worker, "lifetime_cap_hit")
    assert [(e.entity_type, e.entity_id) for e in hits] == [("campaign", campaign)]


def test_a_reinstatement_through_paused_is_reported_when_the_account_is_active(
    worker: Fleet,
) -> None:
    detect(worker)
    worker.sandbox.state.suspend_ad_account(USD_AD_ACCOUNT_ID)
    detect(worker)
    worker.sandbox.state.pause_ad_account(USD_AD_ACCOUNT_ID)  # DISABLED -> PAUSED
    detect(worker)
    worker.sandbox.state.reinstate_ad_account(USD_AD_ACCOUNT_ID)  # PAUSED -> ACTIVE
    detect(worker)
    detect(worker)
    found = [(e.kind, e.after) for e in events(worker) if e.entity_type == "ad_account"]
    assert found == [
        ("account_suspended", {"status": "DISABLED"}),
        ("account_reinstated", {"status": "ACTIVE"}),
    ]
