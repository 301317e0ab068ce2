"""Never more than `limit` grants in any window of `window_s`, however many callers contend.

Many threads, then several processes (each with its own connection), hammer the gate on
the real Redis. Every grant carries the Redis TIME its script used, so the check below
reads one clock and can't be fooled by client clock skew.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
import redis

from worker.gate import TokenGate

WINDOW_S = 0.1
WINDOW_US = 100_000
GRANTS_PER_CALLER = 12
Scope = tuple[str, str, str | None]


def crowded_windows(grant_times_us: list[int], limit: int, window_us: int) -> list[int]:
    """Grant times whose window (t - window, t] holds more than `limit` grants."""
    times = sorted(grant_times_us)
    # With times sorted, grant i+limit lands in the window ending at it if it is less than a
    # window after grant i: then the window ending at grant i+limit holds limit+1 grants.
    return [
        times[i + limit]
        for i in range(len(times) - limit)
        if times[i + limit] - times[i] < window_us
    ]


def test_the_window_check_catches_a_crowded_window() -> None:
    # The check itself can fail: 3 grants inside 100 ms with a limit of 2.
    assert crowded_windows([0, 50_000, 99_999], limit=2, window_us=WINDOW_US) == [99_999]
    assert crowded_windows([0, 50_000, 100_000], limit=2, window_us=WINDOW_US) == []


def hammer(gate: TokenGate, scope: Scope, grants: int) -> list[int]:
    """Ask until `grants` slots were granted, sleeping the answered waits; the grant times."""
    import time

    client_id, account, token = scope
    times: list[int] = []
    while len(times) < grants:
        decision = gate.decide(client_id, account, token_id=token)
        if decision.granted:
            times.append(decision.server_time_us)
        else:
            time.sleep(decision.wait_s)
    return times


def collect(gate: TokenGate, scope: Scope, into: list[tuple[Scope, list[int]]]) -> None:
    into.append((scope, hammer(gate, scope, GRANTS_PER_CALLER)))


def make_gate(client: Any) -> TokenGate:
    return TokenGate(client, limit=5, window_s=WINDOW_S, app_limit=8, token_limit=6)


SCOPES = [("app-1", f"acct-{i % 4}", f"token-{i % 2}") for i in range(16)]


def check_every_scope(results: list[tuple[Scope, list[int]]]) -> None:
    by_account: dict[str, list[int]] = defaultdict(list)
    by_token: dict[str | None, list[int]] = defaultdict(list)
    every: list[int] = []
    for (_, account, token), times in results:
        by_account[account] += times
        by_token[token] += times
        every += times
    # The contention was real: far more grants than one window holds.
    assert len(every) == GRANTS_PER_CALLER * len(SCOPES) > 10 * 8
    assert crowded_windows(every, 8, WINDOW_US) == []
    for times in by_account.values():
        assert crowded_windows(times, 5, WINDOW_US) == []
    for times in by_token.values():
        assert crowded_windows(times, 6, WINDOW_US) == []


def test_many_threads_never_exceed_any_scope(gate_store: Any) -> None:
    # On the real Redis and on fakeredis: embedded mode shares one store between threads.
    gate = make_gate(gate_store)
    results: list[tuple[Scope, list[int]]] = []
    run_all([functools.partial(collect, gate, scope, results) for scope in SCOPES])
    check_every_scope(results)


def run_all(jobs: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def process_main(redis_url: str, scopes: list[Scope], out: Any) -> None:
    """One process: its own connection, one thread per scope, grant times to `out`."""
    client = redis.Redis.from_url(redis_url)
    gate = make_gate(client)
    found: list[tuple[Scope, list[int]]] = []
    run_all([functools.partial(collect, gate, scope, found) for scope in scopes])
    out.put(found)


def test_several_processes_never_exceed_any_scope(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("real Redis unreachable")
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    shares = [SCOPES[i::4] for i in range(4)]
    processes = [
        context.Process(target=process_main, args=(redis_url, share, out)) for share in shares
    ]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in out.get(timeout=120)]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    check_every_scope(results)
