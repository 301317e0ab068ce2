"""Stats backfills: one row per `snap.stats.backfill` task, its resume point and progress.

The guarantee: progress moves only with the rows it stands for. `advance` is called in
the transaction that upserts a window's rows, so after a crash `next_day` names the first
day whose rows were never committed, and the task (redelivered with the same task id,
`start` finds its row) resumes there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import NotFound
from storage.models.base import utcnow
from storage.models.onboarding import StatsBackfill
from storage.upsert import dialect_insert

RUNNING = "running"


def start(
    session: Session,
    *,
    task_id: str,
    ad_account_id: str,
    since: date,
    until: date,
    levels: list[str],
    windows_total: int,
    now: datetime | None = None,
) -> StatsBackfill:
    """The task's backfill row: created on its first run, found again on a redelivery."""
    now = now or utcnow()
    values = dict(
        task_id=task_id,
        ad_account_id=ad_account_id,
        since=since,
        until=until,
        levels=list(levels),
        state=RUNNING,
        next_day=since,
        windows_total=windows_total,
        windows_done=0,
        rows_upserted=0,
        api_calls=0,
        created_at=now,
        updated_at=now,
    )
    stmt = dialect_insert(session, StatsBackfill.__table__).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["task_id"]))
    return for_task(session, task_id)


def for_task(session: Session, task_id: str) -> StatsBackfill:
    row = session.execute(
        select(StatsBackfill)
        .where(StatsBackfill.task_id == task_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no backfill for task {task_id}")
    return row


def advance(
    session: Session, backfill_id: int, *, next_day: date, rows: int, api_calls: int
) -> StatsBackfill:
    """One window stored: move the resume point and add its counts."""
    row = get(session, backfill_id)
    row.next_day = next_day
    row.windows_done += 1
    row.rows_upserted += rows
    row.api_calls += api_calls
    row.updated_at = utcnow()
    session.flush()
    return row


def finish(
    session: Session, backfill_id: int, *, error: dict[str, Any] | None = None
) -> StatsBackfill:
    """The backfill is over: `succeeded`, or `failed` with the error that stopped it."""
    row = get(session, backfill_id)
    row.state = "failed" if error else "succeeded"
    row.error = error
    row.finished_at = row.updated_at = utcnow()
    session.flush()
    return row


def recent(session: Session, *, limit: int = 20) -> list[StatsBackfill]:
    """Running backfills first, then the most recently touched: `snapfleet status`."""
    running = StatsBackfill.state == RUNNING
    stmt = select(StatsBackfill).order_by(running.desc(), StatsBackfill.updated_at.desc())
    return list(session.scalars(stmt.limit(limit)))


def progress(row: StatsBackfill) -> dict[str, Any]:
    """A backfill as the task result, `snapfleet status` and the progress bar show it."""
    return {
        "backfill_id": row.id,
        "ad_account_id": row.ad_account_id,
        "since": row.since.isoformat(),
        "until": row.until.isoformat(),
        "levels": list(row.levels),
        "state": row.state,
        "next_day": row.next_day.isoformat(),
        "windows_done": row.windows_done,
        "windows_total": row.windows_total,
        "percent": row.percent,
        "rows_upserted": row.rows_upserted,
        "api_calls": row.api_calls,
        "error": row.error,
    }


def get(session: Session, backfill_id: int) -> StatsBackfill:
    row = session.get(StatsBackfill, backfill_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no backfill {backfill_id}")
    return row
