"""The completer re-drives mutations left unfinished; they converge without a second write.

A create whose answer was lost and whose Celery retry never came (Redis down when it was
published, a worker killed) sits in the journal `unknown`, or `in_flight` under a lease
nobody renews. Beat's `snap.journal.complete` sends the task again with its own task id;
the same keys come back, the claim says reconcile, and the campaign that did land is
adopted instead of created twice.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.result import AsyncResult
from sqlalchemy import update

from snap.money import usd_to_micro
from storage import journal
from storage.models.journal import JournalEntry
from tasks.payloads import EXAMPLES, CampaignCreate
from tests.fleet import CLIENT_ID, USD_AD_ACCOUNT_ID, Fleet
from worker.mutations.completer import reap_finished
from worker.mutations.task import request_of
from worker.mutations.writes import idempotency_key, request_digest
from worker.runtime import gate_scope

TASK = "snap.campaign.create"
CAMPAIGNS = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"


def posts(fleet: Fleet) -> int:
    return sum(
        1
        for r in fleet.sandbox.state.requests()
        if r["method"] == "POST" and r["path"] == CAMPAIGNS
    )


def lost_create(fleet: Fleet, *, land: bool = True) -> tuple[str, str, str | None]:
    """A journaled create whose worker died after Snap took it: (task_id, key, campaign id)."""
    raw = {**EXAMPLES[TASK], "ad_account_id": USD_AD_ACCOUNT_ID, "name": f"lost {uuid.uuid4()}"}
    model = CampaignCreate.model_validate(raw)
    request = request_of(model)  # the payload as the task journals it
    task_id = str(uuid.uuid4())
    key = idempotency_key(task_id, "create")
    with fleet.runtime.session() as session:
        journal.claim(
            session, key, task_id=task_id, task_name=TASK, step="create",
            ad_account_id=USD_AD_ACCOUNT_ID, request_digest=request_digest(TASK, "create", request),
            worker_id="a-worker-that-died", payload=request,
        )  # fmt: skip
    if not land:
        return task_id, key, None
    client = fleet.runtime.client(fleet.connected.connection_id)
    with gate_scope(CLIENT_ID, USD_AD_ACCOUNT_ID):
        (campaign,) = client.create_campaigns(
            USD_AD_ACCOUNT_ID, [model.to_snap_item(usd_to_micro)], idempotency_key=key
        )
    return task_id, key, campaign.id


def age(fleet: Fleet, key: str, **values: Any) -> None:
    """Make the row look idle for two hours (and its lease long expired)."""
    old = datetime.now(UTC) - timedelta(hours=2)
    with fleet.runtime.session() as session:
        session.execute(
            update(JournalEntry)
            .where(JournalEntry.idempotency_key == key)
            .values(updated_at=old, lease_expires_at=old, **values)
        )


def state_of(fleet: Fleet, key: str) -> str:
    with fleet.runtime.session() as session:
        entry = journal.get(session, key)
        assert entry is not None
        return entry.state


@pytest.mark.parametrize("left_as", ["unknown", "in_flight"])
def test_a_lost_create_is_redriven_and_adopts_what_landed(
    fleet_worker: Fleet, left_as: str
) -> None:
    task_id, key, landed = lost_create(fleet_worker)
    age(fleet_worker, key, state=left_as)
    before = posts(fleet_worker)

    swept = fleet_worker.call("snap.journal.complete", {})

    assert {"task_id": task_id, "task_name": TASK} in swept["redriven"]
    outcome = AsyncResult(task_id, app=fleet_worker.app).get(timeout=60, propagate=False)
    assert outcome["status"] == "succeeded" and outcome["snap_id"] == landed
    assert posts(fleet_worker) == before  # adopted, not created twice
    assert state_of(fleet_worker, key) == "succeeded"


def test_a_create_that_never_landed_is_sent_once(fleet_worker: Fleet) -> None:
    task_id, key, _ = lost_create(fleet_worker, land=False)
    age(fleet_worker, key, state="unknown")
    before = posts(fleet_worker)
    fleet_worker.call("snap.journal.complete", {})
    outcome = AsyncResult(task_id, app=fleet_worker.app).get(timeout=60, propagate=False)
    assert outcome["status"] == "succeeded"
    assert posts(fleet_worker) == before + 1


def test_fresh_rows_and_reported_quota_failures_are_left_alone(fleet_worker: Fleet) -> None:
    fresh_task, _, _ = lost_create(fleet_worker, land=False)
    quota_task, quota_key, _ = lost_create(fleet_worker, land=False)
    age(fleet_worker, quota_key, state="quota_unavailable")
    swept = fleet_worker.call("snap.journal.complete", {})
    redriven = {r["task_id"] for r in swept["redriven"]}
    assert fresh_task not in redriven and quota_task not in redriven


def test_a_redriven_row_waits_a_full_idle_period_before_the_next_redrive(fleet: Fleet) -> None:
    from worker.mutations.completer import redrive_stale

    task_id, key, _ = lost_create(fleet, land=False)
    age(fleet, key, state="unknown")
    sent: list[str] = []

    class Recorder:
        def send_task(self, name: str, kwargs: dict[str, Any], task_id: str) -> None:
            sent.append(task_id)

    redrive_stale(fleet.runtime, Recorder())  # type: ignore[arg-type]
    redrive_stale(fleet.runtime, Recorder())  # type: ignore[arg-type]
    assert sent.count(task_id) == 1


def test_reap_deletes_old_finished_rows_and_keeps_unfinished_ones(fleet: Fleet) -> None:
    _, done_key, _ = lost_create(fleet, land=False)
    _, open_key, _ = lost_create(fleet, land=False)
    old = datetime.now(UTC) - timedelta(days=400)
    with fleet.runtime.session() as session:
        session.execute(
            update(JournalEntry)
            .where(JournalEntry.idempotency_key == done_key)
            .values(state="succeeded", finished_at=old, updated_at=old)
        )
    age(fleet, open_key, state="unknown", created_at=old)
    assert reap_finished(fleet.runtime) >= 1
    with fleet.runtime.session() as session:
        assert journal.get(session, done_key) is None
        assert journal.get(session, open_key) is not None
