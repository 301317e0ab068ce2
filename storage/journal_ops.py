"""What an operator does to the journal by hand: list it, read one key, reopen one for a replay.

The fleet's own paths (claim, record, completer) live in `storage.journal`; these are the
questions and the one change `snapfleet journal` asks for. A replay re-drives a mutation
under its original task id, so its keys are the same: a key that failed is reopened as
`unknown`, never `pending`, so the next attempt looks for what may have landed (list and
match) before it sends anything again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.journal import lost_attempts
from storage.models.base import utcnow
from storage.models.journal import JournalEntry, JournalState

__all__ = ["ReplayRefused", "find", "listing", "reopen_for_replay"]


class ReplayRefused(Exception):
    """This key cannot be replayed now; the message says why and what to do instead."""


def listing(
    session: Session,
    *,
    state: str | None = None,
    ad_account_id: str | None = None,
    limit: int = 50,
) -> list[JournalEntry]:
    """Keys, most recently changed first, filtered by state and/or ad account."""
    stmt = select(JournalEntry).order_by(
        JournalEntry.updated_at.desc(), JournalEntry.idempotency_key
    )
    if state is not None:
        stmt = stmt.where(JournalEntry.state == state)
    if ad_account_id is not None:
        stmt = stmt.where(JournalEntry.ad_account_id == ad_account_id)
    return list(session.scalars(stmt.limit(limit)))


def find(session: Session, key_or_prefix: str) -> list[JournalEntry]:
    """The key itself, or every key starting with the prefix (at most two: ambiguous)."""
    exact = session.get(JournalEntry, key_or_prefix)
    if exact is not None:
        return [exact]
    stmt = (
        select(JournalEntry)
        .where(JournalEntry.idempotency_key.startswith(key_or_prefix, autoescape=True))
        .order_by(JournalEntry.idempotency_key)
        .limit(2)
    )
    return list(session.scalars(stmt))


def reopen_for_replay(
    session: Session, key: str, *, max_attempts: int, now: datetime | None = None
) -> JournalEntry:
    """Make `key` claimable by its task's next run, or raise ReplayRefused.

    failed, and in_flight whose lease ran out -> unknown (reconcile first); pending,
    unknown and quota_unavailable stay as they are (the next claim takes them).
    """
    now = now or utcnow()
    entry = session.get(JournalEntry, key, populate_existing=True)
    if entry is None:
        raise ReplayRefused(f"no journal key {key}")
    state = entry.state
    if state == JournalState.SUCCEEDED.value:
        raise ReplayRefused(f"{key} succeeded: there is nothing to replay")
    if state == JournalState.MAYBE_CREATED.value:
        raise ReplayRefused(
            f"{key} is maybe_created: it is never sent again; the completer looks for the "
            "entity on every sweep and adopts it if it appears"
        )
    if state == JournalState.IN_FLIGHT.value and (
        entry.lease_expires_at is None or entry.lease_expires_at > now
    ):
        raise ReplayRefused(
            f"{key} is in flight under a live lease (until {entry.lease_expires_at}): "
            "a worker is running it"
        )
    lost = lost_attempts(entry)
    if lost >= max_attempts:
        raise ReplayRefused(
            f"{key} lost {lost} attempts (SNAPFLEET_JOURNAL_MAX_ATTEMPTS={max_attempts}); "
            "the next run would fail at once: raise it on the workers first"
        )
    if state in (JournalState.FAILED.value, JournalState.IN_FLIGHT.value):
        # Conditional on the attempt read: a claim that got in first wins, and we refuse.
        changed = session.execute(
            update(JournalEntry)
            .where(JournalEntry.idempotency_key == key, JournalEntry.attempt == entry.attempt)
            .values(
                state=JournalState.UNKNOWN.value,
                lost_attempts=lost,
                reason=f"replayed by an operator (was {state})",
                worker_id=None,
                lease_expires_at=None,
                finished_at=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(changed, "rowcount", 1) != 1:
            raise ReplayRefused(f"{key} changed while reopening it; look again")
    else:
        session.execute(
            update(JournalEntry)
            .where(JournalEntry.idempotency_key == key)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
    refreshed = session.get(JournalEntry, key, populate_existing=True)
    assert refreshed is not None
    return refreshed
