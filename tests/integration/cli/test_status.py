"""`snapfleet status` and `snapfleet health` against a running fleet: real worker and beat.

The worker consumes a queue nobody sends to (it only has to answer pings); beat runs on a
short lock. Each problem an operator must act on is put in the database or caused (beat
killed) and must show in `status`, turning its exit code to 1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import connections as connection_repo
from storage.models.accounts import AdAccount
from storage.models.journal import JournalEntry
from storage.models.stats import DailyStat
from tests.fleet import ENCRYPTION_KEY, EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Fleet
from tests.processes import BIN, kill, wait_until
from tests.processes import start as start_process

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def env(fleet: Fleet, tmp_path: Path, redis_client: Any) -> dict[str, str]:
    # redis_client: the session's Redis database is flushed after the test, so beat's
    # schedule and lock do not reach the next test.
    settings = fleet.runtime.settings
    if settings.redis_url is None:
        pytest.skip("needs a real Redis (fakeredis fallback in use)")
    out = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SNAPFLEET_", "SNAPCHAT_ADS_")) and k != "REDIS_URL"
    }
    out.update(
        REDIS_URL=settings.redis_url,
        DATABASE_URL=str(settings.database_url),
        SNAPFLEET_ENCRYPTION_KEY=ENCRYPTION_KEY,
        SNAPFLEET_HOME=str(tmp_path / "home"),
        SNAPFLEET_FX_URL="off",
        SNAPFLEET_BEAT_LOCK_TIMEOUT_S="6",
        SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S="2",
        SNAPFLEET_METRICS_PORT="0",
    )
    return out


def _snapfleet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "snapfleet", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _status(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    done = _snapfleet(env, "status", "--json")
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def processes(env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, subprocess.Popen]]:
    started: dict[str, subprocess.Popen] = {}

    def start(name: str, *args: str) -> None:
        started[name] = start_process(list(args), env, tmp_path / f"{name}.log")

    start("worker", "worker", "--queues", "probe-only", "--concurrency", "1", "--pool", "solo")
    start("beat", "beat", "--loglevel", "INFO")
    try:
        yield started
    finally:
        for process in started.values():
            kill(process)


def _wait_until(predicate: Any, what: str) -> Any:
    # `snapfleet health` is a process of its own: poll it gently on a loaded machine.
    return wait_until(predicate, what, poll_s=0.5)


def test_status_and_health_say_what_needs_a_person(
    fleet: Fleet, env: dict[str, str], processes: dict[str, subprocess.Popen]
) -> None:
    _wait_until(lambda: _snapfleet(env, "health", "beat").returncode == 0, "a healthy beat")
    _wait_until(lambda: _snapfleet(env, "health", "worker").returncode == 0, "this host's worker")
    assert (
        _snapfleet(
            env, "health", "worker", "--node", "celery@elsewhere", "--timeout", "1"
        ).returncode
        == 1
    )

    code, report = _status(env)
    assert code == 0, report["needs_a_person"]
    assert report["workers"] and report["beat"]["holder"]
    assert set(report["queues"]) == {"mutations", "sync", "growth"}
    screen = _snapfleet(env, "status")
    assert screen.returncode == 0 and "nothing needs a person" in screen.stdout
    assert max(len(line) for line in screen.stdout.splitlines()) <= 80

    # Each problem an operator must act on.
    long_ago = datetime.now(UTC) - timedelta(days=3)
    with fleet.runtime.session() as session:
        connection_repo.mark_needs_reauth(session, fleet.connected.connection_id, "refused")
    with fleet.runtime.session() as session:
        for account in session.query(AdAccount).filter(AdAccount.id == USD_AD_ACCOUNT_ID):
            account.created_at = long_ago
            account.last_synced_at = long_ago
        session.add(
            DailyStat(
                ad_account_id=EUR_AD_ACCOUNT_ID, entity_type="campaign", entity_id="c1",
                attribution="28_DAY/1_DAY/conversion", day=date(2026, 11, 1), currency="EUR",
                spend_micro=1_000_000, fx_missing=True,
            )
        )  # fmt: skip
        session.add(
            JournalEntry(
                idempotency_key="k-maybe", task_id="t-maybe", task_name="snap.campaign.create",
                step="create", ad_account_id=USD_AD_ACCOUNT_ID, request_digest="d",
                state="maybe_created", attempt=10,
            )
        )  # fmt: skip
    code, report = _status(env)
    problems = "\n".join(report["needs_a_person"])
    assert code == 1
    assert "re-auth" in problems
    assert "1 journal keys maybe_created" in problems
    assert "1 EUR stats rows have no USD amount" in problems
    # The re-auth connection's accounts are not "stale" (a person must reconnect first);
    # stale means an active connection whose pulls stopped.
    assert report["fx_waiting"] == {"EUR": 1}

    # Beat killed: nobody extends the lock; status and the probe say so.
    processes["beat"].send_signal(signal.SIGKILL)
    _wait_until(lambda: _snapfleet(env, "health", "beat").returncode == 1, "beat unhealthy")
    code, report = _status(env)
    assert code == 1 and any(p.startswith("beat:") for p in report["needs_a_person"])


def test_stale_stats_of_an_active_connection_need_a_person(
    fleet: Fleet, env: dict[str, str], processes: dict[str, subprocess.Popen]
) -> None:
    _wait_until(lambda: _snapfleet(env, "health", "beat").returncode == 0, "a healthy beat")
    long_ago = datetime.now(UTC) - timedelta(days=3)
    with fleet.runtime.session() as session:
        for account in session.query(AdAccount).filter(AdAccount.id == USD_AD_ACCOUNT_ID):
            account.created_at = long_ago
            account.last_synced_at = long_ago
    code, report = _status(env)
    assert code == 1
    assert [a["ad_account_id"] for a in report["stale_accounts"]] == [USD_AD_ACCOUNT_ID]
    assert any("stale stats" in p for p in report["needs_a_person"])
