"""The periodic schedule of the fleet, and nothing else.

Snap pushes nothing, so everything the dashboard learns it learns from these jobs:

    snap.stats.pull_all           hourly: one stats pull per active account, each chained
                                  to that account's entity sync and detection
    snap.detect.run               every sync period: entity sync + detection on its own
    snap.detect.deliver           every sync period: hand undelivered events to the runner
    snap.connection.refresh_due   refresh access tokens ahead of their expiry
    snap.journal.complete         re-drive mutations left unfinished (the completer)
    snap.journal.reap             daily: delete finished journal rows past the retention

Every period comes from settings. Beat runs once per fleet (redbeat's Redis lock, see
`worker.app.beat_config`), and the period-bound jobs also claim their period themselves
(`worker.sync.periodlock`), so a second beat started by mistake does no second run. Each entry
expires after one period: a beat message still queued when the next is due is dropped.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from worker.settings import Settings

STATS_PULL_ALL = "snap.stats.pull_all"
DETECT_RUN = "snap.detect.run"
DELIVER_EVENTS = "snap.detect.deliver"
REFRESH_DUE = "snap.connection.refresh_due"
JOURNAL_COMPLETE = "snap.journal.complete"
JOURNAL_REAP = "snap.journal.reap"
REAP_PERIOD_S = 86_400


def _entry(task: str, period_s: int) -> dict[str, Any]:
    return {
        "task": task,
        "schedule": timedelta(seconds=period_s),
        "kwargs": {},
        "options": {"expires": period_s},
    }


def schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Celery's `beat_schedule`: entry name -> task, period and options."""
    return {
        "stats-pull-all": _entry(STATS_PULL_ALL, settings.snapfleet_stats_pull_period_s),
        "detect-run": _entry(DETECT_RUN, settings.snapfleet_sync_period_s),
        "deliver-events": _entry(DELIVER_EVENTS, settings.snapfleet_sync_period_s),
        "refresh-tokens": _entry(REFRESH_DUE, settings.snapfleet_token_refresh_period_s),
        "journal-complete": _entry(JOURNAL_COMPLETE, settings.snapfleet_completer_period_s),
        "journal-reap": _entry(JOURNAL_REAP, REAP_PERIOD_S),
    }
