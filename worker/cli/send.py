"""`snapfleet send`: enqueue a task on the fleet, as the runner does, and wait for its result.

Unlike `snapfleet call` (which runs the task in the calling process) the task goes to the
broker and a worker runs it; the command waits for the result in the result backend with
a spinner, up to a timeout. The payload is checked against the task's model first, so a
typo is refused here, naming the field, before anything is enqueued.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["Refused", "Waited", "check_payload", "send_and_wait", "wait_for"]

POLL_S = 0.25


class Refused(Exception):
    """Unknown task or invalid payload: nothing was enqueued."""


@dataclass(frozen=True)
class Waited:
    task_id: str
    queue: str
    result: dict[str, Any] | None  # None: no result within the timeout


def check_payload(task: str, payload: dict[str, Any]) -> None:
    """Refuse an unknown task or a payload its model rejects (one line per bad field)."""
    from pydantic import ValidationError

    from tasks import payloads

    try:
        model = payloads.payload_model(task)
    except payloads.UnknownTask as exc:
        raise Refused(f"{exc} (`snapfleet schema` lists the tasks)") from None
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in exc.errors()
        )
        raise Refused(f"invalid payload for {task}: {fields}") from None


def queue_of(app: Any, task: str) -> str:
    route = app.amqp.router.route({}, task)
    queue = route.get("queue")
    return str(getattr(queue, "name", queue) or app.conf.task_default_queue)


def send_and_wait(
    app: Any,
    task: str,
    payload: dict[str, Any],
    *,
    task_id: str | None = None,
    timeout_s: float,
    spinner: Any = None,
) -> Waited:
    """Enqueue `task` and wait for its result (`spinner`: a rich Console to show it on)."""
    task_id = task_id or str(uuid.uuid4())
    app.send_task(task, kwargs=payload, task_id=task_id)
    return wait_for(app, task, task_id, timeout_s=timeout_s, spinner=spinner)


def wait_for(app: Any, task: str, task_id: str, *, timeout_s: float, spinner: Any = None) -> Waited:
    queue = queue_of(app, task)
    handle = app.AsyncResult(task_id)
    deadline = time.monotonic() + timeout_s
    waiting = f"{task} {task_id} on queue {queue}: waiting for a worker"
    status = spinner.status(waiting) if spinner is not None else None
    if status is not None:
        status.start()
    try:
        while time.monotonic() < deadline:
            if handle.ready():
                result = handle.result
                if not isinstance(result, dict):
                    result = {"status": "failed", "code": "internal", "message": repr(result)}
                return Waited(task_id, queue, result)
            if status is not None:
                status.update(f"{waiting} ({handle.state.lower()})")
            time.sleep(POLL_S)
    finally:
        if status is not None:
            status.stop()
    return Waited(task_id, queue, None)
