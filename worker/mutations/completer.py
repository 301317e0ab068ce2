"""The completer: mutations whose journal rows were left unfinished are driven again.

A Celery retry can be lost (Redis down while it was published, a
worker killed with the message already acked by an older Celery), and an unknown outcome
only converges when its task runs again. So beat periodically looks for unfinished keys
nobody has touched for `SNAPFLEET_COMPLETER_IDLE_S` (`storage.journal.find_stale`) and
re-sends each one's task with its original task id and payload: the same task id gives
the same idempotency keys, so its steps replay what succeeded and reconcile what may
have landed (list and match), never a blind second write. The journal's attempt cap
bounds how often one key is driven.

What is re-driven: `unknown`, `pending` (released for a retry that never came) and
`in_flight` whose lease expired (its worker died mid-request: the row is marked
`unknown` first). Not `quota_unavailable`: that outcome was reported to the runner,
which may already have enqueued the mutation again under a new task id.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from celery import Celery

from storage import journal
from storage.errors import StaleAttempt
from storage.models.journal import JournalEntry, JournalState
from worker.runtime import Runtime

logger = logging.getLogger("snapfleet.completer")

LEASE_EXPIRED = {"code": "lease_expired", "message": "the worker holding this key stopped"}


@dataclass(frozen=True)
class Redrive:
    """One task sent again: its id and name."""

    task_id: str
    task_name: str


def redrive_stale(runtime: Runtime, celery: Celery, *, limit: int = 100) -> list[Redrive]:
    """Send every stale task again (once per task id), restarting its rows' idle clock."""
    idle_s = runtime.settings.snapfleet_completer_idle_s
    with runtime.session() as session:
        rows = [
            row
            for row in journal.find_stale(session, idle_s=idle_s, limit=limit)
            if row.state != JournalState.QUOTA_UNAVAILABLE.value
        ]
        for row in rows:
            _settle_expired_lease(session, row)
        journal.touch(session, [row.idempotency_key for row in rows])
        tasks = _tasks(rows)
    for task_id, (task_name, payload) in tasks.items():
        celery.send_task(task_name, kwargs=payload, task_id=task_id)
        logger.info("completer: re-drove %s %s", task_name, task_id)
    return [Redrive(task_id, name) for task_id, (name, _) in tasks.items()]


def _settle_expired_lease(session: Any, row: JournalEntry) -> None:
    if row.state != JournalState.IN_FLIGHT.value:
        return
    # A new attempt may have taken the key meanwhile: then that attempt owns the outcome.
    with contextlib.suppress(StaleAttempt):
        journal.mark_unknown(session, row.idempotency_key, row.attempt, LEASE_EXPIRED)


def _tasks(rows: list[JournalEntry]) -> dict[str, tuple[str, dict[str, Any]]]:
    tasks: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in rows:
        if row.payload is None:
            logger.warning(
                "completer: %s %s has no stored payload; re-send it by hand",
                row.task_name,
                row.task_id,
            )
            continue
        tasks.setdefault(row.task_id, (row.task_name, row.payload))
    return tasks


def reap_finished(runtime: Runtime) -> int:
    """Delete finished journal rows past the retention; unfinished ones are never reaped."""
    retention_s = runtime.settings.snapfleet_journal_retention_days * 86_400
    with runtime.session() as session:
        return journal.reap(session, older_than_s=retention_s)
