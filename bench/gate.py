"""The gate beside the `limits` library's moving window and Celery's own `rate_limit`.

    python -m bench.gate [--seconds 3]        (REDIS_URL or BENCH_REDIS_URL: a real Redis)

One run, one Redis, side by side:

- **decisions/s**: our gate (account + app + token scopes, lanes, fair shares: one Lua
  round trip) against `limits`' moving window (one scope) and a bare INCR round trip;
- **proven maximum per window**: threads of several processes hammer each limiter;
  every grant's time is recorded and the most grants found in any window of each scope
  is printed against its limit (the gate's times are the Redis server's own);
- **Celery's `rate_limit`** as users configure it: a token bucket inside each worker,
  so two real worker processes admit twice the limit; the same task behind our gate in
  the same two workers stays at the limit;
- **utilisation** of the binding scope (grants / what the limit allows in the time);
- **a quiet account's share** against busy ones on the app window (fair shares vs none);
- **the mutation lane's wait** (p50, p99) while polling saturates the sync lane, beside
  the same traffic in one lane.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis as redis_lib
from celery import Celery

from worker.errors import GateTimeout
from worker.gate import TokenGate

WINDOW_S = 1.0
APP_LIMIT = 20  # Snap's documented 20/s per app
TOKEN_LIMIT = 10
ACCOUNT_LIMIT = 50
CELERY_LIMIT = 5  # per second, the task's rate_limit
CELERY_WORKERS = 2
CELERY_TASKS = 60


def redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    return url or "redis://127.0.0.1:6379/13"


# --- The Celery app the worker processes run (`celery -A bench.gate:celery_app`) ---------

celery_app = Celery("bench_gate", broker=redis_url(), backend=None)
celery_app.conf.update(
    worker_prefetch_multiplier=4, task_acks_late=False, worker_hijack_root_logger=False
)


@celery_app.task(name="bench.celery_limited", rate_limit=f"{CELERY_LIMIT}/s", ignore_result=True)
def celery_limited(key: str) -> None:
    client = redis_lib.Redis.from_url(redis_url())
    client.rpush(key, repr(time.time()))


@celery_app.task(name="bench.gate_limited", ignore_result=True)
def gate_limited(key: str, prefix: str) -> None:
    client = redis_lib.Redis.from_url(redis_url())
    gate = TokenGate(client, limit=ACCOUNT_LIMIT, window_s=WINDOW_S, app_limit=CELERY_LIMIT,
                     key_prefix=prefix)  # fmt: skip
    decision = gate.acquire("bench-app", "acct", timeout_s=60.0)
    client.rpush(key, repr(decision.server_time_us / 1e6))


# --- Measuring -------------------------------------------------------------------------------


def most_in_window(times: list[float], window_s: float = WINDOW_S) -> int:
    """The most grants found in any half-open window of `window_s` (times in seconds)."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def hammer(threads: int, seconds: float, step: Callable[[int, int], None]) -> float:
    """Run `step(thread, n)` in `threads` threads for `seconds`; calls per second."""
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            step(slot, n)
            n += 1
        counts[slot] = n

    started = time.perf_counter()
    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def make_gate(client: Any, prefix: str, **kw: Any) -> TokenGate:
    values: dict[str, Any] = dict(limit=ACCOUNT_LIMIT, window_s=WINDOW_S, app_limit=APP_LIMIT,
                                  token_limit=TOKEN_LIMIT, key_prefix=prefix)  # fmt: skip
    values.update(kw)
    return TokenGate(client, **values)


def decisions(client: Any, prefix: str, seconds: float) -> None:
    from limits import parse
    from limits.storage import RedisStorage
    from limits.strategies import MovingWindowRateLimiter

    gate = make_gate(client, prefix)
    moving = MovingWindowRateLimiter(RedisStorage(redis_url()))
    item = parse(f"{APP_LIMIT}/second")
    incr = hammer(8, seconds, lambda s, n: client.incr(f"{prefix}:incr"))
    ours = hammer(8, seconds, lambda s, n: gate.decide(
        "app", f"acct-{n % 100}", token_id=f"tok-{n % 3}", lane="sync" if n % 2 else "mutation"
    ))  # fmt: skip
    theirs = hammer(8, seconds, lambda s, n: moving.hit(item, prefix, f"acct-{n % 100}"))
    print(f"decisions/s, 8 threads: gate (3 scopes, lanes, fair) {ours:,.0f}; limits moving "
          f"window (1 scope) {theirs:,.0f}; INCR {incr:,.0f} (gate/limits {ours / theirs:.2f}x, "
          f"gate/INCR {ours / incr:.2f}x)")  # fmt: skip


def proven_max(client: Any, prefix: str, seconds: float) -> None:
    from limits import parse
    from limits.storage import RedisStorage
    from limits.strategies import MovingWindowRateLimiter

    gate = make_gate(client, prefix)
    grants: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    def ask(slot: int, n: int) -> None:
        account, token = f"acct-{slot % 4}", f"tok-{slot % 2}"
        decision = gate.decide("app", account, token_id=token,
                               lane="sync" if slot % 3 else "mutation")  # fmt: skip
        if decision.granted:
            t = decision.server_time_us / 1e6
            with lock:
                for scope in ("app", f"account {account}", f"token {token}"):
                    grants[scope].append(t)
                if slot % 3:
                    grants["app, sync lane"].append(t)
        else:
            time.sleep(min(decision.wait_s, 0.05))

    hammer(12, seconds, ask)
    limits_of = {"app": APP_LIMIT, "app, sync lane": int(APP_LIMIT * 0.7)}
    for scope, times in sorted(grants.items()):
        limit = limits_of.get(scope) or (ACCOUNT_LIMIT if scope.startswith("acc") else TOKEN_LIMIT)
        worst = most_in_window(times)
        print(f"proven max per {WINDOW_S:g}s window, gate, {scope}: {worst} of {limit} "
              f"({worst / limit:.2f}x the limit)")  # fmt: skip
    busy = len(grants["app"]) / (APP_LIMIT * seconds / WINDOW_S)
    print(f"utilisation of the binding scope (app), gate: {busy:.0%} of what the limit allows "
          f"({busy:.2f}x)")  # fmt: skip
    moving = MovingWindowRateLimiter(RedisStorage(redis_url()))
    item = parse(f"{APP_LIMIT}/second")
    key = f"{prefix}-lim"
    hits: list[float] = []

    def hit(slot: int, n: int) -> None:
        if moving.hit(item, key):
            with lock:
                hits.append(time.time())
        else:
            time.sleep(0.005)

    hammer(12, seconds, hit)
    worst = most_in_window(hits)
    # limits answers no server time: its grants are stamped on this process's clock after
    # the answer, so a thread descheduled between the two can crowd a window that Redis
    # never crowded. The figure is an upper bound of what it admitted, not a proof.
    print(f"max per window seen, limits moving window, app (client clocks, an upper bound): "
          f"{worst} of {APP_LIMIT} ({worst / APP_LIMIT:.2f}x); utilisation "
          f"{len(hits) / (APP_LIMIT * seconds):.2f}x")  # fmt: skip


def quiet_share(client: Any, prefix: str, seconds: float) -> None:
    from limits import parse
    from limits.storage import RedisStorage
    from limits.strategies import MovingWindowRateLimiter

    asked_per_s = 2.0  # well under a fair share of 20/s among 8 accounts
    results = {}
    for name, fair in (("gate, fair shares", True), ("gate, fairness off", False)):
        gate = make_gate(client, f"{prefix}:{name[-3:]}", fair=fair, token_limit=None)
        results[name] = _quiet(
            lambda account, g=gate: g.try_acquire("app", account) == 0.0, seconds * 2, asked_per_s
        )
    moving = MovingWindowRateLimiter(RedisStorage(redis_url()))
    item = parse(f"{APP_LIMIT}/second")
    results["limits moving window"] = _quiet(
        lambda account: moving.hit(item, f"{prefix}-q"), seconds * 2, asked_per_s
    )
    for name, granted in results.items():
        print(f"quiet account's share against 7 busy ones, {name}: {granted:.0%} of its "
              f"{asked_per_s:g}/s granted ({granted:.2f}x)")  # fmt: skip


def _quiet(take: Callable[[str], bool], seconds: float, asked_per_s: float) -> float:
    stop = threading.Event()

    def busy(slot: int) -> None:
        while not stop.is_set():
            if not take(f"busy-{slot}"):
                time.sleep(0.002)

    pool = [threading.Thread(target=busy, args=(i,)) for i in range(7)]
    for thread in pool:
        thread.start()
    # The quiet account is one of the eight active ones (it asked in the last window), and
    # the busy ones' first burst, taken before it was, has left the window.
    take("quiet")
    time.sleep(1.2)
    asked = granted = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        asked += 1
        granted += take("quiet")
        time.sleep(1 / asked_per_s)
    stop.set()
    for thread in pool:
        thread.join()
    return granted / asked


def lane_wait(client: Any, prefix: str, seconds: float) -> None:
    for name, share in (("lanes (sync share 0.7)", 0.7), ("one lane for all", 1.0)):
        gate = make_gate(client, f"{prefix}:{share}", sync_share=share, token_limit=None)
        waits = _mutation_waits(gate, seconds)
        p50, p99 = statistics.median(waits), _p99(waits)
        print(f"mutation lane wait under a saturating sync lane, {name}: p50 {p50 * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms (p99 / 100 ms goal: {p99 / 0.1:.2f}x)")  # fmt: skip


def _mutation_waits(gate: TokenGate, seconds: float) -> list[float]:
    stop = threading.Event()

    def poll(slot: int) -> None:
        # A fleet-wide sync: thousands of accounts, each asking now and then.
        n = slot
        while not stop.is_set():
            wait_s = gate.try_acquire("app", f"poll-{n % 5000}", lane="sync")
            n += 8
            if wait_s:
                time.sleep(min(wait_s, 0.01))

    pool = [threading.Thread(target=poll, args=(i,)) for i in range(8)]
    for thread in pool:
        thread.start()
    time.sleep(1.0)  # the sync lane is saturated
    waits = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        # Given up after 5 s: counted as the wait it was (at least 5 s).
        with contextlib.suppress(GateTimeout):
            gate.acquire("app", f"runner-{n % 3}", timeout_s=5.0, lane="mutation")
        waits.append(time.perf_counter() - started)
        n += 1
        time.sleep(0.25)  # the runner's pace: 4 writes/s, under the 6 left to mutations
    stop.set()
    for thread in pool:
        thread.join()
    return waits


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def celery_workers(prefix: str) -> None:
    """Two real worker processes: Celery's rate_limit, then the same task behind the gate."""
    client = redis_lib.Redis.from_url(redis_url())
    queue = f"{prefix}-q"
    env = {**os.environ, "BENCH_REDIS_URL": redis_url(), "PYTHONPATH": str(Path.cwd())}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench.gate:celery_app",
                "worker",
                "-P",
                "solo",
                "-Q",
                queue,
                "-n",
                f"bench{i}-{prefix}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for i in range(CELERY_WORKERS)
    ]
    try:
        _wait_ready(queue, len(workers))
        for name, task, extra in (
            ("Celery rate_limit", celery_limited, ()),
            ("gate (app scope)", gate_limited, (f"{prefix}:gate",)),
        ):
            key = f"{prefix}:{name}"
            started = time.time()
            for _ in range(CELERY_TASKS):
                task.apply_async(args=(key, *extra), queue=queue)
            while client.llen(key) < CELERY_TASKS and time.time() - started < 120:
                time.sleep(0.1)
            times = [float(t) for t in client.lrange(key, 0, -1)]
            worst = most_in_window(times)
            ratio = worst / CELERY_LIMIT
            print(f"{name} ({CELERY_LIMIT}/s) in {CELERY_WORKERS} worker processes: {worst} "
                  f"tasks in the busiest second ({ratio:.2f}x the limit)")  # fmt: skip
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.delete(queue)


def _wait_ready(queue: str, count: int, timeout_s: float = 60.0) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        replies = celery_app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return
    raise RuntimeError("the bench's Celery workers did not start")


def run(seconds: float = 3.0, with_workers: bool = True) -> None:
    client = redis_lib.Redis.from_url(redis_url(), max_connections=64)
    prefix = f"snapfleet:bench:{uuid.uuid4().hex[:8]}"
    print(f"redis: {redis_url().rsplit('@', 1)[-1]}; window {WINDOW_S:g}s, app {APP_LIMIT}, "
          f"token {TOKEN_LIMIT}, account {ACCOUNT_LIMIT} per window")  # fmt: skip
    try:
        decisions(client, prefix, seconds)
        proven_max(client, prefix, seconds)
        quiet_share(client, prefix, seconds)
        lane_wait(client, prefix, seconds * 3)
        if with_workers:
            celery_workers(prefix.replace(":", "-"))
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        for key in client.scan_iter("LIMITS:*"):
            client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="per measured loop")
    parser.add_argument("--no-workers", action="store_true", help="skip the Celery processes")
    args = parser.parse_args()
    run(args.seconds, with_workers=not args.no_workers)


if __name__ == "__main__":
    main()
