"""At most one run of a periodic job per period, whoever enqueues it.

Beat is single (redbeat's lock), but a second beat started by mistake, a manual
`celery call`, or a message redelivered after a visibility timeout would otherwise run
the same fan-out twice. Each period-bound job therefore first claims its period: one
`SET key NX EX` in Redis (the gate store: real Redis in a fleet, fakeredis embedded). The
first claimant runs; any other run in the same period returns "skipped". The key expires
with the period, so nothing needs cleaning.

The claim holds its owner (the Celery task id). Tasks are acked late, so a worker that
dies after claiming gets the same message (same task id) redelivered: that is still the
period's one run, not a duplicate, and it claims again instead of being skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

KEY_PREFIX = "snapfleet:period:"


def period_index(now: datetime, period_s: int) -> int:
    """Which period `now` falls in (periods aligned on the epoch)."""
    return int(now.timestamp()) // period_s


def claim_period(
    redis: Any, job: str, period_s: int, now: datetime, *, owner: str | None = None
) -> bool:
    """True for the first claim of `job` in the period of `now` (and for a repeat claim
    by the same `owner`, a redelivered message), False for any other."""
    key = f"{KEY_PREFIX}{job}:{period_index(now, period_s)}"
    value = owner or now.isoformat()
    if redis.set(key, value, nx=True, ex=max(1, period_s)):
        return True
    held = redis.get(key)
    held = held.decode() if isinstance(held, bytes) else held
    return owner is not None and held == owner
