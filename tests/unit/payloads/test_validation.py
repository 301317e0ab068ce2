"""Bad payloads are refused with the field path named; good ones pass (the README examples)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasks.payloads import (
    EXAMPLES,
    TASK_PAYLOADS,
    CampaignCreate,
    validate_payload,
)
from worker.results import validation_failure

from .support import example

LONG_NAME = "n" * 376
NAIVE = "2026-03-01T00:00:00"


def refused_fields(task: str, payload: dict) -> list[str]:
    """Validate; return the dotted field paths named by the failure (fails if accepted)."""
    with pytest.raises(ValidationError) as caught:
        validate_payload(task, payload)
    result = validation_failure(caught.value, TASK_PAYLOADS[task])
    assert result["status"] == "failed"
    assert result["code"] == "validation"
    return [error["field"] for error in result["errors"]]


@pytest.mark.parametrize("task", sorted(EXAMPLES))
def test_every_documented_example_is_valid(task):
    # Given the example the README shows, when validated, then it is accepted as its model
    assert isinstance(validate_payload(task, EXAMPLES[task]), TASK_PAYLOADS[task])


@pytest.mark.parametrize("task", sorted(TASK_PAYLOADS))
def test_an_unknown_field_is_refused_by_name(task):
    assert refused_fields(task, example(task, surprise=1)) == ["surprise"]


def test_a_typo_names_the_field_and_suggests_the_right_one():
    payload = example("snap.campaign.create")
    payload["dailly_budget_usd"] = payload.pop("daily_budget_usd")
    with pytest.raises(ValidationError) as caught:
        validate_payload("snap.campaign.create", payload)
    (error,) = validation_failure(caught.value, CampaignCreate)["errors"]
    assert error == {
        "field": "dailly_budget_usd",
        "message": "unknown field; did you mean 'daily_budget_usd'?",
    }


ONLY_CONTROL = [{"name": "x", "role": "control", "targeting": {}, "creative_id": "c", "daily_budget_usd": 1}]  # fmt: skip  # noqa: E501

INVALID = [
    # (task, changes, the field the error must name)
    ("snap.campaign.create", {"name": ""}, "name"),
    ("snap.campaign.create", {"name": "   "}, "name"),
    ("snap.campaign.create", {"name": LONG_NAME}, "name"),
    ("snap.campaign.create", {"status": "RUNNING"}, "status"),
    ("snap.campaign.create", {"start_time": NAIVE}, "start_time"),
    ("snap.campaign.create", {"start_time": None}, "start_time"),
    ("snap.campaign.create", {"end_time": "2026-02-01T00:00:00Z"}, "end_time"),
    ("snap.campaign.create", {"daily_budget_usd": "-1"}, "daily_budget_usd"),
    ("snap.campaign.create", {"daily_budget_usd": "1.0000001"}, "daily_budget_usd"),
    ("snap.campaign.create", {"lifetime_spend_cap_usd": "NaN"}, "lifetime_spend_cap_usd"),
    ("snap.campaign.create", {"daily_budget_usd": True}, "daily_budget_usd"),
    ("snap.campaign.create", {"objective": "GO_VIRAL"}, "objective"),
    ("snap.campaign.create", {"objective_v2_properties": {"objective_v2_type": "X"}},
     "objective_v2_properties.objective_v2_type"),
    ("snap.campaign.create", {"ad_account_id": ""}, "ad_account_id"),
    ("snap.campaign.create", {"ad_account_id": "a/../b"}, "ad_account_id"),
    ("snap.campaign.update", {"daily_budget_usd": None}, ""),
    ("snap.campaign.update", {"start_time": "2026-03-02T00:00:00Z",
                              "end_time": "2026-03-01T00:00:00Z"}, "end_time"),
    ("snap.campaign.pause", {"campaign_id": None}, "campaign_id"),
    ("snap.campaign.pause", {"status": "PAUSED"}, "status"),
    ("snap.adsquad.create", {"lifetime_budget_usd": "10"}, "daily_budget_usd"),
    ("snap.adsquad.create", {"daily_budget_usd": None}, "daily_budget_usd"),
    ("snap.adsquad.create", {"bid_usd": None}, "bid_usd"),
    ("snap.adsquad.create", {"bid_strategy": "TARGET_COST", "bid_usd": None}, "bid_usd"),
    ("snap.adsquad.create", {"bid_strategy": "MIN_ROAS", "optimization_goal": "APP_PURCHASE"},
     "roas_value"),
    ("snap.adsquad.create", {"bid_strategy": "MIN_ROAS", "roas_value": "2"}, "optimization_goal"),
    ("snap.adsquad.create", {"roas_value": "2"}, "roas_value"),
    ("snap.adsquad.create", {"bid_strategy": "MIN_ROAS", "optimization_goal": "APP_PURCHASE",
                             "roas_value": "0.001"}, "roas_value"),
    ("snap.adsquad.create", {"optimization_goal": "CLICKS"}, "optimization_goal"),
    ("snap.adsquad.create", {"bid_strategy": "CHEAPEST"}, "bid_strategy"),
    ("snap.adsquad.create", {"targeting": None}, "targeting"),
    ("snap.adsquad.create", {"type": "SNAP_AD"}, "type"),
    ("snap.adsquad.update", {"daily_budget_usd": "5", "lifetime_budget_usd": "9"},
     "lifetime_budget_usd"),
    ("snap.adsquad.update", {"bid_strategy": "MIN_ROAS"}, "roas_value"),
    ("snap.ad.create", {"type": "BANNER"}, "type"),
    ("snap.ad.create", {"creative_id": None}, "creative_id"),
    ("snap.ad.create", {"status": "DELETED"}, "status"),
    ("snap.ad.update", {"name": None}, ""),
    ("snap.media.upload", {"file_path": "/tmp/hero.mp4"}, "source_url"),
    ("snap.media.upload", {"source_url": None}, "source_url"),
    ("snap.media.upload", {"media_type": "GIF"}, "media_type"),
    ("snap.media.upload", {"source_url": "ftp://cdn.example.com/a.mp4"}, "source_url"),
    ("snap.media.upload", {"wait_ready_timeout_s": 0}, "wait_ready_timeout_s"),
    ("snap.creative.create", {"headline": "h" * 35}, "headline"),
    ("snap.creative.create", {"brand_name": "b" * 33}, "brand_name"),
    ("snap.creative.create", {"brand_name": None}, "brand_name"),
    ("snap.creative.create", {"web_view_properties": None}, "web_view_properties"),
    ("snap.creative.create", {"type": "SNAP_AD"}, "web_view_properties"),
    ("snap.creative.create", {"web_view_properties": {"url": "not a url"}},
     "web_view_properties.url"),
    ("snap.creative.create", {"call_to_action": "CLICK_HERE"}, "call_to_action"),
    ("snap.creative.create", {"type": "APP_INSTALL", "web_view_properties": None,
                              "app_install_properties": {"app_name": "B", "icon_media_id": "m"}},
     "app_install_properties.ios_app_id"),
    ("snap.creative.create", {"type": "APP_INSTALL", "web_view_properties": None,
                              "app_install_properties": {"app_name": "a" * 31, "ios_app_id": "1",
                                                         "icon_media_id": "m"}},
     "app_install_properties.app_name"),
    ("snap.experiment.launch", {"campaign_id": "c1"}, "campaign_id"),
    ("snap.experiment.launch", {"campaign": None}, "campaign_id"),
    ("snap.experiment.launch", {"campaign": {"name": "x", "start_time": NAIVE}},
     "campaign.start_time"),
    ("snap.experiment.launch", {"bid_strategy": "LOWEST_COST_WITH_MAX_BID"}, "bid_usd"),
    ("snap.experiment.launch", {"variants": ONLY_CONTROL}, "variants"),
    ("snap.experiment.launch", {"experiment_id": ""}, "experiment_id"),
    ("snap.experiment.set_variant_status", {"status": "STOPPED"}, "status"),
    ("snap.experiment.set_variant_status", {"variant_name": ""}, "variant_name"),
    ("snap.stats.pull", {"end_date": "2026-02-28"}, "end_date"),
    ("snap.stats.pull", {"start_date": "2026-13-01"}, "start_date"),
    ("snap.stats.pull", {"granularity": "WEEK"}, "granularity"),
    ("snap.stats.pull_all", {"ad_account_ids": []}, "ad_account_ids"),
    ("snap.detect.run", {"ad_account_ids": ["ok", ""]}, "ad_account_ids.1"),
    ("snap.connection.refresh", {"connection_id": None}, "connection_id"),
]  # fmt: skip


@pytest.mark.parametrize(("task", "changes", "field"), INVALID)
def test_an_invalid_payload_names_the_field(task, changes, field):
    # Given a documented example with one bad field, when validated, then the error names it
    assert field in refused_fields(task, example(task, **changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "control"}, "variants"),  # two controls
        ({"name": "control"}, "variants"),  # duplicate names
        ({"daily_budget_usd": "-5"}, "variants.1.daily_budget_usd"),
        ({"colour": "red"}, "variants.1.colour"),
        ({"targeting": None}, "variants.1.targeting"),
    ],
)
def test_a_bad_variant_is_named_by_its_position(changes, field):
    payload = example("snap.experiment.launch")
    payload["variants"][1].update(changes)
    assert refused_fields("snap.experiment.launch", payload) == [field]


def test_an_experiment_without_a_control_is_refused():
    payload = example("snap.experiment.launch")
    payload["variants"][0]["role"] = "treatment"
    with pytest.raises(ValidationError) as caught:
        validate_payload("snap.experiment.launch", payload)
    (error,) = validation_failure(caught.value)["errors"]
    assert error == {"field": "variants", "message": "need exactly one control variant, got 0"}


def test_every_error_is_reported_at_once_and_joined_in_the_message():
    payload = example("snap.campaign.create", name="", daily_budget_usd="-1")
    with pytest.raises(ValidationError) as caught:
        validate_payload("snap.campaign.create", payload)
    result = validation_failure(caught.value)
    assert [e["field"] for e in result["errors"]] == ["name", "daily_budget_usd"]
    assert result["message"].startswith("name: ")
    assert "; daily_budget_usd: Input should be greater than or equal to 0" in result["message"]


def test_the_failure_result_never_echoes_the_input():
    # Given a value that looks like a secret in a field that is refused
    payload = example("snap.connection.refresh", connection_id="sk live token!")
    with pytest.raises(ValidationError) as caught:
        validate_payload("snap.connection.refresh", payload)
    # then the stored result names the field but does not carry the value
    result = validation_failure(caught.value)
    assert result["errors"][0]["field"] == "connection_id"
    assert "sk live token" not in repr(result)


def test_a_status_change_takes_no_status_from_the_runner():
    # pause and resume say what they do by their name; a status in the payload is a mistake
    assert refused_fields("snap.ad.resume", example("snap.ad.resume", status="PAUSED")) == [
        "status"
    ]
