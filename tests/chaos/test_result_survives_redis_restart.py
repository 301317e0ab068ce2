"""Chaos: a result stored while Redis restarts is kept, not dropped.

Found by the soak: a task succeeded while the result backend's Redis was being
restarted; storing its result failed once and was given up ("Exception raised outside
body"), so the runner waited for a result that never came. The fleet's app retries the
store (`result_backend_always_retry`). Here the app stores a result against a
redis-server of the test's own that is SIGKILLed and comes back two seconds later.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.soak.services import RedisServer
from worker.app import create_app
from worker.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("clean_settings")]


def test_a_result_stored_while_redis_restarts_is_kept(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)
    server.start()
    try:
        app = create_app(Settings(redis_url=server.url))
        backend = app.backend
        backend.store_result(str(uuid.uuid4()), {"warm": True}, "SUCCESS")  # connected
        # Given Redis goes away and comes back two seconds later,
        server.kill9()
        threading.Timer(2.0, server.start).start()
        task_id = str(uuid.uuid4())
        # when a worker stores a task's result meanwhile,
        backend.store_result(task_id, {"status": "succeeded"}, "SUCCESS")
        # then the store waited for Redis, and the runner reads the result.
        assert backend.get_task_meta(task_id)["result"] == {"status": "succeeded"}
    finally:
        time.sleep(2.5)  # the restart timer, if the store failed before it fired
        server.proc.stop()
