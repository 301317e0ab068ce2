"""snap.adsquad.* and snap.ad.*: end to end through a real worker and the sandbox."""

from __future__ import annotations

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

from .support import (
    listed,
    make_ad_squad,
    make_campaign,
    make_creative,
    writes,
)


def test_ad_squad_create_update_pause_resume_delete(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    campaign_id = make_campaign(fleet)
    ad_squad_id = make_ad_squad(fleet, campaign_id)
    (squad,) = listed(fleet, f"/campaigns/{campaign_id}/adsquads", "adsquads")
    assert (squad["id"], squad["bid_micro"], squad["daily_budget_micro"]) == (
        ad_squad_id,
        1_250_000,
        50_000_000,
    )

    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "ad_squad_id": ad_squad_id}
    result = fleet.call("snap.adsquad.update", {**ids, "bid_usd": "2.5", "daily_budget_usd": "80"})
    assert result == {"status": "succeeded", "snap_id": ad_squad_id, "dry_run": False}
    squad = listed(fleet, f"/adsquads/{ad_squad_id}", "adsquads")[0]
    assert (squad["bid_micro"], squad["daily_budget_micro"]) == (2_500_000, 80_000_000)
    # The PUT carried the required fields Snap's update needs, from the current ad squad.
    put = writes(fleet, "PUT")[-1]
    assert put["path"] == f"/v1/campaigns/{campaign_id}/adsquads"
    assert put["body"]["adsquads"][0]["targeting"] == squad["targeting"]

    assert fleet.call("snap.adsquad.resume", ids)["status"] == "succeeded"
    assert listed(fleet, f"/adsquads/{ad_squad_id}", "adsquads")[0]["status"] == "ACTIVE"
    assert fleet.call("snap.adsquad.pause", ids)["status"] == "succeeded"
    assert listed(fleet, f"/adsquads/{ad_squad_id}", "adsquads")[0]["status"] == "PAUSED"
    assert fleet.call("snap.adsquad.delete", ids)["status"] == "succeeded"
    assert listed(fleet, f"/campaigns/{campaign_id}/adsquads", "adsquads") == []


def test_ad_create_update_pause_resume_delete(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    ad_squad_id = make_ad_squad(fleet, make_campaign(fleet))
    creative_id = make_creative(fleet)
    payload = {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "ad_squad_id": ad_squad_id,
        "creative_id": creative_id,
        "name": "Ad One",
        "type": "SNAP_AD",
    }
    created = fleet.call("snap.ad.create", payload)
    assert created["status"] == "succeeded", created
    ad_id = created["snap_id"]
    (ad,) = listed(fleet, f"/adsquads/{ad_squad_id}/ads", "ads")
    assert (ad["id"], ad["creative_id"], ad["status"]) == (ad_id, creative_id, "PAUSED")

    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "ad_id": ad_id}
    assert fleet.call("snap.ad.update", {**ids, "name": "Ad One (v2)"})["status"] == "succeeded"
    assert listed(fleet, f"/ads/{ad_id}", "ads")[0]["name"] == "Ad One (v2)"
    assert fleet.call("snap.ad.resume", ids)["status"] == "succeeded"
    assert listed(fleet, f"/ads/{ad_id}", "ads")[0]["status"] == "ACTIVE"
    assert fleet.call("snap.ad.pause", ids)["status"] == "succeeded"
    assert listed(fleet, f"/ads/{ad_id}", "ads")[0]["status"] == "PAUSED"
    assert fleet.call("snap.ad.delete", ids)["status"] == "succeeded"
    assert listed(fleet, f"/adsquads/{ad_squad_id}/ads", "ads") == []


def test_an_ad_naming_a_missing_creative_is_reported_with_the_documented_order(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    ad_squad_id = make_ad_squad(fleet, make_campaign(fleet))
    missing = "0f4c2d4e-5a8b-4c61-9a57-1d2e3f4a5b6c"
    before = len(writes(fleet))
    result = fleet.call(
        "snap.ad.create",
        {
            "ad_account_id": USD_AD_ACCOUNT_ID,
            "ad_squad_id": ad_squad_id,
            "creative_id": missing,
            "name": "Orphan",
            "type": "SNAP_AD",
        },
    )
    assert result["status"] == "failed" and result["code"] == "not_found"
    # The guide's troubleshooting words, then which creative and account
    assert result["message"].startswith(
        "creative_id references a missing creative — Snap's ad references creatives by id. "
        "Make sure to upload media first (upload_media), then create the creative "
        "(create_creative), and finally create the ad with the resulting creative_id"
    )
    assert f"creative {missing}" in result["message"]
    assert len(writes(fleet)) == before  # no ad was sent
