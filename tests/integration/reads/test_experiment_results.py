"""snap.experiment.results against a sandbox that delivers: variants side by side, the
control marked, each treatment tested against it, and no winner on too little data.

The hourly pull is what gives the variants their rows: an experiment's campaign gets the
ad squad breakdown without `adsquad` being a configured level, from one account-level
call per window rather than one call per campaign.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.mutations.task import call_task

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("forget_experiments")]

START = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
TARGETING = {"geos": [{"country_code": "us"}]}


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"seed": "demo", "start_time": START}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_stats_lookback_days": 3, "snapfleet_stats_breakdown_levels": "campaign"}


def _call(fleet: Fleet, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    result = call_task(fleet.app, name, payload)
    return result


def _creative(fleet: Fleet, tmp_path: Path, n: int) -> str:
    image = tmp_path / f"hero{n}.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * 256)
    media = _call(fleet, "snap.media.upload", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"hero {n}", "media_type": "IMAGE",
        "file_path": str(image),
    })  # fmt: skip
    assert media["status"] == "succeeded", media
    creative = _call(fleet, "snap.creative.create", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"Hero {n}", "type": "WEB_VIEW",
        "headline": "Spring", "brand_name": "Badger", "top_snap_media_id": media["media_id"],
        "call_to_action": "SHOP_NOW",
        "web_view_properties": {"url": "https://shop.example.com/spring"},
    })  # fmt: skip
    assert creative["status"] == "succeeded", creative
    return str(creative["snap_id"])


@pytest.fixture
def running_experiment(fleet: Fleet, tmp_path: Path, clean_sync_tables: None) -> str:
    """An experiment whose two variants have delivered for two days, then the hourly pull."""
    fleet.app.snapfleet_clock = fleet.sandbox.clock.now  # type: ignore[attr-defined]
    experiment_id = f"exp-{START:%H%M}-{tmp_path.name[-6:]}"
    creatives = [_creative(fleet, tmp_path, n) for n in (1, 2)]
    launched = _call(fleet, "snap.experiment.launch", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
        "campaign": {"name": f"Test {experiment_id}", "start_time": START.isoformat()},
        "optimization_goal": "SWIPES", "ad_type": "REMOTE_WEBPAGE",
        "variants": [
            {"name": "control", "role": "control", "targeting": TARGETING,
             "creative_id": creatives[0], "daily_budget_usd": "50"},
            {"name": "hero-b", "role": "treatment", "targeting": TARGETING,
             "creative_id": creatives[1], "daily_budget_usd": "50"},
        ],
    })  # fmt: skip
    assert launched["status"] == "succeeded", launched
    on = _call(fleet, "snap.experiment.set_variant_status", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
        "variant_name": "hero-b", "status": "ACTIVE",
    })  # fmt: skip
    assert on["status"] == "succeeded", on
    fleet.sandbox.state.advance(timedelta(hours=48).total_seconds())
    pulled = _call(fleet, "snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    assert pulled["status"] == "succeeded", pulled
    return experiment_id


def _stats_requests(fleet: Fleet) -> list[dict[str, Any]]:
    return [r for r in fleet.sandbox.state.requests() if r["path"].endswith("/stats")]


def test_results_show_the_variants_side_by_side_with_the_control_marked(
    fleet: Fleet, running_experiment: str
) -> None:
    result = _call(fleet, "snap.experiment.results", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": running_experiment,
        "min_impressions": 1, "min_swipes": 1,
    })  # fmt: skip
    assert result["status"] == "succeeded", result
    variants = {v["name"]: v for v in result["variants"]}
    assert variants["control"]["control"] is True
    assert variants["hero-b"]["control"] is False
    for v in variants.values():
        # Every figure the dashboard shows, from the ad squad's own rows
        assert v["impressions"] > 0 and v["swipes"] > 0, v
        assert v["swipe_rate"] == pytest.approx(v["swipes"] / v["impressions"], abs=1e-6)
        assert float(v["spend_usd"]) > 0
        assert {"view_completions", "conversions", "cost_per_conversion_usd"} <= set(v)
    (comparison,) = result["comparisons"]
    assert comparison["treatment"] == "hero-b" and comparison["control"] == "control"
    assert comparison["n_control"] == variants["control"]["impressions"]
    assert comparison["n_treatment"] == variants["hero-b"]["impressions"]
    assert comparison["p_value"] is not None and 0 <= comparison["p_value"] <= 1
    assert result["verdict"] in {"treatment_wins", "control_wins", "no_significant_difference"}


def test_no_winner_is_called_on_too_little_data(fleet: Fleet, running_experiment: str) -> None:
    result = _call(fleet, "snap.experiment.results", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": running_experiment,
        "min_impressions": 10**9,
    })  # fmt: skip
    assert result["status"] == "succeeded", result
    assert (result["verdict"], result["winner"]) == ("insufficient_data", None)
    assert result["comparisons"][0]["short"], result["comparisons"]
    assert result["comparisons"][0]["significant"] is False


def test_the_pull_reads_the_variants_from_one_account_level_call_per_window(
    fleet: Fleet, running_experiment: str
) -> None:
    # `adsquad` is not a configured level, yet the experiment's ad squads were read
    requests = _stats_requests(fleet)
    by_adsquad = [r for r in requests if r["query"].get("breakdown") == "adsquad"]
    assert by_adsquad, "no ad squad breakdown was read"
    assert all("/adaccounts/" in r["path"] for r in by_adsquad)
    windows = {(r["query"]["start_time"], r["query"]["end_time"]) for r in by_adsquad}
    assert len(by_adsquad) == len(windows)  # one per window, none per campaign


def test_an_unknown_experiment_is_not_found(fleet: Fleet) -> None:
    result = _call(fleet, "snap.experiment.results", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": "no-such-experiment",
    })  # fmt: skip
    assert (result["status"], result["code"]) == ("failed", "not_found")


def test_experiment_show_prints_the_variants_and_the_test(
    fleet: Fleet, running_experiment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from worker.cli import main as cli

    monkeypatch.setattr(cli, "_sync_app", lambda: (fleet.app, fleet.runtime))
    result = CliRunner().invoke(
        cli.app, ["experiment", "show", running_experiment, "--min-impressions", "1",
                  "--min-swipes", "1"], catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "control *" in result.output and "hero-b" in result.output
    assert "z-test p=" in result.output and "verdict:" in result.output
