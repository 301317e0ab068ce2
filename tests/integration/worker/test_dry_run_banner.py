"""A worker and beat started with writes in dry run say so in their first lines."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from worker.banner import DRY_RUN_BANNER, _beat_init
from worker.settings import Settings

BIN = Path(sys.executable).parent


@pytest.mark.integration
def test_a_dry_run_worker_prints_the_banner_at_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(
        SNAPFLEET_HOME=str(tmp_path / "home"),
        SNAPFLEET_METRICS_PORT="0",
        SNAPFLEET_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    subprocess.run([BIN / "snapfleet", "db", "upgrade"], env=env, check=True, capture_output=True)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BIN / "snapfleet", "worker", "--concurrency", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while "DRY RUN" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert "worker: " + DRY_RUN_BANNER in log.read_text(errors="replace").replace("\n", " ")


def test_beat_prints_it_and_a_live_fleet_does_not(caplog: pytest.LogCaptureFixture) -> None:
    dry = SimpleNamespace(app=SimpleNamespace(snapfleet_settings=Settings()))
    with caplog.at_level(logging.WARNING, logger="snapfleet.worker"):
        _beat_init(sender=dry)
    assert f"beat: {DRY_RUN_BANNER}" in caplog.text
    caplog.clear()
    live = Settings(
        snapchat_ads_live_mode=True, snapchat_ads_client_id="c", snapchat_ads_client_secret="s"
    )
    with caplog.at_level(logging.WARNING, logger="snapfleet.worker"):
        _beat_init(sender=SimpleNamespace(app=SimpleNamespace(snapfleet_settings=live)))
    assert "DRY RUN" not in caplog.text
