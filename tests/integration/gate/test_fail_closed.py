"""The gate fails closed: when its store can't answer, QuotaUnavailable and nothing is sent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from snap.errors import QuotaUnavailable
from worker.gate import TokenGate


def test_a_refused_connection_raises_quota_unavailable() -> None:
    # Given a store on a port nothing listens on,
    client = redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    gate = TokenGate(client, limit=5, app_limit=5, token_limit=5)
    # I expect the gate to refuse to decide, naming the cause but no token.
    with pytest.raises(QuotaUnavailable) as caught:
        gate.try_acquire("app-1", "acct-1", token_id="secret-token")
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    assert "secret-token" not in str(caught.value) + repr(caught.value)
    with pytest.raises(QuotaUnavailable):
        gate.acquire("app-1", "acct-1", timeout_s=1.0)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_hung_store_times_out_into_quota_unavailable(silent_server: int) -> None:
    client = redis.Redis(
        port=silent_server,
        socket_timeout=0.2,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    gate = TokenGate(client, limit=5)
    with pytest.raises(QuotaUnavailable) as caught:
        gate.try_acquire("app-1", "acct-1")
    assert isinstance(caught.value.__cause__, redis.TimeoutError)
