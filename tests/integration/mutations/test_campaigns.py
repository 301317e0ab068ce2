"""snap.campaign.*: end to end through a real worker, the sandbox and PostgreSQL."""

from __future__ import annotations

import uuid

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

from .support import campaign_payload, journal_rows, listed, writes


def test_create_update_pause_resume_delete(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    created = fleet.call("snap.campaign.create", campaign_payload())
    assert created["status"] == "succeeded", created
    assert created["dry_run"] is False
    campaign_id = created["snap_id"]
    (campaign,) = listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")
    assert campaign["id"] == campaign_id
    assert campaign["daily_budget_micro"] == 150_000_000

    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": campaign_id}
    updated = fleet.call("snap.campaign.update", {**ids, "daily_budget_usd": "200.5"})
    assert updated == {"status": "succeeded", "snap_id": campaign_id, "dry_run": False}
    assert listed(fleet, f"/campaigns/{campaign_id}", "campaigns")[0]["daily_budget_micro"] == (
        200_500_000
    )
    assert fleet.call("snap.campaign.resume", ids)["status"] == "succeeded"
    assert listed(fleet, f"/campaigns/{campaign_id}", "campaigns")[0]["status"] == "ACTIVE"
    assert fleet.call("snap.campaign.pause", ids)["status"] == "succeeded"
    assert listed(fleet, f"/campaigns/{campaign_id}", "campaigns")[0]["status"] == "PAUSED"
    pause_body = writes(fleet, "PUT")[-1]["body"]["campaigns"][0]
    assert pause_body["status"] == "PAUSED" and pause_body["id"] == campaign_id

    task_id = str(uuid.uuid4())
    assert fleet.call("snap.campaign.delete", ids, task_id=task_id)["status"] == "succeeded"
    assert listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns") == []
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "succeeded" and row.snap_ids == [campaign_id]
