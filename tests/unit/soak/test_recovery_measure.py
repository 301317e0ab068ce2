"""The soak's worst recovery W: time a task hit by a fault stayed unfinished while no
fault was going on, so a task stuck all along is not hidden by faults that keep coming."""

from __future__ import annotations

from typing import Any

from tests.soak.checks import Evidence, worst_recovery


def _evidence(results: list[dict[str, Any]], faults: list[dict[str, Any]]) -> Evidence:
    return Evidence(
        sent=[], results=results, events=[], faults=faults, entities=[], requests=[],
        rate_limited={}, claimed_ids=set(), changes=[], redis_down=[], kills=0,
        redis_restarts=0, postgres_restarts=0, elapsed_s=0.0, secrets=[], scanned={},
    )  # fmt: skip


def _fault(kind: str, start: float, end: float) -> dict[str, Any]:
    return {"kind": kind, "start": start, "end": end}


def test_a_task_stuck_while_faults_keep_coming_shows_its_whole_stuck_time() -> None:
    # Sent at 0, done at 300; a kill every 12 s (0.1 s each) all along.
    kills = [_fault("pool_child", t, t + 0.1) for t in range(10, 300, 12)]
    stuck = {"name": "snap.campaign.create", "sent_at": 0.0, "done_at": 300.0}
    worst = worst_recovery(_evidence([stuck], kills))
    assert 297.0 < worst < 300.0  # measured from the last kill, it would be under 12 s


def test_time_inside_fault_windows_is_not_counted_and_untouched_tasks_are_ignored() -> None:
    faults = [_fault("redis", 10.0, 15.0), _fault("beat_stop", 20.0, 60.0)]
    hit = {"name": "snap.ad.pause", "sent_at": 5.0, "done_at": 70.0}  # 65 s, 45 in faults
    untouched = {"name": "snap.ad.pause", "sent_at": 100.0, "done_at": 400.0}
    assert worst_recovery(_evidence([hit, untouched], faults)) == 20.0


def test_the_sandboxs_own_state_changes_are_not_faults() -> None:
    changes = [_fault("changes", 0.0, 240.0)]
    task = {"name": "snap.ad.pause", "sent_at": 1.0, "done_at": 200.0}
    assert worst_recovery(_evidence([task], changes)) == 0.0
