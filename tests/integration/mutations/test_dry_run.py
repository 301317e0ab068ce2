"""Dry run (SNAPCHAT_ADS_LIVE_MODE unset): writes never reach Snap, results say so."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from storage.models.mirrors import Campaign
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

from .support import campaign_payload, journal_rows, writes


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapchat_ads_live_mode": False}


def test_dry_run_sends_no_write_and_says_so(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    created = fleet.call("snap.campaign.create", campaign_payload(), task_id=task_id)
    assert created["status"] == "succeeded" and created["dry_run"] is True
    assert created["snap_id"].startswith("dryrun-")
    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": created["snap_id"]}
    paused = fleet.call("snap.campaign.pause", ids)
    assert paused == {"status": "succeeded", "snap_id": created["snap_id"], "dry_run": True}
    assert fleet.call("snap.campaign.delete", ids)["dry_run"] is True
    assert writes(fleet) == []
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "succeeded"
    # A synthetic entity is not mirrored: detection would report it deleted outside the fleet.
    with fleet.runtime.session() as session:
        assert (
            session.scalars(select(Campaign).where(Campaign.id == created["snap_id"])).all() == []
        )
