"""The journal's state machine: claim, lease, fenced outcomes, attempt cap, completer view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage import journal
from storage.errors import JournalConflict, StaleAttempt
from storage.models import JournalState

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = "6f1c2a52-6f0e-5b8e-9a4e-1d2c3b4a5f60"


def _claim(session: Session, worker: str = "w1", *, now: datetime = T0, **kw) -> journal.Claim:
    params = dict(
        task_id="task-1",
        task_name="snap.campaign.create",
        step="create",
        ad_account_id="acct-1",
        request_digest="digest-a",
        worker_id=worker,
        lease_s=90,
        now=now,
    )
    params.update(kw)
    return journal.claim(session, KEY, **params)


def test_first_claim_wins_and_a_second_sees_the_live_lease(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        first = _claim(s, "w1")
    with factory.begin() as s:
        second = _claim(s, "w2", now=T0 + timedelta(seconds=30))
    assert first.won and not first.reconcile
    assert first.entry.state == JournalState.IN_FLIGHT
    assert first.entry.attempt == 1 and first.entry.worker_id == "w1"
    assert not second.won
    assert second.entry.state == JournalState.IN_FLIGHT and second.entry.worker_id == "w1"


def test_succeeded_is_terminal_and_keeps_the_snap_ids(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        journal.mark_succeeded(s, KEY, attempt, ["c-1"], {"status": "succeeded"}, fx_rate=None)
    with factory.begin() as s:
        again = _claim(s, "w2", now=T0 + timedelta(hours=2))
    assert not again.won
    assert again.entry.state == JournalState.SUCCEEDED
    assert again.entry.snap_ids == ["c-1"]
    assert again.entry.response == {"status": "succeeded"}
    assert journal.is_terminal(again.entry)


def test_same_key_with_another_request_digest_is_a_conflict(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        _claim(s)
    with factory.begin() as s, pytest.raises(JournalConflict, match=KEY):
        _claim(s, request_digest="digest-b")


def test_a_stale_attempt_cannot_overwrite_a_newer_one(factory: sessionmaker[Session]) -> None:
    # Given w1 claimed, and its lease ran out while its request was in flight
    with factory.begin() as s:
        stale = _claim(s, "w1").entry.attempt
    with factory.begin() as s:
        newer = _claim(s, "w2", now=T0 + timedelta(seconds=91))
    assert newer.won and newer.reconcile and newer.entry.attempt == stale + 1
    # When w1 comes back with its outcome, it is refused
    with factory.begin() as s, pytest.raises(StaleAttempt):
        journal.mark_succeeded(s, KEY, stale, ["dup-from-w1"], None)
    with factory.begin() as s, pytest.raises(StaleAttempt):
        journal.mark_failed(s, KEY, stale, {"code": "rejected"})
    # And w2's attempt still holds the key and can finish it
    with factory.begin() as s:
        done = journal.mark_succeeded(s, KEY, newer.entry.attempt, ["c-2"], None)
    assert done.state == JournalState.SUCCEEDED and done.snap_ids == ["c-2"]


def test_an_outcome_cannot_be_written_twice(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        journal.mark_failed(s, KEY, attempt, {"code": "validation", "message": "bad name"})
    with factory.begin() as s, pytest.raises(StaleAttempt):
        journal.mark_succeeded(s, KEY, attempt, ["c-1"], None)


def test_unknown_outcome_is_reclaimed_with_reconcile(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        journal.mark_unknown(s, KEY, attempt, {"code": "outcome_unknown"})
    with factory.begin() as s:
        again = _claim(s, "w2", now=T0 + timedelta(seconds=5))
    assert again.won and again.reconcile and again.entry.attempt == attempt + 1


def test_quota_unavailable_and_release_are_retried_without_reconcile(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        journal.mark_quota_unavailable(s, KEY, attempt, {"code": "quota_unavailable"})
    with factory.begin() as s:
        second = _claim(s, "w2")
        assert second.won and not second.reconcile
        released = journal.release(s, KEY, second.entry.attempt)
        assert released.state == JournalState.PENDING and released.worker_id is None
    with factory.begin() as s:
        third = _claim(s, "w3")
    assert third.won and not third.reconcile and third.entry.attempt == 3


def test_lost_attempts_are_capped_and_the_key_then_fails_with_the_reason(
    factory: sessionmaker[Session],
) -> None:
    # Two attempts that never recorded an outcome (their worker died: the lease lapsed)
    for n in range(2):
        with factory.begin() as s:
            claimed = _claim(s, now=T0 + timedelta(minutes=2 * n), max_attempts=2)
            assert claimed.won and claimed.entry.lost_attempts == n
    with factory.begin() as s:
        over = _claim(s, now=T0 + timedelta(minutes=5), max_attempts=2)
    assert not over.won
    assert over.entry.state == JournalState.FAILED
    assert over.entry.error["code"] == "attempts_exhausted"
    assert "2 of 2 lost" in over.entry.reason


def test_attempts_that_ended_cleanly_do_not_count_against_the_cap(
    factory: sessionmaker[Session],
) -> None:
    # A mutation waiting for a busy gate releases its key each time: nothing was sent and
    # Celery's retries bound it. Ten such waits must not exhaust a cap of 2.
    for n in range(10):
        with factory.begin() as s:
            claimed = _claim(s, now=T0 + timedelta(seconds=n), max_attempts=2)
            assert claimed.won, n
            journal.release(s, KEY, claimed.entry.attempt)
    with factory.begin() as s:
        claimed = _claim(s, now=T0 + timedelta(seconds=10), max_attempts=2)
        assert claimed.won and claimed.entry.attempt == 11
        journal.mark_unknown(s, KEY, claimed.entry.attempt, {"code": "outcome_unknown"})
    with factory.begin() as s:
        again = _claim(s, now=T0 + timedelta(seconds=11), max_attempts=2)
    assert again.won and again.reconcile and again.entry.lost_attempts == 0


def test_find_stale_lists_what_the_completer_must_redrive(factory: sessionmaker[Session]) -> None:
    def claim_key(s: Session, key: str) -> int:
        return journal.claim(
            s,
            key,
            task_id=key,
            task_name="snap.ad.create",
            step="s",
            ad_account_id="a",
            request_digest="d",
            worker_id="w",
            lease_s=60,
            now=T0,
        ).entry.attempt

    with factory.begin() as s:
        claim_key(s, "expired-lease")
        journal.mark_succeeded(s, "done", claim_key(s, "done"), ["x"], None, now=T0)
        journal.mark_unknown(s, "unknown", claim_key(s, "unknown"), None, now=T0)
    with factory.begin() as s:
        live = journal.claim(
            s,
            "live-lease",
            task_id="t",
            task_name="n",
            step="s",
            ad_account_id="a",
            request_digest="d",
            worker_id="w",
            lease_s=600,
            now=T0,
        )
        assert live.won
    with factory.begin() as s:
        stale = {
            e.idempotency_key
            for e in journal.find_stale(s, idle_s=30, now=T0 + timedelta(seconds=61))
        }
        early = {
            e.idempotency_key
            for e in journal.find_stale(s, idle_s=120, now=T0 + timedelta(seconds=61))
        }
    assert stale == {"expired-lease", "unknown"}
    assert early == {"expired-lease"}


def test_operator_queries_by_task_state_and_account(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        journal.mark_failed(s, KEY, attempt, {"code": "rejected"})
    with factory.begin() as s:
        assert [e.idempotency_key for e in journal.for_task(s, "task-1")] == [KEY]
        assert [e.idempotency_key for e in journal.by_state(s, JournalState.FAILED)] == [KEY]
        assert journal.by_state(s, "succeeded") == []
        assert [e.idempotency_key for e in journal.for_ad_account(s, "acct-1")] == [KEY]
        assert journal.get(s, "nope") is None


def test_entry_repr_shows_no_response_or_error(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        entry = journal.mark_failed(s, KEY, attempt, {"code": "x", "message": "secret-body"})
    assert "secret-body" not in repr(entry)
    assert KEY in repr(entry)


def test_credentials_in_a_response_or_error_are_not_stored(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        attempt = _claim(s).entry.attempt
        lost = journal.mark_unknown(
            s, KEY, attempt, {"code": "x", "request": {"headers": {"Authorization": "Bearer at-1"}}}
        )
    assert "at-1" not in repr(lost.error)
    assert lost.error["request"]["headers"]["Authorization"] == "[redacted]"
    with factory.begin() as s:
        again = _claim(s, "w2").entry.attempt
        journal.mark_succeeded(
            s, KEY, again, ["c-1"], {"campaigns": [{"id": "c-1"}], "access_token": "at-2"}
        )
    with factory() as s:
        entry = journal.get(s, KEY)
    assert "at-2" not in repr(entry.response)
    assert entry.response["campaigns"] == [{"id": "c-1"}]
    assert entry.error is None


def test_reap_deletes_only_old_finished_keys(factory: sessionmaker[Session]) -> None:
    def claim_key(s: Session, key: str) -> int:
        return journal.claim(
            s,
            key,
            task_id=key,
            task_name="n",
            step="s",
            ad_account_id="a",
            request_digest="d",
            worker_id="w",
            lease_s=60,
            now=T0,
        ).entry.attempt

    with factory.begin() as s:
        journal.mark_succeeded(s, "old-done", claim_key(s, "old-done"), ["x"], None, now=T0)
        journal.mark_failed(s, "old-failed", claim_key(s, "old-failed"), {"code": "x"}, now=T0)
        journal.mark_unknown(s, "old-unknown", claim_key(s, "old-unknown"), None, now=T0)
        later = T0 + timedelta(days=2)
        journal.mark_succeeded(s, "new-done", claim_key(s, "new-done"), ["y"], None, now=later)
    with factory.begin() as s:
        gone = journal.reap(s, older_than_s=86_400, now=T0 + timedelta(days=2))
    assert gone == 2
    with factory() as s:
        assert journal.get(s, "old-done") is None and journal.get(s, "old-failed") is None
        assert journal.get(s, "old-unknown") is not None and journal.get(s, "new-done") is not None


def test_an_expired_lease_settled_by_the_completer_still_counts_as_lost(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        claimed = _claim(s, max_attempts=2)
    with factory.begin() as s:  # the completer, for the dead holder
        journal.mark_unknown(s, KEY, claimed.entry.attempt, {"code": "lease_expired"}, lost=True)
    with factory.begin() as s:
        second = _claim(s, now=T0 + timedelta(minutes=1), max_attempts=2)
        assert second.won and second.reconcile and second.entry.lost_attempts == 1
    with factory.begin() as s:
        over = _claim(s, now=T0 + timedelta(minutes=5), max_attempts=2)
    assert not over.won and over.entry.error["code"] == "attempts_exhausted"
