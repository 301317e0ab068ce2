"""The dashboard's whole flow (seed 000) driven through tasks alone, on a real worker.

Real parts: a `snapfleet sandbox` server over TCP, a `snapfleet worker` process on the
real Redis broker and PostgreSQL, and the runner's side that only calls
`send_task(name, kwargs=...)` and reads results. The flow: connect (authorize, the user
approves on Snap, complete), list ad accounts, create a campaign, pause it, read it back,
pull and read stats, run an experiment and read its variants, disconnect. On the way, the
guide's troubleshooting messages where the user meets them, and how a failure arrives
(state SUCCESS, `status: failed`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snap.sandbox import USD_AD_ACCOUNT_ID
from tests import processes
from tests.processes import start, stop, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.usefixtures("forget_experiments"),
]

CLIENT_ID = "flow-client"
CLIENT_SECRET = "flow-secret-value"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
TARGETING = {"geos": [{"country_code": "us"}]}


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[str]:
    log = (tmp_path / "sandbox.log").open("wb")
    with processes.sandbox_server(
        ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--seed", "empty",
         "--app-rps", "0", "--token-rps", "0"],
        probe="/_sandbox/clock", stdout=log, ready_timeout_s=90.0,
    ) as base:  # fmt: skip
        yield base


@pytest.fixture
def fleet_env(
    sandbox_server: str, redis_url: str | None, migrated_database: str, tmp_path: Path
) -> dict[str, str]:
    if redis_url is None:
        pytest.skip("needs the real Redis (fakeredis cannot be shared with a worker process)")
    (tmp_path / "media").mkdir()
    return {
        **processes.fleet_env(
            sandbox_server, redis_url, migrated_database, CLIENT_ID, CLIENT_SECRET
        ),
        "SNAPFLEET_HOME": str(tmp_path / "home"),
        "SNAPFLEET_MEDIA_ROOTS": str(tmp_path / "media"),
        "SNAPFLEET_METRICS_PORT": "0",
        "SNAPFLEET_FX_URL": "off",
        # A 429 storm ends in a result within seconds, not minutes
        "SNAPFLEET_TASK_MAX_RETRIES": "1",
        "SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S": "1",
        "SNAPFLEET_RECONCILE_RECHECK_S": "1",
        "SNAPFLEET_CLIENT_MAX_ELAPSED_S": "1",
    }


@pytest.fixture
def runner(fleet_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A `snapfleet worker` process, and the runner's app that only sends tasks by name."""
    from worker.app import create_app
    from worker.settings import Settings, get_settings

    worker = start(
        ["worker", "--pool", "threads", "--concurrency", "4", "--queues", "mutations,sync",
         "--without-mingle", "--without-gossip"],
        fleet_env, tmp_path / "worker.log",
    )  # fmt: skip
    for name, value in fleet_env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = create_app(Settings())
    try:
        wait_until(
            lambda: worker.poll() is None and app.control.ping(timeout=1.0),
            "the worker to answer a ping",
            90.0,
        )
        yield app
    finally:
        stop(worker)
        get_settings.cache_clear()
        print((tmp_path / "worker.log").read_text(errors="replace")[-4000:])


def _send(app: Any, name: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Enqueue by name as the runner does; Celery's state and the result."""
    sent = app.send_task(name, kwargs=payload, task_id=str(uuid.uuid4()))
    result = sent.get(timeout=120, propagate=False)
    return sent.state, result


def _ok(app: Any, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    state, result = _send(app, name, payload)
    assert state == "SUCCESS" and result["status"] == "succeeded", (name, state, result)
    return result


def _advance(sandbox: str, hours: float) -> None:
    answer = httpx.post(f"{sandbox}/_sandbox/clock/advance", json={"seconds": hours * 3600})
    assert answer.status_code == 200, answer.text


def test_the_dashboard_flow_runs_through_tasks_alone(
    runner: Any, sandbox_server: str, tmp_path: Path
) -> None:
    app = runner
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"

    # Connect: the dashboard asks for the URL, the user approves on Snap, the redirect
    # brings the code and state back, the dashboard completes the connection.
    authorized = _ok(app, "snap.connection.authorize",
                     {"tenant_id": tenant, "redirect_uri": REDIRECT_URI})  # fmt: skip
    approval = httpx.get(authorized["authorization_url"], follow_redirects=False)
    redirect = parse_qs(urlsplit(approval.headers["location"]).query)
    assert redirect["state"] == [authorized["state"]]
    connected = _ok(app, "snap.connection.complete",
                    {"code": redirect["code"][0], "state": redirect["state"][0]})  # fmt: skip
    assert USD_AD_ACCOUNT_ID in connected["ad_account_ids"]

    # List ad accounts: currency, time zone, status, last sync
    accounts = _ok(app, "snap.adaccounts.list", {"tenant_id": tenant})
    usd = next(a for a in accounts["items"] if a["id"] == USD_AD_ACCOUNT_ID)
    assert usd["currency"] == "USD" and usd["timezone"] and "last_synced_at" in usd

    # Create, then pause, a campaign; read it back fresh from Snap and from the mirror
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    created = _ok(app, "snap.campaign.create", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "name": "Spring launch", "status": "ACTIVE",
        "start_time": now.isoformat(), "daily_budget_usd": "150",
    })  # fmt: skip
    campaign_id = created["snap_id"]
    _ok(app, "snap.campaign.pause", {"ad_account_id": USD_AD_ACCOUNT_ID,
                                     "campaign_id": campaign_id})  # fmt: skip
    fresh = _ok(app, "snap.campaign.list", {"ad_account_id": USD_AD_ACCOUNT_ID, "fresh": True})
    assert fresh["source"] == "snap"
    assert {c["id"]: c["status"] for c in fresh["items"]}[campaign_id] == "PAUSED"
    paused = _ok(app, "snap.campaign.list",
                 {"ad_account_id": USD_AD_ACCOUNT_ID, "statuses": ["PAUSED"]})  # fmt: skip
    assert paused["source"] == "mirror" and campaign_id in {c["id"] for c in paused["items"]}
    assert all(c["age_s"] >= 0 for c in paused["items"])

    # Run an experiment: creatives the documented way, the launch, the treatment on
    creatives = []
    for n in (1, 2):
        image = tmp_path / "media" / f"hero{n}.png"
        image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * 256)
        media = _ok(app, "snap.media.upload", {
            "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"hero {n}", "media_type": "IMAGE",
            "file_path": str(image),
        })  # fmt: skip
        creative = _ok(app, "snap.creative.create", {
            "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"Hero {n}", "type": "WEB_VIEW",
            "headline": "Spring", "brand_name": "Badger", "top_snap_media_id": media["media_id"],
            "call_to_action": "SHOP_NOW",
            "web_view_properties": {"url": "https://shop.example.com/spring"},
        })  # fmt: skip
        creatives.append(creative["snap_id"])
    experiment_id = f"exp-{uuid.uuid4().hex[:6]}"
    _ok(app, "snap.experiment.launch", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
        "campaign": {"name": f"Test {experiment_id}", "start_time": now.isoformat()},
        "optimization_goal": "SWIPES", "ad_type": "REMOTE_WEBPAGE",
        "variants": [
            {"name": "control", "role": "control", "targeting": TARGETING,
             "creative_id": creatives[0], "daily_budget_usd": "50"},
            {"name": "hero-b", "role": "treatment", "targeting": TARGETING,
             "creative_id": creatives[1], "daily_budget_usd": "50"},
        ],
    })  # fmt: skip
    _ok(app, "snap.experiment.set_variant_status", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
        "variant_name": "hero-b", "status": "ACTIVE",
    })  # fmt: skip

    # Read stats: the sandbox delivers for two days, the pull reads them
    _advance(sandbox_server, 48)
    today = now.date()
    pulled = _ok(app, "snap.stats.pull", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=2)).isoformat(),
    })  # fmt: skip
    assert pulled["rows_upserted"] > 0
    _ok(app, "snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    synced = _ok(app, "snap.adaccounts.list", {"tenant_id": tenant})
    assert next(a for a in synced["items"] if a["id"] == USD_AD_ACCOUNT_ID)["last_synced_at"]

    # Read the experiment's variants side by side
    results = _ok(app, "snap.experiment.results", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "experiment_id": experiment_id,
        "min_impressions": 1, "min_swipes": 1,
    })  # fmt: skip
    variants = {v["name"]: v for v in results["variants"]}
    assert variants["control"]["control"] and not variants["hero-b"]["control"]
    assert variants["control"]["impressions"] > 0 and variants["hero-b"]["impressions"] > 0
    assert results["comparisons"][0]["n_control"] == variants["control"]["impressions"]

    # The guide's words where the user meets them; a failure arrives as SUCCESS + failed
    state, missing = _send(app, "snap.ad.create", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "ad_squad_id": variants["control"]["ad_squad_id"],
        "creative_id": str(uuid.uuid4()), "name": "orphan", "type": "REMOTE_WEBPAGE",
    })  # fmt: skip
    assert (state, missing["status"]) == ("SUCCESS", "failed")
    assert missing["message"].startswith("creative_id references a missing creative")
    _, webhook = _send(app, "snap.webhook.register", {"url": "https://dashboard.example/h"})
    assert webhook["message"] == "webhooks not supported on snapchat_ads"
    fault = httpx.post(f"{sandbox_server}/_sandbox/faults", json={
        "action": "status", "status": 429, "times": None, "method": "POST",
        "path": f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns",
    })  # fmt: skip
    assert fault.status_code == 200, fault.text
    state, limited = _send(app, "snap.campaign.create", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "name": "Too fast", "start_time": now.isoformat(),
    })  # fmt: skip
    httpx.delete(f"{sandbox_server}/_sandbox/faults")
    assert (state, limited["code"]) == ("SUCCESS", "rate_limited"), limited
    assert limited["message"].startswith("Snapchat Ads create_campaign: 429 — ")

    # Disconnect: the refresh token is removed and the tenant's tasks stop
    gone = _ok(app, "snap.connection.disconnect", {"tenant_id": tenant})
    assert gone["connection_state"] == "disconnected"
    state, refused = _send(app, "snap.campaign.create", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "name": "After", "start_time": now.isoformat(),
    })  # fmt: skip
    assert (state, refused["status"], refused["code"]) == ("SUCCESS", "failed", "not_connected")
