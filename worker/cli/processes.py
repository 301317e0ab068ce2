"""How `snapfleet worker|beat|flower` start Celery with the fleet's app preselected.

Each is `celery -A worker.app <command> [args...]`, with the arguments the mode needs:

- A fleet (`REDIS_URL` set): the arguments pass through unchanged; beat uses redbeat
  (one beat at a time, its lock in Redis), configured by `worker.app`.
- Embedded (no `REDIS_URL`): the broker (`memory://`), the result backend and the gate
  store live inside one process, so everything must run in the worker process: the
  worker gets a threads pool (prefork children would write results nobody reads) and
  runs beat in a thread of its own (`worker.app.EmbeddedBeat`). `-B` (which forks beat
  away from the in-memory broker), another pool, a separate `beat` and `flower` are
  refused with the reason.

Metrics: a worker serves Prometheus metrics from its main process (`worker.metrics`);
`metrics_dir()` readies the multiprocess directory its pool children write to, before
prometheus-client is imported. Flower: `flower_argv()` refuses to start without basic
auth and binds 127.0.0.1 unless an address is given.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from worker.settings import Settings, check_loop_interval

EMBEDDED_POOLS = ("threads", "solo")
EMBEDDED_NOTE = (
    "embedded mode (no REDIS_URL): in-memory broker, results and gate; this worker runs "
    "beat in a thread and uses a threads pool. Set REDIS_URL to run a fleet."
)


class LaunchRefused(Exception):
    """The command cannot work in this mode; the message says why and what to do."""


def worker_argv(settings: Settings, args: Sequence[str]) -> list[str]:
    """argv of `celery worker`: threads pool and beat inside it when embedded."""
    argv = ["worker", *args]
    if not settings.embedded:
        return argv
    if _given(args, "-B", "--beat"):
        raise LaunchRefused(
            "embedded mode: -B forks beat away from the in-memory broker; "
            "beat already runs inside this worker (drop -B, or set REDIS_URL)"
        )
    pool = _value(args, "-P", "--pool")
    if pool is not None and pool not in EMBEDDED_POOLS:
        raise LaunchRefused(
            f"embedded mode: pool {pool!r} runs tasks in child processes that cannot see the "
            "in-memory broker and results; use --pool threads, or set REDIS_URL"
        )
    if pool is None:
        argv += ["--pool", "threads"]
    return argv


def beat_argv(settings: Settings, args: Sequence[str]) -> list[str]:
    """argv of `celery beat`; only for a fleet (embedded, the worker runs beat)."""
    if settings.embedded:
        raise LaunchRefused(
            "embedded mode: `snapfleet worker` already runs beat in its own process; a "
            "separate beat would publish to an in-memory broker no worker reads. "
            "Set REDIS_URL to run beat on its own."
        )
    loop = _value(args, "--max-interval", "--max-interval")
    if loop is not None:
        try:
            check_loop_interval(float(loop), settings.snapfleet_beat_lock_timeout_s)
        except ValueError as exc:
            raise LaunchRefused(f"--max-interval {loop}: {exc}") from None
    return ["beat", *args]


FLOWER_DEFAULT_ADDRESS = "127.0.0.1"


def flower_argv(
    settings: Settings, args: Sequence[str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """argv of `celery flower`: basic auth required, 127.0.0.1 unless told otherwise.

    Flower shows every task's arguments and results and can revoke tasks and shut
    workers down, so it never starts open: `--basic-auth user:password[,...]` or
    FLOWER_BASIC_AUTH (Flower's own variable) must name at least one user with a
    password. It listens on 127.0.0.1 unless `--address` or FLOWER_ADDRESS says otherwise.
    """
    env = os.environ if environ is None else environ
    if importlib.util.find_spec("flower") is None:
        raise LaunchRefused("flower is not installed: pip install flower")
    if settings.embedded:
        raise LaunchRefused(
            "embedded mode: flower cannot watch an in-memory broker (set REDIS_URL)"
        )
    auth = _option(args, "--basic-auth") or env.get("FLOWER_BASIC_AUTH", "")
    problem = basic_auth_problem(auth)
    if problem:
        raise LaunchRefused(
            f"flower refuses to start without basic auth: {problem}. Set FLOWER_BASIC_AUTH="
            "user:password (or --basic-auth=user:password); Flower can revoke tasks and "
            "shut workers down"
        )
    argv = ["flower", *args]
    if _option(args, "--address") is None and not env.get("FLOWER_ADDRESS"):
        argv.append(f"--address={FLOWER_DEFAULT_ADDRESS}")
    return argv


def basic_auth_problem(value: str) -> str | None:
    """Why `user:password[,user:password...]` is unusable, or None when every pair is."""
    if not value.strip():
        return "no user given"
    for pair in value.split(","):
        user, sep, password = pair.partition(":")
        if not sep or not user.strip() or not password:
            return "each entry must be user:password with a non-empty password"
    return None


def metrics_dir(environ: dict[str, str] | None = None) -> Path:
    """Ready PROMETHEUS_MULTIPROC_DIR for one worker: created, emptied, exported.

    Unset, a fresh temporary directory is made (and removed when the worker exits).
    Set, it is this worker's own: its files from a previous run (dead pids) are deleted,
    so a restarted worker never adds an old run's counts to its own. Two workers must
    never share one. Call before prometheus-client is imported: it picks multiprocess
    mode from this variable when it loads.
    """
    env = os.environ if environ is None else environ
    given = env.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="snapfleet-metrics-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    if "prometheus_client" in sys.modules and environ is None:
        # Too late for this process: its metrics already live in memory, so the pool
        # children's counts would not be summed. Only a test importing both gets here.
        print("snapfleet: prometheus_client was imported before the metrics directory was "
              "set; pool children's metrics will be missing", file=sys.stderr)  # fmt: skip
    return path


def _option(args: Sequence[str], long: str) -> str | None:
    """The value of `--name value` or `--name=value`, or None when not given."""
    for i, arg in enumerate(args):
        if arg == long:
            return args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(f"{long}="):
            return arg.split("=", 1)[1]
    return None


def _given(args: Sequence[str], short: str, long: str) -> bool:
    return any(a in (short, long) or a.startswith(f"{long}=") for a in args)


def _value(args: Sequence[str], short: str, long: str) -> str | None:
    """The value of an option given as `-P v`, `-Pv`, `--pool v` or `--pool=v`."""
    for i, arg in enumerate(args):
        if arg in (short, long):
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith(f"{long}="):
            return arg.split("=", 1)[1]
        if arg.startswith(short) and len(arg) > len(short) and not arg.startswith("--"):
            return arg[len(short) :]
    return None
