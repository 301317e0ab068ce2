"""Sync tests: the fleet against a demo-seeded sandbox whose clock the fleet follows.

The database lives for the whole pytest session and the sandbox's ids are stable, so
each test starts from empty stats, mirrors and events, and accounts without sync marks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fleet import Fleet

# A fixed start (a Monday, 15:30 UTC) keeps local days and period boundaries predictable.
START = datetime(2026, 11, 16, 15, 30, tzinfo=UTC)


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"seed": "demo", "start_time": START}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_stats_lookback_days": 3}


@pytest.fixture
def synced(fleet: Fleet, clean_sync_tables: None, redis_client: Any) -> Iterator[Fleet]:
    """The fleet, following the sandbox's clock (tests move it instead of sleeping)."""
    fleet.app.snapfleet_clock = fleet.sandbox.clock.now  # type: ignore[attr-defined]
    yield fleet


@pytest.fixture
def worker(synced: Fleet, fleet_worker: Fleet) -> Fleet:
    return fleet_worker


def stats_requests(fleet: Fleet, since: int = 0, *, answered: bool = True) -> list[dict[str, Any]]:
    """The sandbox's logged stats requests (after the first `since` logged requests).

    `answered` leaves out the 401s of an access token that expired while the clock moved
    (the client refreshes and sends again), which are not part of the pull's plan.
    """
    logged = fleet.sandbox.state.requests()[since:]
    return [
        r for r in logged if r["path"].endswith("/stats") and not (answered and r["status"] == 401)
    ]


def advance_hours(fleet: Fleet, hours: float) -> datetime:
    return fleet.sandbox.state.advance(timedelta(hours=hours).total_seconds())


def add_campaign(
    fleet: Fleet,
    ad_account_id: str,
    *,
    name: str,
    edited_days_ago: int = 120,
    daily_budget_micro: int = 40_000_000,
) -> dict[str, str]:
    """A campaign with one ad squad and one ad, last edited long ago, delivering from now.

    Added through the sandbox's store (the state API), as Snap would hold a campaign
    nobody touched for months.
    """
    from snap.sandbox.envelope import iso

    state = fleet.sandbox.state
    edited = state.now() - timedelta(days=edited_days_ago)
    stamp = {"created_at": iso(edited), "updated_at": iso(edited)}
    ids = {k: str(uuid.uuid4()) for k in ("campaign", "adsquad", "ad")}
    with state.lock:
        state.settle()
        state.store.add("campaigns", {
            "id": ids["campaign"], "name": name, "ad_account_id": ad_account_id,
            "status": "ACTIVE", "objective": "WEB_CONVERSION", "start_time": iso(edited),
            **stamp,
        }, ad_account_id=ad_account_id, now=edited)  # fmt: skip
        state.store.add("adsquads", {
            "id": ids["adsquad"], "name": f"{name} squad", "campaign_id": ids["campaign"],
            "status": "ACTIVE", "type": "SNAP_ADS", "optimization_goal": "SWIPES",
            "bid_strategy": "AUTO_BID", "billing_event": "IMPRESSION",
            "daily_budget_micro": daily_budget_micro, "start_time": iso(edited), **stamp,
        }, ad_account_id=ad_account_id, now=edited)  # fmt: skip
        state.store.add("ads", {
            "id": ids["ad"], "name": f"{name} ad", "ad_squad_id": ids["adsquad"],
            "creative_id": str(uuid.uuid4()), "type": "SNAP_AD", "status": "ACTIVE", **stamp,
        }, ad_account_id=ad_account_id, now=edited)  # fmt: skip
    return ids


def wait_for(predicate: Any, timeout_s: float = 60.0) -> None:
    """Wait for the worker to reach a state (quiescence), not for time to pass."""
    import time

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not get there in time")
        time.sleep(0.05)
