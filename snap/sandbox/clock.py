"""A controllable clock, so tests move time forward without sleeping.

Frozen, it moves only on `advance` / `set`; running, it follows the wall clock from its
start plus whatever was advanced. Every time the sandbox reads (stats, review, delivery,
token expiry, rate windows) comes from here.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Thread-safe time source in UTC."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        start = start or datetime.now(UTC).replace(microsecond=0)
        if start.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        self._base = start.astimezone(UTC)
        self._frozen = frozen
        self._wall_start = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The sandbox's current time (aware, UTC)."""
        with self._lock:
            if self._frozen:
                return self._base
            return self._base + timedelta(seconds=time.monotonic() - self._wall_start)

    def advance(self, seconds: float) -> datetime:
        """Move time forward (never backward) and return the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._base += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Jump to `when`, which may not be earlier than now (stats are append-only)."""
        if when.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        delta = (when.astimezone(UTC) - self.now()).total_seconds()
        return self.advance(delta)
