"""The journal's housekeeping, driven by beat: re-drive stale mutations, reap old rows."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from worker.mutations.completer import reap_finished, redrive_stale
from worker.runtime import runtime


@shared_task(bind=True, name="snap.journal.complete")
def complete(self: Task) -> dict[str, Any]:
    """Send again every mutation whose journal rows were left unfinished."""
    redriven = redrive_stale(runtime(self.app), self.app)
    return {
        "status": "succeeded",
        "redriven": [{"task_id": r.task_id, "task_name": r.task_name} for r in redriven],
    }


@shared_task(bind=True, name="snap.journal.reap")
def reap(self: Task) -> dict[str, Any]:
    """Delete finished journal rows older than SNAPFLEET_JOURNAL_RETENTION_DAYS."""
    return {"status": "succeeded", "reaped": reap_finished(runtime(self.app))}
