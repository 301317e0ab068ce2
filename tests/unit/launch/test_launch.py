"""`snapfleet worker|beat|flower`: the Celery argv each mode needs, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from worker.cli.processes import LaunchRefused, beat_argv, flower_argv, worker_argv
from worker.settings import Settings

# Explicit values: whatever REDIS_URL the environment holds must not change the mode.
EMBEDDED = Settings(redis_url=None, snapchat_ads_live_mode=False)
FLEET = Settings(redis_url="redis://127.0.0.1:6379/9", snapchat_ads_live_mode=False)


def test_a_fleet_worker_passes_arguments_through() -> None:
    args = ["-Q", "mutations", "-c", "4", "--loglevel", "INFO"]
    assert worker_argv(FLEET, args) == ["worker", *args]


def test_an_embedded_worker_gets_a_threads_pool_and_keeps_beat_inside() -> None:
    assert worker_argv(EMBEDDED, ["-c", "4"]) == ["worker", "-c", "4", "--pool", "threads"]
    assert worker_argv(EMBEDDED, ["--pool=threads"]) == ["worker", "--pool=threads"]
    assert worker_argv(EMBEDDED, ["-P", "solo"]) == ["worker", "-P", "solo"]


@pytest.mark.parametrize("args", [["-P", "prefork"], ["--pool=prefork"], ["-Pprefork"]])
def test_an_embedded_worker_refuses_process_pools(args: list[str]) -> None:
    with pytest.raises(LaunchRefused, match="--pool threads"):
        worker_argv(EMBEDDED, args)


def test_an_embedded_worker_refuses_a_forked_beat() -> None:
    with pytest.raises(LaunchRefused, match="-B forks beat"):
        worker_argv(EMBEDDED, ["-B"])


def test_beat_runs_alone_only_in_a_fleet() -> None:
    assert beat_argv(FLEET, ["--loglevel", "INFO"]) == ["beat", "--loglevel", "INFO"]
    with pytest.raises(LaunchRefused, match="already runs beat"):
        beat_argv(EMBEDDED, [])


def test_flower_needs_a_real_broker() -> None:
    with pytest.raises(LaunchRefused):
        flower_argv(EMBEDDED, [])


def test_the_worker_command_starts_celery_on_the_fleet_app(
    clean_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import worker.app
    from worker.cli import app as cli

    started: list[Any] = []
    monkeypatch.setattr(worker.app.app, "start", lambda argv: started.append(argv) or 0)

    # A worker refuses to start on a database without the schema (`db upgrade` first).
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(cli, ["worker", "-c", "2", "--loglevel", "INFO"])

    assert result.exit_code == 0, result.output
    assert started == [["worker", "-c", "2", "--loglevel", "INFO", "--pool", "threads"]]
    assert "embedded mode" in result.stderr


def test_the_beat_command_refuses_embedded_mode_with_the_reason(clean_settings: None) -> None:
    from worker.cli import app as cli

    result = CliRunner().invoke(cli, ["beat"])

    assert result.exit_code == 2
    assert "already runs beat" in result.stderr
