"""What each worker did, as Prometheus metrics (prometheus-client), and each attempt's tally.

Served by the worker's main process on `SNAPFLEET_METRICS_PORT` (9808; 0 = off):

    snapfleet_snap_requests_total{operation,status}  every HTTP request to Snap; status is
        the HTTP status, or connect_error / answer_lost / transport_error when no answer
        came, or quota_unavailable when the gate store failed and nothing was sent
    snapfleet_snap_429_total                         Snap's 429 answers
    snapfleet_gate_wait_seconds{scope}               time a request waited at the token gate
        (histogram); scope is the lane, `mutation` or `sync`
    snapfleet_gate_deferred_total{scope}             gate waits longer than the inline bound,
        handed back to Celery as a retry
    snapfleet_task_outcomes_total{task,outcome,code} one per task attempt: succeeded,
        failed (a returned `{"status": "failed"}` counts here too), retry, skipped
    snapfleet_stats_rows_upserted_total              stats rows written
    snapfleet_events_emitted_total{kind}             state-change events detected and stored

The prefork pool runs tasks in child processes, each with its own memory, so the metrics
use prometheus-client's multiprocess mode: every process writes its values to files
under `PROMETHEUS_MULTIPROC_DIR`, and the main process serves their sum. `snapfleet
worker` points that variable at a directory of its own (a fresh temporary one unless set)
and empties it before the first metric exists (`worker.cli.processes.metrics_dir`); a
child that exits is marked dead (`mark_process_dead`). Counters of dead children stay in
the sum, so a total never goes down when the pool replaces a child.

`AttemptTally` counts, for the task attempt running in this thread, the gate wait, the
429s seen and the client's own retries: the task's one log line per attempt carries them.
"""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from celery.signals import task_postrun, task_prerun, task_retry, worker_process_shutdown
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client import multiprocess as prometheus_multiprocess

__all__ = [
    "AttemptTally",
    "begin_attempt",
    "current_attempt",
    "multiprocess_mode",
    "observe_gate_wait",
    "observe_request",
    "observe_retry",
    "outcome_of",
    "record_event",
    "record_rows_upserted",
    "serve",
]

logger = logging.getLogger("snapfleet.metrics")

SNAP_REQUESTS = Counter(
    "snapfleet_snap_requests",
    "HTTP requests to the Snap Marketing API, by operation and status",
    ["operation", "status"],
)
SNAP_429 = Counter("snapfleet_snap_429", "429 (rate limited) answers from Snap")
GATE_WAIT = Histogram(
    "snapfleet_gate_wait_seconds",
    "Time a request waited at the token gate before it was sent",
    ["scope"],
    buckets=(0.0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
GATE_DEFERRED = Counter(
    "snapfleet_gate_deferred",
    "Gate waits longer than the inline bound, handed back to Celery as a retry",
    ["scope"],
)
TASK_OUTCOMES = Counter(
    "snapfleet_task_outcomes",
    "Task attempts by outcome (succeeded, failed, retry, skipped) and result code",
    ["task", "outcome", "code"],
)
STATS_ROWS = Counter("snapfleet_stats_rows_upserted", "Stats rows written (upserts)")
EVENTS = Counter(
    "snapfleet_events_emitted", "State-change events detected and stored, by kind", ["kind"]
)


def multiprocess_mode() -> bool:
    """True when values live in files under PROMETHEUS_MULTIPROC_DIR (read at import)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def serve(port: int, addr: str = "0.0.0.0") -> Any:  # noqa: S104 (Prometheus scrapes it)
    """Serve /metrics from this (the main) process: the sum over every pool child.

    Returns the server, or None when the port cannot be bound: the worker runs on
    without metrics (logged as an error; Prometheus shows the target down) rather than
    refusing to work because of a monitoring port.
    """
    registry = None
    if multiprocess_mode():
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    try:
        server, _thread = (
            start_http_server(port, addr, registry)
            if registry is not None
            else start_http_server(port, addr)
        )
    except OSError as exc:
        logger.error(
            "metrics: cannot serve on %s:%s (%s); this worker runs without metrics "
            "(set SNAPFLEET_METRICS_PORT to a free port, or 0)",
            addr,
            port,
            exc.strerror or exc,
        )
        return None
    logger.info("metrics: serving on http://%s:%s/metrics", addr, server.server_port)
    return server


# --- The tally of one task attempt ----------------------------------------------------


@dataclass
class AttemptTally:
    """What one task attempt spent: gate wait, 429s seen, the client's own retries."""

    started: float = field(default_factory=time.monotonic)
    gate_wait_s: float = 0.0
    snap_429s: int = 0
    client_retries: int = 0
    requests: int = 0
    retry_code: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "gate_wait_ms": round(self.gate_wait_s * 1000, 1),
            "snap_429s": self.snap_429s,
            "client_retries": self.client_retries,
        }


_ATTEMPT: ContextVar[AttemptTally | None] = ContextVar("snapfleet_attempt", default=None)


def begin_attempt() -> AttemptTally:
    """A fresh tally for the attempt starting in this thread (or context)."""
    tally = AttemptTally()
    _ATTEMPT.set(tally)
    return tally


def current_attempt() -> AttemptTally:
    """The running attempt's tally (one is started if none is: CLI calls, tests)."""
    tally = _ATTEMPT.get()
    return tally if tally is not None else begin_attempt()


# --- What the transport, the client and the sync code report ----------------------------


def observe_request(operation: str, status: str) -> None:
    SNAP_REQUESTS.labels(operation=operation, status=status).inc()
    tally = current_attempt()
    tally.requests += 1
    if status == "429":
        SNAP_429.inc()
        tally.snap_429s += 1


def observe_gate_wait(scope: str, seconds: float, *, deferred: bool = False) -> None:
    GATE_WAIT.labels(scope=scope).observe(seconds)
    current_attempt().gate_wait_s += seconds
    if deferred:
        GATE_DEFERRED.labels(scope=scope).inc()


def observe_retry() -> None:
    """The client is about to send a request again (its own retry, before Celery's)."""
    current_attempt().client_retries += 1


def record_rows_upserted(count: int) -> None:
    if count > 0:
        STATS_ROWS.inc(count)


def record_event(kind: str) -> None:
    EVENTS.labels(kind=kind).inc()


# --- Task outcomes, from Celery's signals (every task, whatever its base) -----------------


def outcome_of(state: str | None, retval: Any) -> tuple[str, str]:
    """(outcome, code) of a finished attempt. A returned failure is a failure."""
    if state == "RETRY":
        return "retry", ""
    if state == "FAILURE" or isinstance(retval, BaseException):
        return "failed", str(getattr(retval, "code", None) or "internal")
    if isinstance(retval, dict):
        status = str(retval.get("status") or "succeeded")
        code = str(retval.get("code") or "")
        if status in ("failed", "skipped"):
            return status, code
    return "succeeded", ""


@task_prerun.connect
def _attempt_started(**_: Any) -> None:
    begin_attempt()


@task_retry.connect
def _attempt_retried(reason: Any = None, **_: Any) -> None:
    code = getattr(reason, "code", None)
    if code is None and isinstance(reason, RuntimeError) and ":" in str(reason):
        code = str(reason).split(":", 1)[0]  # MutationTask's "<code>: <message>" reason
    current_attempt().retry_code = str(code) if code else None


@task_postrun.connect
def _attempt_finished(
    sender: Any = None, task: Any = None, retval: Any = None, state: str | None = None, **_: Any
) -> None:
    name = getattr(task or sender, "name", None) or "unknown"
    outcome, code = outcome_of(state, retval)
    if outcome == "retry":
        code = current_attempt().retry_code or ""
    TASK_OUTCOMES.labels(task=name, outcome=outcome, code=code).inc()


@worker_process_shutdown.connect
def _child_exited(pid: int | None = None, **_: Any) -> None:
    """A pool child leaves: its live-gauge files stop counting (its counters stay)."""
    if multiprocess_mode():
        prometheus_multiprocess.mark_process_dead(pid or os.getpid())
