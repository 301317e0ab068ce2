"""Embedded mode works end to end: in-process broker, in-process results, JSON only."""

from __future__ import annotations

import threading

import pytest
from celery.contrib.testing.worker import start_worker

from worker.app import EmbeddedBeat, create_app, token_gate
from worker.settings import Settings

pytestmark = pytest.mark.usefixtures("clean_settings")


def test_a_task_runs_through_the_memory_broker_and_returns_json() -> None:
    # Given the embedded app (REDIS_URL unset) and a task that passes the gate,
    app = create_app(Settings())

    @app.task(name="snap.roundtrip.echo", shared=False)
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


def test_embedded_worker_runs_beat_in_a_thread_of_its_own() -> None:
    # Given the embedded app with a schedule (`-B` would fork beat away from the memory broker),
    app = create_app(Settings())
    ticked = threading.Event()

    @app.task(name="snap.roundtrip.tick", shared=False)
    def tick() -> None:
        ticked.set()

    app.conf.beat_schedule = {"tick": {"task": "snap.roundtrip.tick", "schedule": 0.2}}
    # when the worker starts, I expect the scheduled task to reach it through the same broker.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert ticked.wait(timeout=20)


def test_no_embedded_beat_when_the_fleet_uses_redis() -> None:
    app = create_app(Settings(redis_url="redis://127.0.0.1:6379/7"))
    assert EmbeddedBeat not in app.steps["worker"]
