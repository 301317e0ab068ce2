"""The Celery app's configuration: reliability, JSON only, timeouts, both modes."""

from __future__ import annotations

import logging
from typing import Any

import fakeredis
import pytest
from kombu.exceptions import ContentDisallowed
from kombu.serialization import dumps, loads, prepare_accept_content

from snap.errors import QuotaUnavailable
from worker.app import (
    TASK_MODULES,
    check_visibility_timeout,
    create_app,
    gate_redis,
    per_window,
    present_task_modules,
    token_gate,
)
from worker.gate import granted, lane_limit
from worker.settings import Settings

pytestmark = pytest.mark.usefixtures("clean_settings")

FLEET_URL = "redis://127.0.0.1:6379/7"  # never connected to by these tests


def test_reliability_settings_of_rule_6() -> None:
    conf = create_app(Settings()).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_acks_on_failure_or_timeout is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.broker_connection_retry_on_startup is True
    assert 0 < conf.worker_soft_shutdown_timeout < 60  # docker-compose stop_grace_period


def test_time_limits_come_from_settings() -> None:
    conf = create_app(Settings(snapfleet_task_time_limit_s=120)).conf
    assert conf.task_time_limit == 120
    assert 0 < conf.task_soft_time_limit < 120


def test_events_on_for_flower_and_results_expire() -> None:
    conf = create_app(Settings()).conf
    assert conf.worker_send_task_events and conf.task_send_sent_event
    assert conf.task_track_started
    assert conf.result_expires == 24 * 3600


def test_json_only_pickle_refused() -> None:
    conf = create_app(Settings()).conf
    assert conf.accept_content == ["json"] and conf.result_accept_content == ["json"]
    assert conf.task_serializer == conf.result_serializer == "json"
    # A pickled message is refused by the accept list the worker uses.
    content_type, encoding, body = dumps({"x": 1}, serializer="pickle")
    with pytest.raises(ContentDisallowed):
        loads(body, content_type, encoding, accept=prepare_accept_content(conf.accept_content))
    content_type, encoding, body = dumps({"x": 1}, serializer="json")
    assert loads(
        body, content_type, encoding, accept=prepare_accept_content(conf.accept_content)
    ) == {"x": 1}


def test_fleet_mode_uses_redis_and_sets_the_visibility_timeout_everywhere() -> None:
    conf = create_app(Settings(redis_url=FLEET_URL, snapfleet_visibility_timeout_s=7200)).conf
    assert conf.broker_url == conf.result_backend == FLEET_URL
    assert conf.broker_transport_options["visibility_timeout"] == 7200
    assert conf.result_backend_transport_options["visibility_timeout"] == 7200
    assert conf.visibility_timeout == 7200
    assert conf.beat_scheduler == "worker.beat.FleetScheduler"  # redbeat, see worker/beat.py
    assert conf.redbeat_redis_url == FLEET_URL


def test_embedded_mode_runs_in_process() -> None:
    settings = Settings()
    assert settings.embedded
    app = create_app(settings)
    assert app.conf.broker_url == "memory://"
    assert app.conf.result_backend == "cache+memory://"
    assert isinstance(gate_redis(app), fakeredis.FakeRedis)


def test_embedded_gates_of_one_process_share_one_store() -> None:
    # Two apps in one process (a worker and `snapfleet call`) must see the same budget.
    first, second = create_app(Settings()), create_app(Settings())
    gate_a = token_gate(first)
    gate_b = token_gate(second)
    for _ in range(gate_a.limit):
        gate_a.try_acquire("app-shared", "acct-shared")
    assert gate_b.try_acquire("app-shared", "acct-shared") > 0


@pytest.mark.parametrize(
    ("backoff_max_s", "time_limit_s", "visibility_s", "ok"),
    [
        (300, 300, 3600, True),
        (3000, 300, 3600, True),
        (3300, 300, 3600, False),
        (600, 3000, 3600, False),
    ],
)
def test_visibility_timeout_must_exceed_backoff_plus_time_limit(
    backoff_max_s: int, time_limit_s: int, visibility_s: int, ok: bool
) -> None:
    settings = Settings(
        snapfleet_task_retry_backoff_max_s=backoff_max_s,
        snapfleet_task_time_limit_s=time_limit_s,
        snapfleet_visibility_timeout_s=visibility_s,
    )
    if ok:
        check_visibility_timeout(settings)
        create_app(settings)
        return
    with pytest.raises(ValueError, match="SNAPFLEET_VISIBILITY_TIMEOUT_S"):
        create_app(settings)


def test_gate_built_from_settings_per_window() -> None:
    settings = Settings(
        snapchat_ads_rate_limit_rps=40,
        snapchat_ads_app_rps=20,
        snapchat_ads_token_rps=0,
        snapfleet_gate_window_s=0.5,
    )
    gate = token_gate(create_app(settings))
    assert (gate.limit, gate.app_limit, gate.token_limit) == (20, 10, 0)
    assert (gate.app_grants, gate.token_grants) == (9, 0)  # less the 10% headroom
    assert gate.window_us == 500_000
    assert per_window(1, 0.1) == 1 and per_window(0, 1.0) == 0


def test_the_gate_grants_snaps_rates_less_its_headroom_and_polling_keeps_its_share() -> None:
    gate = token_gate(create_app(Settings()))
    assert (gate.app_limit, gate.token_limit) == (20, 10)  # Snap's
    assert (gate.app_grants, gate.token_grants) == (18, 9)  # all lanes together
    # Polling keeps 70% of Snap's rates (what the polling plan budgets): the headroom
    # comes out of the mutations' reserve.
    assert (gate.sync_app_limit, gate.sync_token_limit) == (14, 7)
    full = token_gate(create_app(Settings(snapfleet_gate_headroom=1.0)))
    assert (full.app_grants, full.token_grants) == (20, 10)
    assert (granted(1, 0.9), granted(0, 0.9)) == (1, 0)  # never below one; 0 stays off
    assert lane_limit(10, 1.0) == 10 and min(lane_limit(10, 1.0), granted(10, 0.9)) == 9
    with pytest.raises(ValueError, match="snapfleet_gate_headroom"):
        Settings(snapfleet_gate_headroom=1.5)


def test_clients_are_cached_on_the_app_and_swappable() -> None:
    app = create_app(Settings(redis_url=FLEET_URL))
    fake: Any = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    app.snapfleet_gate_redis = fake
    gate = token_gate(app)
    assert gate.redis is fake and token_gate(app) is gate
    assert gate.try_acquire("app-1", "acct-1") == 0.0
    assert fake.exists(gate.keys("app-1", "acct-1")[0])


def test_the_fleet_gate_fails_closed_when_redis_is_down() -> None:
    app = create_app(Settings(redis_url="redis://127.0.0.1:1/0"))
    with pytest.raises(QuotaUnavailable):
        token_gate(app).try_acquire("app-1", "acct-1")


def test_missing_task_modules_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    # An earlier in-process worker may have reconfigured logging (root level, propagation):
    # listen on our logger itself, at WARNING.
    logger = logging.getLogger("snapfleet.worker")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="snapfleet.worker"):
            present = present_task_modules(("worker.gate", "tasks.no_such_module", "nope.x"))
    finally:
        logger.removeHandler(caplog.handler)
    assert present == ["worker.gate"]
    assert "tasks.no_such_module" in caplog.text and "nope.x" in caplog.text


def test_every_task_module_is_listed() -> None:
    # A new module under tasks/ must be added to TASK_MODULES or its tasks never register.
    import pathlib

    import tasks

    not_tasks = {"__init__", "payloads"}
    found = {
        f"tasks.{path.stem}"
        for path in pathlib.Path(tasks.__file__).parent.glob("*.py")
        if path.stem not in not_tasks and not path.stem.startswith("_")
    }
    assert found <= set(TASK_MODULES)
