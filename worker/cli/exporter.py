"""`snapfleet exporter`: the fleet-level gauges, read from Redis and PostgreSQL at scrape time.

Each scrape asks the stores afresh (a prometheus-client custom collector), so a gauge is
never older than the scrape:

    snapfleet_queue_length{queue}                       messages waiting in each queue
    snapfleet_journal_keys{state}                       journal keys by state (every state,
                                                        0 included, so `unknown > 0` alerts)
    snapfleet_beat_last_tick_timestamp_seconds          when the active beat last ticked
    snapfleet_stats_last_success_timestamp_seconds{ad_account_id}  last successful stats pull
    snapfleet_connections_needing_reauth                connections a person must re-connect
    snapfleet_events_undelivered                        events not yet handed to the runner
    snapfleet_stats_rows_waiting_fx                     stats rows stored without a USD rate
    snapfleet_exporter_source_up{source}                1 when redis / postgres answered

A store that does not answer leaves its gauges out of that scrape and sets its
`snapfleet_exporter_source_up` to 0 (the scrape itself still succeeds). The storage
questions live in `storage.gauges`; Redis is read here (queue lengths, beat's tick).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage import gauges
from worker.settings import Settings

__all__ = ["FleetCollector", "serve"]

logger = logging.getLogger("snapfleet.exporter")

REDIS_TIMEOUT_S = 5.0


def queue_names(settings: Settings) -> list[str]:
    """The queues the fleet consumes, and the runner's events queue."""
    from worker.app import MUTATIONS_QUEUE, SYNC_QUEUE

    return [MUTATIONS_QUEUE, SYNC_QUEUE, settings.snapfleet_events_queue]


class FleetCollector(Collector):
    """Reads the fleet's state on every `collect()` (every scrape)."""

    def __init__(
        self,
        settings: Settings,
        session: Callable[[], AbstractContextManager[Any]],
        redis: Any,
        queue_length: Callable[[str], int] | None = None,
    ) -> None:
        self.settings = settings
        self.session = session
        self.redis = redis
        self.queue_length = queue_length or (lambda name: int(self.redis.llen(name)))

    def collect(self) -> Generator[Metric, None, None]:
        up = GaugeMetricFamily(
            "snapfleet_exporter_source_up",
            "1 when the store answered this scrape",
            labels=["source"],
        )
        redis_ok = yield from self._guarded("redis", self._redis_metrics)
        postgres_ok = yield from self._guarded("postgres", self._postgres_metrics)
        up.add_metric(["redis"], float(redis_ok))
        up.add_metric(["postgres"], float(postgres_ok))
        yield up

    def _guarded(
        self, source: str, read: Callable[[], list[Metric]]
    ) -> Generator[Metric, None, bool]:
        # Read everything first, then yield: a store failing half-way yields nothing partial.
        try:
            metrics = read()
        except Exception as exc:
            logger.warning("exporter: %s did not answer: %s", source, exc)
            return False
        yield from metrics
        return True

    def _redis_metrics(self) -> list[Metric]:
        queues = GaugeMetricFamily(
            "snapfleet_queue_length", "Messages waiting in the queue", labels=["queue"]
        )
        for name in queue_names(self.settings):
            queues.add_metric([name], float(self.queue_length(name)))
        metrics: list[Metric] = [queues]
        tick = beat_last_tick(self.redis)
        if tick is not None:
            metrics.append(
                GaugeMetricFamily(
                    "snapfleet_beat_last_tick_timestamp_seconds",
                    "When the active beat last ticked (Unix time)",
                    value=tick.timestamp(),
                )
            )
        return metrics

    def _postgres_metrics(self) -> list[Metric]:
        with self.session() as session:
            by_state = gauges.journal_keys_by_state(session)
            last_success = gauges.stats_last_success(session)
            reauth = gauges.connections_needing_reauth(session)
            undelivered = gauges.events_undelivered(session)
            waiting_fx = gauges.stats_rows_waiting_fx(session)
        journal = GaugeMetricFamily(
            "snapfleet_journal_keys", "Journal keys by state", labels=["state"]
        )
        for state, count in sorted(by_state.items()):
            journal.add_metric([state], float(count))
        stats = GaugeMetricFamily(
            "snapfleet_stats_last_success_timestamp_seconds",
            "When the ad account's stats were last pulled successfully (Unix time)",
            labels=["ad_account_id"],
        )
        for account, at in sorted(last_success.items()):
            stats.add_metric([account], at.timestamp())
        return [
            journal,
            stats,
            GaugeMetricFamily(
                "snapfleet_connections_needing_reauth",
                "Connections whose refresh was refused: run `snapfleet connect`",
                value=float(len(reauth)),
            ),
            GaugeMetricFamily(
                "snapfleet_events_undelivered",
                "State-change events not yet handed to the runner",
                value=float(undelivered),
            ),
            GaugeMetricFamily(
                "snapfleet_stats_rows_waiting_fx",
                "Stats rows stored without a USD rate (SNAPFLEET_FX_*)",
                value=float(waiting_fx),
            ),
        ]


def beat_last_tick(client: Any) -> datetime | None:
    """When the active beat last ticked, from the record it writes each tick (worker.beat)."""
    try:
        from worker.beat import BEAT_TICK_KEY
    except ImportError:  # a fleet whose beat records no tick: the gauge stays absent
        return None
    raw = client.get(BEAT_TICK_KEY)
    if not raw:
        return None
    try:
        at = json.loads(raw).get("at")
    except (ValueError, AttributeError):
        return None
    return datetime.fromtimestamp(float(at), UTC) if at is not None else None


def broker_queue_length(settings: Settings) -> Callable[[str], int] | None:
    """Queue lengths from SNAPFLEET_BROKER_URL when it is set: a RabbitMQ queue's message
    count (passive declare), a Redis list's length. None: the broker is REDIS_URL itself."""
    broker = getattr(settings, "snapfleet_broker_url", None)
    if not broker:
        return None
    if str(broker).startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            str(broker), socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        # A synchronous client: llen answers an int (redis-py types it for async too).
        return lambda name: int(client.llen(name))  # type: ignore[arg-type]
    from kombu import Connection

    def length(name: str) -> int:
        with Connection(str(broker), connect_timeout=REDIS_TIMEOUT_S) as conn:
            try:
                return int(conn.default_channel.queue_declare(name, passive=True).message_count)
            except conn.channel_errors:
                return 0  # not declared yet: nothing waits in it

    return length


def serve(settings: Settings, host: str, port: int, *, stop: threading.Event | None = None) -> None:
    """Serve /metrics until SIGTERM/SIGINT (or `stop` is set)."""
    import redis

    from storage.db import make_engine, session_factory

    if settings.redis_url is None or settings.database_url is None:
        raise ValueError("the exporter reads a fleet: set REDIS_URL and DATABASE_URL")
    sessions = session_factory(make_engine(settings.database))
    client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(
        FleetCollector(settings, sessions.begin, client, broker_queue_length(settings))
    )
    server, _thread = start_http_server(port, host, registry)
    logger.info("exporter: serving fleet gauges on http://%s:%s/metrics", host, port)
    stop = stop or threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    client.close()
