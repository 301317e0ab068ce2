"""The routing table: bulk reads on `sync`, everything that changes Snap on `mutations`."""

from __future__ import annotations

import pytest

from worker.app import create_app
from worker.settings import Settings

pytestmark = pytest.mark.usefixtures("clean_settings")


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("snap.stats.pull", "sync"),
        ("snap.stats.pull_all", "sync"),
        ("snap.detect.run", "sync"),
        ("snap.sync.account", "sync"),
        ("snap.campaign.sync", "sync"),
        ("snap.campaign.create", "mutations"),
        ("snap.campaign.pause", "mutations"),
        ("snap.adsquad.update", "mutations"),
        ("snap.ad.delete", "mutations"),
        ("snap.media.upload", "mutations"),
        ("snap.creative.create", "mutations"),
        ("snap.experiment.launch", "mutations"),
        ("snap.experiment.set_variant_status", "mutations"),
        ("snap.connection.refresh", "mutations"),
        ("snap.statsbook.x", "mutations"),  # a prefix match needs the dot
        ("celery.chord_unlock", "mutations"),  # the default queue
        ("growth.snap_event", "growth"),  # runner events go to the runner's queue
    ],
)
def test_route(task_name: str, queue: str) -> None:
    # The router the app actually uses, not the function alone.
    route = create_app(Settings()).amqp.router.route({}, task_name)
    assert route["queue"].name == queue
    assert route["queue"].routing_key == queue


def test_events_route_follows_settings() -> None:
    settings = Settings(snapfleet_events_task="runner.event", snapfleet_events_queue="runner-q")
    route = create_app(settings).amqp.router.route({}, "runner.event")
    assert route["queue"].name == "runner-q"


def test_declared_queues_are_mutations_and_sync() -> None:
    app = create_app(Settings())
    assert {q.name for q in app.conf.task_queues} == {"mutations", "sync"}
    assert app.conf.task_default_queue == "mutations"
