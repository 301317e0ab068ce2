"""The reads of the polling plan (`worker.sync.plan`), each followed by detection.

    detect_planned(runtime, account, ("ads",))       the ads listing, 1 call; the
                                                      campaigns and ad squads too when
                                                      an ad shows a change above it
    detect_planned(runtime, account, ("entities",))  campaigns, ad squads and ads, 3 calls
    detect_statuses(runtime, organization)           every account's status, one listing

Detection itself is `worker.sync.entities.apply_fresh`: the same comparison, the same
one-event-per-transition guarantees, over whatever was read. A kind that was not read
is not compared (its entities are not "missing"), and the account's own status comes
from the organization listing instead of one GET per account.

Why the ads listing is enough between full reads: a campaign or ad squad that hits a
cap, is paused or is deleted shows on each of its ads as `INVALID_NOT_EFFECTIVE_ACTIVE`
(Snap's delivery status page), an ad deleted is absent, a review verdict is on the ad.
So when the ads' delivery codes change (review codes aside) or the set of ads changes,
the same run lists campaigns and ad squads as well, and the change is reported from the
entity it happened to, in the same period.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from snap.client import SnapClient
from storage import mirrors as mirror_repo
from storage import polling
from storage.models.base import utcnow
from worker.runtime import gate_scope
from worker.sync.entities import FreshState, _plain, account_turn, apply_fresh
from worker.sync.fanout import require_active_connection

__all__ = ["REVIEW_CODES", "detect_planned", "detect_statuses", "structure_changed"]

logger = logging.getLogger("snapfleet.detect")

# Codes an ad shows about its own review, which the ads listing itself reports on; VALID
# is what an ad shows when it has no other code.
REVIEW_CODES = frozenset(
    {"INVALID_PENDING_REVIEW_STATUS", "INVALID_NOT_APPROVED_REVIEW_STATUS", "VALID"}
)
ORG_PAGE_LIMIT = 1000


def structure_changed(stored: Mapping[str, Any], ads: Sequence[Mapping[str, Any]]) -> bool:
    """Does the ads listing show a change above the ads (or a different set of ads)?"""
    if {a["id"] for a in ads} != set(stored):
        return True
    for ad in ads:
        row = stored[ad["id"]]
        before = set(getattr(row, "delivery_status", None) or []) - REVIEW_CODES
        if set(ad.get("delivery_status") or []) - REVIEW_CODES != before:
            return True
    return False


def read_planned(
    client: SnapClient, ad_account_id: str, reads: Sequence[str], stored_ads: Mapping[str, Any]
) -> FreshState:
    """The listings `reads` asks for, widened to a full read when the ads show a change."""
    state = FreshState(account=None, read_at=utcnow())  # type: ignore[arg-type]
    ads = [_plain(a) for a in client.list_ads(ad_account_id, parent="adaccounts")]
    state.api_calls = 1
    if "entities" in reads or structure_changed(stored_ads, ads):
        state.entities["campaigns"] = [_plain(c) for c in client.list_campaigns(ad_account_id)]
        squads = client.list_ad_squads(ad_account_id, parent="adaccounts")
        state.entities["adsquads"] = [_plain(s) for s in squads]
        state.api_calls += 2
    state.entities["ads"] = ads
    return state


def detect_planned(
    runtime: Any, ad_account_id: str, reads: Sequence[str], *, now: datetime
) -> dict[str, Any]:
    """One planned read of an account and its detection; the task's result."""
    account = runtime.account(ad_account_id)
    require_active_connection(runtime, account)
    client = runtime.client(account.connection_id)
    # The account's turn first, as a full run does: runs of one account read and store
    # in turn (on SQLite no transaction stays open across the reads: `account_turn`).
    with account_turn(runtime, ad_account_id) as transaction:
        with transaction() as session:
            stored = mirror_repo.for_ad_account(session, "ads", ad_account_id)
        with runtime.account_gate_scope(account, lane="sync"):
            fresh = read_planned(client, ad_account_id, reads, stored)
        with transaction() as session:
            outcome = apply_fresh(session, account, fresh, now=now)
    return {
        "status": "succeeded",
        "ad_account_id": ad_account_id,
        "reads": sorted(fresh.entities),
        "events": len(outcome.events),
        "event_ids": outcome.events,
        "entities": outcome.entities,
        "api_calls": fresh.api_calls,
    }


def detect_statuses(runtime: Any, organization_id: str, *, now: datetime) -> dict[str, Any]:
    """Every connected account of an organization: its status from one listing."""
    with runtime.session() as session:
        found = polling.org_connection(session, organization_id)
    if found is None:
        message = f"no active connection reaches organization {organization_id}"
        return {"status": "skipped", "code": "not_connected", "message": message}
    connection_id, stored_ids = found
    first = runtime.account(stored_ids[0])
    client = runtime.client(connection_id)
    with gate_scope(first.client_id, f"org:{organization_id}", lane="sync"):
        listed = [_plain(a) for a in client.ad_accounts(organization_id, limit=ORG_PAGE_LIMIT)]
    calls = max(1, -(-len(listed) // ORG_PAGE_LIMIT))
    events: list[int] = []
    wanted = set(stored_ids)
    for item in listed:
        if item.get("id") not in wanted:
            continue
        account = runtime.account(item["id"])
        turn = account_turn(runtime, account.ad_account_id)
        with turn as transaction, transaction() as session:
            outcome = apply_fresh(session, account, FreshState(account=item), now=now)
        events += outcome.events
    return {
        "status": "succeeded",
        "organization_id": organization_id,
        "accounts": len(wanted & {a.get("id") for a in listed}),
        "events": len(events),
        "event_ids": events,
        "api_calls": calls,
    }
