"""Headroom: mutations per second through real worker processes, beside a bare Celery task.

    python -m bench.pipeline [--tasks 1000] [--concurrency 2]

On one Redis broker (BENCH_REDIS_URL / REDIS_URL, else 127.0.0.1:6379/12) and one fresh
PostgreSQL database, each phase starts a worker with a prefork pool of `--concurrency`
processes, enqueues `--tasks` tasks and waits for every result:

- **bare**: a Celery no-op task (its own tiny app, same broker and result backend): what
  Celery itself costs;
- **dry run**: `snap.campaign.create` through `snapfleet worker` with live mode off: the
  whole path (validation, journal, gate, dry-run client, record) without Snap;
- **live**: the same against a `snapfleet sandbox` server over HTTP, the gate's app and
  token scopes off (the account scope raised out of the way) so the fleet's machinery,
  not Snap's quota, is what is measured.

Printed per phase: tasks/s and the ratio to the bare task, CPU ms per task of the whole
worker (main process and pool); then, in this process, the database transactions of one
create (counted on the engine) and the top costs of a profile of creates.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from celery import Celery
from cryptography.fernet import Fernet

from bench.scale import bench_database

# The checkout this bench runs from: profile entries under it are snapfleet's own code.
REPO = str(Path(__file__).resolve().parents[1])

BIN = Path(sys.executable).parent
CLIENT_ID, CLIENT_SECRET = "bench-pipeline-app", "bench-pipeline-secret"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
TICKS = os.sysconf("SC_CLK_TCK")


def redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    return url or "redis://127.0.0.1:6379/12"


bare_app = Celery("bench_bare", broker=redis_url(), backend=redis_url())
bare_app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1,
                     worker_hijack_root_logger=False)  # fmt: skip


@bare_app.task(name="bench.noop")
def noop(**kwargs: Any) -> dict[str, str]:
    return {"status": "succeeded"}


# --- Processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_cpu_s(pgid: int) -> float:
    """User + system CPU of every live process in the process group (worker and pool)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is the pgrp (after state, ppid)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@contextmanager
def process(argv: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log = Path(env.get("SNAPFLEET_HOME", str(Path.home()))) / f"bench-{uuid.uuid4().hex[:6]}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        yield proc
    except Exception:
        print(f"# {argv[1]} {argv[2] if len(argv) > 2 else ''} said:\n"
              + log.read_text(errors="replace")[-2000:], file=sys.stderr)  # fmt: skip
        raise
    finally:
        log.unlink(missing_ok=True)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_until(predicate: Any, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"gave up waiting for {what}")


def workers_up(app: Celery, name: str) -> bool:
    replies = app.control.ping(timeout=0.5) or []
    return any(name in reply for item in replies for reply in item)


def run_phase(
    name: str, app: Celery, task: str, payloads: list[dict[str, Any]], pgid: int
) -> tuple[float, float]:
    """Enqueue every payload, wait for every result: (tasks/s, worker CPU ms per task)."""
    cpu_before = group_cpu_s(pgid)
    started = time.perf_counter()
    results = [app.send_task(task, kwargs=p, task_id=str(uuid.uuid4())) for p in payloads]
    outcomes = [r.get(timeout=600, propagate=False) for r in results]
    elapsed = time.perf_counter() - started
    cpu_ms = (group_cpu_s(pgid) - cpu_before) * 1000 / len(payloads)
    failed = [o for o in outcomes if not (isinstance(o, dict) and o.get("status") == "succeeded")]
    if failed:
        raise RuntimeError(f"{name}: {len(failed)} tasks did not succeed, e.g. {failed[0]!r}")
    return len(payloads) / elapsed, cpu_ms


def create_payloads(ad_account_id: str, n: int, tag: str) -> list[dict[str, Any]]:
    from tasks.payloads import EXAMPLES

    base = dict(EXAMPLES["snap.campaign.create"])
    # One name each: creates of one name under one parent take turns (the create lock).
    return [{**base, "ad_account_id": ad_account_id, "name": f"{tag} {i}"} for i in range(n)]


def fleet_env(database: str, api: str, *, live: bool) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))}
    return {
        **keep,
        "REDIS_URL": redis_url(),
        "DATABASE_URL": database,
        "SNAPFLEET_ENCRYPTION_KEY": KEY,
        "SNAPCHAT_ADS_CLIENT_ID": CLIENT_ID,
        "SNAPCHAT_ADS_CLIENT_SECRET": CLIENT_SECRET,
        "SNAPCHAT_ADS_LIVE_MODE": "true" if live else "false",
        "SNAPCHAT_ADS_API_BASE_URL": f"{api}/v1",
        "SNAPCHAT_ADS_OAUTH_URL": f"{api}/login/oauth2",
        # The gate's shared scopes off, the account scope out of the way: the fleet's own
        # machinery is what is measured here (bench/gate.py measures the gate).
        "SNAPCHAT_ADS_APP_RPS": "0",
        "SNAPCHAT_ADS_TOKEN_RPS": "0",
        "SNAPCHAT_ADS_RATE_LIMIT_RPS": "100000",
        "SNAPFLEET_METRICS_PORT": "0",
        "SNAPFLEET_HOME": str(Path.home() / ".snapfleet-bench"),
        "PYTHONPATH": str(Path.cwd()),
    }


KEY = Fernet.generate_key().decode()


def connect(env: dict[str, str]) -> tuple[Any, Any, str]:
    """The runner's side: the fleet's app with the sandbox tenant connected; its USD account."""
    from snap.sandbox import USD_AD_ACCOUNT_ID
    from worker.app import create_app
    from worker.connections.capture import connect_code
    from worker.runtime import install_runtime
    from worker.settings import Settings, get_settings

    os.environ.update(env)
    get_settings.cache_clear()
    app = create_app(Settings())
    runtime = install_runtime(app)
    answer = httpx.get(
        f"{env['SNAPCHAT_ADS_OAUTH_URL']}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    connect_code(runtime, tenant_id="bench", code=code, redirect_uri=REDIRECT_URI)
    return app, runtime, USD_AD_ACCOUNT_ID


def transactions_and_profile(app: Any, runtime: Any, account: str, n: int) -> None:
    """In this process, through the worker's path (`task.apply`): commits per create, and
    where a create's time goes."""
    from sqlalchemy import event

    from worker.mutations.task import call_task

    engine = runtime.sessions.kw["bind"]
    commits = [0]

    def count(*_: Any) -> None:
        commits[0] += 1

    event.listen(engine, "commit", count)
    payloads = create_payloads(account, n, f"profiled-{uuid.uuid4().hex[:6]}")
    call_task(app, "snap.campaign.create", payloads[0])  # warm: client, token, caches
    commits[0] = 0
    half = n // 2
    cpu = time.process_time()
    for payload in payloads[1:half]:
        call_task(app, "snap.campaign.create", payload)
    cpu_ms = (time.process_time() - cpu) * 1000 / (half - 1)
    per = commits[0] / (half - 1)
    event.remove(engine, "commit", count)
    profile = cProfile.Profile(time.process_time)  # CPU, not wall: what a create costs the worker
    profile.enable()
    for payload in payloads[half:]:
        call_task(app, "snap.campaign.create", payload)
    profile.disable()
    print(f"database transactions per create (dry run, in process): {per:.1f} "
          f"(goal <= 3: {per / 3:.2f}x)")  # fmt: skip
    print(f"CPU per create in process (the task's path, no broker): {cpu_ms:.1f} ms "
          f"(goal <= 5 ms: {cpu_ms / 5:.2f}x)")  # fmt: skip
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    total = stats.total_tt  # type: ignore[attr-defined]
    print("top costs of a create (cumulative share of its profiled CPU):")
    shown = 0
    for func, (_cc, _nc, _tt, ct, _callers) in sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda kv: -kv[1][3],
    ):
        filename, line, name = func
        if not any(part in filename for part in ("/worker/", "/storage/", "/snap/", "/tasks/")):
            continue
        where = filename.split(f"{REPO}/")[-1].split("site-packages/")[-1]
        print(f"  {ct / total:6.1%}  {name} ({where}:{line})")
        shown += 1
        if shown == 14:
            break
    by_lib: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        lib = (
            filename.split("site-packages/")[-1].split("/")[0]
            if "site-packages" in filename
            else ("snapfleet" if filename.startswith(REPO) else "python")
        )
        by_lib[lib] = by_lib.get(lib, 0.0) + tt
    tops = sorted(by_lib.items(), key=lambda kv: -kv[1])[:6]
    print("  self time by library: " + ", ".join(f"{lib} {tt / total:.0%}" for lib, tt in tops))


def run(tasks: int = 1000, concurrency: int = 2, profile_n: int = 200) -> None:
    import redis as redis_lib

    broker = redis_lib.Redis.from_url(redis_url())
    for queue in ("mutations", "sync", "celery"):
        broker.delete(queue)
    with bench_database() as database:
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        sandbox_argv = [str(BIN / "snapfleet"), "sandbox", "--port", str(port), "--client-id",
                        CLIENT_ID, "--client-secret", CLIENT_SECRET, "--seed", "empty",
                        "--app-rps", "0", "--token-rps", "0"]  # fmt: skip
        with process(sandbox_argv, dict(os.environ)):
            wait_until(lambda: _up(api), "the sandbox server")
            app, runtime, account = connect(fleet_env(database, api, live=True))
            print(
                f"# {tasks} tasks per phase, one worker with {concurrency} prefork processes, "
                f"Redis {redis_url().rsplit('@', 1)[-1]}, PostgreSQL, sandbox on :{port}"
            )
            bare_argv = [sys.executable, "-m", "celery", "-A", "bench.pipeline:bare_app",
                         "worker", "-P", "prefork", "-c", str(concurrency), "-n",
                         f"bare-{port}@%h", "--without-mingle", "--without-gossip",
                         "--loglevel", "WARNING"]  # fmt: skip
            with process(bare_argv, dict(os.environ, PYTHONPATH=str(Path.cwd()))) as proc:
                wait_until(lambda: workers_up(bare_app, f"bare-{port}"), "the bare worker")
                run_phase("bare", bare_app, "bench.noop", [{}] * 20, proc.pid)  # warm
                noops = [{"n": i} for i in range(tasks)]
                bare_rate, bare_cpu = run_phase("bare", bare_app, "bench.noop", noops, proc.pid)
            print(f"bare Celery no-op: {bare_rate:,.0f} tasks/s, {bare_cpu:.1f} ms CPU per task "
                  f"(1.00x)")  # fmt: skip
            for live in (False, True):
                label = "live against the sandbox" if live else "dry run"
                env = fleet_env(database, api, live=live)
                argv = [str(BIN / "snapfleet"), "worker", "-Q", "mutations", "-P", "prefork",
                        "-c", str(concurrency), "-n", f"fleet-{live}-{port}@%h",
                        "--without-mingle", "--without-gossip",
                        "--loglevel", "WARNING"]  # fmt: skip
                node = f"fleet-{live}-{port}"
                with process(argv, env) as proc:
                    wait_until(lambda n=node: workers_up(app, n), "the fleet worker")
                    run_phase(label, app, "snap.campaign.create",
                              create_payloads(account, 20, f"warm-{live}"), proc.pid)  # fmt: skip
                    rate, cpu = run_phase(label, app, "snap.campaign.create",
                                          create_payloads(account, tasks, f"bench-{live}"),
                                          proc.pid)  # fmt: skip
                print(f"snap.campaign.create, {label}: {rate:,.1f} tasks/s, {cpu:.1f} ms CPU "
                      f"per task ({rate / bare_rate:.2f}x the bare task's rate; goal >= 0.5x; "
                      f"CPU {cpu / bare_cpu:.1f}x)")  # fmt: skip
            os.environ["SNAPCHAT_ADS_LIVE_MODE"] = "false"
            from worker.settings import Settings

            app.snapfleet_settings = Settings()
            from worker.runtime import install_runtime

            runtime = install_runtime(app)
            transactions_and_profile(app, runtime, account, profile_n)
            runtime.close()


def _up(api: str) -> bool:
    try:
        return httpx.get(f"{api}/_sandbox/requests", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--profile", type=int, default=200, help="creates profiled in process")
    args = parser.parse_args()
    run(args.tasks, args.concurrency, args.profile)


if __name__ == "__main__":
    main()
