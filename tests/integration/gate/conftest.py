"""Gate stores: every decision test runs on the real Redis and on fakeredis (embedded mode).

As dramatiq's `rate_limiter_backend` fixture: one parametrized fixture, so a behaviour is
proved on each store the fleet uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fakeredis
import pytest
import redis


@pytest.fixture(params=["redis", "fakeredis"])
def gate_store(request: pytest.FixtureRequest, redis_url: str | None) -> Iterator[Any]:
    """A clean store: this session's real Redis database, or a fresh fakeredis server."""
    if request.param == "fakeredis":
        client: Any = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        yield client
        return
    if redis_url is None:
        pytest.skip("real Redis unreachable: fakeredis fallback only")
    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.scan_iter("snapfleet:gate:*"):
        client.delete(key)
    client.close()
