"""Receipts: a task a worker node received is seen by the completer before any journal row.

A node killed whole takes with it the messages it had prefetched or just started; on the
Redis broker they wait for the visibility timeout (an hour by default) and the journal
never saw them. The node's receipt of each message, renewed while it holds it, is what
the completer re-sends once it lapses.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from celery.exceptions import Reject
from celery.result import AsyncResult
from sqlalchemy import select

from storage import receipts
from storage.models.receipts import TaskReceipt
from tasks.payloads import EXAMPLES
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.mutations.completer import redrive_stale

TASK = "snap.campaign.create"


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_client_max_attempts": 1}  # a 503 goes back to Celery at once


CAMPAIGNS = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"


def _posts(fleet: Fleet) -> int:
    return sum(
        r["method"] == "POST" and r["path"] == CAMPAIGNS for r in fleet.sandbox.state.requests()
    )


def _payload() -> dict[str, object]:
    return {**EXAMPLES[TASK], "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"r {uuid.uuid4()}"}


def test_a_task_a_dead_node_held_is_sent_again_and_runs_once(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    # Given a node received the task and died before its first journal write,
    with fleet.runtime.session() as session:
        receipts.received(session, task_id, TASK, _payload(), "node-that-died:1", lease_s=0.5)
    time.sleep(1.0)
    # when the completer runs after the receipt lapsed,
    redriven = redrive_stale(fleet.runtime, fleet.app)
    # then the task is sent again under its own id and creates one campaign.
    assert task_id in {r.task_id for r in redriven}
    result = AsyncResult(task_id, app=fleet.app).get(timeout=60, propagate=False)
    assert result["status"] == "succeeded", result
    assert _posts(fleet) == 1
    # A second sweep right after does not send it again (the receipt waits a lease).
    assert task_id not in {r.task_id for r in redrive_stale(fleet.runtime, fleet.app)}


def test_a_node_writes_a_receipt_on_receipt_and_closes_it_when_the_task_ends(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    result = fleet.app.send_task(TASK, kwargs=_payload(), task_id=task_id).get(timeout=60)
    assert result["status"] == "succeeded", result
    deadline = time.monotonic() + 10
    while True:
        with fleet.runtime.session() as session:
            row = session.scalars(select(TaskReceipt).where(TaskReceipt.task_id == task_id)).one()
            closed = row.finished_at is not None
            payload, name = row.payload, row.task_name
        if closed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert closed and name == TASK
    assert payload is not None and payload["ad_account_id"] == USD_AD_ACCOUNT_ID
    with fleet.runtime.session() as session:
        assert task_id not in {r.task_id for r in receipts.lapsed(session)}


def test_a_retry_the_broker_would_not_take_is_left_to_the_completer_not_failed(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the soak: a task retrying while Redis was down ended FAILED with the
    broker's error (Celery rejects a task whose retry cannot be published)."""
    fleet = fleet_worker
    task = fleet.app.tasks[TASK]
    real_retry = type(task).retry
    refused: list[str] = []

    def retry_while_the_broker_is_down(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not refused:
            refused.append(self.request.id)
            raise Reject(ConnectionError("Error 111 connecting to the broker"), requeue=False)
        return real_retry(self, *args, **kwargs)

    monkeypatch.setattr(type(task), "retry", retry_while_the_broker_is_down)
    fleet.sandbox.state.inject_fault("status", status=503, times=1, method="POST", path=CAMPAIGNS)
    task_id = str(uuid.uuid4())
    payload = _payload()
    handle = fleet.app.send_task(TASK, kwargs=payload, task_id=task_id)
    deadline = time.monotonic() + 30
    while not refused and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.0)
    assert refused == [task_id]
    assert handle.state != "FAILURE", handle.result  # the runner keeps waiting
    with fleet.runtime.session() as session:
        assert task_id in {r.task_id for r in receipts.lapsed(session)}
    assert task_id in {r.task_id for r in redrive_stale(fleet.runtime, fleet.app)}
    result = handle.get(timeout=90, propagate=False)
    assert result["status"] == "succeeded", result
    made = [
        r for r in fleet.sandbox.state.store.records.values()
        if r.kind == "campaigns" and r.entity.get("name") == payload["name"]
    ]  # fmt: skip
    assert [r.entity["id"] for r in made] == [result["snap_id"]]  # one campaign, no second
