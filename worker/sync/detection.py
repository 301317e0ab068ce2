"""The transition rules of detection: stored state vs fresh state -> events. Pure.

Snap pushes nothing (no webhooks), so the fleet learns that an ad was rejected, a cap was
hit or an account was suspended by comparing what it last stored with what Snap lists
now (docs/architecture.md, Entity sync; Snap facts 11-13). Each rule fires on the edge only: the
same fresh state compared again with itself (the next sync, once the mirror holds it)
yields nothing.

    ad_disapproved      review_status became REJECTED (the reasons travel with it)
    ad_approved         review_status went from REJECTED to APPROVED
    daily_cap_hit       an INVALID_OVER_BUDGET_*_DAILY_SPEND code appeared (status stays
                        ACTIVE); one per entity per account-local day
    lifetime_cap_hit    an INVALID_OVER_BUDGET_*_LIFETIME_SPEND code appeared
    account_suspended   the ad account's status became DISABLED (or another non-serving one)
    account_reinstated  it went back to ACTIVE
    entity_deleted      a live stored entity is missing from a full listing

An entity seen for the first time is compared with nothing known (`FIRST_SIGHT`): a
healthy one is a baseline (connecting an account does not replay its history as events),
but one first seen already rejected, capped or suspended is reported, since nobody was
told yet. A suspension is "reinstated" when the account is ACTIVE again, however many
other statuses it went through (DISABLED -> PAUSED -> ACTIVE): the caller passes the last
reported account status as `before` (worker.sync.entities).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from snap import stats as snapstats

__all__ = [
    "FIRST_SIGHT",
    "SUSPENDED_STATUSES",
    "Transition",
    "cap_codes",
    "deletion",
    "snapshot",
    "transitions",
]

# Snap facts 13: ad account status ACTIVE, PAUSED, DISABLED (others unconfirmed). The
# sandbox shows a suspension as DISABLED; SUSPENDED is kept for a spelling Snap may use.
SUSPENDED_STATUSES = frozenset({"DISABLED", "SUSPENDED"})
CAP_PREFIX = "INVALID_OVER_BUDGET_"
# What "never seen" compares as: no status, no codes, no review verdict.
FIRST_SIGHT: dict[str, Any] = {
    "status": None,
    "delivery_status": [],
    "review_status": None,
    "review_status_reasons": [],
}


@dataclass(frozen=True)
class Transition:
    """One change worth telling the runner about."""

    kind: str
    entity_type: str  # ad_account, campaign, ad_squad, ad
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    observed_at: datetime | None


def snapshot(item: Mapping[str, Any]) -> dict[str, Any]:
    """The fields detection compares, from a fresh API object or a stored mirror row."""
    get = item.get if isinstance(item, Mapping) else lambda k: getattr(item, k, None)
    return {
        "status": get("status"),
        "delivery_status": sorted(get("delivery_status") or []),
        "review_status": get("review_status"),
        "review_status_reasons": list(get("review_status_reasons") or []),
    }


def cap_codes(delivery_status: Any, span: str) -> list[str]:
    """The over-budget codes of one span ("DAILY" or "LIFETIME") in a delivery_status array."""
    return sorted(
        code
        for code in delivery_status or ()
        if isinstance(code, str) and code.startswith(CAP_PREFIX) and f"_{span}_SPEND" in code
    )


def transitions(
    entity_type: str,
    entity_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    now: datetime,
    time_zone: str,
) -> list[Transition]:
    """The events between a stored snapshot (None: first sight) and a fresh one."""
    if before is None:
        before = FIRST_SIGHT
    found: list[Transition] = []
    if entity_type == "ad":
        found += _review(entity_id, before, after, now)
    if entity_type == "ad_account":
        found += _account_status(entity_id, before, after, now)
    found += _caps(entity_type, entity_id, before, after, now, time_zone)
    return found


def deletion(
    entity_type: str, entity_id: str, before: Mapping[str, Any], *, now: datetime
) -> Transition:
    """A stored live entity that a full listing no longer returns."""
    return Transition("entity_deleted", entity_type, entity_id, dict(before), None, now)


def _review(
    entity_id: str, before: Mapping[str, Any], after: Mapping[str, Any], now: datetime
) -> list[Transition]:
    old, new = before.get("review_status"), after.get("review_status")
    if new == "REJECTED" and old != "REJECTED":
        reasons = list(after.get("review_status_reasons") or [])
        state = {"review_status": "REJECTED", "review_status_reasons": reasons}
        return [Transition("ad_disapproved", "ad", entity_id, _review_of(before), state, now)]
    if old == "REJECTED" and new == "APPROVED":
        state = {"review_status": "APPROVED"}
        return [Transition("ad_approved", "ad", entity_id, _review_of(before), state, now)]
    return []


def _review_of(state: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "review_status": state.get("review_status"),
        "review_status_reasons": list(state.get("review_status_reasons") or []),
    }


def _account_status(
    entity_id: str, before: Mapping[str, Any], after: Mapping[str, Any], now: datetime
) -> list[Transition]:
    old, new = before.get("status"), after.get("status")
    was_down, is_down = old in SUSPENDED_STATUSES, new in SUSPENDED_STATUSES
    if is_down and not was_down:
        kind = "account_suspended"
    elif was_down and new == "ACTIVE":
        kind = "account_reinstated"
    else:
        return []
    return [Transition(kind, "ad_account", entity_id, {"status": old}, {"status": new}, now)]


def _caps(
    entity_type: str,
    entity_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: datetime,
    time_zone: str,
) -> list[Transition]:
    found = []
    for span, kind in (("DAILY", "daily_cap_hit"), ("LIFETIME", "lifetime_cap_hit")):
        new = set(cap_codes(after.get("delivery_status"), span))
        fresh = sorted(new - set(cap_codes(before.get("delivery_status"), span)))
        if not fresh:
            continue
        # A daily cap can be hit again tomorrow: one event per account-local day.
        observed = _local_day_start(now, time_zone) if span == "DAILY" else now
        state = {"delivery_status": sorted(after.get("delivery_status") or []), "codes": fresh}
        old = {"delivery_status": sorted(before.get("delivery_status") or [])}
        found.append(Transition(kind, entity_type, entity_id, old, state, observed))
    return found


def _local_day_start(now: datetime, time_zone: str) -> datetime:
    local_day = now.astimezone(snapstats.account_zone(time_zone)).date()
    return snapstats.local_midnight(local_day, time_zone)
