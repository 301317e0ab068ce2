"""Embedded mode works end to end: in-process broker, in-process results, JSON only."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from worker.app import create_app, token_gate
from worker.settings import Settings

pytestmark = pytest.mark.usefixtures("clean_settings")


def test_a_task_runs_through_the_memory_broker_and_returns_json() -> None:
    # Given the embedded app (REDIS_URL unset) and a task that passes the gate,
    app = create_app(Settings())

    @app.task(name="snap.roundtrip.echo")
    def echo(value: dict[str, int]) -> dict[str, object]:
        wait_s = token_gate(app).try_acquire("app-1", "acct-1")
        return {"status": "succeeded", "value": value, "gate_wait_s": wait_s}

    # when a worker in this process consumes the routed queue,
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = echo.apply_async(kwargs={"value": {"n": 1}})
        # I expect the task's JSON result back from the in-process result backend.
        assert result.get(timeout=20) == {
            "status": "succeeded",
            "value": {"n": 1},
            "gate_wait_s": 0.0,
        }
    assert result.state == "SUCCESS"
