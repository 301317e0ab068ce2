"""Chaos: a worker process killed while its create is in flight creates exactly one entity.

Real parts only: a `snapfleet sandbox` server over TCP that ignores Idempotency-Key (as
Snap is documented to behave), a `snapfleet worker` with a prefork pool on the real
Redis broker, the real PostgreSQL journal. The sandbox commits the create and stalls its
answer; while it stalls, the worker's pool child is SIGKILLed. Celery requeues the task
(acks_late + task_reject_on_worker_lost), the journal still holds the key in flight under
the dead attempt's lease, and once the lease expires the next attempt reconciles: it
lists the ad account's campaigns, adopts the one the dead attempt made, and sends
nothing. The runner gets one success and the sandbox holds one campaign.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snap.sandbox import USD_AD_ACCOUNT_ID
from storage import journal, mirrors
from tasks.payloads import EXAMPLES
from tests import processes
from tests.processes import start, stop, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLIENT_ID = "chaos-client"
CLIENT_SECRET = "chaos-secret-value"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
LEASE_S = 10


def _stop_sandbox(process: subprocess.Popen[Any]) -> None:
    stop(process, term_timeout_s=10)  # a stalled answer holds uvicorn's graceful stop


@pytest.fixture
def sandbox_server() -> Iterator[str]:
    with processes.sandbox_server(
        ["--ignore-idempotency-key", "--client-id", CLIENT_ID, "--client-secret",
         CLIENT_SECRET, "--seed", "empty", "--app-rps", "0", "--token-rps", "0"],
        ready_timeout_s=60.0, stopper=_stop_sandbox,
    ) as base:  # fmt: skip
        yield base


@pytest.fixture
def fleet_env(
    sandbox_server: str, redis_url: str | None, migrated_database: str, tmp_path: Path
) -> dict[str, str]:
    if redis_url is None:
        pytest.skip("needs the real Redis (fakeredis cannot be shared with a worker process)")
    return {
        **processes.fleet_env(
            sandbox_server, redis_url, migrated_database, CLIENT_ID, CLIENT_SECRET
        ),
        "SNAPFLEET_HTTP_TIMEOUT_S": "3",
        "SNAPFLEET_CLIENT_MAX_ELAPSED_S": "1",
        "SNAPFLEET_GATE_MAX_INLINE_WAIT_S": "0.5",
        "SNAPFLEET_JOURNAL_LEASE_S": str(LEASE_S),
        "SNAPFLEET_HOME": str(tmp_path / "home"),
    }


@pytest.fixture
def fleet_app(fleet_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The runner's side: the fleet's app (to send tasks) with the tenant connected."""
    from worker.app import create_app
    from worker.connections.capture import connect_code
    from worker.runtime import install_runtime
    from worker.settings import Settings, get_settings

    for name, value in fleet_env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = create_app(Settings())
    runtime = install_runtime(app)
    oauth = fleet_env["SNAPCHAT_ADS_OAUTH_URL"]
    answer = httpx.get(
        f"{oauth}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    connect_code(runtime, tenant_id=f"chaos-{uuid.uuid4().hex[:6]}", code=code,
                 redirect_uri=REDIRECT_URI)  # fmt: skip
    yield app
    runtime.close()
    get_settings.cache_clear()


@pytest.fixture
def worker_process(fleet_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen]:
    log = tmp_path / "worker.log"
    process = start(
        ["worker", "-Q", "mutations", "-P", "prefork", "-c", "1", "--without-mingle",
         "--without-gossip", "-l", "INFO"],
        fleet_env, log,
    )  # fmt: skip
    try:
        # A loaded 2-core machine can take a while to start a prefork worker.
        wait_until(lambda: "ready." in log.read_text(), "the worker to be ready", 180)
        yield process
    finally:
        stop(process, term_timeout_s=30)
        if process.returncode not in (0, -signal.SIGTERM):
            print(log.read_text()[-5000:])


def _pool_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _logged(sandbox: str, method: str, path: str) -> list[dict[str, Any]]:
    entries = httpx.get(f"{sandbox}/_sandbox/requests").json()["requests"]
    return [e for e in entries if e["method"] == method and e["path"] == path]


def test_a_worker_killed_mid_create_leaves_exactly_one_campaign(
    fleet_env: dict[str, str], fleet_app: Any, worker_process: subprocess.Popen
) -> None:
    sandbox = fleet_env["SNAPCHAT_ADS_API_BASE_URL"].rsplit("/v1", 1)[0]
    name = f"chaos {uuid.uuid4().hex[:8]}"
    payload = {**EXAMPLES["snap.campaign.create"], "ad_account_id": USD_AD_ACCOUNT_ID, "name": name}
    path = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"
    stall = {"action": "stall", "method": "POST", "path": path, "latency_ms": 60_000}
    httpx.post(f"{sandbox}/_sandbox/faults", json=stall).raise_for_status()

    task_id = str(uuid.uuid4())
    result = fleet_app.send_task("snap.campaign.create", kwargs=payload, task_id=task_id)

    # Given the create committed at Snap and its answer is held back,
    wait_until(
        lambda: any(e["status"] == 200 for e in _logged(sandbox, "POST", path)),
        "the create to be committed",
        60.0,
    )
    # when the pool child running it is killed,
    children = _pool_children(worker_process.pid)
    assert children, "the prefork worker has no pool child"
    for child in children:
        os.kill(child, signal.SIGKILL)

    # then the task is redelivered, reconciles after the lease, and succeeds once,
    outcome = wait_until(
        lambda: result.ready() and isinstance(result.result, dict) and result.result,
        "the task's final result",
        timeout_s=120,
    )
    assert outcome["status"] == "succeeded", outcome
    # with one campaign at Snap, adopted rather than sent again.
    listed = _logged(sandbox, "GET", path)
    assert listed, "the retry should have listed the campaigns to reconcile"
    assert len(_logged(sandbox, "POST", path)) == 1
    with fleet_app.snapfleet_runtime.session() as session:
        steps = journal.for_task(session, task_id)
        mine = [
            m
            for m in mirrors.for_ad_account(session, "campaigns", USD_AD_ACCOUNT_ID).values()
            if m.name == name
        ]
    assert [s.state for s in steps] == ["succeeded"]
    assert steps[0].attempt >= 2  # the killed attempt, then the one that reconciled
    assert [m.id for m in mine] == [outcome["snap_id"]]
