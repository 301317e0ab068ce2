"""The journal's housekeeping, driven by beat: re-drive stale mutations, reap old rows."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from worker.mutations.completer import look_for_maybe_created, reap_finished, redrive_stale
from worker.runtime import runtime


@shared_task(bind=True, name="snap.journal.complete")
def complete(self: Task) -> dict[str, Any]:
    """Send again every mutation whose journal rows were left unfinished, and look for
    every create that may have landed (maybe_created), adopting those that appeared."""
    redriven = redrive_stale(runtime(self.app), self.app)
    adopted = look_for_maybe_created(runtime(self.app), self.app)
    return {
        "status": "succeeded",
        "redriven": [{"task_id": r.task_id, "task_name": r.task_name} for r in redriven],
        "adopted": [
            {"task_id": a.task_id, "task_name": a.task_name, "snap_id": a.snap_id}
            for a in adopted
        ],
    }


@shared_task(bind=True, name="snap.journal.reap")
def reap(self: Task) -> dict[str, Any]:
    """Delete finished journal rows older than SNAPFLEET_JOURNAL_RETENTION_DAYS."""
    return {"status": "succeeded", "reaped": reap_finished(runtime(self.app))}
