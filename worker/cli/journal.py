"""`snapfleet journal`: the mutation journal for an operator, without psql.

    journal [--state S] [--account A]   keys, most recently changed first (80 columns)
    journal show KEY                    one key (a unique prefix will do), every field
    journal replay KEY                  re-drive its task under the original task id

A replay sends the task again with the id and payload it was journaled under, exactly as
the completer does: the same task id gives the same keys, steps that succeeded replay
from the journal, and the reopened key reconciles before it sends (`storage.journal_ops`).
The previous result is forgotten first, so the one waited for is the replay's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import journal_ops
from storage.models.journal import JournalEntry

__all__ = ["Row", "as_dict", "rows", "short_id", "short_key"]

KEY_SHOWN = 12
ID_SHOWN = 9


@dataclass(frozen=True)
class Row:
    key: str
    state: str
    task: str
    ad_account_id: str
    attempt: int
    updated_at: datetime


def short_key(key: str) -> str:
    """Enough of a key to tell it apart and to pass to `journal show` as a prefix."""
    return key if len(key) <= KEY_SHOWN else key[: KEY_SHOWN - 1] + "…"


def short_id(snap_id: str) -> str:
    """A Snap UUID's first block (the full one is in `journal show` and `--json`)."""
    return snap_id if len(snap_id) <= ID_SHOWN else snap_id[: ID_SHOWN - 1] + "…"


def rows(sessions: Any, *, state: str | None, ad_account_id: str | None, limit: int) -> list[Row]:
    with sessions() as session:
        found = journal_ops.listing(session, state=state, ad_account_id=ad_account_id, limit=limit)
        return [
            Row(
                e.idempotency_key,
                e.state,
                e.task_name,
                e.ad_account_id or "",
                e.attempt,
                e.updated_at,
            )
            for e in found
        ]


def one(sessions: Any, key_or_prefix: str) -> JournalEntry:
    """The entry a key or a unique prefix names; LookupError otherwise."""
    with sessions() as session:
        found = journal_ops.find(session, key_or_prefix)
        session.expunge_all()
    if not found:
        raise LookupError(f"no journal key {key_or_prefix!r}")
    if len(found) > 1:
        raise LookupError(f"{key_or_prefix!r} names several keys: give more of it")
    return found[0]


def as_dict(entry: JournalEntry) -> dict[str, Any]:
    return {
        column.name: getattr(entry, column.key)
        for column in JournalEntry.__table__.columns
        if hasattr(entry, column.key)
    }


def reopen(sessions: Any, key: str, *, max_attempts: int) -> JournalEntry:
    """Reopen `key` for its task's replay; ReplayRefused says why not."""
    with sessions() as session:
        entry = journal_ops.reopen_for_replay(session, key, max_attempts=max_attempts)
        session.expunge_all()
    return entry
