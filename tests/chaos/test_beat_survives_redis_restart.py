"""Chaos: a beat outlives a Redis restart and goes on sending.

Found by the soak: Redis killed for five seconds, and both beats (active and standby)
died: extending the lock failed, then waiting for it again raised the connection error
out of `tick`, and nothing was scheduled for the rest of the run (no detection, no
completer, no token refresh). Here a real `snapfleet beat` runs against a redis-server
of the test's own, which is SIGKILLed and started again on the same port and folder.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.soak.services import BIN, Proc, RedisServer, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _sends(log: Path) -> int:
    return log.read_text().count("Sending due task")


def test_beat_keeps_sending_after_redis_is_killed_and_restarted(
    tmp_path: Path, migrated_database: str
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))},
        "REDIS_URL": server.url,
        "DATABASE_URL": migrated_database,
        "SNAPFLEET_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "SNAPFLEET_HOME": str(tmp_path / "home"),
        "SNAPFLEET_METRICS_PORT": "0",
        "SNAPFLEET_BEAT_LOCK_TIMEOUT_S": "30",
        "SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S": "2",
        "SNAPFLEET_COMPLETER_PERIOD_S": "30",
        "SNAPFLEET_TOKEN_REFRESH_PERIOD_S": "30",
    }
    log = tmp_path / "beat.log"
    beat = Proc("beat", [str(BIN / "snapfleet"), "beat", "-l", "INFO",
                         "-s", str(tmp_path / "beat.schedule")], log, env).start()  # fmt: skip
    try:
        wait_until(lambda: "this beat is active" in log.read_text() or not beat.alive(),
                   "beat to hold the lock", 120)  # fmt: skip
        assert beat.alive(), log.read_text()[-3000:]
        # Given a running beat, when Redis is killed and comes back a few seconds later,
        server.kill9()
        time.sleep(5)
        server.start()
        sent_before = _sends(log)
        # then the beat is still alive, takes the lock again, and sends the jobs as they
        # fall due (the schedule came back with the AOF; the shortest period is 30 s).
        wait_until(lambda: _sends(log) > sent_before or not beat.alive(),
                   "beat to send again", 90)  # fmt: skip
        assert beat.alive(), log.read_text()[-3000:]
        assert _sends(log) > sent_before
    finally:
        beat.stop()
        server.proc.stop()
        if beat.popen is not None and beat.popen.returncode not in (0, -signal.SIGTERM):
            print(log.read_text()[-3000:])
