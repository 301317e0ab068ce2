"""Token gate throughput: gate decisions/s beside a plain INCR round trip on the same store.

The gate is one EVALSHA per decision, so the baseline is the cheapest round trip there is;
the ratio shows what the script itself costs. Runs against `BENCH_REDIS_URL` (or
`REDIS_URL`), else fakeredis, for a bounded time per loop:
`REDIS_URL=redis://127.0.0.1:6379/9 python -m bench.gate_bench --seconds 2`.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from worker.gate import TokenGate

ACCOUNTS = 100


def store() -> tuple[Any, str]:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if url:
        import redis

        return redis.Redis.from_url(url, max_connections=64), url
    import fakeredis

    return fakeredis.FakeRedis(), "fakeredis (set BENCH_REDIS_URL for the real thing)"


def rate(step: Callable[[int], object], duration_s: float, threads: int) -> float:
    """Operations per second of `step` run by `threads` threads for `duration_s`."""
    counts = [0] * threads
    deadline = time.perf_counter() + duration_s

    def loop(slot: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            step(n)
            n += 1
        counts[slot] = n

    started = time.perf_counter()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started)


def run(duration_s: float = 2.0) -> None:
    client, where = store()
    prefix = f"snapfleet:bench:{uuid.uuid4().hex[:8]}"
    gate = TokenGate(client, limit=50, window_s=1.0, app_limit=20, token_limit=10,
                     key_prefix=prefix)  # fmt: skip
    print(f"store: {where}; {ACCOUNTS} accounts, three scopes, fair shares on")
    print(f"{'threads':>7} {'INCR/s':>10} {'gate/s':>10} {'gate/INCR':>9}")
    try:
        for threads in (1, 8):
            incr = rate(lambda n: client.incr(f"{prefix}:incr"), duration_s, threads)
            decide = rate(
                lambda n: gate.decide(
                    f"app-{n % 5}", f"acct-{n % ACCOUNTS}", token_id=f"token-{n % 3}"
                ),
                duration_s,
                threads,
            )
            print(f"{threads:>7} {incr:>10.0f} {decide:>10.0f} {decide / incr:>9.2f}")
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    run(parser.parse_args().seconds)
