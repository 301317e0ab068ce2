"""A create at its attempt cap with its outcome unknown is maybe_created, never failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import journal
from storage.models import JournalState

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = "0b7e7a4e-3c43-5f0e-9d0f-6e8f1c2d3a4b"
LOOKUP = {
    "kind": "campaigns",
    "parent_id": "acct-1",
    "item": {"name": "Spring", "status": "PAUSED"},
}


def _claim(session: Session, *, now: datetime, **kw: object) -> journal.Claim:
    return journal.claim(
        session,
        KEY,
        task_id="task-1",
        task_name="snap.campaign.create",
        step="create",
        ad_account_id="acct-1",
        request_digest="digest-a",
        worker_id="w1",
        lease_s=90,
        max_attempts=2,
        now=now,
        **kw,  # type: ignore[arg-type]
    )


def _lose_two_answers(factory: sessionmaker[Session]) -> None:
    # Two attempts whose worker died mid-request (each lease lapses: the cap counts them),
    # the last of them after the create was sent: its outcome is unknown.
    for n in range(2):
        with factory.begin() as s:
            claimed = _claim(s, now=T0 + timedelta(minutes=2 * n), create_lookup=LOOKUP)
            assert claimed.won


def test_a_create_at_its_cap_with_an_unknown_outcome_is_maybe_created(
    factory: sessionmaker[Session],
) -> None:
    _lose_two_answers(factory)
    with factory.begin() as s:
        over = _claim(s, now=T0 + timedelta(minutes=5), create_lookup=LOOKUP)
    assert not over.won
    assert over.entry.state == JournalState.MAYBE_CREATED
    assert over.entry.error["status"] == "unknown"
    assert over.entry.error["code"] == "maybe_created"
    assert over.entry.error["name"] == "Spring" and over.entry.error["parent_id"] == "acct-1"
    assert over.entry.error["first_attempt_at"].startswith("2026-11-23T12:00:00")
    assert over.entry.response == {"lookup": LOOKUP}
    assert over.entry.finished_at is None and not journal.is_terminal(over.entry)
    # Never claimed again, never re-driven by the completer's stale sweep; listed for the look
    with factory.begin() as s:
        again = _claim(s, now=T0 + timedelta(hours=3), create_lookup=LOOKUP)
        assert not again.won and again.entry.state == JournalState.MAYBE_CREATED
        stale = journal.find_stale(s, idle_s=60, now=T0 + timedelta(hours=3))
        assert KEY not in {r.idempotency_key for r in stale}
        assert [r.idempotency_key for r in journal.maybe_created(s)] == [KEY]


def test_the_completer_adopting_it_makes_it_succeeded(factory: sessionmaker[Session]) -> None:
    _lose_two_answers(factory)
    with factory.begin() as s:
        _claim(s, now=T0 + timedelta(minutes=5), create_lookup=LOOKUP)
    with factory.begin() as s:
        assert journal.adopt_maybe_created(s, KEY, ["c-1"], {"entity": {"id": "c-1"}})
    with factory.begin() as s:
        entry = journal.get(s, KEY)
        assert entry is not None and entry.state == JournalState.SUCCEEDED
        assert entry.snap_ids == ["c-1"] and entry.error is None
        assert not journal.adopt_maybe_created(s, KEY, ["c-2"], {})  # only once


def test_an_update_at_its_cap_still_fails(factory: sessionmaker[Session]) -> None:
    _lose_two_answers(factory)
    with factory.begin() as s:
        over = _claim(s, now=T0 + timedelta(minutes=5))  # no create_lookup: not a create
    assert over.entry.state == JournalState.FAILED
    assert over.entry.error["code"] == "attempts_exhausted"
