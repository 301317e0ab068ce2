"""Exactly once against a sandbox that, like Snap, ignores Idempotency-Key.

Only the journal and reconcile stand between a retry and a duplicate here.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

from .support import (
    CAMPAIGNS_PATH,
    QUICK_ATTEMPTS,
    campaign_payload,
    failing_first,
    journal_rows,
    listed,
    writes,
)


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"ignore_idempotency_key": True}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    # Two client attempts per Celery run, so a 429 storm reaches the Celery retries.
    # A short journal lease, so a key left in flight is reconciled within the test (it
    # must still outlast one attempt: 0.5 + 2 x (1 + 0.2) s).
    return {
        "snapfleet_client_max_attempts": 2,
        **QUICK_ATTEMPTS,
    }


def campaigns(fleet: Fleet) -> list[dict[str, Any]]:
    return listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")


def test_the_same_task_id_run_twice_creates_one_campaign(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    first = fleet.call("snap.campaign.create", campaign_payload(), task_id=task_id)
    second = fleet.call("snap.campaign.create", campaign_payload(), task_id=task_id)
    assert first["status"] == second["status"] == "succeeded"
    assert first["snap_id"] == second["snap_id"]
    assert [c["id"] for c in campaigns(fleet)] == [first["snap_id"]]
    assert len(writes(fleet, "POST")) == 1  # the second run never reached Snap


def test_a_create_whose_answer_was_lost_is_adopted_not_sent_again(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    # Given Snap commits the create and then the connection drops before the answer
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=CAMPAIGNS_PATH)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Lost answer"), task_id=task_id)
    # Then the retry reconciled: one campaign, one POST, and its id is the result's
    assert result["status"] == "succeeded", result
    assert result["reconciled"] is True
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert len(writes(fleet, "POST")) == 1
    (row,) = journal_rows(fleet, task_id)
    assert (row.state, row.attempt, row.snap_ids) == ("succeeded", 2, [result["snap_id"]])
    assert row.response["adopted"] is True


def test_a_lost_create_that_never_landed_is_sent_again(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    # Given a 500 answer (the create did not commit, but the client cannot know)
    fleet.sandbox.state.inject_fault("status", status=500, times=1, method="POST")
    result = fleet.call("snap.campaign.create", campaign_payload("Second try"))
    assert result["status"] == "succeeded", result
    assert "reconciled" not in result
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert len(writes(fleet, "POST")) == 2


def test_a_429_storm_ends_in_one_campaign_with_one_idempotency_key(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    # 5 answers of 429: more than the client's own 2 attempts, so Celery retries twice
    fleet.sandbox.state.inject_fault(
        "status", status=429, times=5, method="POST", path=CAMPAIGNS_PATH, retry_after_s=0
    )
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Storm"), task_id=task_id)
    assert result["status"] == "succeeded", result
    posts = writes(fleet, "POST")
    assert [p["status"] for p in posts] == [429] * 5 + [200]
    assert len({p["headers"]["idempotency-key"] for p in posts}) == 1
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    (row,) = journal_rows(fleet, task_id)
    assert (
        row.state == "succeeded" and row.idempotency_key == posts[0]["headers"]["idempotency-key"]
    )


def test_two_runs_of_a_delete_both_succeed(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    created = fleet.call("snap.campaign.create", campaign_payload("Doomed"))
    ids = {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": created["snap_id"]}
    # Given the DELETE commits and its answer is lost
    fleet.sandbox.state.inject_fault("drop", times=1, method="DELETE")
    result = fleet.call("snap.campaign.delete", ids)
    assert result == {"status": "succeeded", "snap_id": created["snap_id"], "dry_run": False}
    assert campaigns(fleet) == []


def test_a_database_failure_after_the_send_is_reconciled_not_resent(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.mirrors

    fleet = fleet_worker
    real = storage.mirrors.upsert_many
    failures: list[str] = []

    def flaky(*args: Any, **kwargs: Any) -> int:
        if not failures:
            failures.append("once")
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    # Given the create reached Snap but recording it failed (the key stays in flight)
    monkeypatch.setattr(storage.mirrors, "upsert_many", flaky)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Unrecorded"), task_id=task_id)
    # Then the retry waited out the lease, found the campaign and adopted it
    assert result["status"] == "succeeded" and result["reconciled"] is True, result
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert len(writes(fleet, "POST")) == 1
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "succeeded" and row.attempt == 2


def test_a_create_waits_while_another_create_of_the_same_name_holds_the_lock(
    fleet_worker: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from worker.mutations.writes import lock_name

    fleet = fleet_worker
    caplog.set_level(logging.INFO, logger="snapfleet.task")
    # Given another worker is reconciling a create of "Contended" under this account
    name = lock_name("campaigns", USD_AD_ACCOUNT_ID, "Contended")
    assert fleet.runtime.gate.redis.set(name, "other-worker", px=3000)  # > the 2 s block
    before = len(writes(fleet, "POST"))
    result = fleet.call("snap.campaign.create", campaign_payload("Contended"))
    # Then this one stepped back (busy) and only sent once the lock was free
    assert result["status"] == "succeeded", result
    assert "outcome=retrying code=busy" in caplog.text
    assert len(writes(fleet, "POST")) == before + 1
    assert fleet.runtime.gate.redis.get(name) is None


def test_a_lost_create_whose_reconcile_is_refused_ends_maybe_created_never_failed(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snap.client import SnapClient
    from snap.errors import Forbidden
    from worker.mutations.completer import look_for_maybe_created

    fleet = fleet_worker
    refused_once, _ = failing_first(
        SnapClient.list_campaigns,
        lambda: Forbidden("Snapchat Ads list_campaigns: 403 — no", http_status=403),
    )
    # Given the create commits and its answer is lost, then listing to reconcile is refused
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=CAMPAIGNS_PATH)
    monkeypatch.setattr(SnapClient, "list_campaigns", refused_once)
    task_id = str(uuid.uuid4())
    payload = campaign_payload("Refused look")
    first = fleet.call("snap.campaign.create", payload, task_id=task_id)
    # Then the runner is not told it failed: the campaign may exist, nobody could look
    assert first["status"] == "unknown" and first["code"] == "maybe_created", first
    assert "forbidden while its outcome was unknown" in first["message"]
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "maybe_created"
    # And the same task id sent again sends nothing
    fleet.app.AsyncResult(task_id).forget()
    again = fleet.call("snap.campaign.create", payload, task_id=task_id)
    assert again["code"] == "maybe_created" and len(writes(fleet, "POST")) == 1
    # And once listing works the completer adopts it: one campaign, one POST
    (adopted,) = look_for_maybe_created(fleet.runtime, fleet.app)
    assert adopted.task_id == task_id
    assert [c["id"] for c in campaigns(fleet)] == [adopted.snap_id]
    assert len(writes(fleet, "POST")) == 1


def test_a_lost_create_is_adopted_even_if_the_fx_rate_moved_before_the_retry(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decimal import Decimal

    from tests.fleet import EUR_AD_ACCOUNT_ID

    fleet = fleet_worker
    eur_path = f"/v1/adaccounts/{EUR_AD_ACCOUNT_ID}/campaigns"
    rates = iter([Decimal("1.25")])
    # The first attempt converts at 1.25; by the retry the day's rate has moved to 1.20.
    monkeypatch.setattr(
        fleet.runtime, "rate_to_usd", lambda currency, day=None: next(rates, Decimal("1.20"))
    )
    # Given the create commits at 100 EUR and its answer is lost
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=eur_path)
    task_id = str(uuid.uuid4())
    payload = campaign_payload(
        "Moving rate", ad_account_id=EUR_AD_ACCOUNT_ID, daily_budget_usd="125"
    )
    result = fleet.call("snap.campaign.create", payload, task_id=task_id)
    # Then the retry converts as the first attempt did, finds that campaign and adopts it
    assert result["status"] == "succeeded" and result.get("reconciled") is True, result
    made = listed(fleet, f"/adaccounts/{EUR_AD_ACCOUNT_ID}/campaigns", "campaigns")
    assert [(c["id"], int(c["daily_budget_micro"])) for c in made] == [
        (result["snap_id"], 100_000_000)
    ]
    assert len(writes(fleet, "POST")) == 1
    (row,) = journal_rows(fleet, task_id)
    assert row.fx_rate == Decimal("1.25")


def test_a_lost_create_stays_unknown_when_its_resend_is_turned_away(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import worker.mutations.writes

    fleet = fleet_worker
    real_find = worker.mutations.writes.find
    looks: list[str] = []

    def lagging_then_turned_away(lookup: Any, **kwargs: Any) -> Any:
        looks.append("look")
        if len(looks) > 2:
            return real_find(lookup, **kwargs)
        # The first two looks (a reconcile that finds nothing looks once more before it
        # resends): Snap's list has not caught up with the lost create yet, and the resend
        # that follows is turned away by 429s (2 = the client's attempts).
        if len(looks) == 2:
            fleet.sandbox.state.inject_fault(
                "status", status=429, times=2, method="POST", path=CAMPAIGNS_PATH, retry_after_s=0
            )
        return real_find(replace(lookup, list_children=lambda: []), **kwargs)

    # Given the create commits and its answer is lost
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=CAMPAIGNS_PATH)
    monkeypatch.setattr(worker.mutations.writes, "find", lagging_then_turned_away)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Lagging list"), task_id=task_id)
    # Then the key stayed unknown: the next run looked again, found the campaign, adopted it
    assert result["status"] == "succeeded" and result.get("reconciled") is True, result
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert [p["status"] for p in writes(fleet, "POST")] == [200, 429, 429]


def test_a_create_whose_record_is_chosen_as_a_deadlock_victim_records_it_again(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    from storage import journal

    fleet = fleet_worker
    deadlocked_once, victims = failing_first(
        journal.mark_succeeded,
        lambda: OperationalError(
            "UPDATE mutation_journal ...", {}, psycopg.errors.DeadlockDetected("deadlock")
        ),
    )
    # Given Snap answered the create, and PostgreSQL rolls back the transaction that
    # records the answer to break a deadlock
    monkeypatch.setattr(journal, "mark_succeeded", deadlocked_once)
    task_id = str(uuid.uuid4())
    result = fleet.call(
        "snap.campaign.create", campaign_payload("Deadlock victim"), task_id=task_id
    )
    # Then the answer in hand is recorded in the same attempt: no retry, no reconcile
    assert result["status"] == "succeeded" and "reconciled" not in result, result
    assert len(victims) == 1
    (row,) = journal_rows(fleet, task_id)
    assert (row.state, row.attempt, row.snap_ids) == ("succeeded", 1, [result["snap_id"]])
    assert [c["id"] for c in campaigns(fleet)] == [result["snap_id"]]
    assert len(writes(fleet, "POST")) == 1


@pytest.mark.parametrize(
    "fleet_overrides",
    [
        {
            "snapfleet_client_max_attempts": 2,
            **QUICK_ATTEMPTS,
            "snapfleet_journal_max_attempts": 2,
            "snapfleet_task_retry_backoff_max_s": 1,  # the retries' backoff, kept short
        }
    ],
)
def test_waits_for_a_busy_gate_do_not_spend_the_journals_attempt_cap(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.errors import GateTimeout
    from worker.gate import TokenGate

    fleet = fleet_worker
    # The cap bounds attempts lost to a dying worker; a gate wait sends nothing and ends
    # cleanly (Celery's retries bound those). Two lost attempts at most, four waits.
    assert fleet.app.snapfleet_settings.snapfleet_journal_max_attempts == 2
    busy_four_times, waits = failing_first(TokenGate.acquire, lambda: GateTimeout(0.05), 4)
    monkeypatch.setattr(TokenGate, "acquire", busy_four_times)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Busy gate"), task_id=task_id)
    assert result["status"] == "succeeded", result
    assert len(waits) == 4
    (row,) = journal_rows(fleet, task_id)
    assert (row.state, row.attempt, row.lost_attempts) == ("succeeded", 5, 0)
    assert len(writes(fleet, "POST")) == 1
