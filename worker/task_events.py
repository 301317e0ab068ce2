"""The task events a worker sends: a returned failure goes out as `task-failed`.

A task that fails for a business reason (`{"status": "failed", "code": "not_connected"}`)
*returns* its error object: Celery stores it as a SUCCESS in the result backend, so the
runner's `result.get(propagate=False)` reads the same dict for every outcome (README,
"Task results and failures"). Monitors that read the event stream (Flower, `celery
events`, Flower's /metrics) would count it as a success. So the worker's request class
sends `task-failed` instead of `task-succeeded` when the returned value is a failure,
with the error object (its code first) as the exception text; the result backend is not
touched.

`FleetRequest` plugs in through Celery's documented extension point (`Task.Request`, "Requests
and custom requests" in the Celery tasks guide): at worker start every task of the app
that still has Celery's own request class gets it, whatever its base class. It runs in
the worker's main process, which sees the result only as its repr (what Celery puts in
`task-succeeded`); the fleet's result builders put `status` first (`worker.results`), so
the repr of a failure starts `{'status': 'failed'`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from celery import Task
from celery.signals import worker_init
from celery.worker.request import Request
from kombu.utils.imports import symbol_by_name

__all__ = ["FLEET_REQUEST", "FleetRequest", "failure_text", "use_fleet_requests"]

FLEET_REQUEST = "worker.task_events:FleetRequest"

logger = logging.getLogger("snapfleet.worker")

_FAILED = re.compile(r"^\{'status': 'failed'")
_CODE = re.compile(r"'code': '([^']*)'")


def failure_text(result_repr: Any) -> str | None:
    """`TaskFailed(<code>): <result>` when the repr is a returned failure, else None."""
    if not isinstance(result_repr, str) or not _FAILED.match(result_repr):
        return None
    code = _CODE.search(result_repr)
    return f"TaskFailed({code.group(1) if code else 'failed'}): {result_repr}"


class FleetRequest(Request):
    """Celery's request, reporting a returned failure as `task-failed` to event readers."""

    def send_event(self, type: str, **fields: Any) -> None:
        if type == "task-succeeded":
            failure = failure_text(fields.get("result"))
            if failure is not None:
                super().send_event(
                    "task-failed",
                    exception=failure,
                    traceback="returned a failed result (stored as the task's result)",
                    runtime=fields.get("runtime"),
                )
                return
        super().send_event(type, **fields)


def use_fleet_requests(celery: Any) -> list[str]:
    """Give every task of `celery` still on Celery's own request class the fleet's.

    A task base with a request class of its own must derive it from `FleetRequest`;
    the names of the tasks whose class does not are returned (and logged).
    """
    foreign = []
    for name, task in celery.tasks.items():
        if task.Request == Task.Request:
            task.Request = FLEET_REQUEST
        elif not issubclass(symbol_by_name(task.Request), FleetRequest):
            foreign.append(name)
    if foreign:
        logger.warning(
            "worker: %d task(s) use a request class that is not a FleetRequest; Flower "
            "will show their returned failures as successes: %s",
            len(foreign),
            ", ".join(sorted(foreign)),
        )
    return foreign


@worker_init.connect
def _at_worker_start(sender: Any = None, **_: Any) -> None:
    # After the task modules are imported, before the consumer builds its strategies.
    if sender is not None and getattr(sender, "app", None) is not None:
        use_fleet_requests(sender.app)
