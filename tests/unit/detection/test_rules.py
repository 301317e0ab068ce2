"""The transition rules: each edge fires once, a steady state fires nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from worker.sync.detection import cap_codes, deletion, snapshot, transitions

NOW = datetime(2026, 11, 17, 3, 30, tzinfo=UTC)  # Nov 16 in Los Angeles, Nov 17 in Paris


def state(**fields: Any) -> dict[str, Any]:
    base = {"status": "ACTIVE", "delivery_status": ["VALID"], "review_status": None}
    return snapshot({**base, **fields})


def kinds(entity_type: str, before: Any, after: Any, tz: str = "UTC") -> list[str]:
    found = transitions(entity_type, "x", before, after, now=NOW, time_zone=tz)
    return [t.kind for t in found]


def test_first_sight_of_a_healthy_entity_is_a_baseline() -> None:
    assert kinds("ad", None, state(review_status="APPROVED")) == []
    assert kinds("ad", None, state(review_status="PENDING")) == []
    assert kinds("campaign", None, state()) == []
    assert kinds("ad_account", None, state()) == []


def test_first_sight_of_a_rejected_capped_or_suspended_entity_is_reported() -> None:
    capped = state(delivery_status=["INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"])
    assert kinds("ad", None, state(review_status="REJECTED")) == ["ad_disapproved"]
    assert kinds("ad_squad", None, capped) == ["daily_cap_hit"]
    assert kinds("ad_account", None, state(status="DISABLED")) == ["account_suspended"]


def test_a_rejection_fires_once_with_its_reasons() -> None:
    before = state(review_status="APPROVED")
    after = state(review_status="REJECTED", review_status_reasons=["Misleading"])
    (event,) = transitions("ad", "ad1", before, after, now=NOW, time_zone="UTC")
    assert event.kind == "ad_disapproved"
    assert event.after == {"review_status": "REJECTED", "review_status_reasons": ["Misleading"]}
    assert kinds("ad", after, after) == []


def test_approval_after_rejection_fires_but_pending_to_approved_does_not() -> None:
    rejected = state(review_status="REJECTED", review_status_reasons=["x"])
    assert kinds("ad", rejected, state(review_status="APPROVED")) == ["ad_approved"]
    assert kinds("ad", state(review_status="PENDING"), state(review_status="APPROVED")) == []


def test_cap_codes_fire_on_appearance_only_while_status_stays_active() -> None:
    daily = state(delivery_status=["INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"])
    lifetime = state(delivery_status=["INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND"])
    assert kinds("ad_squad", state(), daily) == ["daily_cap_hit"]
    assert kinds("ad_squad", daily, daily) == []
    assert kinds("campaign", state(), lifetime) == ["lifetime_cap_hit"]
    assert kinds("campaign", lifetime, state()) == []  # the cap lifted: no event


def test_a_daily_cap_is_observed_at_the_start_of_the_accounts_own_day() -> None:
    daily = state(delivery_status=["INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND"])
    la = transitions("campaign", "c", state(), daily, now=NOW, time_zone="America/Los_Angeles")
    paris = transitions("campaign", "c", state(), daily, now=NOW, time_zone="Europe/Paris")
    assert la[0].observed_at.isoformat() == "2026-11-16T00:00:00-08:00"
    assert paris[0].observed_at.isoformat() == "2026-11-17T00:00:00+01:00"


def test_suspension_and_reinstatement_of_an_account() -> None:
    assert kinds("ad_account", state(), state(status="DISABLED")) == ["account_suspended"]
    assert kinds("ad_account", state(status="DISABLED"), state(status="DISABLED")) == []
    assert kinds("ad_account", state(status="DISABLED"), state()) == ["account_reinstated"]
    assert kinds("ad_account", state(status="PAUSED"), state()) == []


def test_a_deletion_keeps_the_last_known_state() -> None:
    event = deletion("ad", "a1", state(review_status="APPROVED"), now=NOW)
    assert (event.kind, event.after, event.before["review_status"]) == (
        "entity_deleted",
        None,
        "APPROVED",
    )


def test_cap_codes_pick_the_span() -> None:
    codes = ["VALID", "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND", "INVALID_NOT_ACTIVE"]
    assert cap_codes(codes, "DAILY") == ["INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"]
    assert cap_codes(codes, "LIFETIME") == []
