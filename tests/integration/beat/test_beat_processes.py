"""Real `snapfleet beat` processes on a compressed timescale: one active beat, for good.

The lock is 6 s and the loop 2 s; the sync jobs run every 10 s (longer than the lock, so a
beat that slept until its next job lost the lock on its first extension, as redbeat's did
with its 300 s default loop and a 180 s lock), and the other jobs keep their long periods,
so each of them runs once, at start, in the whole test. What the beats enqueued is read from
the broker's lists: each message says which process sent it (`origin`) and, through its
`expires` (one period after sending), when.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.processes import BIN, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LOCK_S = 6
LOOP_S = 2
SYNC_PERIOD_S = 10
ONCE_JOBS = (  # their periods are an hour or a day: each runs once, at start
    "snap.stats.pull_all",
    "snap.connection.refresh_due",
    "snap.journal.complete",
    "snap.journal.reap",
)
SYNC_JOBS = ("snap.detect.run", "snap.detect.deliver")


@pytest.fixture
def beat_env(redis_url: str | None, migrated_database: str, tmp_path: Path) -> dict[str, str]:
    if redis_url is None:
        pytest.skip("needs a real Redis (fakeredis fallback in use)")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SNAPFLEET_", "SNAPCHAT_ADS_")) and k not in ("REDIS_URL",)
    }
    env.update(
        REDIS_URL=redis_url,
        DATABASE_URL=migrated_database,
        SNAPFLEET_HOME=str(tmp_path / "home"),
        SNAPFLEET_BEAT_LOCK_TIMEOUT_S=str(LOCK_S),
        SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S=str(LOOP_S),
        SNAPFLEET_SYNC_PERIOD_S=str(SYNC_PERIOD_S),
        SNAPFLEET_STATS_PULL_PERIOD_S="3600",
        SNAPFLEET_TOKEN_REFRESH_PERIOD_S="3600",
        SNAPFLEET_COMPLETER_PERIOD_S="3600",
    )
    return env


class Beats:
    def __init__(self, env: dict[str, str], logs: Path, redis_client: Any) -> None:
        self.env, self.logs, self.redis = env, logs, redis_client
        self.processes: list[subprocess.Popen[bytes]] = []
        self.log_paths: dict[int, Path] = {}

    def start(self, name: str) -> subprocess.Popen[bytes]:
        path = self.logs / f"{name}.log"
        log = path.open("wb")
        process = subprocess.Popen(
            [BIN / "snapfleet", "beat", "--loglevel", "INFO"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        self.log_paths[process.pid] = path
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return self.log_paths[process.pid].read_text(errors="replace")

    def sent(self) -> list[dict[str, Any]]:
        """Every message the beats enqueued: task, sending pid, and when it was sent."""
        out = []
        for queue in ("sync", "mutations"):
            for raw in self.redis.lrange(queue, 0, -1):
                headers = json.loads(raw)["headers"]
                period = SYNC_PERIOD_S if headers["task"] in SYNC_JOBS else None
                sent_at = None
                if period is not None:
                    sent_at = datetime.fromisoformat(headers["expires"]).timestamp() - period
                pid = int(headers["origin"].split("@")[0].removeprefix("gen"))
                out.append({"task": headers["task"], "pid": pid, "sent_at": sent_at})
        return out

    def holder_pid(self) -> int | None:
        raw = self.redis.get("snapfleet:beat:tick")
        lock = self.redis.get("redbeat::lock")
        if not raw or not lock:
            return None
        record = json.loads(raw)
        if record["token"] != lock.decode():
            return None
        return int(record["name"].rsplit(" ", 1)[1])

    def count(self, task: str, pid: int | None = None) -> int:
        return sum(m["task"] == task and pid in (None, m["pid"]) for m in self.sent())

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@pytest.fixture
def beats(beat_env: dict[str, str], tmp_path: Path, redis_client: Any) -> Iterator[Beats]:
    running = Beats(beat_env, tmp_path, redis_client)
    try:
        yield running
    finally:
        running.stop_all()


def _assert_one_run_per_period(beats: Beats) -> None:
    """Each sync job's runs are at least a period apart, whichever beat sent them."""
    for task in SYNC_JOBS:
        times = sorted(m["sent_at"] for m in beats.sent() if m["task"] == task)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # expires is stamped just after the run is claimed (later on a loaded machine);
        # a second beat's run in the same period would be seconds, not a period, apart.
        assert all(gap >= SYNC_PERIOD_S - 2 for gap in gaps), (task, gaps)


def test_one_beat_runs_through_many_lock_extensions_and_starts_with_every_job(
    beats: Beats,
) -> None:
    beat = beats.start("beat0")
    # Four sync periods: twenty loops, each one extending the 6 s lock.
    wait_until(
        lambda: beats.count("snap.detect.run") >= 4 or beat.poll() is not None,
        "four sync periods",
    )
    assert beat.poll() is None, beats.log(beat)[-3000:]
    assert "LockNotOwnedError" not in beats.log(beat)
    # A fresh fleet runs every job at start, the hourly and daily ones too: once.
    for task in ONCE_JOBS:
        assert beats.count(task) == 1, (task, beats.sent())
    _assert_one_run_per_period(beats)


def test_a_standby_takes_over_from_a_killed_or_stopped_beat_and_nothing_runs_twice(
    beats: Beats,
) -> None:
    first, second = beats.start("beat0"), beats.start("beat1")
    active_pid = wait_until(beats.holder_pid, "an active beat")
    wait_until(lambda: beats.count("snap.detect.run") >= 1, "the first sync job")
    active = first if active_pid == first.pid else second
    standby = second if active is first else first

    # SIGKILL: the lock expires, the standby takes it and continues the schedule.
    os.kill(active.pid, signal.SIGKILL)
    active.wait(timeout=30)
    wait_until(lambda: beats.holder_pid() == standby.pid, "the standby to take over")
    wait_until(lambda: beats.count("snap.detect.run", standby.pid) >= 2, "two runs by it")

    # SIGSTOP the new active beat with a fresh standby waiting; resume it after the
    # standby took over and ran a period: it finds its lock gone and sends nothing.
    third = beats.start("beat2")
    wait_until(lambda: "standby" in beats.log(third), "the third beat to wait for the lock")
    os.kill(standby.pid, signal.SIGSTOP)
    wait_until(lambda: beats.holder_pid() == third.pid, "the third beat to take over")
    # What the stopped beat had sent, all jobs: nothing may be added after it resumes.
    stopped_sent = {task: beats.count(task, standby.pid) for task in (*SYNC_JOBS, *ONCE_JOBS)}
    wait_until(lambda: beats.count("snap.detect.run", third.pid) >= 1, "a run by the third")
    os.kill(standby.pid, signal.SIGCONT)
    wait_until(lambda: "lost the lock" in beats.log(standby), "the resumed beat to notice")
    # Two more periods with both alive: the resumed one stays standby.
    runs = beats.count("snap.detect.run", third.pid)
    wait_until(lambda: beats.count("snap.detect.run", third.pid) >= runs + 2, "two periods")

    assert {task: beats.count(task, standby.pid) for task in stopped_sent} == stopped_sent
    assert standby.poll() is None and third.poll() is None
    assert beats.holder_pid() == third.pid
    for task in ONCE_JOBS:  # no takeover ran a job a second time
        assert beats.count(task) == 1, (task, beats.sent())
    _assert_one_run_per_period(beats)
    for process in (standby, third):
        assert "Traceback" not in beats.log(process), beats.log(process)[-3000:]
