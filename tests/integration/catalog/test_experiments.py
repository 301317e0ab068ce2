"""snap.experiment.launch and set_variant_status against the sandbox (no Idempotency-Key dedupe).

The sandbox ignores Idempotency-Key here, as Snap is documented to: only the journal and
reconcile keep a retried launch from creating anything twice.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from storage import experiments as experiment_repo
from tasks.payloads import RESULT_EXAMPLES
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

TARGETING = {"geos": [{"country_code": "us"}]}


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"ignore_idempotency_key": True}


@pytest.fixture
def creatives(fleet_worker: Fleet, tmp_path: Path) -> list[str]:
    """Two READY creatives, made the documented way: media upload, then creative create."""
    fleet = fleet_worker
    image = tmp_path / "hero.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 256)
    ids = []
    for n in range(2):
        media = fleet.call(
            "snap.media.upload",
            {"ad_account_id": USD_AD_ACCOUNT_ID, "name": f"hero {n}", "media_type": "IMAGE",
             "file_path": str(image)},
        )  # fmt: skip
        creative = fleet.call(
            "snap.creative.create",
            {"ad_account_id": USD_AD_ACCOUNT_ID, "name": f"Hero {n}", "type": "WEB_VIEW",
             "headline": "Spring", "brand_name": "Badger", "top_snap_media_id": media["media_id"],
             "call_to_action": "SHOP_NOW",
             "web_view_properties": {"url": "https://shop.example.com/spring"}},
        )  # fmt: skip
        assert creative["status"] == "succeeded", creative
        ids.append(creative["snap_id"])
    return ids


def _launch(experiment_id: str, creatives: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "experiment_id": experiment_id,
        "campaign": {"name": f"Test {experiment_id}", "start_time": "2026-12-01T00:00:00Z"},
        "optimization_goal": "SWIPES",
        "ad_type": "REMOTE_WEBPAGE",
        "variants": [
            {"name": "control", "role": "control", "targeting": TARGETING,
             "creative_id": creatives[0], "daily_budget_usd": "50"},
            {"name": "hero-b", "role": "treatment", "targeting": TARGETING,
             "creative_id": creatives[1], "daily_budget_usd": "50"},
        ],
        **extra,
    }  # fmt: skip


def _entity(fleet: Fleet, entity_id: str) -> dict[str, Any]:
    return dict(fleet.sandbox.state.store.find(entity_id).entity)


def _made(fleet: Fleet, experiment_id: str) -> Counter[str]:
    """Entities on the sandbox whose name belongs to the experiment, by kind."""
    return Counter(
        r.kind
        for r in fleet.sandbox.state.store.records.values()
        if str(r.entity.get("name", "")).startswith(f"{experiment_id}:")
        or r.entity.get("name") == f"Test {experiment_id}"
    )


def test_launch_ships_the_control_active_and_treatments_paused(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"

    result = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives))

    assert result["status"] == "succeeded", result
    assert set(result) == set(RESULT_EXAMPLES["snap.experiment.launch"])
    variants = result["variants"]
    assert {n: v["status"] for n, v in variants.items()} == {
        "control": "ACTIVE", "hero-b": "PAUSED"
    }  # fmt: skip
    for name, creative_id in zip(("control", "hero-b"), creatives, strict=True):
        squad = _entity(fleet, variants[name]["ad_squad_id"])
        ad = _entity(fleet, variants[name]["ad_id"])
        assert squad["campaign_id"] == result["campaign_id"]
        assert squad["name"] == ad["name"] == f"{experiment_id}:{name}"
        assert squad["status"] == variants[name]["status"]
        assert (ad["ad_squad_id"], ad["creative_id"]) == (squad["id"], creative_id)
        assert ad["status"] == "ACTIVE"  # the ad squad is the variant's one switch
    assert _made(fleet, experiment_id) == {"campaigns": 1, "adsquads": 2, "ads": 2}
    with fleet.runtime.session() as session:
        stored = experiment_repo.get(session, experiment_id)
        assert (stored.status, stored.campaign_id) == ("running", result["campaign_id"])
        assert {v.name: v.ad_squad_id for v in stored.variants} == {
            n: v["ad_squad_id"] for n, v in variants.items()
        }


def test_a_retry_after_failures_mid_launch_creates_nothing_twice(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    state = fleet.sandbox.state
    # The control's ad squad create answers 500 (not made); the control's ad is made but
    # its answer is lost (connection dropped after commit): both steps are retried.
    state.inject_fault("status", status=500, method="POST", path="/v1/campaigns/")
    state.inject_fault("drop", method="POST", path="/v1/adsquads/")

    result = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives))

    assert result["status"] == "succeeded", result
    assert _made(fleet, experiment_id) == {"campaigns": 1, "adsquads": 2, "ads": 2}
    assert not state.faults.faults  # both faults were hit


def test_the_same_task_again_replays_and_another_task_gets_the_stored_launch(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    task_id = str(uuid.uuid4())
    first = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives), task_id)

    again = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives), task_id)
    other = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives))

    assert again == first
    assert other["already_launched"] is True and other["campaign_id"] == first["campaign_id"]
    assert _made(fleet, experiment_id) == {"campaigns": 1, "adsquads": 2, "ads": 2}


def test_a_missing_creative_is_not_found_before_anything_is_made(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    missing = [creatives[0], "0f4c2d4e-5a8b-4c61-9a57-1d2e3f4a5b6c"]

    result = fleet.call("snap.experiment.launch", _launch(experiment_id, missing))

    assert (result["code"], result["field"]) == ("not_found", "variants.1.creative_id")
    assert _made(fleet, experiment_id) == {}


def test_set_variant_status_toggles_the_variant_ad_squad(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    launched = fleet.call("snap.experiment.launch", _launch(experiment_id, creatives))
    squad_id = launched["variants"]["hero-b"]["ad_squad_id"]
    toggle = {"ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
              "variant_name": "hero-b"}  # fmt: skip

    on = fleet.call("snap.experiment.set_variant_status", {**toggle, "status": "ACTIVE"})
    assert (on["status"], on["snap_id"], on["variant_status"]) == ("succeeded", squad_id, "ACTIVE")
    assert _entity(fleet, squad_id)["status"] == "ACTIVE"
    off = fleet.call("snap.experiment.set_variant_status", {**toggle, "status": "PAUSED"})
    assert off["status"] == "succeeded" and _entity(fleet, squad_id)["status"] == "PAUSED"
    squad = _entity(fleet, squad_id)
    assert squad["targeting"]["geos"] == TARGETING["geos"]  # the rest of the squad kept
    with fleet.runtime.session() as session:
        assert experiment_repo.variant(session, experiment_id, "hero-b").status == "PAUSED"

    unknown = fleet.call(
        "snap.experiment.set_variant_status", {**toggle, "variant_name": "nope", "status": "ACTIVE"}
    )
    assert (unknown["code"], unknown["field"]) == ("not_found", "variant_name")


def test_launch_under_an_existing_campaign_makes_no_campaign(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    fleet = fleet_worker
    campaign = fleet.call(
        "snap.campaign.create",
        {"ad_account_id": USD_AD_ACCOUNT_ID, "name": "Existing",
         "start_time": "2026-12-01T00:00:00Z", "daily_budget_usd": "100"},
    )  # fmt: skip
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    payload = _launch(experiment_id, creatives)
    del payload["campaign"]

    result = fleet.call("snap.experiment.launch", {**payload, "campaign_id": campaign["snap_id"]})
    missing = fleet.call(
        "snap.experiment.launch",
        {**payload, "experiment_id": f"{experiment_id}-x",
         "campaign_id": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"},
    )  # fmt: skip

    assert result["campaign_id"] == campaign["snap_id"]
    assert _made(fleet, experiment_id) == {"adsquads": 2, "ads": 2}
    assert (missing["code"], missing["field"]) == ("not_found", "campaign_id")
    assert _made(fleet, f"{experiment_id}-x") == {}


def test_two_tasks_launching_one_experiment_at_once_make_one_set(
    fleet_worker: Fleet, creatives: list[str]
) -> None:
    """Given two task ids launching the same experiment concurrently (the worker runs two at
    a time), when both finish, then one launched it and the other did not make anything."""
    fleet = fleet_worker
    experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
    sent = [
        fleet.app.send_task(
            "snap.experiment.launch", kwargs=_launch(experiment_id, creatives),
            task_id=str(uuid.uuid4()),
        )
        for _ in range(2)
    ]  # fmt: skip
    outcomes = [r.get(timeout=60, propagate=False) for r in sent]
    launched = [o for o in outcomes if o["status"] == "succeeded" and not o.get("already_launched")]
    assert len(launched) == 1, outcomes
    other = next(o for o in outcomes if o is not launched[0])
    assert other.get("already_launched") or other.get("code") == "conflict", other
    assert _made(fleet, experiment_id) == Counter({"campaigns": 1, "adsquads": 2, "ads": 2})
