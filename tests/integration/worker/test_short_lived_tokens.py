"""A token endpoint that issues tokens living shorter than the refresh margin."""

from __future__ import annotations

from typing import Any

import pytest

import worker.connections.tokens
from tests.fleet import Fleet
from worker.connections.tokens import StoredTokenProvider


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"access_token_lifetime_s": 30}  # under the provider's 60 s margin


def test_a_token_shorter_lived_than_the_margin_is_used_not_refreshed_in_a_loop(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worker.connections.tokens.refresh_connection
    refreshes: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        refreshes.append("refresh")
        if len(refreshes) > 3:
            raise AssertionError("refreshing in a loop")
        return real(*args, **kwargs)

    monkeypatch.setattr(worker.connections.tokens, "refresh_connection", counted)
    mine = StoredTokenProvider(fleet.runtime, fleet.connected.connection_id, worker_id="w")
    first = mine.access_token()
    # One refresh at most, and the next request reuses the fresh token.
    assert mine.access_token() == first
    assert len(refreshes) <= 1
