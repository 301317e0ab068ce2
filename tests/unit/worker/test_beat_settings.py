"""Settings refuse a beat loop that could let beat's Redis lock expire between extensions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from worker.app import create_app
from worker.settings import Settings


@pytest.mark.parametrize(("loop_s", "lock_s"), [(300, 180), (60, 180), (61, 180), (3, 6)])
def test_a_loop_longer_than_a_third_of_the_lock_is_refused_naming_both(
    loop_s: int, lock_s: int, clean_settings: None
) -> None:
    if loop_s * 3 <= lock_s:  # (60, 180) is the boundary: accepted
        Settings(snapfleet_beat_max_loop_interval_s=loop_s, snapfleet_beat_lock_timeout_s=lock_s)
        return
    with pytest.raises(ValidationError) as refused:
        Settings(snapfleet_beat_max_loop_interval_s=loop_s, snapfleet_beat_lock_timeout_s=lock_s)
    message = str(refused.value)
    assert "SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S" in message
    assert "SNAPFLEET_BEAT_LOCK_TIMEOUT_S" in message


def test_the_defaults_extend_the_lock_several_times_per_timeout(clean_settings: None) -> None:
    settings = Settings(redis_url="redis://127.0.0.1:6379/15")
    conf = create_app(settings).conf
    # Celery's own default loop is 300 s: beat must not fall back to it.
    assert conf.beat_max_loop_interval == settings.snapfleet_beat_max_loop_interval_s
    assert conf.beat_max_loop_interval * 3 <= conf.redbeat_lock_timeout
    assert conf.beat_scheduler == "worker.beat.FleetScheduler"


def test_the_scheduler_refuses_a_loop_given_on_the_command_line(clean_settings: None) -> None:
    from worker.beat import FleetScheduler

    app = create_app(Settings(redis_url="redis://127.0.0.1:6379/15"))
    with pytest.raises(ValueError, match="SNAPFLEET_BEAT_LOCK_TIMEOUT_S"):
        FleetScheduler(app, max_interval=300, lazy=True)


@pytest.mark.parametrize(
    "args",
    [["--max-interval", "300"], ["--max-interval=61"], ["-l", "INFO", "--max-interval", "90"]],
)
def test_snapfleet_beat_refuses_a_max_interval_the_lock_cannot_cover(
    args: list[str], clean_settings: None
) -> None:
    from worker.cli.processes import LaunchRefused, beat_argv

    fleet = Settings(redis_url="redis://127.0.0.1:6379/15")  # lock 180 s
    with pytest.raises(LaunchRefused, match="SNAPFLEET_BEAT_LOCK_TIMEOUT_S"):
        beat_argv(fleet, args)
    assert beat_argv(fleet, ["--max-interval", "60", "-l", "INFO"])[0] == "beat"
