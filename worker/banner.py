"""The banner a worker and beat print at start when writes are dry runs.

With `SNAPCHAT_ADS_LIVE_MODE` unset every write answers a synthetic `dryrun-` id and never
reaches Snap (seed 000, Dry-run mode; its troubleshooting entry: "Synthetic / mock ids
returned in production"). An operator who forgot the flag should learn it from the first
lines a process prints, not from the ids. Hooked on Celery's `worker_ready` and
`beat_init` signals, so `celery -A worker.app worker|beat` prints it too.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import beat_init, worker_ready

logger = logging.getLogger("snapfleet.worker")

DRY_RUN_BANNER = (
    "DRY RUN: SNAPCHAT_ADS_LIVE_MODE is not true, so every write answers a synthetic "
    "dryrun- id and nothing is sent to Snap (reads still are). Set "
    "SNAPCHAT_ADS_LIVE_MODE=true to push real campaign mutations."
)


def banner(settings: Any) -> str | None:
    """The banner for these settings, or None when writes go to Snap."""
    if settings is None or getattr(settings, "snapchat_ads_live_mode", False):
        return None
    return DRY_RUN_BANNER


def announce(app: Any, who: str) -> str | None:
    text = banner(getattr(app, "snapfleet_settings", None))
    if text is not None:
        rule = "*" * 78
        logger.warning("%s\n%s: %s\n%s", rule, who, text, rule)
    return text


@worker_ready.connect
def _worker_ready(sender: Any = None, **_: Any) -> None:
    announce(getattr(sender, "app", None), "worker")


@beat_init.connect
def _beat_init(sender: Any = None, **_: Any) -> None:
    announce(getattr(sender, "app", None), "beat")
