"""The runner process of the soak: enqueues by name, collects results and events.

    python -m tests.soak.runner --out DIR --accounts A,B,... --media FILE --min-tasks N --until T

Rounds of chains (one per account, side by side) start until at least N tasks were
accepted and the clock passed T (the end of the driver's fault plan).

It reads the fleet's settings from the environment like any runner would, sends each
mutation with `send_task(name, kwargs=payload, task_id=...)` and waits for its result in
the result backend, one chain per ad account, the chains side by side. A send refused
while the broker is down is sent again under the same task id until it is accepted.
Every accepted task is a line of `DIR/tasks.jsonl` (sent) and, once terminal, of
`DIR/results.jsonl`; the events the fleet delivers (`growth.snap_event` on `growth`)
are consumed by a worker of its own and appended to `DIR/events.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from tests.soak.workload import ChainStopped, run_chain

logger = logging.getLogger("soak.runner")

RESULT_TIMEOUT_S = 600.0
RESEND_PENDING_S = 45.0  # no worker started it this long: send it again, same task id
TERMINAL = ("SUCCESS", "FAILURE")


class Journal:
    """Append-only JSON lines, one writer lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, default=str)
        with self._lock, self.path.open("a") as out:
            out.write(line + "\n")


class Runner:
    def __init__(self, app: Any, out: Path) -> None:
        self.app = app
        self.sent = Journal(out / "tasks.jsonl")
        self.results = Journal(out / "results.jsonl")
        self.chains = Journal(out / "chains.jsonl")
        self.count = 0
        self.resent = 0

    def send(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Enqueue one task by name and wait for its terminal result."""
        task_id = str(uuid.uuid4())
        while True:
            try:
                self.app.send_task(name, kwargs=payload, task_id=task_id)
                break
            except Exception as exc:  # the broker is down: same task id, again
                logger.warning("runner: send of %s refused (%s); again", name, type(exc).__name__)
                time.sleep(1.0)
        sent_at = time.time()
        self.count += 1
        self.sent.write({"task_id": task_id, "name": name, "payload": payload, "sent_at": sent_at})
        result = self.wait(
            task_id, lambda: self.app.send_task(name, kwargs=payload, task_id=task_id)
        )
        done_at = time.time()
        record = {"task_id": task_id, "name": name, "payload": payload, "sent_at": sent_at,
                  "done_at": done_at if result is not None else None, "result": result}  # fmt: skip
        self.results.write(record)
        return result or {"status": "lost", "code": "no_result"}

    def wait(self, task_id: str, resend: Any = None) -> dict[str, Any] | None:
        from celery.result import AsyncResult

        deadline = time.monotonic() + RESULT_TIMEOUT_S
        handle = AsyncResult(task_id, app=self.app)
        pending_since = time.monotonic()
        while time.monotonic() < deadline:
            try:
                state = handle.state
                if state != "PENDING":
                    pending_since = time.monotonic()
                elif time.monotonic() - pending_since > RESEND_PENDING_S and resend is not None:
                    # No worker ever started it. On the Redis broker a message a node took
                    # off the queue in the instant it was killed is gone (kombu pops it,
                    # then records it as unacknowledged: two steps); the runner's part of
                    # the contract is to send it again under the same task id, which the
                    # journal makes safe (README, "After a crash").
                    logger.warning("runner: %s never started; sent again, same id", task_id)
                    resend()
                    self.resent += 1
                    pending_since = time.monotonic()
                if state in TERMINAL:
                    value = handle.result
                    if isinstance(value, dict):
                        return value
                    return {"status": "failed", "code": "exception", "message": repr(value)}
            except Exception as exc:  # Redis down: results come back with it
                logger.warning("runner: result of %s unreadable (%s)", task_id, type(exc).__name__)
            time.sleep(0.3)
        return None

    def chain(self, account: str, tag: str, media: str, deletes: bool) -> None:
        started = time.time()
        try:
            run_chain(self.send, account, tag, media, deletes=deletes)
            outcome = "done"
        except ChainStopped as exc:
            outcome = f"stopped: {exc}"
        self.chains.write({"account": account, "tag": tag, "outcome": outcome,
                           "started": started, "ended": time.time()})  # fmt: skip


def consume_events(app: Any, out: Path, stop: threading.Event) -> None:
    """A worker of the runner's own on the events queue; each event is one line."""
    from celery.contrib.testing.worker import start_worker

    settings = app.snapfleet_settings
    events = Journal(out / "events.jsonl")

    @app.task(name=settings.snapfleet_events_task, bind=True)
    def snap_event(self: Any, event: dict[str, Any]) -> None:
        events.write({"message_id": self.request.id, "received_at": time.time(), **event})

    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False,
        queues=settings.snapfleet_events_queue, loglevel="WARNING", shutdown_timeout=10,
    ):  # fmt: skip
        stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--accounts", required=True, help="comma-separated ad account ids")
    parser.add_argument("--min-tasks", type=int, default=1, help="keep going until this many")
    parser.add_argument("--until", type=float, default=0.0, help="and until this epoch time")
    parser.add_argument("--media", required=True)
    parser.add_argument("--run", default=uuid.uuid4().hex[:6])
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    from worker.app import create_app
    from worker.settings import Settings

    app = create_app(Settings())
    runner = Runner(app, args.out)
    stop = threading.Event()
    events = threading.Thread(target=consume_events, args=(app, args.out, stop), daemon=True)
    events.start()
    accounts = args.accounts.split(",")
    round_no = 0
    while round_no == 0 or runner.count < args.min_tasks or time.time() < args.until:
        threads = [
            threading.Thread(
                target=runner.chain,
                args=(acct, f"{args.run} a{i} r{round_no}", args.media, i % 2 == 0),
            )
            for i, acct in enumerate(accounts)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        round_no += 1
    (args.out / "runner.done").write_text(str(time.time()))
    # Events keep arriving after the last mutation (detection runs on beat): keep consuming
    # until the driver says stop.
    while not (args.out / "runner.stop").exists():
        time.sleep(0.5)
    stop.set()
    events.join(timeout=20)


if __name__ == "__main__":
    main()
