"""The journal's housekeeping, driven by beat: re-drive stale mutations, reap old rows."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from pydantic import ValidationError as PayloadError

from tasks.payloads import payload_model, validate_payload
from worker.mutations.completer import look_for_maybe_created, reap_finished, redrive_stale
from worker.results import validation_failure
from worker.runtime import runtime

COMPLETE = "snap.journal.complete"
REAP = "snap.journal.reap"


def _refusal(task_name: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Beat sends these with no payload; anything else is refused naming the field."""
    try:
        validate_payload(task_name, payload)
    except PayloadError as exc:
        return validation_failure(exc, payload_model(task_name))
    return None


@shared_task(bind=True, name=COMPLETE)
def complete(self: Task, **payload: Any) -> dict[str, Any]:
    """Send again every mutation whose journal rows were left unfinished, and look for
    every create that may have landed (maybe_created), adopting those that appeared."""
    if (refused := _refusal(COMPLETE, payload)) is not None:
        return refused
    redriven = redrive_stale(runtime(self.app), self.app)
    adopted = look_for_maybe_created(runtime(self.app), self.app)
    return {
        "status": "succeeded",
        "redriven": [{"task_id": r.task_id, "task_name": r.task_name} for r in redriven],
        "adopted": [
            {"task_id": a.task_id, "task_name": a.task_name, "snap_id": a.snap_id} for a in adopted
        ],
    }


@shared_task(bind=True, name=REAP)
def reap(self: Task, **payload: Any) -> dict[str, Any]:
    """Delete finished journal rows older than SNAPFLEET_JOURNAL_RETENTION_DAYS."""
    if (refused := _refusal(REAP, payload)) is not None:
        return refused
    return {"status": "succeeded", "reaped": reap_finished(runtime(self.app))}
