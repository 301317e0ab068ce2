"""The fleet's idea of "now", swappable per Celery app.

Stats windows, finality and the per-period job locks are computed from now. In production
that is the wall clock; tests that move the sandbox's clock instead of sleeping assign
`app.snapfleet_clock = sandbox.clock.now`, as redbeat lets tests swap its Redis client on
the app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def now(app: Any) -> datetime:
    """The current instant (timezone-aware, UTC) as the app sees it."""
    clock: Callable[[], datetime] | None = getattr(app, "snapfleet_clock", None)
    current = clock() if clock is not None else datetime.now(UTC)
    return current.astimezone(UTC)
