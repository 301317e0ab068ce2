"""The retry policy on its own: `_should_retry` and `_backoff_s` are pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from snap.errors import (
    BadRequest,
    ConnectError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
)
from snap.retry import _backoff_s, _should_retry, parse_retry_after

READ = {"idempotent": True, "has_key": False}
UPDATE = {"idempotent": True, "has_key": True}
CREATE = {"idempotent": False, "has_key": True}
CREATE_NO_KEY = {"idempotent": False, "has_key": False}


@pytest.mark.parametrize(
    ("status", "exc", "kind", "expected"),
    [
        # 429: provably refused, so even a create goes again.
        (429, RateLimited(), READ, True),
        (429, RateLimited(), CREATE, True),
        # A connection that never opened: nothing reached Snap.
        (None, ConnectError(), CREATE, True),
        (None, ConnectError(), UPDATE, True),
        # 5xx and lost answers: only idempotent requests go again.
        (500, ServerError(), READ, True),
        (503, ServerError(), UPDATE, True),
        (502, ServerError(), CREATE, False),
        (None, OutcomeUnknown(), UPDATE, True),
        (None, OutcomeUnknown(), CREATE, False),
        # 4xx other than 429: never.
        (400, BadRequest(), READ, False),
        (404, NotFound(), UPDATE, False),
        (401, None, READ, False),
        # Other transport failures (a local protocol error): never.
        (None, TransportError(), READ, False),
        # A create without its key is never re-sent, whatever happened.
        (429, RateLimited(), CREATE_NO_KEY, False),
        (None, ConnectError(), CREATE_NO_KEY, False),
    ],
)
def test_should_retry(status, exc, kind, expected):
    assert _should_retry(status, exc, **kind) is expected


def test_backoff_honours_retry_after():
    assert _backoff_s(1, 7.5) == 7.5
    assert _backoff_s(4, 0.0) == 0.0


def test_backoff_grows_exponentially_within_jitter_bounds():
    lows = [_backoff_s(n, None, rand=lambda: 0.0) for n in range(1, 6)]
    highs = [_backoff_s(n, None, rand=lambda: 1.0) for n in range(1, 6)]
    assert lows == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert highs == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped():
    assert _backoff_s(30, None, rand=lambda: 1.0) == 30.0
    assert _backoff_s(30, None, rand=lambda: 0.0) == 15.0


def test_backoff_jitter_spreads_waits():
    import random

    rng = random.Random(7)
    waits = {_backoff_s(3, None, rand=rng.random) for _ in range(20)}
    assert len(waits) > 1
    assert all(1.0 <= w <= 2.0 for w in waits)


def test_parse_retry_after_seconds_and_dates():
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "Mon, 23 Nov 2026 12:00:10 GMT"}, now=now) == 10.0
    assert parse_retry_after({"retry-after": "Mon, 23 Nov 2026 11:00:00 GMT"}, now=now) == 0.0
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None
