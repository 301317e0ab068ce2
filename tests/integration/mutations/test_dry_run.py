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


def test_a_dry_run_ad_binds_a_dry_run_creative_made_in_another_process(
    fleet_worker: Fleet,
) -> None:
    from snap.dryrun import dry_run_id

    fleet = fleet_worker
    # A creative made by a dry run elsewhere (another worker, an earlier `snapfleet call`):
    # this process's dry-run client never saw it, and Snap never will.
    creative_id = dry_run_id("creative made by another process")
    squad_id = dry_run_id("ad squad made by another process")
    before = len(fleet.sandbox.state.requests())
    result = fleet.call(
        "snap.ad.create",
        {
            "ad_account_id": USD_AD_ACCOUNT_ID,
            "ad_squad_id": squad_id,
            "creative_id": creative_id,
            "name": "Dry ad",
            "type": "SNAP_AD",
        },
    )
    assert result["status"] == "succeeded" and result["dry_run"] is True, result
    sent = fleet.sandbox.state.requests()[before:]
    assert [r["path"] for r in sent if "dryrun-" in r["path"]] == []  # no synthetic id read


@pytest.mark.parametrize(
    ("verb", "extra"), [("pause", {}), ("update", {"name": "Renamed in a dry run"})]
)
def test_a_dry_run_entity_made_in_another_process_can_be_changed(
    fleet_worker: Fleet, verb: str, extra: dict[str, Any]
) -> None:
    fleet = fleet_worker
    created = fleet.call("snap.campaign.create", campaign_payload())
    # Another process: its dry-run client never saw the campaign, and Snap never will.
    fleet.runtime.forget_client(fleet.connected.connection_id)
    before = len(fleet.sandbox.state.requests())
    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": created["snap_id"]}
    changed = fleet.call(f"snap.campaign.{verb}", {**ids, **extra})
    assert changed["status"] == "succeeded", changed
    assert changed["snap_id"] == created["snap_id"] and changed["dry_run"] is True
    assert len(fleet.sandbox.state.requests()) == before
