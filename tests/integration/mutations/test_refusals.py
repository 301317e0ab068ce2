"""What is refused before any request: bad payloads, unknown accounts, a dead gate store,
a connection that needs re-authorisation. And secrets stay out of logs, results, journal."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import text

from snap.sandbox import SandboxTransport
from storage import connections as connection_repo
from tasks.payloads import EXAMPLES
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.gate import TokenGate
from worker.runtime import install_runtime

from .support import campaign_payload, journal_rows

ENTITY_TASKS = sorted(
    f"snap.{entity}.{verb}"
    for entity in ("campaign", "adsquad", "ad")
    for verb in ("create", "update", "pause", "resume", "delete")
)


def requests_seen(fleet: Fleet) -> int:
    return len(fleet.sandbox.state.requests())


def test_a_bad_payload_is_refused_before_any_request_and_journaled(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    before = requests_seen(fleet)
    task_id = str(uuid.uuid4())
    payload = campaign_payload(daily_budget_usd="1.0000001", nmae="typo")
    result = fleet.call("snap.campaign.create", payload, task_id=task_id)
    assert result["status"] == "failed" and result["code"] == "validation"
    fields = {e["field"]: e["message"] for e in result["errors"]}
    assert "daily_budget_usd" in fields
    assert fields["nmae"] == "unknown field; did you mean 'name'?"
    assert requests_seen(fleet) == before
    (row,) = journal_rows(fleet, task_id)
    assert (row.state, row.error["code"]) == ("failed", "validation")


def test_an_ad_account_no_connection_owns_is_refused_before_any_request(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    before = requests_seen(fleet)
    stranger = "00000000-0000-4000-8000-000000000000"
    task_id = str(uuid.uuid4())
    result = fleet.call(
        "snap.campaign.create", campaign_payload(ad_account_id=stranger), task_id=task_id
    )
    assert (result["status"], result["code"]) == ("failed", "not_connected")
    assert stranger in result["message"]
    assert requests_seen(fleet) == before
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "failed"


def example(task: str) -> dict[str, Any]:
    return {**EXAMPLES[task], "ad_account_id": USD_AD_ACCOUNT_ID}


def test_a_dead_gate_store_ends_every_mutation_quota_unavailable_with_nothing_sent(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    dead = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    fleet.app.snapfleet_gate = TokenGate(dead)  # type: ignore[attr-defined]
    transport = SandboxTransport(fleet.sandbox.app)  # the old runtime closes its own
    install_runtime(fleet.app, transport=transport, oauth_transport=transport)
    before = requests_seen(fleet)
    for task in ENTITY_TASKS:
        task_id = str(uuid.uuid4())
        result = fleet.call(task, example(task), task_id=task_id)
        assert (task, result["status"], result["code"]) == (task, "failed", "quota_unavailable")
        assert [row.state for row in journal_rows(fleet, task_id)] == ["quota_unavailable"]
    assert requests_seen(fleet) == before


def test_unauthorized_after_refresh_marks_the_connection_and_fails_the_queue_fast(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    connection_id = fleet.connected.connection_id
    with fleet.runtime.session() as session:
        connection = connection_repo.get(session, connection_id)
        refresh = connection_repo.refresh_token(fleet.runtime.cipher, connection)
    assert refresh and fleet.sandbox.state.revoke_token(refresh)  # and its access tokens

    first = fleet.call("snap.campaign.create", campaign_payload())
    assert (first["status"], first["code"]) == ("failed", "unauthorized")
    assert "returned 401" in first["message"]
    with fleet.runtime.session() as session:
        assert connection_repo.get(session, connection_id).state == "needs_reauth"

    before = requests_seen(fleet)
    queued = fleet.call(
        "snap.campaign.pause", {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": "c-1"}
    )
    assert (queued["status"], queued["code"]) == ("failed", "unauthorized")
    assert "needs re-authorisation" in queued["message"]
    assert requests_seen(fleet) == before


def test_no_token_appears_in_logs_results_or_journal(
    fleet_worker: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    fleet = fleet_worker
    caplog.set_level(logging.DEBUG)
    token = fleet.runtime.token_provider(fleet.connected.connection_id).access_token()
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload(), task_id=task_id)
    assert result["status"] == "succeeded"
    logging.getLogger("snapfleet.task").warning("task: probe Authorization: Bearer %s", token)
    assert token not in caplog.text
    assert "[redacted]" in caplog.text  # the probe line was seen, and redacted
    assert token not in str(result)
    with fleet.runtime.session() as session:
        rows = session.execute(text("SELECT * FROM mutation_journal")).mappings().all()
    assert rows and token not in str([dict(r) for r in rows])
    assert any("task: task_id=" + task_id in m for m in caplog.messages)
