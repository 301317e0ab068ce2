"""Flower's launch rules, the failure events Flower reads, outcome counting, JSON logs."""

from __future__ import annotations

import io
import json
import logging

import pytest

from worker import logs, metrics
from worker.cli.processes import LaunchRefused, flower_argv, metrics_dir
from worker.results import failed, succeeded
from worker.settings import Settings
from worker.task_events import failure_text

FLEET = Settings(redis_url="redis://127.0.0.1:6379/0")


@pytest.mark.parametrize("auth", ["", "admin", "admin:", ":pw", "admin:pw,bob"])
def test_flower_refuses_to_start_without_a_usable_login(auth: str) -> None:
    env = {"FLOWER_BASIC_AUTH": auth} if auth else {}
    with pytest.raises(LaunchRefused, match="basic auth"):
        flower_argv(FLEET, ["--port=5555"], env)


def test_flower_binds_loopback_unless_told_otherwise() -> None:
    env = {"FLOWER_BASIC_AUTH": "admin:s3cret"}
    assert flower_argv(FLEET, [], env)[-1] == "--address=127.0.0.1"
    given = flower_argv(FLEET, ["--address=0.0.0.0"], env)
    assert given == ["flower", "--address=0.0.0.0"]
    assert "--address=127.0.0.1" not in flower_argv(FLEET, [], {**env, "FLOWER_ADDRESS": "::"})


def test_flower_takes_the_login_from_the_command_line_too() -> None:
    argv = flower_argv(FLEET, ["--basic-auth=admin:s3cret"], {})
    assert argv[:2] == ["flower", "--basic-auth=admin:s3cret"]


def test_a_returned_failure_is_sent_to_flower_as_a_failure() -> None:
    from celery.utils.saferepr import saferepr

    result = failed("not_connected", "ad account a-1 is not connected")
    text = failure_text(saferepr(result, 1024))
    assert text is not None and text.startswith("TaskFailed(not_connected): {'status': 'failed'")
    assert failure_text(saferepr(succeeded("c-1", dry_run=False), 1024)) is None
    assert failure_text(saferepr({"status": "skipped", "code": "already_ran"}, 1024)) is None


def test_outcomes_count_a_returned_failure_as_a_failure() -> None:
    assert metrics.outcome_of("SUCCESS", failed("rate_limited", "429")) == (
        "failed",
        "rate_limited",
    )
    assert metrics.outcome_of("SUCCESS", succeeded("c-1", dry_run=True)) == ("succeeded", "")
    assert metrics.outcome_of("RETRY", None) == ("retry", "")
    assert metrics.outcome_of("FAILURE", RuntimeError("boom")) == ("failed", "internal")
    assert metrics.outcome_of("SUCCESS", {"status": "skipped", "code": "x"}) == ("skipped", "x")


def test_an_attempt_tally_counts_429s_gate_waits_and_retries() -> None:
    tally = metrics.begin_attempt()
    metrics.observe_request("create_campaigns", "429")
    metrics.observe_request("create_campaigns", "200")
    metrics.observe_gate_wait("mutation", 0.25)
    metrics.observe_retry()
    assert tally.fields() == {"gate_wait_ms": 250.0, "snap_429s": 1, "client_retries": 1}


def test_json_logs_carry_the_fields_and_stay_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RedactingFilter())
    logs.apply_format(handler, "json")
    probe = logging.getLogger("snapfleet.task")
    probe.addHandler(handler)
    level, probe.level = probe.level, logging.INFO
    try:
        metrics.begin_attempt()
        logs.log_outcome(
            task_id="t-1", task_name="snap.campaign.create", ad_account_id="a-1", attempt=1,
            outcome="failed", code="rate_limited", duration_ms=3.2,
            tally={"gate_wait_ms": 12.0, "snap_429s": 2, "client_retries": 2},
        )  # fmt: skip
        probe.warning("sent Authorization: Bearer tok-SECRET-9")
    finally:
        probe.removeHandler(handler)
        probe.setLevel(level)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["outcome"] == "failed" and first["snap_429s"] == 2
    assert first["gate_wait_ms"] == 12.0 and first["client_retries"] == 2
    assert first["level"] == "INFO" and first["logger"] == "snapfleet.task"
    assert "tok-SECRET-9" not in second["message"] and "[redacted]" in second["message"]


def test_the_metrics_directory_is_emptied_at_each_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "counter_123.db").write_bytes(b"old run")
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    assert metrics_dir(env) == tmp_path
    assert list(tmp_path.iterdir()) == []
    fresh: dict[str, str] = {}
    made = metrics_dir(fresh)
    assert fresh["PROMETHEUS_MULTIPROC_DIR"] == str(made) and made.is_dir()


def test_every_task_of_the_catalog_reports_returned_failures_to_flower() -> None:
    from celery.utils.imports import symbol_by_name

    from worker.app import app
    from worker.task_events import FleetRequest, use_fleet_requests

    app.loader.import_default_modules()
    assert use_fleet_requests(app) == []
    for name, task in app.tasks.items():
        assert issubclass(symbol_by_name(task.Request), FleetRequest), name
