"""The faults of a soak, and when each happens.

Each kind is one function of the `Faults` object; `plan()` orders them at random moments
over the run (the short run: every kind at least once). Each fault is recorded with its
start and end (`faults.jsonl`): recovery is measured from the end.

    pool_child   SIGKILL one prefork child of a worker node (Celery requeues its task)
    node         SIGKILL a whole worker node (main process and children), then restart it
    storm_429    the sandbox answers 429 to the next 40 calls (counted as injected)
    burst_5xx    the sandbox answers 503 to the next 15 calls
    latency      the next 4 calls wait past the client's timeout before being served
    redis        SIGKILL the soak's redis-server, restart it 5 s later (AOF replays)
    postgres     `pg_ctl stop -m immediate`, start again 5 s later (crash recovery)
    beat_stop    SIGSTOP the active beat past its lock timeout, then SIGCONT
    revoke       one tenant's refresh token revoked at the sandbox
    changes      the sandbox rejects ads, exhausts a cap, suspends an account

Writes dropped after commit (about 5%) and access tokens expiring mid-run are on for the
whole run (a sandbox fault with a probability, a short token lifetime).
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SLOW = ("beat_stop", "changes")
KINDS = ("pool_child", "node", "storm_429", "burst_5xx", "latency", "redis", "postgres",
         "beat_stop", "revoke", "changes")  # fmt: skip


@dataclass
class Faults:
    """The injectors; `soak` is the driver's Soak (services, fleet processes, settings)."""

    soak: Any
    log: Path
    kills: int = 0
    redis_restarts: int = 0
    postgres_restarts: int = 0
    redis_down: list[tuple[float, float]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    def run(self, kind: str) -> None:
        started = time.time()
        note = getattr(self, kind)()
        self.done.append(kind)
        record = {"kind": kind, "start": started, "end": time.time(), "note": note}
        with self.log.open("a") as out:
            out.write(json.dumps(record) + "\n")
        print(f"soak: fault {kind} ({note}) {record['end'] - started:.1f}s", flush=True)

    def pool_child(self) -> str:
        nodes = [n for n in self.soak.nodes if n.alive() and n.children()]
        if not nodes:
            return "no pool child alive"
        node = random.choice(nodes)
        child = random.choice(node.children())
        import os

        os.kill(child, signal.SIGKILL)
        self.kills += 1
        return f"{node.name} child {child}"

    def node(self) -> str:
        node = random.choice(self.soak.nodes)
        self.soak._restarting.add(node.name)  # not the supervisor's to restart
        node.kill()
        self.kills += 1
        time.sleep(3)
        self.soak.restart_node(node)
        return node.name

    def storm_429(self) -> str:
        self.soak.sandbox.post("/_sandbox/faults", {"action": "status", "status": 429, "times": 40})
        return "40 calls"

    def burst_5xx(self) -> str:
        self.soak.sandbox.post("/_sandbox/faults", {"action": "status", "status": 503, "times": 15})
        return "15 calls"

    def latency(self) -> str:
        wait_ms = int((self.soak.http_timeout_s + 1.5) * 1000)
        self.soak.sandbox.post(
            "/_sandbox/faults", {"action": "latency", "latency_ms": wait_ms, "times": 4}
        )
        return f"4 calls +{wait_ms} ms"

    def redis(self) -> str:
        down = time.time()
        self.soak.redis.kill9()
        time.sleep(5)
        back = time.time()  # the new server is spawned now: down at most until here
        self.soak.redis.start()
        self.redis_down.append((down, back))
        self.redis_restarts += 1
        return "SIGKILL, 5 s down"

    def postgres(self) -> str:
        self.soak.postgres.stop_immediate()
        time.sleep(5)
        self.soak.postgres.start()
        self.postgres_restarts += 1
        return "stop -m immediate, 5 s down"

    def beat_stop(self) -> str:
        beat = self.soak.active_beat()
        if beat is None:
            return "no active beat found"
        beat.signal(signal.SIGSTOP)
        time.sleep(self.soak.beat_lock_timeout_s + 10)
        beat.signal(signal.SIGCONT)
        return f"{beat.name} stopped {self.soak.beat_lock_timeout_s + 10}s"

    def revoke(self) -> str:
        self.soak.sandbox.post("/_sandbox/tokens/revoke", {"token": self.soak.revocable_token})
        self.soak.revoked_at = time.time()
        return f"tenant {self.soak.revoked_tenant}"

    def changes(self) -> str:
        return self.soak.make_state_changes()


def plan(kinds: list[str], span_s: float, *, rng: random.Random) -> list[tuple[float, str]]:
    """(offset from the start, kind): spread over `span_s`, each slot jittered."""
    kinds = list(kinds)
    rng.shuffle(kinds)
    # The state changes wait for finished chains (their own thread): any slot. The
    # revocation goes a third of the way in, while the tenant's chains still run.
    if "revoke" in kinds:
        kinds.remove("revoke")
        kinds.insert(len(kinds) // 3, "revoke")
    slot = span_s / max(1, len(kinds))
    return [(i * slot + rng.uniform(0, slot * 0.5), kind) for i, kind in enumerate(kinds)]


def run_plan(faults: Faults, schedule: list[tuple[float, str]], stop: Callable[[], bool]) -> None:
    start = time.monotonic()
    slow: list[threading.Thread] = []
    for offset, kind in schedule:
        while time.monotonic() - start < offset:
            if stop():
                return
            time.sleep(0.2)
        if kind in SLOW:  # runs beside the others: a stopped beat must not hold them up
            slow.append(threading.Thread(target=_run_one, args=(faults, kind), daemon=True))
            slow[-1].start()
        else:
            _run_one(faults, kind)
    for thread in slow:
        thread.join()


def _run_one(faults: Faults, kind: str) -> None:
    try:
        faults.run(kind)
    except Exception as exc:
        print(f"soak: fault {kind} raised {type(exc).__name__}: {exc}", flush=True)
