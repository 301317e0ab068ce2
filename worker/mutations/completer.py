"""The completer: mutations whose journal rows were left unfinished are driven again.

A Celery retry can be lost (Redis down while it was published, a
worker killed with the message already acked by an older Celery), and an unknown outcome
only converges when its task runs again. So beat periodically looks for unfinished keys
nobody has touched for `SNAPFLEET_COMPLETER_IDLE_S` (`storage.journal.find_stale`) and
re-sends each one's task with its original task id and payload: the same task id gives
the same idempotency keys, so its steps replay what succeeded and reconcile what may
have landed (list and match), never a blind second write. The journal's attempt cap
bounds how often one key is driven.

What is re-driven: `unknown`, `pending` (released for a retry that never came),
`in_flight` whose lease expired (its worker died mid-request: the row is marked
`unknown` first), and tasks a node received but died holding before any journal row
(their receipt's lease lapsed: `storage.receipts`, `worker.mutations.recovery`). Not
`quota_unavailable`: that outcome was reported to the runner, which may already have
enqueued the mutation again under a new task id.

Not `maybe_created` either: a create whose attempts ran out with its outcome unknown is
never sent again. Each sweep lists its parent's entities and matches it instead
(`look_for_maybe_created`, the same list-and-match as a retry); if it appears it is
adopted (journal `succeeded`, mirror row) and the task is sent again under its own id:
the adopted step replays from the journal, later steps run, and the result a runner
reads by that task id becomes the task's success.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from celery import Celery

from storage import journal, mirrors, receipts
from storage.errors import StaleAttempt
from storage.models.journal import JournalEntry, JournalState
from worker.mutations.reconcile import Lookup, children_lister, find
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
    tasks.update(_lapsed_receipts(runtime, set(tasks), limit))
    for task_id, (task_name, payload) in tasks.items():
        celery.send_task(task_name, kwargs=payload, task_id=task_id)
        logger.info("completer: re-drove %s %s", task_name, task_id)
    return [Redrive(task_id, name) for task_id, (name, _) in tasks.items()]


def _lapsed_receipts(
    runtime: Runtime, already: set[str], limit: int
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Tasks a dead node held (received, maybe started, never ended): sent again by id.

    The same task id replays what the journal recorded and reconciles what may have
    landed, so a message the broker also redelivers later only finds the work done.
    """
    lease_s = runtime.settings.snapfleet_journal_lease_s
    with runtime.session() as session:
        found = {}
        for receipt in receipts.lapsed(session, limit=limit):
            receipts.mark_redriven(session, receipt.task_id, lease_s)
            if receipt.task_id not in already and receipt.payload is not None:
                found[receipt.task_id] = (receipt.task_name, dict(receipt.payload))
    return found


def _settle_expired_lease(session: Any, row: JournalEntry) -> None:
    if row.state != JournalState.IN_FLIGHT.value:
        return
    # A new attempt may have taken the key meanwhile: then that attempt owns the outcome.
    with contextlib.suppress(StaleAttempt):
        journal.mark_unknown(session, row.idempotency_key, row.attempt, LEASE_EXPIRED, lost=True)


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


@dataclass(frozen=True)
class Adopted:
    """A maybe_created create found on Snap: its task id, name and the entity's id."""

    task_id: str
    task_name: str
    snap_id: str


def look_for_maybe_created(runtime: Runtime, celery: Celery, *, limit: int = 100) -> list[Adopted]:
    """List-and-match every maybe_created create; adopt those that appeared."""
    with runtime.session() as session:
        rows = journal.maybe_created(session, limit=limit)
        journal.touch(session, [row.idempotency_key for row in rows])
        session.expunge_all()
    adopted: list[Adopted] = []
    for row in rows:
        try:
            found = _look_for(runtime, row)
        except Exception as exc:  # one account's outage must not stop the sweep
            logger.warning("completer: looking for %s failed: %s", row.idempotency_key, exc)
            continue
        if found is not None:
            adopted.append(_adopt(runtime, celery, row, found))
    return [a for a in adopted if a.snap_id]


def _look_for(runtime: Runtime, row: JournalEntry) -> dict[str, Any] | None:
    lookup = (row.response or {}).get("lookup") or {}
    kind, parent_id, item = lookup.get("kind"), lookup.get("parent_id"), lookup.get("item")
    if not (kind and parent_id and item and row.ad_account_id):
        logger.warning("completer: %s has no lookup; find it by hand", row.idempotency_key)
        return None
    account = runtime.account(row.ad_account_id)
    client = runtime.client(account.connection_id)
    with runtime.session() as session:
        owned = journal.owned_snap_ids(session, row.ad_account_id)
    with runtime.account_gate_scope(account):
        match = find(
            Lookup(kind, parent_id, item, children_lister(client, kind, parent_id)),
            since=row.created_at,
            skew_s=runtime.settings.snapfleet_reconcile_skew_s,
            owned_ids=owned,
        )
    return match.adopted


def _adopt(runtime: Runtime, celery: Celery, row: JournalEntry, entity: dict) -> Adopted:
    snap_id = str(entity.get("id"))
    response = {"entity": entity, "adopted": True, "duplicates": []}
    with runtime.session() as session:
        if not journal.adopt_maybe_created(session, row.idempotency_key, [snap_id], response):
            return Adopted(row.task_id, row.task_name, "")
        kind = ((row.response or {}).get("lookup") or {}).get("kind")
        if kind in mirrors.KINDS and row.ad_account_id:
            mirrors.upsert_many(session, kind, row.ad_account_id, [entity])
    logger.info("completer: adopted %s for maybe_created %s", snap_id, row.idempotency_key)
    # Run the task again under its own id: the adopted step now replays from the journal,
    # any later steps run, and the result the runner reads by that id becomes the task's.
    # The maybe_created answer is forgotten first: a result backend never overwrites a
    # SUCCESS state (Celery's guard against a redelivered task), and a task that returned
    # a result is in that state whatever the result says.
    if row.payload is not None:
        celery.backend.forget(row.task_id)
        celery.send_task(row.task_name, kwargs=row.payload, task_id=row.task_id)
    return Adopted(row.task_id, row.task_name, snap_id)


def reap_finished(runtime: Runtime) -> int:
    """Delete finished journal rows past the retention; unfinished ones are never reaped."""
    retention_s = runtime.settings.snapfleet_journal_retention_days * 86_400
    with runtime.session() as session:
        return journal.reap(session, older_than_s=retention_s)
