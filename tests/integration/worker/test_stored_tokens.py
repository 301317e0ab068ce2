"""Access tokens are shared through storage: refreshed by one worker, adopted by the rest."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from storage.models.connections import Connection
from tests.fleet import Fleet
from worker.connections.tokens import StoredTokenProvider, refresh_connection

TOKEN_PATH = "/login/oauth2/access_token"


def token_requests(fleet: Fleet) -> int:
    return sum(1 for e in fleet.sandbox.state.requests() if e["path"] == TOKEN_PATH)


def expire_stored_token(fleet: Fleet) -> None:
    with fleet.runtime.session() as session:
        session.execute(
            update(Connection)
            .where(Connection.id == fleet.connected.connection_id)
            .values(access_token_expires_at=datetime.now(UTC) - timedelta(days=1))
        )


def provider(fleet: Fleet, worker: str) -> StoredTokenProvider:
    return StoredTokenProvider(fleet.runtime, fleet.connected.connection_id, worker_id=worker)


def test_a_token_refreshed_elsewhere_is_adopted_without_another_refresh(fleet: Fleet) -> None:
    mine = provider(fleet, "worker-a")
    first = mine.access_token()
    expire_stored_token(fleet)
    # Given beat's refresh stored a new token,
    refresh_connection(fleet.runtime, fleet.connected.connection_id, worker_id="beat")
    before = token_requests(fleet)
    # when a worker whose held token expired asks for one,
    mine._expires_at = 0.0
    adopted = mine.access_token()
    # it takes the stored one and asks the token endpoint for nothing.
    assert adopted != first
    assert token_requests(fleet) == before


@pytest.mark.parametrize("round_", range(5))
def test_workers_needing_a_token_at_once_refresh_it_once(fleet: Fleet, round_: int) -> None:
    expire_stored_token(fleet)
    before = token_requests(fleet)
    providers = [provider(fleet, f"worker-{i}") for i in range(4)]
    barrier = threading.Barrier(len(providers))
    tokens: list[str] = []

    def ask(p: StoredTokenProvider) -> None:
        barrier.wait()
        tokens.append(p.access_token())

    threads = [threading.Thread(target=ask, args=(p,)) for p in providers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == len(providers) and len(set(tokens)) == 1
    assert token_requests(fleet) - before == 1


def test_after_a_401_the_refused_token_is_replaced(fleet: Fleet) -> None:
    mine = provider(fleet, "worker-a")
    refused = mine.access_token()
    fleet.sandbox.state.revoke_token(refused)
    renewed = mine.refresh()
    assert renewed != refused
    assert provider(fleet, "worker-b").access_token() == renewed


def test_a_refresh_finished_between_a_look_and_the_lease_is_not_repeated(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    expire_stored_token(fleet)
    late = provider(fleet, "worker-b")
    looked = late._stored
    looks: list[int] = []

    def stale_first_look() -> tuple[str, float] | None:
        looks.append(1)
        if len(looks) == 1:  # B finds nothing; A refreshes before B takes the lease
            refresh_connection(fleet.runtime, fleet.connected.connection_id, worker_id="worker-a")
            return None
        return looked()

    monkeypatch.setattr(late, "_stored", stale_first_look)
    before = token_requests(fleet)
    token = late.access_token()
    assert token_requests(fleet) - before == 1  # A's refresh only; B adopted its token
    assert provider(fleet, "worker-c").access_token() == token
