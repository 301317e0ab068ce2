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
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from worker.settings import Settings

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
    return ["beat", *args]


def flower_argv(settings: Settings, args: Sequence[str]) -> list[str]:
    """argv of `celery flower`: needs the flower package and a real broker to watch."""
    if importlib.util.find_spec("flower") is None:
        raise LaunchRefused("flower is not installed: pip install flower")
    if settings.embedded:
        raise LaunchRefused(
            "embedded mode: flower cannot watch an in-memory broker (set REDIS_URL)"
        )
    return ["flower", *args]


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
