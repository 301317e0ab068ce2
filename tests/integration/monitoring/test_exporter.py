"""The exporter's gauges follow the stores: each one moves by exactly what changed.

The database is shared with the rest of the session, so each check reads the gauges
before and after a change and compares the difference.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from storage import connections as connection_repo
from storage import events as event_repo
from storage import journal
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.app import gate_redis
from worker.cli.exporter import FleetCollector

pytestmark = pytest.mark.integration


def _scrape(fleet: Fleet, redis: Any = None) -> dict[tuple[str, tuple[str, ...]], float]:
    registry = CollectorRegistry(auto_describe=False)
    client = redis if redis is not None else gate_redis(fleet.app)
    registry.register(FleetCollector(fleet.runtime.settings, fleet.runtime.session, client))
    samples = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.values())))] = s.value
    return samples


def test_each_gauge_moves_by_what_changed_in_the_stores(fleet: Fleet) -> None:
    before = _scrape(fleet)
    now = datetime.now(UTC)
    with fleet.runtime.session() as session:
        # a connection refused at refresh, an event not yet delivered, a key left unknown
        connection_repo.mark_needs_reauth(session, fleet.connected.connection_id, "test: 401")
        event = event_repo.record(
            session, kind="ad_disapproved", entity_type="ad", entity_id=f"ad-{now.timestamp()}",
            ad_account_id=USD_AD_ACCOUNT_ID, before=None, after={"review_status": "REJECTED"},
            observed_at=now,
        )  # fmt: skip
        key = f"exporter-test-{now.timestamp()}"
        claim = journal.claim(
            session, key, task_id=key, task_name="snap.campaign.create", step="create",
            ad_account_id=USD_AD_ACCOUNT_ID, request_digest="d", worker_id="test",
        )  # fmt: skip
        journal.mark_unknown(session, key, claim.entry.attempt, {"code": "transport"})
    gate_redis(fleet.app).rpush("mutations", b"{}")
    try:
        after = _scrape(fleet)
    finally:
        gate_redis(fleet.app).lpop("mutations")
        # Leave nothing for the session's other tests to sweep up or deliver.
        with fleet.runtime.session() as session:
            again = journal.claim(
                session, key, task_id=key, task_name="snap.campaign.create", step="create",
                ad_account_id=USD_AD_ACCOUNT_ID, request_digest="d", worker_id="test",
            )  # fmt: skip
            journal.mark_succeeded(session, key, again.entry.attempt, ["exporter-test"])
            connection_repo.disconnect(session, fleet.connected.connection_id)
            if event is not None:
                event_repo.mark_delivered(session, event.id)

    def delta(name: str, *labels: str) -> float:
        return after.get((name, labels), 0.0) - before.get((name, labels), 0.0)

    assert delta("snapfleet_connections_needing_reauth") == 1
    assert delta("snapfleet_events_undelivered") == 1
    assert delta("snapfleet_journal_keys", "unknown") == 1
    assert delta("snapfleet_queue_length", "mutations") == 1
    assert after[("snapfleet_exporter_source_up", ("postgres",))] == 1
    assert after[("snapfleet_exporter_source_up", ("redis",))] == 1
    # every journal state is served, so `unknown > 0` is never hidden by a missing series
    states = {labels[0] for (name, labels) in after if name == "snapfleet_journal_keys"}
    assert {"pending", "in_flight", "succeeded", "failed", "unknown"} <= states


def test_a_store_that_does_not_answer_is_reported_not_fatal(fleet: Fleet) -> None:
    import redis

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    samples = _scrape(fleet, dead)
    assert samples[("snapfleet_exporter_source_up", ("redis",))] == 0
    assert samples[("snapfleet_exporter_source_up", ("postgres",))] == 1
    assert not [k for k in samples if k[0] == "snapfleet_queue_length"]
    assert [k for k in samples if k[0] == "snapfleet_journal_keys"]


def test_the_beat_gauge_is_the_time_of_beats_last_tick(fleet: Fleet) -> None:
    from worker.beat import BEAT_TICK_KEY

    client = gate_redis(fleet.app)
    client.set(BEAT_TICK_KEY, json.dumps({"name": "beat-test", "at": 1_790_000_000.5}))
    try:
        samples = _scrape(fleet)
    finally:
        client.delete(BEAT_TICK_KEY)
    assert samples[("snapfleet_beat_last_tick_timestamp_seconds", ())] == 1_790_000_000.5
    assert ("snapfleet_beat_last_tick_timestamp_seconds", ()) not in _scrape(fleet)


@pytest.mark.parametrize("scheme", ["amqp", "redis"])
def test_queue_lengths_come_from_the_broker_when_it_is_not_redis_url(
    scheme: str, redis_url: str | None
) -> None:
    import socket
    import uuid

    from kombu import Connection, Exchange, Queue

    from worker.cli.exporter import broker_queue_length
    from worker.settings import Settings

    if scheme == "amqp":
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", 5672)) != 0:
                pytest.skip("no RabbitMQ on 127.0.0.1:5672")
        broker = "amqp://guest:guest@127.0.0.1:5672//"
    elif redis_url is None:
        pytest.skip("needs the real Redis")
    else:
        broker = redis_url
    name = f"exporter-test-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name), routing_key=name, auto_delete=False)
    # Publisher confirms: each publish returns once the broker holds the message, so the
    # count below cannot run ahead of it (RabbitMQ once counted 1 of 2 without them).
    options = {"confirm_publish": True} if scheme == "amqp" else {}
    with Connection(broker, transport_options=options) as conn:
        producer = conn.Producer()
        for _ in range(2):
            producer.publish({"n": 1}, exchange=queue.exchange, routing_key=name,
                             declare=[queue], serializer="json")  # fmt: skip
        try:
            settings = Settings(redis_url=redis_url or "redis://127.0.0.1:6379/0",
                                snapfleet_broker_url=broker)  # fmt: skip
            length = broker_queue_length(settings)
            assert length is not None
            assert length(name) == 2
            assert length(f"{name}-never-declared") == 0
        finally:
            queue(conn.default_channel).delete()
