"""Each payload maps its fields onto Snap attributes in one place: `to_snap_item`."""

from __future__ import annotations

import pytest

from tasks.payloads import (
    AdCreate,
    AdSquadCreate,
    AdSquadUpdate,
    CampaignCreate,
    CampaignUpdate,
    CreativeCreate,
    ExperimentLaunch,
    MediaUpload,
    carried_fields,
    validate_payload,
)

from .support import example, usd_as_micro

CAMPAIGN_NOW = {  # a campaign as GET /campaigns/{id} returns it (seed 002)
    "id": "7c074b60-3ae7-4975-bc1d-5785cc0be2c8",
    "ad_account_id": "22225ba6-7559-4000-9663-bace8adff5f2",
    "name": "Spring launch",
    "status": "ACTIVE",
    "objective": "BRAND_AWARENESS",
    "start_time": "2026-03-01T08:00:00.000Z",
    "end_time": "2026-03-31T07:00:00.000Z",
    "daily_budget_micro": 150_000_000,
    "created_at": "2026-02-01T00:00:00.000Z",
    "updated_at": "2026-02-02T00:00:00.000Z",
    "delivery_status": ["VALID"],
}
AD_SQUAD_NOW = {  # seed 004 "Update an Ad Squad" example, as read back
    "id": "23995202-bfbc-45a0-9702-dd6841af52fe",
    "campaign_id": "7c074b60-3ae7-4975-bc1d-5785cc0be2c8",
    "name": "Ad Squad Un",
    "type": "SNAP_ADS",
    "status": "ACTIVE",
    "placement_v2": {"config": "AUTOMATIC"},
    "placement": "SNAP_ADS",
    "auto_bid": False,
    "optimization_goal": "IMPRESSIONS",
    "bid_micro": 1_000_000,  # the seed's example says 1000, below the USD minimum
    "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
    "daily_budget_micro": 5_555_555,
    "targeting": {"gender": 1},
    "start_time": "2016-07-22T12:16:17.461-07:00",
    "updated_at": "2016-07-22T12:30:51.169-07:00",
}
AD_NOW = {  # seed 001 "Update an Ad" example, as read back
    "id": "e8d6217f-32ab-400f-9e54-39a86a7963e4",
    "ad_squad_id": "23995202-bfbc-45a0-9702-dd6841af52fe",
    "creative_id": "c1e6e929-acec-466f-b023-852b8cacc18f",
    "name": "Ad One",
    "type": "SNAP_AD",
    "status": "ACTIVE",
    "review_status": "APPROVED",
    "third_party_tracking_urls": ["https://old.example.com"],
}


def test_campaign_create_maps_usd_to_micro_and_times_to_iso():
    item = CampaignCreate.model_validate(example("snap.campaign.create")).to_snap_item(usd_as_micro)
    assert item == {
        "ad_account_id": "22225ba6-7559-4000-9663-bace8adff5f2",
        "name": "Spring launch",
        "status": "PAUSED",
        "start_time": "2026-03-01T00:00:00-08:00",
        "end_time": "2026-03-31T00:00:00-07:00",
        "daily_budget_micro": 150_000_000,
        "lifetime_spend_cap_micro": 4_000_000_000,
        "objective_v2_properties": {"objective_v2_type": "SALES"},
    }


def test_an_update_is_the_current_entity_with_the_changes_on_top():
    update = CampaignUpdate.model_validate(example("snap.campaign.update"))
    item = update.to_snap_item(usd_as_micro, current=CAMPAIGN_NOW)
    assert item == {
        "id": CAMPAIGN_NOW["id"],
        "ad_account_id": CAMPAIGN_NOW["ad_account_id"],
        "name": "Spring launch",  # required by seed 002's update, carried over
        "status": "ACTIVE",
        "objective": "BRAND_AWARENESS",  # echoed as in seed 002's update example
        "end_time": "2026-03-31T07:00:00.000Z",
        "daily_budget_micro": 200_500_000,  # the change
    }  # no start_time (not changed), no read-only fields


@pytest.mark.parametrize(
    ("task", "current", "status"),
    [
        ("snap.campaign.pause", CAMPAIGN_NOW, "PAUSED"),
        ("snap.campaign.resume", CAMPAIGN_NOW, "ACTIVE"),
        ("snap.adsquad.pause", AD_SQUAD_NOW, "PAUSED"),
        ("snap.adsquad.resume", AD_SQUAD_NOW, "ACTIVE"),
        ("snap.ad.pause", AD_NOW, "PAUSED"),
        ("snap.ad.resume", AD_NOW, "ACTIVE"),
    ],
)
def test_pause_and_resume_change_only_the_status(task, current, status):
    kind = {"campaign": "campaigns", "adsquad": "adsquads", "ad": "ads"}[task.split(".")[1]]
    item = validate_payload(task, example(task)).to_snap_item(current=current)
    assert item["id"] == current["id"]
    assert item["status"] == status
    # everything else is the current entity's, unchanged, limited to what an update may carry
    rest = {k: v for k, v in item.items() if k not in ("id", "status")}
    assert rest == {k: v for k, v in current.items() if k in carried_fields(kind) - {"status"}}
    assert {"name"} <= set(item)  # every update endpoint requires the name (seeds 001/002/004)


def test_an_ad_squad_pause_carries_what_seed_004_requires_and_drops_the_deprecated():
    item = validate_payload("snap.adsquad.pause", example("snap.adsquad.pause")).to_snap_item(
        current=AD_SQUAD_NOW
    )
    for required in ("name", "status", "targeting", "bid_strategy", "bid_micro"):
        assert required in item
    assert "daily_budget_micro" in item
    for dropped in ("placement", "auto_bid", "start_time", "updated_at"):
        assert dropped not in item


def test_an_ad_pause_drops_the_sunset_tracking_fields_and_read_only_review():
    item = validate_payload("snap.ad.pause", example("snap.ad.pause")).to_snap_item(current=AD_NOW)
    assert item == {
        "id": AD_NOW["id"],
        "ad_squad_id": AD_NOW["ad_squad_id"],
        "creative_id": AD_NOW["creative_id"],
        "name": "Ad One",
        "type": "SNAP_AD",
        "status": "PAUSED",
    }


def test_switching_budget_or_strategy_drops_what_no_longer_applies():
    to_roas = example("snap.adsquad.update", bid_usd=None, bid_strategy="MIN_ROAS", roas_value=1.5)
    item = AdSquadUpdate.model_validate(to_roas).to_snap_item(usd_as_micro, current=AD_SQUAD_NOW)
    assert item["bid_strategy"] == "MIN_ROAS"
    assert item["roas_value_micro"] == 1_500_000
    assert "bid_micro" not in item  # MIN_ROAS takes no bid
    to_lifetime = example("snap.adsquad.update", bid_usd=None, daily_budget_usd=None)
    to_lifetime["lifetime_budget_usd"] = 90
    item = AdSquadUpdate.model_validate(to_lifetime).to_snap_item(
        usd_as_micro, current=AD_SQUAD_NOW
    )
    assert item["lifetime_budget_micro"] == 90_000_000
    assert "daily_budget_micro" not in item
    assert item["bid_micro"] == 1_000_000  # strategy unchanged: its bid is kept


def test_an_ad_squad_bid_and_budget_update():
    update = AdSquadUpdate.model_validate(example("snap.adsquad.update"))
    item = update.to_snap_item(usd_as_micro, current=AD_SQUAD_NOW)
    assert item["bid_micro"] == 2_500_000
    assert item["daily_budget_micro"] == 80_000_000
    assert item["bid_strategy"] == "LOWEST_COST_WITH_MAX_BID"  # carried


def test_ad_squad_create_defaults():
    item = AdSquadCreate.model_validate(example("snap.adsquad.create")).to_snap_item(usd_as_micro)
    assert item["status"] == "PAUSED"
    assert item["type"] == "SNAP_ADS"
    assert item["placement_v2"] == {"config": "AUTOMATIC"}
    assert item["billing_event"] == "IMPRESSION"
    assert item["bid_micro"] == 1_250_000
    assert item["daily_budget_micro"] == 50_000_000
    assert "lifetime_budget_micro" not in item


def test_ad_create_is_seed_001s_body():
    item = AdCreate.model_validate(example("snap.ad.create")).to_snap_item()
    assert set(item) == {"ad_squad_id", "creative_id", "name", "type", "status"}


def test_media_item_names_the_type_and_account():
    item = MediaUpload.model_validate(example("snap.media.upload")).to_snap_item()
    assert item == {
        "name": "spring-hero.mp4",
        "type": "VIDEO",
        "ad_account_id": "22225ba6-7559-4000-9663-bace8adff5f2",
    }


def test_creative_item_nests_the_profile_and_keeps_urls_as_text():
    payload = example("snap.creative.create", brand_name=None, profile_id="p-1")
    item = CreativeCreate.model_validate(payload).to_snap_item()
    assert item["profile_properties"] == {"profile_id": "p-1"}
    assert "profile_id" not in item
    assert item["web_view_properties"] == {"url": "https://shop.example.com/spring"}
    assert item["top_snap_media_id"] == "a9a2dfc4-2cd6-4bb5-8f3c-2cf4d0a0a0b1"


def test_an_experiment_ships_the_control_active_and_treatments_paused():
    launch = ExperimentLaunch.model_validate(example("snap.experiment.launch"))
    campaign = launch.campaign_item(usd_as_micro)
    assert campaign["status"] == "ACTIVE"
    assert campaign["daily_budget_micro"] == 300_000_000
    squads = [
        launch.ad_squad_item(v, campaign_id="c", to_micro=usd_as_micro) for v in launch.variants
    ]
    ads = [launch.ad_item(v, ad_squad_id=f"s{i}") for i, v in enumerate(launch.variants)]
    assert [s["status"] for s in squads] == ["ACTIVE", "PAUSED"]
    # the ad squad is the variant's switch: its ad is ACTIVE and delivers once the squad is
    assert [a["status"] for a in ads] == ["ACTIVE", "ACTIVE"]
    assert [s["name"] for s in squads] == ["exp-42:control", "exp-42:hero-b"]
    assert [a["creative_id"] for a in ads] == [v.creative_id for v in launch.variants]
    assert all(s["targeting"] == launch.variants[0].targeting for s in squads)


def test_an_experiment_on_an_existing_campaign_has_no_campaign_item():
    payload = example("snap.experiment.launch", campaign=None, campaign_id="c-9")
    launch = ExperimentLaunch.model_validate(payload)
    with pytest.raises(ValueError, match="existing campaign_id"):
        launch.campaign_item(usd_as_micro)


@pytest.mark.parametrize("status", ["ACTIVE", "PAUSED"])
def test_set_variant_status_toggles_only_the_variants_ad_squad(status):
    payload = example("snap.experiment.set_variant_status", status=status)
    model = validate_payload("snap.experiment.set_variant_status", payload)
    item = model.to_snap_item(current=AD_SQUAD_NOW)
    assert item["id"] == AD_SQUAD_NOW["id"]
    assert item["status"] == status
    assert item["targeting"] == AD_SQUAD_NOW["targeting"]
    assert "placement" not in item
