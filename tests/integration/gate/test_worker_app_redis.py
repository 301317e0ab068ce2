"""The fleet app against this session's own Redis database: broker, results and gate."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from worker.app import create_app, gate_redis, token_gate
from worker.gate import TokenGate
from worker.settings import Settings


@pytest.mark.usefixtures("clean_settings")
def test_a_task_round_trips_through_redis_on_its_routed_queue(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("real Redis unreachable")
    # Given the fleet app on the test database, with a sync task and a mutation task,
    app = create_app(Settings(redis_url=redis_url))
    app.snapfleet_gate = TokenGate(gate_redis(app), limit=1, window_s=60)  # type: ignore[attr-defined]

    @app.task(name="snap.stats.roundtrip", bind=True, shared=False)
    def pull(self: object) -> dict[str, str]:
        return {"queue": self.request.delivery_info["routing_key"]}  # type: ignore[attr-defined]

    @app.task(name="snap.campaign.roundtrip", bind=True, shared=False)
    def pause(self: object) -> dict[str, object]:
        wait_s = token_gate(app).try_acquire("app-1", "acct-1")
        queue = self.request.delivery_info["routing_key"]  # type: ignore[attr-defined]
        return {"queue": queue, "gate_wait_s": wait_s}

    # when a worker consumes both queues,
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # I expect each on its own queue, results back through Redis as JSON,
        assert pull.delay().get(timeout=20) == {"queue": "sync"}
        assert pause.delay().get(timeout=20) == {"queue": "mutations", "gate_wait_s": 0.0}
        # and the gate's grant kept in the real Redis: a second call must wait.
        assert pause.delay().get(timeout=20)["gate_wait_s"] > 0
    client = gate_redis(app)
    for key in client.scan_iter("snapfleet:gate:*"):
        client.delete(key)
