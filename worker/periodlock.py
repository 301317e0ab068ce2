"""At most one run of a periodic job per period, whoever enqueues it.

Beat is single (redbeat's lock), but a second beat started by mistake, a manual
`celery call`, or a message redelivered after a visibility timeout would otherwise run
the same fan-out twice. Each period-bound job therefore first claims its period: one
`SET key NX EX` in Redis (the gate store: real Redis in a fleet, fakeredis embedded). The
first claimant runs; any other run in the same period returns "skipped". The key expires
with the period, so nothing needs cleaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

KEY_PREFIX = "snapfleet:period:"


def period_index(now: datetime, period_s: int) -> int:
    """Which period `now` falls in (periods aligned on the epoch)."""
    return int(now.timestamp()) // period_s


def claim_period(redis: Any, job: str, period_s: int, now: datetime) -> bool:
    """True for the first claim of `job` in the period of `now`, False for any other."""
    key = f"{KEY_PREFIX}{job}:{period_index(now, period_s)}"
    return bool(redis.set(key, now.isoformat(), nx=True, ex=max(1, period_s)))
