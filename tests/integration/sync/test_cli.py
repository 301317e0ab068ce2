"""`snapfleet sync now`, `snapfleet accounts`, `snapfleet events` on the sandbox fleet."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from tests.fleet import Fleet
from worker.cli import main as cli
from worker.sync.entities import detect_account


@pytest.fixture
def run(synced: Fleet, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli, "_sync_app", lambda: (synced.app, synced.runtime))
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args), catch_exceptions=False)


def test_sync_now_pulls_every_account_then_accounts_shows_the_sync(run, synced: Fleet) -> None:
    result = run("sync", "now")
    assert result.exit_code == 0, result.output
    assert USD_AD_ACCOUNT_ID[:8] in result.output
    shown = run("accounts").output
    assert "never" not in shown.split("ad accounts", 1)[1]
    assert "USD" in shown and "EUR" in shown
    # Every listing fits an 80-column terminal; --json has every field.
    for listing in (result.output, shown, run("events").output):
        assert max(len(line) for line in listing.splitlines()) <= 80, listing
    modes = {
        a["ad_account_id"]: a["stats_mode"] for a in json.loads(run("accounts", "--json").output)
    }
    assert modes[USD_AD_ACCOUNT_ID] == "account_breakdown"


def test_sync_now_one_campaign_uses_the_campaign_endpoint(run, synced: Fleet) -> None:
    campaign = synced.sandbox.state.store.children("campaigns", "adaccounts", EUR_AD_ACCOUNT_ID)[0]
    seen = len(synced.sandbox.state.requests())
    result = run("sync", "now", "--account", EUR_AD_ACCOUNT_ID, "--campaign", campaign.entity["id"])
    assert result.exit_code == 0, result.output
    paths = {
        r["path"] for r in synced.sandbox.state.requests()[seen:] if r["path"].endswith("/stats")
    }
    assert paths == {f"/v1/campaigns/{campaign.entity['id']}/stats"}


def test_a_campaign_without_its_account_is_refused(run) -> None:
    result = CliRunner().invoke(cli.app, ["sync", "now", "--campaign", "c1"])
    assert result.exit_code == 2 and "--account" in result.output


def test_events_lists_detected_transitions(run, synced: Fleet) -> None:
    detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=synced.sandbox.clock.now())
    synced.sandbox.state.suspend_ad_account(USD_AD_ACCOUNT_ID)
    detect_account(synced.runtime, USD_AD_ACCOUNT_ID, now=synced.sandbox.clock.now())
    shown = run("events").output
    assert "account_suspended" in shown and "pending" in shown
    assert "1 events" in shown
    listed = json.loads(run("events", "--json").output)
    assert [e["kind"] for e in listed] == ["account_suspended"]
    assert listed[0]["ad_account_id"] == USD_AD_ACCOUNT_ID
