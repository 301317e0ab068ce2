"""A lost create that the listing does not show yet: look again, then never re-send blindly.

Against a sandbox that, like Snap, ignores Idempotency-Key. The listing is made to lag
(it leaves out what Snap holds) for as long as a test says, as a real listing may.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from snap.client import SnapClient
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.mutations.completer import look_for_maybe_created

from .support import CAMPAIGNS_PATH, QUICK_ATTEMPTS, campaign_payload, journal_rows, listed, writes


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"ignore_idempotency_key": True}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {
        "snapfleet_client_max_attempts": 1,
        **QUICK_ATTEMPTS,
        "snapfleet_task_retry_backoff_max_s": 2,
        "snapfleet_task_max_retries": 3,
        "snapfleet_reconcile_recheck_s": 2.0,
    }


class Lag:
    """Makes `list_campaigns` answer as a lagging listing: nothing, for `misses` calls."""

    def __init__(self, misses: int | None) -> None:
        self.misses = misses  # None: forever
        self.calls = 0
        self.on_first_call: Any = None

    def wrap(self, real: Any) -> Any:
        def list_campaigns(client: SnapClient, *args: Any, **kwargs: Any) -> list[Any]:
            self.calls += 1
            if self.calls == 1 and self.on_first_call is not None:
                self.on_first_call()
            answer = real(client, *args, **kwargs)
            if self.misses is None or self.calls <= self.misses:
                return []
            return answer

        return list_campaigns


@pytest.fixture
def lag(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lag]:
    lagging = Lag(misses=1)
    monkeypatch.setattr(SnapClient, "list_campaigns", lagging.wrap(SnapClient.list_campaigns))
    yield lagging


def campaigns(fleet: Fleet) -> list[dict[str, Any]]:
    return listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")


def test_a_reconcile_that_finds_nothing_looks_again_before_sending(
    fleet_worker: Fleet, lag: Lag
) -> None:
    fleet = fleet_worker
    # Given Snap commits the create, drops the answer, and its listing lags one look
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=CAMPAIGNS_PATH)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Lagging"), task_id=task_id)
    # Then the second look found it: adopted, one campaign, one POST
    assert result["status"] == "succeeded" and result.get("reconciled") is True, result
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert len(writes(fleet, "POST")) == 1
    assert lag.calls == 2
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "succeeded" and row.response["adopted"] is True


def test_a_second_empty_look_sends_the_create_again(fleet_worker: Fleet, lag: Lag) -> None:
    fleet = fleet_worker
    # Given the first send failed with 500 (nothing committed); both looks find nothing
    lag.misses = 2
    fleet.sandbox.state.inject_fault("status", status=500, times=1, method="POST")
    result = fleet.call("snap.campaign.create", campaign_payload("Really lost"))
    # Then it was sent again only after the second look: one campaign in the end
    assert result["status"] == "succeeded" and "reconciled" not in result, result
    assert lag.calls == 2
    assert [p["status"] for p in writes(fleet, "POST")] == [500, 200]
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]


def test_a_create_that_may_have_landed_ends_maybe_created_and_the_completer_adopts_it(
    fleet_worker: Fleet, lag: Lag
) -> None:
    fleet = fleet_worker
    # Given the first POST commits and loses its answer, every later POST answers 500,
    # and the listing never shows the campaign while the task runs
    lag.misses = None
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=CAMPAIGNS_PATH)
    lag.on_first_call = lambda: fleet.sandbox.state.inject_fault(
        "status", status=500, times=None, method="POST"
    )
    task_id = str(uuid.uuid4())
    payload = campaign_payload("Maybe there")
    result = fleet.call("snap.campaign.create", payload, task_id=task_id)
    # Then the runner is told what is known, and it is not a failure
    assert result["status"] == "unknown" and result["code"] == "maybe_created", result
    assert result["name"] == "Maybe there"
    assert result["kind"] == "campaigns" and result["parent_id"] == USD_AD_ACCOUNT_ID
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "maybe_created"
    assert result["first_attempt_at"] == row.created_at.isoformat()
    (landed,) = campaigns(fleet)  # the one commit; no POST after it took effect
    # And the same task id sent again gets the same answer without a request
    fleet.sandbox.state.clear_faults()
    sent = len(writes(fleet, "POST"))
    again = fleet.call("snap.campaign.create", payload, task_id=task_id)
    assert again["code"] == "maybe_created" and len(writes(fleet, "POST")) == sent
    # When the listing catches up, the completer's sweep adopts it
    assert look_for_maybe_created(fleet.runtime, fleet.app) == []  # still lagging
    lag.misses = 0
    (adopted,) = look_for_maybe_created(fleet.runtime, fleet.app)
    assert (adopted.task_id, adopted.snap_id) == (task_id, landed["id"])
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "succeeded" and row.snap_ids == [landed["id"]]
    # And the task's result under its own id becomes the success (read past this
    # process's cache of the earlier, ready result)
    final: dict[str, Any] = {}
    for _ in range(300):
        final = fleet.app.backend.get_task_meta(task_id, cache=False)["result"]
        if isinstance(final, dict) and final.get("status") == "succeeded":
            break
        time.sleep(0.1)
    assert final.get("snap_id") == landed["id"], final
    assert len(campaigns(fleet)) == 1 and len(writes(fleet, "POST")) == sent
