"""The rate limits the sandbox answers 429 past: per app, per access token, per ad account.

Snap documents an *average* of 20 requests/s per app (client id) and 10 per access token,
429 past them (https://developers.snap.com/api/marketing-api/Ads-API/rate-limits). An
average is a token bucket: it refills at the rate and holds up to `burst_s` seconds of
it, so a client that keeps to the rate never sees a 429 however its requests cluster
within a second, and one that keeps above it drains the bucket and does. These two scopes
run on the monotonic wall clock: they are about real requests per real second, which the
sandbox's business clock (frozen in tests, advanced by hours) says nothing about.

The per-ad-account budget is the seed's (000), a sliding one-second window on the sandbox
clock: with a frozen clock every request falls in the same window until the test advances
time, which keeps its tests deterministic.

`RateLimits.admit` takes every scope or none and names the first one that is full; it
counts the 429s it gave per scope (`refused`), which the request log reports so a test can
tell the client's own overruns from injected 429 storms.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=1)
SCOPES = ("app", "token", "account")


@dataclass(frozen=True)
class Scope:
    """One scope of one request: `kind` (app, token, account), its key, its limit (None: off)."""

    kind: str
    key: str
    limit: float | None


class RateLimits:
    """Token buckets for the app and token scopes, a sliding window for the account scope."""

    def __init__(self, *, burst_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.burst_s = burst_s
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._hits: dict[str, deque[datetime]] = defaultdict(deque)
        self.refused: Counter[str] = Counter({kind: 0 for kind in (*SCOPES, "injected")})

    def admit(self, scopes: list[Scope], now: datetime) -> str | None:
        """Take one request in every scope, or none; returns the kind of the full scope."""
        mono = self._clock()
        for scope in scopes:
            if scope.limit is None:
                continue
            if scope.kind == "account":
                full = self._count(scope.key, now) >= scope.limit
            else:
                full = self._tokens(scope.key, scope.limit, mono) < 1.0
            if full:
                self.refused[scope.kind] += 1
                return scope.kind
        for scope in scopes:
            if scope.limit is None:
                continue
            if scope.kind == "account":
                self._hits[scope.key].append(now)
            else:
                tokens = self._tokens(scope.key, scope.limit, mono)
                self._buckets[scope.key] = (tokens - 1.0, mono)
        return None

    def _tokens(self, key: str, rate: float, mono: float) -> float:
        capacity = max(1.0, rate * self.burst_s)
        tokens, at = self._buckets.get(key, (capacity, mono))
        return min(capacity, tokens + (mono - at) * rate)

    def _count(self, key: str, now: datetime) -> int:
        hits = self._hits[key]
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        return len(hits)
