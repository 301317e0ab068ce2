"""The Celery instance of the fleet and its configuration, read from settings in one place.

`create_app(settings)` builds an app; the module-level `app` is built from `get_settings()`
for the CLI (`celery -A worker.app worker`). Tests build their own app against their own
Redis database with `create_app(Settings(redis_url=...))`.

With `REDIS_URL` set the app is a fleet: Redis is the broker, the result backend and the
gate store; `SNAPFLEET_BROKER_URL=amqp://...` makes RabbitMQ the broker instead (a dead
worker's messages come back at once, not after the visibility timeout). Unset, it runs
embedded on one machine (docs/operations.md): kombu's in-process `memory://` broker, the
`cache+memory://` result backend and a fakeredis gate store, all living inside one
process, so worker and beat must share it: `celery -A worker.app worker -P threads` runs
beat in a thread of the worker itself (`EmbeddedBeat`; see the README).

Clients shared by the tasks are cached on the app (as redbeat caches its Redis client on
`app.redbeat_redis`), so tests swap them by assigning the attribute: `gate_redis(app)`
(`app.snapfleet_gate_redis`) and `token_gate(app)` (`app.snapfleet_gate`).
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

from celery import Celery, bootsteps
from kombu import Exchange, Queue

# Imported for their Celery signal handlers: the dry-run banner, metrics, task events.
from worker import banner, metrics, task_events  # noqa: F401
from worker.gate import TokenGate
from worker.settings import Settings, get_settings

__all__ = [
    "MUTATIONS_QUEUE",
    "SYNC_QUEUE",
    "TASK_MODULES",
    "app",
    "create_app",
    "gate_redis",
    "route_task",
    "token_gate",
]

logger = logging.getLogger("snapfleet.worker")

MUTATIONS_QUEUE = "mutations"
SYNC_QUEUE = "sync"

# The task catalog. Celery imports these at worker start and each module registers its
# tasks on `worker.app.app`. Listed explicitly (no autodiscovery magic) so a reader sees the
# whole catalog here; a test checks that every module under tasks/ is listed. A listed
# module missing from an installed tree (a partial deploy) is logged and skipped, so the
# worker still serves every other task.
TASK_MODULES = (
    "tasks.mutations.campaigns",
    "tasks.mutations.adsquads",
    "tasks.mutations.ads",
    "tasks.mutations.media",
    "tasks.mutations.creatives",
    "tasks.mutations.experiments",
    "tasks.sync.stats",
    "tasks.sync.backfill",
    "tasks.sync.detect",
    "tasks.connections",
    "tasks.reads",
    "tasks.mutations.journal",
)

# Task-name prefixes that read from Snap in bulk: they go to the `sync` queue, so an
# hour-long stats backfill never delays a pause waiting on `mutations`.
SYNC_PREFIXES = ("snap.stats.", "snap.detect.", "snap.sync.")

GATE_SOCKET_TIMEOUT_S = 2.0
SOFT_SHUTDOWN_S = 30.0
# Exponential from 10 ms, capped at 10 s between tries (Celery's defaults): about two
# minutes of a result backend that does not answer before a result is given up.
RESULT_STORE_RETRIES = 20

# Embedded mode: one in-process Redis stand-in (with Lua) shared by every gate of the process.
_EMBEDDED_SERVER: Any = None


def route_task(name: str, args: Any = None, kwargs: Any = None, options: Any = None,
               task: Any = None, **kw: Any) -> dict[str, str] | None:  # fmt: skip
    """Celery router: `snap.stats.*`, `snap.detect.*` and entity sync -> sync; other `snap.*`
    -> mutations; anything else -> the default queue (`mutations`)."""
    if name.startswith(SYNC_PREFIXES) or (name.startswith("snap.") and name.endswith(".sync")):
        return {"queue": SYNC_QUEUE}
    if name.startswith("snap."):
        return {"queue": MUTATIONS_QUEUE}
    return None


def longest_countdown_s(settings: Settings) -> float:
    """The longest countdown the fleet puts on a message: retry backoff, or a gate wait."""
    return max(settings.snapfleet_task_retry_backoff_max_s, settings.snapfleet_gate_window_s)


def check_visibility_timeout(settings: Settings) -> None:
    """Refuse a visibility timeout that would redeliver a task still waiting or running.

    Redis hides a fetched message for `visibility_timeout` seconds, then hands it to another
    worker, even if the first still holds it. A countdown (an ETA message) or an acks_late
    run longer than that therefore runs twice, maybe in a loop (docs/architecture.md, The journal).
    """
    needed_s = longest_countdown_s(settings) + settings.snapfleet_task_time_limit_s
    if needed_s >= settings.snapfleet_visibility_timeout_s:
        raise ValueError(
            "SNAPFLEET_VISIBILITY_TIMEOUT_S must exceed SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S + "
            f"SNAPFLEET_TASK_TIME_LIMIT_S ({needed_s:g}s); it is "
            f"{settings.snapfleet_visibility_timeout_s}s"
        )


def soft_time_limit_s(settings: Settings) -> int:
    """A soft limit a little under the hard one, so a task can record its outcome first."""
    hard_s = settings.snapfleet_task_time_limit_s
    return hard_s - min(30, hard_s // 5)


def present_task_modules(modules: tuple[str, ...] = TASK_MODULES) -> list[str]:
    """The listed task modules that exist; the missing ones are logged, not fatal."""
    present = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            present.append(name)
        else:
            logger.warning("worker: task module %s not found; its tasks are not registered", name)
    return present


def transport_urls(settings: Settings) -> dict[str, str]:
    """Broker and result backend: Redis for a fleet (or RabbitMQ as the broker, with
    SNAPFLEET_BROKER_URL), in-process for embedded mode."""
    if settings.embedded:
        return {"broker_url": "memory://", "result_backend": "cache+memory://"}
    assert settings.redis_url is not None and settings.broker_url is not None
    return {"broker_url": settings.broker_url, "result_backend": settings.redis_url}


def reliability_config(settings: Settings) -> dict[str, Any]:
    """Acks, prefetch, limits and visibility timeout (docs/architecture.md, The journal)."""
    visibility = {"visibility_timeout": settings.snapfleet_visibility_timeout_s}
    return {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,  # the journal, not redelivery, owns retries
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # A result stored while Redis restarts is retried, not dropped: found by the soak,
        # a task that succeeded during a 5 s outage left its runner waiting for good.
        "result_backend_always_retry": True,
        "result_backend_max_retries": RESULT_STORE_RETRIES,
        "task_time_limit": settings.snapfleet_task_time_limit_s,
        "task_soft_time_limit": soft_time_limit_s(settings),
        # Rule 7: the same value in all three places; the shortest among apps sharing the
        # broker wins, so set it everywhere the Redis transport reads it.
        "broker_transport_options": dict(visibility),
        "result_backend_transport_options": dict(visibility),
        "visibility_timeout": settings.snapfleet_visibility_timeout_s,
        "broker_connection_retry_on_startup": True,
        # Rule 9: on SIGTERM (remapped to SIGQUIT with REMAP_SIGTERM=SIGQUIT) running tasks
        # get this long to finish before the cold shutdown requeues them; it stays well
        # under docker-compose's 60 s stop_grace_period.
        "worker_soft_shutdown_timeout": SOFT_SHUTDOWN_S,
    }


def serialization_config() -> dict[str, Any]:
    """JSON only: a pickle message would let anyone who can write to the broker run code."""
    return {
        "accept_content": ["json"],
        "task_serializer": "json",
        "result_serializer": "json",
        "result_accept_content": ["json"],
        "event_serializer": "json",
    }


def queue_config(settings: Settings) -> dict[str, Any]:
    """Queues and routes. Runner events go to the runner's task on the runner's queue."""
    events_route = {settings.snapfleet_events_task: {"queue": settings.snapfleet_events_queue}}
    return {
        "task_queues": tuple(
            Queue(q, Exchange(q), routing_key=q) for q in (MUTATIONS_QUEUE, SYNC_QUEUE)
        ),
        "task_default_queue": MUTATIONS_QUEUE,
        "task_create_missing_queues": True,
        "task_routes": (events_route, route_task),
    }


def monitoring_config(settings: Settings) -> dict[str, Any]:
    """Events on so Flower sees every task from send to result; results kept a day."""
    return {
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "task_track_started": True,
        "result_expires": 24 * 3600,
    }


def beat_config(settings: Settings) -> dict[str, Any]:
    """redbeat (one beat at a time, lock in Redis) for a fleet; the file scheduler embedded.

    The schedule itself lives in the top-level `beat_schedule.py` (task names only).
    """
    from beat_schedule import schedule

    if settings.embedded:
        return {
            "beat_schedule": schedule(settings),
            "beat_schedule_filename": str(settings.home / "celerybeat-schedule"),
        }
    return {
        "beat_schedule": schedule(settings),
        # redbeat with a lock that cannot lapse and one send per due run (worker/beat.py).
        "beat_scheduler": "worker.beat.FleetScheduler",
        "beat_max_loop_interval": settings.snapfleet_beat_max_loop_interval_s,
        "redbeat_redis_url": settings.redis_url,
        # Its own options (else redbeat falls back to the broker's transport options):
        # short socket timeouts, and transient Redis errors retried for up to a minute.
        "redbeat_redis_options": {
            "socket_timeout": 5,
            "socket_connect_timeout": 5,
            "retry_period": 60,
        },
        "redbeat_lock_timeout": settings.snapfleet_beat_lock_timeout_s,
    }


def create_app(
    settings: Settings | None = None, *, main: str = "snapfleet", set_as_current: bool = False
) -> Celery:
    """Build the fleet's Celery app from settings; raises ValueError on unsafe timeouts.

    Only the module-level `app` is set as current, so a test's own app never captures
    tasks declared elsewhere.
    """
    settings = settings or get_settings()
    check_visibility_timeout(settings)
    celery = Celery(main, include=present_task_modules(), set_as_current=set_as_current)
    celery.conf.update(
        **transport_urls(settings),
        **reliability_config(settings),
        **serialization_config(),
        **queue_config(settings),
        **monitoring_config(settings),
        **beat_config(settings),
        enable_utc=True,
        timezone="UTC",
    )
    celery.snapfleet_settings = settings  # type: ignore[attr-defined]
    if settings.embedded:
        celery.steps["worker"].add(EmbeddedBeat)
    return celery


class EmbeddedBeat(bootsteps.StartStopStep):
    """Embedded mode: beat runs in a thread of the worker.

    `celery worker -B` forks beat into a child process, whose copy of the in-memory broker
    the worker never sees, so its messages would vanish. This step runs the same scheduler
    in a thread instead; it stays out when `-B` is given or when Redis is configured.
    """

    label = "embedded beat"

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        self.service: Any = None
        super().__init__(parent, **kwargs)

    def include_if(self, parent: Any) -> bool:
        settings = getattr(parent.app, "snapfleet_settings", None)
        return bool(settings is not None and settings.embedded and not parent.beat)

    def start(self, parent: Any) -> None:
        from celery.beat import EmbeddedService

        settings: Settings = parent.app.snapfleet_settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.service = EmbeddedService(parent.app, thread=True)
        self.service.start()

    def stop(self, parent: Any) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None


def gate_redis(celery: Celery) -> Any:
    """The gate store cached on the app: Redis for a fleet, a shared fakeredis embedded."""
    client = getattr(celery, "snapfleet_gate_redis", None)
    if client is None:
        client = _new_gate_redis(celery.snapfleet_settings)  # type: ignore[attr-defined]
        celery.snapfleet_gate_redis = client  # type: ignore[attr-defined]
    return client


def _new_gate_redis(settings: Settings) -> Any:
    global _EMBEDDED_SERVER
    if settings.embedded:
        import fakeredis

        if _EMBEDDED_SERVER is None:
            _EMBEDDED_SERVER = fakeredis.FakeServer()
        return fakeredis.FakeRedis(server=_EMBEDDED_SERVER)
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    # Short timeouts and one retry (redis-py's default is 10): a hung or lost Redis must fail
    # the gate closed within seconds, not hold a worker. A retried decision whose first try
    # did run only spends one extra slot: conservative, never over the limit.
    return redis.Redis.from_url(
        str(settings.redis_url),
        socket_timeout=GATE_SOCKET_TIMEOUT_S,
        socket_connect_timeout=GATE_SOCKET_TIMEOUT_S,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        health_check_interval=30,
    )


def per_window(rate_per_s: int, window_s: float) -> int:
    """A per-second rate as grants per gate window (0 stays 0: scope off)."""
    return 0 if rate_per_s == 0 else max(1, int(rate_per_s * window_s))


def token_gate(celery: Celery) -> TokenGate:
    """The fleet's gate, built from settings once and cached on the app."""
    gate = getattr(celery, "snapfleet_gate", None)
    if gate is None:
        settings: Settings = celery.snapfleet_settings  # type: ignore[attr-defined]
        window_s = settings.snapfleet_gate_window_s
        gate = TokenGate(
            gate_redis(celery),
            limit=per_window(settings.snapchat_ads_rate_limit_rps, window_s),
            window_s=window_s,
            app_limit=per_window(settings.snapchat_ads_app_rps, window_s) or None,
            token_limit=per_window(settings.snapchat_ads_token_rps, window_s) or None,
            sync_share=settings.snapfleet_sync_share,
            headroom=settings.snapfleet_gate_headroom,
        )
        celery.snapfleet_gate = gate  # type: ignore[attr-defined]
    return gate


app = create_app(set_as_current=True)
