"""`snapfleet call`: one task in-process through the worker's path, JSON out, exit code."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

import worker.app
import worker.mutations.task
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.cli import app as cli

from .support import campaign_payload, listed, writes


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_client_max_attempts": 1, "snapfleet_task_max_retries": 2}


@pytest.fixture
def called(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    """`snapfleet call` runs on the module-level app: point it at the test fleet."""
    monkeypatch.setattr(worker.app, "app", fleet.app)
    return fleet


def call(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(cli, ["call", *args])
    return outcome.exit_code, outcome.stdout


def test_call_runs_a_task_and_the_same_task_id_is_done_once(called: Fleet) -> None:
    payload = json.dumps(campaign_payload())
    task_id = str(uuid.uuid4())
    code, out = call("snap.campaign.create", "--json", payload, "--task-id", task_id)
    assert code == 0, out
    first = json.loads(out)
    assert first["status"] == "succeeded" and first["dry_run"] is False
    code, out = call("snap.campaign.create", "--json", payload, "--task-id", task_id)
    assert code == 0 and json.loads(out)["snap_id"] == first["snap_id"]
    campaigns = listed(called, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")
    assert [c["id"] for c in campaigns] == [first["snap_id"]]


def test_call_exits_non_zero_on_a_failed_result(called: Fleet) -> None:
    code, out = call("snap.campaign.create", "--json", json.dumps({"name": "x"}))
    assert code == 1
    assert json.loads(out)["code"] == "validation"


def test_call_refuses_an_unknown_task_and_bad_json(called: Fleet) -> None:
    outcome = CliRunner().invoke(cli, ["call", "snap.campaign.creat", "--json", "{}"])
    assert outcome.exit_code == 2
    assert "did you mean 'snap.campaign.create'" in outcome.output
    assert call("snap.campaign.create", "--json", "{nope")[0] == 2


def test_eager_retries_wait_their_countdown_and_stay_bounded(
    called: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(worker.mutations.task, "eager_sleep", waits.append)
    # Given Snap answers 429 with Retry-After 7 forever
    called.sandbox.state.inject_fault("status", status=429, times=None, retry_after_s=7)
    code, out = call("snap.campaign.create", "--json", json.dumps(campaign_payload()))
    # Then each retry waited the Retry-After, and after 2 retries the task failed
    assert code == 1 and json.loads(out)["code"] == "rate_limited"
    assert waits == [7.0, 7.0]
    assert len(writes(called, "POST")) == 3
