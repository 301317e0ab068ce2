"""The soak's recovery measures: W (as the issue defines it, gated) and the longest time
a task stayed unfinished outside fault windows (printed beside it)."""

from __future__ import annotations

from typing import Any

from tests.soak.checks import Evidence, longest_outside_faults, worst_recovery


def _evidence(results: list[dict[str, Any]], faults: list[dict[str, Any]]) -> Evidence:
    return Evidence(
        sent=[], results=results, events=[], faults=faults, entities=[], requests=[],
        rate_limited={}, claimed_ids=set(), changes=[], redis_down=[], kills=0,
        redis_restarts=0, postgres_restarts=0, elapsed_s=0.0, secrets=[], scanned={},
    )  # fmt: skip


def _fault(kind: str, start: float, end: float) -> dict[str, Any]:
    return {"kind": kind, "start": start, "end": end}


def _task(sent: float, done: float) -> dict[str, Any]:
    return {"name": "snap.ad.pause", "sent_at": sent, "done_at": done}


def test_w_runs_from_the_end_of_the_last_fault_before_the_result() -> None:
    faults = [_fault("redis", 10.0, 15.0), _fault("beat_stop", 20.0, 60.0)]
    assert worst_recovery(_evidence([_task(5.0, 70.0)], faults)) == 10.0
    assert worst_recovery(_evidence([_task(5.0, 200.0)], faults)) == 140.0  # fails W


def test_tasks_no_fault_touched_and_the_sandboxs_own_changes_do_not_count() -> None:
    faults = [_fault("redis", 10.0, 15.0), _fault("changes", 0.0, 240.0)]
    untouched = _task(100.0, 400.0)
    assert worst_recovery(_evidence([untouched], faults)) == 0.0
    assert longest_outside_faults(_evidence([untouched], faults)) == (0.0, "")


def test_a_task_stuck_while_faults_keep_coming_shows_beside_w() -> None:
    # Sent at 0, done at 300; a kill every 12 s (0.1 s each) all along: W stays under
    # 12 s, the time outside fault windows shows the task was stuck throughout.
    kills = [_fault("pool_child", t, t + 0.1) for t in range(10, 300, 12)]
    evidence = _evidence([_task(0.0, 300.0)], kills)
    assert worst_recovery(evidence) < 12.0
    longest, name = longest_outside_faults(evidence)
    assert 297.0 < longest < 300.0 and name == "snap.ad.pause"


def test_redis_quiet_compares_arrivals_on_the_wall_clock_not_the_sandboxs() -> None:
    from datetime import UTC, datetime

    from tests.soak.checks import _redis_quiet

    def request(received_at: float) -> dict[str, Any]:
        # The sandbox's clock started at a whole second: 0.9 s behind the wall here.
        stamp = datetime.fromtimestamp(received_at - 0.9, UTC).isoformat()
        return {"method": "GET", "path": "/v1/adaccounts/a", "timestamp": stamp,
                "received_at": received_at}  # fmt: skip

    evidence = _evidence([], [])
    evidence.redis_down = [(100.0, 105.0)]
    evidence.requests = [request(105.2)]  # after Redis came back: fine
    problems: list[str] = []
    _redis_quiet(evidence, problems)
    assert problems == []
    evidence.requests = [request(103.0)]  # while it was down: a violation
    _redis_quiet(evidence, problems)
    assert len(problems) == 1 and "while Redis was down" in problems[0]
