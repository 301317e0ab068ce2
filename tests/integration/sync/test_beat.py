"""One beat per fleet, one run per period: redbeat's lock and the jobs' own period claims."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from redbeat.schedulers import (
    RedBeatScheduler,
    RedBeatSchedulerEntry,
    acquire_distributed_beat_lock,
)
from sqlalchemy import select

from beat_schedule import schedule
from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from storage import connections as connection_repo
from storage.models.accounts import AdAccount
from storage.models.mirrors import Ad
from tests.fleet import Fleet
from tests.integration.sync.conftest import wait_for
from worker.settings import Settings


def test_the_schedule_lists_every_job_with_the_periods_of_the_settings() -> None:
    settings = Settings(
        snapfleet_stats_pull_period_s=1800,
        snapfleet_sync_period_s=600,
        snapfleet_token_refresh_period_s=120,
        snapfleet_completer_period_s=240,
    )
    jobs = {entry["task"]: entry["schedule"] for entry in schedule(settings).values()}
    assert jobs == {
        "snap.stats.pull_all": timedelta(seconds=1800),
        "snap.detect.run": timedelta(seconds=600),
        "snap.detect.deliver": timedelta(seconds=600),
        "snap.connection.refresh_due": timedelta(seconds=120),
        "snap.journal.complete": timedelta(seconds=240),
        "snap.journal.reap": timedelta(days=1),
    }


def test_the_app_carries_the_schedule_and_a_short_redbeat_lock(fleet: Fleet) -> None:
    conf = fleet.app.conf
    assert {e["task"] for e in conf.beat_schedule.values()} >= {
        "snap.stats.pull_all",
        "snap.detect.run",
    }
    assert conf.beat_scheduler == "worker.beat.FleetScheduler"
    # A standby beat takes over within minutes, not redbeat's 25-minute default, and the
    # lock is extended (once per loop) at least three times before it could expire.
    settings = fleet.runtime.settings
    assert conf.redbeat_lock_timeout == settings.snapfleet_beat_lock_timeout_s <= 300
    assert conf.beat_max_loop_interval * 3 <= conf.redbeat_lock_timeout


def _queued(redis_client: Any, queue: str, task: str) -> int:
    messages = [json.loads(m) for m in redis_client.lrange(queue, 0, -1)]
    return sum(m["headers"]["task"] == task for m in messages)


def test_two_redbeat_schedulers_send_each_job_once(fleet: Fleet, redis_client: Any) -> None:
    app = fleet.app
    active = RedBeatScheduler(app=app)
    standby = RedBeatScheduler(app=app)
    acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=active))
    assert active.lock is not None
    lock_ttl_ms = redis_client.pttl(active.lock_key)
    assert 0 < lock_ttl_ms <= fleet.runtime.settings.snapfleet_beat_lock_timeout_s * 1000

    # The standby blocks on the lock, as `celery beat` does at start (polling it often
    # here), and ticks once it holds it (in its own thread: redis-py locks are per thread).
    standby.max_interval = 0.05
    took_over = threading.Event()

    def standby_beat() -> None:
        acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=standby))
        took_over.set()
        standby.tick()
        standby.close()

    waiting = threading.Thread(target=standby_beat, daemon=True)
    waiting.start()
    key = RedBeatSchedulerEntry.generate_key(app, "stats-pull-all")
    entry = RedBeatSchedulerEntry.from_key(key, app=app)
    entry.reschedule(last_run_at=entry.last_run_at - timedelta(hours=2))  # due now
    active.tick()
    assert not took_over.is_set()
    assert _queued(redis_client, "sync", "snap.stats.pull_all") == 1

    # The active beat stops: the standby takes the lock, and the job is not due again.
    active.close()
    waiting.join(timeout=30)
    assert took_over.is_set() and not waiting.is_alive()
    assert _queued(redis_client, "sync", "snap.stats.pull_all") == 1


def test_a_period_runs_one_fan_out_however_often_it_is_enqueued(worker: Fleet) -> None:
    first = worker.call("snap.stats.pull_all", {})
    second = worker.call("snap.stats.pull_all", {})
    assert first["status"] == "succeeded" and first["enqueued"] == 2
    assert second["status"] == "skipped" and second["code"] == "already_ran"
    # The pulls run alone; the polling plan's tick (snap.detect.run) reads the entities,
    # every account on its first tick.
    duplicate = worker.call("snap.detect.run", {})
    assert worker.call("snap.detect.run", {})["status"] == "skipped"
    assert duplicate["status"] == "succeeded" and duplicate["enqueued"] == 2
    wait_for(lambda: _synced(worker) and _mirrored(worker))
    # Both accounts spend, so the plan pulls their stats again the next period.
    worker.sandbox.state.advance(worker.runtime.settings.snapfleet_stats_pull_period_s)
    assert worker.call("snap.stats.pull_all", {})["enqueued"] == 2


def _synced(fleet: Fleet) -> bool:
    with fleet.runtime.session() as session:
        stmt = select(AdAccount.last_synced_at).where(
            AdAccount.id.in_([USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID])
        )
        return all(session.scalars(stmt))


def _mirrored(fleet: Fleet) -> bool:
    with fleet.runtime.session() as session:
        return len(list(session.scalars(select(Ad.id)))) == 4


def test_accounts_needing_reauthorisation_are_skipped_and_named(synced: Fleet) -> None:
    with synced.runtime.session() as session:
        connection_repo.mark_needs_reauth(
            session, synced.connected.connection_id, "refresh refused"
        )
    result = synced.app.tasks["snap.stats.pull_all"].apply(kwargs={}).get()
    assert result["enqueued"] == 0
    assert set(result["skipped_needs_reauth"]) >= {USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID}
    pulled = (
        synced.app.tasks["snap.stats.pull"].apply(kwargs={"ad_account_id": USD_AD_ACCOUNT_ID}).get()
    )
    assert pulled["status"] == "skipped" and pulled["code"] == "not_connected"


def test_a_fan_out_redelivered_after_a_crash_still_runs_its_period(worker: Fleet) -> None:
    # acks_late: a worker that died after claiming the period (before or while fanning
    # out) gets its message redelivered with the same task id. That is the period's one
    # legitimate run, not a duplicate, so it must not be skipped; another message is.
    for name in ("snap.stats.pull_all", "snap.detect.run"):
        task = worker.app.tasks[name]
        first = task.apply(kwargs={}, task_id=f"{name}-beat-1").get()
        redelivered = task.apply(kwargs={}, task_id=f"{name}-beat-1").get()
        other = task.apply(kwargs={}, task_id=f"{name}-beat-2").get()
        assert first["status"] == "succeeded", first
        assert redelivered["status"] == "succeeded", redelivered
        assert other["status"] == "skipped" and other["code"] == "already_ran"
    wait_for(lambda: _synced(worker) and _mirrored(worker))
