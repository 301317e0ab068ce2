"""snap.models: lenient parsing of the seeds' responses, round trips, and the write gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from snap import models
from snap.errors import ValidationError

SAMPLES = Path(__file__).parent / "samples"
SINGULAR = {"ads": "ad", "campaigns": "campaign", "adsquads": "adsquad"}


def sample_entities() -> list[tuple[str, str, dict[str, Any]]]:
    """(sample file, plural key, entity) for every entity in the seeds' example responses."""
    found = []
    for path in sorted(SAMPLES.glob("seed00*.json")):
        body = json.loads(path.read_text())
        for kind, singular in SINGULAR.items():
            for wrapper in body.get(kind, []):
                if singular in wrapper:  # envelope responses
                    found.append((path.name, kind, wrapper[singular]))
                elif "sub_request_status" not in wrapper:
                    found.append((path.name, kind, wrapper))  # smart budget fragments
    return found


ENTITIES = sample_entities()


def test_every_seed_sample_was_found() -> None:
    files = {name for name, _, _ in ENTITIES}
    assert "seed003_01_ads.json" in files  # the API patterns list example
    assert "seed002_smart_budgets.json" in files
    assert len(ENTITIES) >= 40


@pytest.mark.parametrize(
    ("name", "kind", "entity"), ENTITIES, ids=[f"{n}-{e.get('id')}" for n, _, e in ENTITIES]
)
def test_seed_examples_parse_and_round_trip(name: str, kind: str, entity: dict[str, Any]) -> None:
    model = models.MODELS[kind].model_validate(entity)
    assert model.id == entity.get("id")
    assert model.to_api() == _as_json(entity)


def _as_json(entity: dict[str, Any]) -> dict[str, Any]:
    """What a lenient read gives back: the same keys, digit strings read as numbers."""
    micro = {
        k: int(v) if isinstance(v, str) and k.endswith("_micro") else v for k, v in entity.items()
    }
    return micro


def test_the_seed_003_ads_list_example() -> None:
    body = json.loads((SAMPLES / "seed003_01_ads.json").read_text())
    ads = [models.Ad.model_validate(w["ad"]) for w in body["ads"]]
    assert [ad.name for ad in ads] == ["Test", "happy time in 910 2"]
    assert [ad.status for ad in ads] == ["ACTIVE", "PAUSED"]
    assert all(ad.review_status == "APPROVED" and not ad.rejected for ad in ads)
    assert body["paging"]["next_link"].startswith("https://adsapi.snapchat.com/v1/adaccounts/")


def test_the_seed_002_smart_budget_campaign() -> None:
    body = json.loads((SAMPLES / "seed002_smart_budgets.json").read_text())
    campaign = models.Campaign.model_validate(body["campaigns"][1])
    assert campaign.smart_budget
    assert campaign.shared_properties == {
        "shared_conversion_location": "WEB",
        "shared_conversion_window": "SWIPE_28DAY_VIEW_1DAY",
        "shared_optimization_goal": "PIXEL_PURCHASE",
        "shared_ad_squad_bid_strategy": "AUTO_BID",
        "shared_pixel_id": "f1b73786-8828-4fc1-803f-4f5af6d9082b",
    }
    assert campaign.daily_budget_micro == 50_000_000


def test_the_seed_001_tracking_example_keeps_the_tracking_objects() -> None:
    body = json.loads((SAMPLES / "seed001_08_ads.json").read_text())
    ad = models.Ad.model_validate(body["ads"][0]["ad"])
    assert ad.third_party_paid_impression_tracking_urls
    assert ad.third_party_paid_impression_tracking_urls[0]["trackingUrlMetadata"] is None


# --- leniency -------------------------------------------------------------------------


@pytest.mark.parametrize("model", sorted(set(models.MODELS.values()) | {models.Me}, key=str))
def test_an_empty_object_parses(model: type[models.SnapModel]) -> None:
    assert model.model_validate({}).to_api() == {}


def test_unknown_fields_survive_a_read_modify_write() -> None:
    stored = {
        "id": "s1",
        "name": "Squad",
        "status": "ACTIVE",
        "bid_strategy": "AUTO_BID",
        "daily_budget_micro": 50_000_000,
        "future_field": {"nested": [1, 2]},
        "targeting_reach_status": "VALID",
        "delivery_status": ["VALID"],
        "updated_at": "2025-11-07T11:00:36.953Z",
        "auto_bid": True,
        "target_bid": False,
    }
    squad = models.AdSquad.model_validate(stored)
    squad.status = "PAUSED"
    sent = models.validate_write("adsquads", squad.to_api(), op="update")
    assert sent["future_field"] == {"nested": [1, 2]}
    assert sent["targeting_reach_status"] == "VALID"
    assert sent["status"] == "PAUSED"
    # Snap refuses the deprecated bid flags on an update and owns the read-only fields.
    assert not {"auto_bid", "target_bid", "delivery_status", "updated_at"} & set(sent)


def test_new_enum_values_from_snap_do_not_break_a_read() -> None:
    ad = models.Ad.model_validate({"status": "ARCHIVED", "review_status": "ESCALATED"})
    assert ad.status == "ARCHIVED"


def test_the_caller_dict_is_not_modified() -> None:
    item = {"id": "s1", "auto_bid": True, "created_at": "x"}
    models.validate_write("adsquads", item, op="update")
    assert item == {"id": "s1", "auto_bid": True, "created_at": "x"}


# --- validate_write --------------------------------------------------------------------


def test_validate_write_names_the_first_bad_field_and_lists_all() -> None:
    item = {
        "campaign_id": "c1",
        "name": "n" * 400,
        "type": "SNAP_ADS",
        "targeting": {},
        "placement_v2": {"config": "AUTOMATIC"},
        "optimization_goal": "IMPRESSIONS",
        "bid_strategy": "AUTO_BID",
        "daily_budget_micro": 1_000,
    }
    with pytest.raises(ValidationError) as caught:
        models.validate_write("adsquads", item, op="create")
    error = caught.value
    assert error.field == "name"
    assert "375" in error.message and "daily_budget_micro" in error.message
    assert error.code == "validation"
    assert error.to_result()["errors"] == [{"field": "name", "message": error.message}]


def test_validate_write_passes_context_to_the_rules() -> None:
    squad = {"id": "s1", "bid_micro": 200_000_000}
    assert models.validate_write("adsquads", squad, op="update") == squad
    assert models.validate_write("adsquads", squad, op="update", currency="USD") == squad
    with pytest.raises(ValidationError) as caught:
        models.validate_write("adsquads", squad, op="update", currency="EUR")
    assert caught.value.field == "bid_micro"
    ad = {"id": "a1", "type": "REMOTE_WEBPAGE"}
    with pytest.raises(ValidationError, match="WEB_VIEW"):
        models.validate_write("ads", ad, op="update", creative_type="SNAP_AD")


def test_validate_write_lets_a_campaign_update_echo_stored_values() -> None:
    current = {"id": "c1", "pacing_level": "CAMPAIGN"}
    item = {"id": "c1", "pacing_level": "CAMPAIGN", "status": "PAUSED"}
    with pytest.raises(ValidationError) as caught:
        models.validate_write("campaigns", item, op="update")
    assert caught.value.field == "pacing_level"
    assert models.validate_write("campaigns", item, op="update", current=current) == item


def test_validate_write_accepts_a_model() -> None:
    ad = models.Ad.model_validate({"id": "a1", "status": "PAUSED", "review_status": "APPROVED"})
    assert models.validate_write("ads", ad, op="update") == {"id": "a1", "status": "PAUSED"}


def test_validate_write_refuses_unknown_kinds_and_context() -> None:
    with pytest.raises(ValueError, match="no write rules"):
        models.validate_write("pixels", {}, op="create")
    with pytest.raises(TypeError):
        models.validate_write("media", {}, op="create", currency="USD")


@pytest.mark.parametrize("kind", ["campaigns", "adsquads", "ads", "creatives", "media"])
def test_read_only_fields_are_dropped_before_sending(kind: str) -> None:
    item = {"id": "x1", "created_at": "2025-01-01T00:00:00Z", "delivery_status": ["VALID"]}
    assert models.validate_write(kind, item, op="update") == {"id": "x1"}


# --- helpers ----------------------------------------------------------------------------


def test_caps_hit_lists_only_over_budget_codes() -> None:
    squad = models.AdSquad.model_validate(
        {
            "delivery_status": [
                "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND",
                "VALID",
                "INVALID_NOT_ACTIVE",
            ]
        }
    )
    assert squad.caps_hit() == ["INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"]
    campaign = models.Campaign.model_validate(
        {"delivery_status": ["INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND"]}
    )
    assert campaign.caps_hit() == ["INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND"]
    assert models.Campaign().caps_hit() == []


def test_time_of_parses_snap_timestamps() -> None:
    assert models.time_of("2016-08-14T07:07:50.241Z") == datetime(
        2016, 8, 14, 7, 7, 50, 241000, tzinfo=UTC
    )
    pacific = models.time_of("2016-07-22T12:30:51.169-07:00")
    assert pacific is not None and pacific.utcoffset() == timedelta(hours=-7)
    assert models.time_of(None) is None


def test_accounts_parse() -> None:
    me = models.Me.model_validate({"id": "u1", "email": "a@b.c", "display_name": "A"})
    assert me.email == "a@b.c"
    org = models.Organization.model_validate(
        {
            "id": "o1",
            "name": "Org",
            "type": "ENTERPRISE",
            "ad_accounts": [{"id": "aa1", "currency": "EUR"}],
        }
    )
    assert org.ad_accounts is not None and org.ad_accounts[0].currency == "EUR"
    account = models.AdAccount.model_validate(
        {
            "id": "aa1",
            "currency": "USD",
            "timezone": "America/Los_Angeles",
            "status": "ACTIVE",
            "test": False,
        }
    )
    assert account.timezone == "America/Los_Angeles"


def test_media_readiness() -> None:
    assert models.Media.model_validate({"media_status": "READY"}).ready
    assert not models.Media.model_validate({"media_status": "PENDING_UPLOAD"}).ready


# --- stats (Snap docs: Measurement, response shapes) ----------------------------------

DAY_STATS = {
    "request_status": "SUCCESS",
    "request_id": "r1",
    "timeseries_stats": [
        {
            "sub_request_status": "SUCCESS",
            "timeseries_stat": {
                "id": "c1",
                "type": "CAMPAIGN",
                "granularity": "DAY",
                "start_time": "2022-06-25T00:00:00.000-07:00",
                "end_time": "2022-06-27T00:00:00.000-07:00",
                "finalized_data_end_time": "2022-06-26T00:00:00.000-07:00",
                "conversion_data_processed_end_time": "2022-06-26T09:00:00.000Z",
                "swipe_up_attribution_window": "28_DAY",
                "timeseries": [
                    {
                        "start_time": "2022-06-25T00:00:00.000-07:00",
                        "end_time": "2022-06-26T00:00:00.000-07:00",
                        "stats": {"spend": 168048},
                    },
                    {
                        "start_time": "2022-06-26T00:00:00.000-07:00",
                        "end_time": "2022-06-27T00:00:00.000-07:00",
                        "stats": {"spend": 2000},
                    },
                ],
                "breakdown_stats": {
                    "adsquad": [
                        {
                            "id": "s1",
                            "type": "AD_SQUAD",
                            "timeseries": [
                                {
                                    "start_time": "2022-06-25T00:00:00.000-07:00",
                                    "end_time": "2022-06-26T00:00:00.000-07:00",
                                    "stats": {"spend": 100000, "impressions": 7},
                                },
                            ],
                        }
                    ]
                },
                "something_new": 1,
            },
        }
    ],
}


def test_day_stats_parse_with_their_end_times_and_breakdown() -> None:
    stat = models.Stat.model_validate(DAY_STATS["timeseries_stats"][0]["timeseries_stat"])
    assert stat.finalized_data_end_time == "2022-06-26T00:00:00.000-07:00"
    assert stat.conversion_data_processed_end_time == "2022-06-26T09:00:00.000Z"
    assert stat.timeseries is not None and len(stat.timeseries) == 2
    assert stat.breakdown_stats is not None and stat.breakdown_stats["adsquad"][0].id == "s1"
    assert stat.to_api()["something_new"] == 1
