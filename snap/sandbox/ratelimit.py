"""Sliding one-second windows per scope (ad account, app, token), on the sandbox clock.

Snap documents 20 requests/s per app and 10 per access token and answers 429 past them
(snap-api.md §4); the per-ad-account budget is the seed's (000). Using the sandbox clock
makes the limit deterministic in tests: with a frozen clock every request falls in the
same window until the test advances time.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=1)


class SlidingWindows:
    """Counts requests per key in the last second; `admit` takes all scopes or none."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[datetime]] = defaultdict(deque)

    def admit(self, scopes: list[tuple[str, int | None]], now: datetime) -> str | None:
        """Record one request in every scope; returns the first scope that is full, or None."""
        for key, limit in scopes:
            if limit is not None and self._count(key, now) >= limit:
                return key
        for key, limit in scopes:
            if limit is not None:
                self._hits[key].append(now)
        return None

    def _count(self, key: str, now: datetime) -> int:
        hits = self._hits[key]
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        return len(hits)
