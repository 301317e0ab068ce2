"""A stats backfill: an ad account's whole history from a day, resumable after a crash.

The hourly pull keeps the last `SNAPFLEET_STATS_LOOKBACK_DAYS`; a connection may want
everything since it started spending (the open-source syncs take a `start_date`). This
reads DAY stats from `since` to `until` in Snap's largest windows (32 days each,
`snap.stats.plan_windows`), each window the way the hourly pull reads it
(`worker.sync.stats.read_account`: the account-level breakdown, or one call per
campaign where the account refuses it), in the **sync lane** of the gate, so a pause
enqueued meanwhile never waits behind it.

Resumable: each window's rows and the backfill's resume point (`next_day`) commit in
one transaction (`storage.backfills`); the task, redelivered with its id after a crash
or retried after a 429, starts from the first day not stored. Progress (windows done of
total, rows, calls) is on the row, read by the task result, `snapfleet status` and
`snapfleet sync backfill`'s progress bar. A backfill never moves the account's finality
marks or last sync time: those belong to the hourly pull.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from snap import stats as snapstats
from snap.errors import SnapError
from storage import accounts as account_repo
from storage import backfills as backfill_repo
from storage import experiments as experiment_repo
from worker.runtime import Runtime
from worker.sync.fanout import require_active_connection
from worker.sync.stats import plan_pull, read_account, store_rows

logger = logging.getLogger("snapfleet.backfill")

Progress = Callable[[dict[str, Any]], None]


def backfill(
    runtime: Runtime,
    task_id: str,
    ad_account_id: str,
    *,
    since: date,
    until: date | None = None,
    levels: list[str] | None = None,
    now: datetime,
    final_attempt: bool = True,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Pull (or resume pulling) the account's DAY stats from `since`; the task's result."""
    account = runtime.account(ad_account_id)
    require_active_connection(runtime, account)
    zone = snapstats.account_zone(account.timezone)
    until = until or (now.astimezone(zone).date() - timedelta(days=1))
    until = max(until, since)
    plan = plan_pull(
        runtime.settings, time_zone=account.timezone, now=now, granularity="DAY",
        finalized_data_end_time=None, conversion_data_processed_end_time=None,
        start_date=since, end_date=until,
    )  # fmt: skip
    plan = replace(plan, levels=list(levels or plan.levels))
    with runtime.session() as session:
        row = backfill_repo.start(
            session, task_id=task_id, ad_account_id=ad_account_id, since=since, until=until,
            levels=plan.levels, windows_total=len(plan.windows),
        )  # fmt: skip
        backfill_id, next_day, state = row.id, row.next_day, row.state
        stats_mode = account_repo.get(session, ad_account_id).stats_mode
        experiments = tuple(experiment_repo.campaign_ids_for_account(session, ad_account_id))
    plan = replace(plan, experiment_campaign_ids=experiments)
    if state != backfill_repo.RUNNING:
        return _result(runtime, backfill_id)
    todo = [w for w in plan.windows if _local_day(w.start, zone) >= next_day]
    client = runtime.client(account.connection_id)
    today = now.astimezone(UTC).date()
    try:
        for window in todo:
            one = replace(plan, windows=[window])
            with runtime.account_gate_scope(account, lane="sync"):
                outcome = read_account(client, account, one, stats_mode)
            with runtime.session() as session:
                stored = store_rows(
                    runtime, session, account, one, outcome.rows, settled_before=today
                )
                if outcome.stats_mode and outcome.stats_mode != stats_mode:
                    account_repo.set_stats_mode(session, ad_account_id, outcome.stats_mode)
                    stats_mode = outcome.stats_mode
                row = backfill_repo.advance(
                    session, backfill_id, next_day=_local_day(window.end, zone),
                    rows=stored, api_calls=outcome.api_calls,
                )  # fmt: skip
                shown = backfill_repo.progress(row)
            logger.info(
                "backfill: %s %s..%s stored (%s/%s windows)", ad_account_id,
                window.start_time[:10], window.end_time[:10], shown["windows_done"],
                shown["windows_total"],
            )  # fmt: skip
            if on_progress is not None:
                on_progress(shown)
    except SnapError as exc:
        if final_attempt or not exc.retryable:
            _finish(runtime, backfill_id, exc.to_result())
        raise
    _finish(runtime, backfill_id, None)
    return _result(runtime, backfill_id)


def _local_day(instant: datetime, zone: Any) -> date:
    return instant.astimezone(zone).date()


def _finish(runtime: Runtime, backfill_id: int, error: dict[str, Any] | None) -> None:
    with runtime.session() as session:
        backfill_repo.finish(session, backfill_id, error=error)


def _result(runtime: Runtime, backfill_id: int) -> dict[str, Any]:
    with runtime.session() as session:
        shown = backfill_repo.progress(backfill_repo.get(session, backfill_id))
    status = "failed" if shown.get("state") == "failed" else "succeeded"
    result: dict[str, Any] = {"status": status, **shown, "dry_run": False}
    if status == "failed":
        error = shown.get("error") or {}
        result["code"] = error.get("code", "internal")
        result["message"] = error.get("message", "the backfill stopped")
    return result


def status_lines(runtime: Runtime, *, limit: int = 20) -> list[dict[str, Any]]:
    """The running and most recent backfills, for `snapfleet status`."""
    with runtime.session() as session:
        return [backfill_repo.progress(r) for r in backfill_repo.recent(session, limit=limit)]
