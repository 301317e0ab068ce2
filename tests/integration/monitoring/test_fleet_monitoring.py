"""A real Prometheus scrapes a real prefork `snapfleet worker` and `snapfleet exporter`.

One fleet for the module, every part a process of its own, as an operator runs them:
the sandbox (as Snap), a tenant connected through `snapfleet connect`, a prefork worker
with two pool children serving /metrics, the exporter, Flower with basic auth, and
Debian's `prometheus` scraping the worker and the exporter every second with the
shipped alert rules loaded. The runner's side is a plain Celery app sending by name.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from celery import Celery

from snap.sandbox import USD_AD_ACCOUNT_ID
from tasks.payloads import EXAMPLES
from tests import processes
from tests.processes import free_port
from worker.app import route_task

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).parents[3]
BIN = Path(sys.executable).parent
CLIENT_ID = "monitoring-client"
CLIENT_SECRET = "monitoring-secret-value"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
FLOWER_LOGIN = ("ops", "flower-pass-1")
PROMETHEUS = shutil.which("prometheus")
CREATES = 6
CREATE = "snap.campaign.create"


def _wait_until(predicate: Callable[[], Any], what: str, timeout_s: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting for {what} (last: {last!r})")


@dataclass
class Running:
    env: dict[str, str]
    processes: list[tuple[subprocess.Popen, Path]]
    tmp: Path

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Path:
        log = self.tmp / f"{name}.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                argv, env=env or self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.processes.append((proc, log))
        return log

    def stop_all(self) -> None:
        for proc, _log in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, log in reversed(self.processes):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                print(f"--- {log.name} (killed) ---\n{log.read_text()[-3000:]}")


@dataclass
class Fleet:
    runner: Celery
    sandbox: str
    worker_metrics: str
    exporter: str
    prometheus: str
    flower: str
    worker_log: Path
    worker_pid: int
    env: dict[str, str]

    def query(self, promql: str) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": promql}, timeout=5)
        answer.raise_for_status()
        return list(answer.json()["data"]["result"])

    def value(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def fleet(
    redis_url: str | None, migrated_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    if redis_url is None:
        pytest.skip("needs the real Redis (a worker process cannot share fakeredis)")
    if PROMETHEUS is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true and prometheus is missing (apt-get install prometheus)")
        pytest.skip("prometheus not installed (apt-get install prometheus)")
    tmp = tmp_path_factory.mktemp("monitoring")
    sandbox_port, metrics_port, exporter_port = free_port(), free_port(), free_port()
    prometheus_port, flower_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {
        **processes.fleet_env(sandbox, redis_url, migrated_database, CLIENT_ID, CLIENT_SECRET),
        "SNAPFLEET_HOME": str(tmp / "home"),
        "SNAPFLEET_METRICS_PORT": str(metrics_port),
        "SNAPFLEET_METRICS_ADDR": "127.0.0.1",
        "SNAPFLEET_LOG_FORMAT": "json",
    }
    env.pop("FLOWER_BASIC_AUTH", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the worker makes its own
    running = Running(env, [], tmp)
    try:
        running.start("sandbox", [str(BIN / "snapfleet"), "sandbox", "--port", str(sandbox_port),
                                  "--seed", "empty", "--client-id", CLIENT_ID,
                                  "--client-secret", CLIENT_SECRET])  # fmt: skip
        _wait_until(lambda: httpx.get(f"{sandbox}/_sandbox/requests", timeout=1).is_success,
                    "the sandbox")  # fmt: skip
        _connect(env, sandbox)

        worker_log = running.start("worker", [
            str(BIN / "snapfleet"), "worker", "-Q", "mutations,sync", "-P", "prefork", "-c", "2",
            "--without-mingle", "--without-gossip", "-l", "INFO",
            "-n", f"mon-{uuid.uuid4().hex[:6]}@%h",
        ])  # fmt: skip
        worker_pid = running.processes[-1][0].pid
        running.start("exporter", [str(BIN / "snapfleet"), "exporter",
                                   "--port", str(exporter_port)])  # fmt: skip
        flower_env = {**env, "FLOWER_BASIC_AUTH": ":".join(FLOWER_LOGIN)}
        running.start("flower", [str(BIN / "snapfleet"), "flower", f"--port={flower_port}"],
                      env=flower_env)  # fmt: skip
        config = tmp / "prometheus"
        config.mkdir()
        shutil.copy(ROOT / "deploy" / "prometheus" / "rules.yml", config / "rules.yml")
        (config / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["rules.yml"],
            "scrape_configs": [
                {"job_name": "snapfleet-workers",
                 "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]},
                {"job_name": "snapfleet-exporter",
                 "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]},
            ],
        }))  # fmt: skip
        assert PROMETHEUS is not None
        running.start("prometheus", [
            PROMETHEUS, f"--config.file={config / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prometheus_port}",
        ])  # fmt: skip

        _wait_until(lambda: "ready." in worker_log.read_text(), "the worker", timeout_s=180)
        fleet = Fleet(
            runner=Celery("runner", broker=redis_url, backend=redis_url),
            sandbox=sandbox,
            worker_metrics=f"http://127.0.0.1:{metrics_port}/metrics",
            exporter=f"http://127.0.0.1:{exporter_port}/metrics",
            prometheus=f"http://127.0.0.1:{prometheus_port}",
            flower=f"http://127.0.0.1:{flower_port}",
            worker_log=worker_log,
            worker_pid=worker_pid,
            env=env,
        )
        _wait_until(lambda: httpx.get(f"{fleet.prometheus}/-/ready", timeout=1).is_success,
                    "prometheus")  # fmt: skip
        _wait_until(lambda: httpx.get(f"{fleet.flower}/healthcheck", auth=FLOWER_LOGIN,
                                      timeout=1).is_success, "flower")  # fmt: skip
        _wait_until(lambda: _flower_listening(fleet), "flower to receive task events")
        yield fleet
    finally:
        running.stop_all()


def _flower_listening(fleet: Fleet) -> bool:
    """Flower answers HTTP before its event receiver runs: send a probe until it shows."""
    probe = _send(fleet, "snap.stats.pull", {"ad_account_id": "flower-probe-account"})
    probe.get(timeout=60, propagate=False)
    time.sleep(1)
    tasks = httpx.get(f"{fleet.flower}/api/tasks", auth=FLOWER_LOGIN, timeout=10).json()
    return probe.id in tasks


def _connect(env: dict[str, str], sandbox: str) -> None:
    answer = httpx.get(
        f"{sandbox}/login/oauth2/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    done = subprocess.run(
        [str(BIN / "snapfleet"), "connect", "--tenant", f"mon-{uuid.uuid4().hex[:6]}",
         "--code", code, "--redirect-uri", REDIRECT_URI],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _send(fleet: Fleet, name: str, payload: dict[str, Any]) -> Any:
    """As the runner sends: by name, on the queue the fleet routes the name to."""
    route = route_task(name) or {"queue": "mutations"}
    return fleet.runner.send_task(
        name, kwargs=payload, task_id=str(uuid.uuid4()), queue=route["queue"]
    )


def _create_payload(tag: str) -> dict[str, Any]:
    return {**EXAMPLES["snap.campaign.create"], "ad_account_id": USD_AD_ACCOUNT_ID,
            "name": f"monitoring {tag} {uuid.uuid4().hex[:6]}"}  # fmt: skip


@pytest.fixture(scope="module")
def traffic(fleet: Fleet) -> dict[str, Any]:
    """What the runner did: creates, one 429 absorbed by a retry, one business failure."""
    path = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"
    fault = {"action": "status", "status": 429, "times": 1, "method": "POST", "path": path}
    httpx.post(f"{fleet.sandbox}/_sandbox/faults", json=fault).raise_for_status()
    create = "snap.campaign.create"
    creates = [_send(fleet, create, _create_payload(str(i))) for i in range(CREATES)]
    stranger = {**_create_payload("x"), "ad_account_id": "not-an-account-0000"}
    refused = _send(fleet, create, stranger)
    pull = _send(fleet, "snap.stats.pull", {"ad_account_id": USD_AD_ACCOUNT_ID})
    results = [r.get(timeout=180, propagate=False) for r in creates]
    return {
        "creates": results,
        "refused": refused,
        "refused_result": refused.get(timeout=180, propagate=False),
        "pull": pull.get(timeout=180, propagate=False),
    }


def test_a_real_prometheus_sums_what_every_pool_child_did(
    fleet: Fleet, traffic: dict[str, Any]
) -> None:
    assert [r["status"] for r in traffic["creates"]] == ["succeeded"] * CREATES
    ok = 'snapfleet_task_outcomes_total{task="snap.campaign.create",outcome="succeeded"}'
    # Given two prefork children ran the tasks, the worker's one endpoint counts them all,
    _wait_until(lambda: fleet.value(f"sum({ok})") == CREATES, "the creates in Prometheus")
    assert fleet.value('up{job="snapfleet-workers"}') == 1
    sent = 'sum(snapfleet_snap_requests_total{operation="create_campaign",status="200"})'
    assert fleet.value(sent) == CREATES
    # and the 429 Snap answered once was counted, by status and on its own.
    _wait_until(lambda: fleet.value("sum(snapfleet_snap_429_total)") == 1, "the 429")
    limited = 'sum(snapfleet_snap_requests_total{operation="create_campaign",status="429"})'
    assert fleet.value(limited) == 1
    assert fleet.value("sum(snapfleet_gate_wait_seconds_count)") >= CREATES + 1  # type: ignore[operator]

    # When a pool child is killed, its counts stay in the sum (the totals never go down).
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(fleet.worker_pid)],
                              capture_output=True, text=True).stdout.split()  # fmt: skip
    assert len(children) == 2
    os.kill(int(children[0]), signal.SIGKILL)
    time.sleep(3)
    assert fleet.value(f"sum({ok})") == CREATES


def test_a_returned_failure_counts_as_a_failure_and_the_runner_still_reads_its_dict(
    fleet: Fleet, traffic: dict[str, Any]
) -> None:
    result = traffic["refused_result"]
    assert result["status"] == "failed" and result["code"] == "not_connected"
    assert traffic["refused"].state == "SUCCESS"  # the runner's contract is unchanged
    failed = ('snapfleet_task_outcomes_total{task="snap.campaign.create",outcome="failed",'
              'code="not_connected"}')  # fmt: skip
    _wait_until(lambda: fleet.value(f"sum({failed})") == 1, "the failure in Prometheus")


def test_flower_shows_a_returned_failure_as_a_failure(
    fleet: Fleet, traffic: dict[str, Any]
) -> None:
    task_id = traffic["refused"].id
    assert httpx.get(f"{fleet.flower}/api/tasks", timeout=10).status_code == 401

    def state() -> str | None:
        tasks = httpx.get(f"{fleet.flower}/api/tasks", auth=FLOWER_LOGIN, timeout=10).json()
        return (tasks.get(task_id) or {}).get("state")

    _wait_until(lambda: state() == "FAILURE", "flower to show the failure", timeout_s=60)
    info = httpx.get(f"{fleet.flower}/api/task/info/{task_id}", auth=FLOWER_LOGIN).json()
    assert "not_connected" in info["exception"]


def test_each_attempt_line_carries_gate_wait_429s_and_retries(
    fleet: Fleet, traffic: dict[str, Any]
) -> None:
    records = [json.loads(line) for line in fleet.worker_log.read_text().splitlines()
               if line.startswith("{")]  # fmt: skip
    attempts = [r for r in records if (r.get("task"), r.get("outcome")) == (CREATE, "succeeded")]
    assert len(attempts) == CREATES
    assert all({"gate_wait_ms", "snap_429s", "client_retries", "key", "task_id"} <= set(r)
               for r in attempts)  # fmt: skip
    assert sorted((r["snap_429s"], r["client_retries"]) for r in attempts) == [(0, 0)] * (
        CREATES - 1
    ) + [(1, 1)]


def test_no_token_reaches_any_log(fleet: Fleet, traffic: dict[str, Any]) -> None:
    issued = httpx.get(f"{fleet.sandbox}/_sandbox/tokens/issued").json()["tokens"]
    assert issued
    logs = {log.name: log.read_text() for log in fleet.worker_log.parent.glob("*.log")}
    assert {"worker.log", "flower.log", "exporter.log"} <= set(logs)
    for name, text in logs.items():
        if name == "sandbox.log":
            continue
        leaked = [t for t in issued if str(t) in text]
        assert not leaked, f"{name} holds {len(leaked)} token(s)"
    assert fleet.env["SNAPCHAT_ADS_CLIENT_SECRET"] not in logs["worker.log"]


def test_the_exporter_gauges_reach_prometheus(fleet: Fleet, traffic: dict[str, Any]) -> None:
    assert traffic["pull"]["status"] == "succeeded"
    _wait_until(lambda: fleet.value('up{job="snapfleet-exporter"}') == 1, "the exporter target")
    succeeded = 'snapfleet_journal_keys{state="succeeded"}'
    _wait_until(lambda: (fleet.value(succeeded) or 0) >= CREATES, "the journal gauge")
    assert fleet.value('snapfleet_journal_keys{state="unknown"}') == 0
    assert fleet.value('snapfleet_exporter_source_up{source="postgres"}') == 1
    queues = {r["metric"]["queue"] for r in fleet.query("snapfleet_queue_length")}
    assert {"mutations", "sync"} <= queues
    synced = (
        f'snapfleet_stats_last_success_timestamp_seconds{{ad_account_id="{USD_AD_ACCOUNT_ID}"}}'
    )
    _wait_until(lambda: fleet.value(synced), "the stats freshness gauge")
    assert fleet.value(synced) > time.time() - 600  # type: ignore[operator]
    rows = traffic["pull"]["rows_upserted"]
    assert fleet.value("sum(snapfleet_stats_rows_upserted_total)") == rows
    # The shipped rules are loaded and evaluated against these series.
    groups = httpx.get(f"{fleet.prometheus}/api/v1/rules").json()["data"]["groups"]
    assert {r["name"] for g in groups for r in g["rules"]} >= {
        "SnapfleetBeatDown",
        "SnapfleetJournalKeysStuckUnknown",
    }


def test_flower_refuses_to_start_without_basic_auth(fleet: Fleet) -> None:
    env = {k: v for k, v in fleet.env.items() if k != "FLOWER_BASIC_AUTH"}
    done = subprocess.run(
        [str(BIN / "snapfleet"), "flower", f"--port={free_port()}"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "refuses to start without basic auth" in done.stderr
