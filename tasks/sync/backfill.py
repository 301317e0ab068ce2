"""`snap.stats.backfill`: an ad account's stats history since a day (sync queue, sync lane).

Thin: the task base validates the payload; `worker.sync.backfill` reads the windows,
stores them and keeps the resume point, so a retried or redelivered task (same task id)
continues where it stopped. The task's progress is published as Celery task state
`PROGRESS` (`meta` = the backfill's progress) while it runs, and is its result at the end.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from tasks.payloads import StatsBackfill
from worker import clock
from worker.runner_task import RunnerTask
from worker.sync.backfill import backfill as run_backfill


@shared_task(bind=True, base=RunnerTask, name=StatsBackfill.task_name, payload_model=StatsBackfill)
def backfill(self: RunnerTask, payload: StatsBackfill) -> dict[str, Any]:
    """Pull the account's DAY stats from `since` in the API's largest windows, resumable."""

    def progress(shown: dict[str, Any]) -> None:
        if not self.request.is_eager and self.request.id:
            self.update_state(state="PROGRESS", meta=shown)

    return run_backfill(
        self.runtime, self.task_id, payload.ad_account_id, since=payload.since,
        until=payload.until, levels=list(payload.levels) if payload.levels else None,
        now=clock.now(self.app), final_attempt=self.request.retries >= self.max_retries,
        on_progress=progress,
    )  # fmt: skip
