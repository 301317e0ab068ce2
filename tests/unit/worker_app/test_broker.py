"""RabbitMQ as the broker: SNAPFLEET_BROKER_URL=amqp://...; Redis stays the gate, lock
store and result backend; embedded mode is untouched."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from worker.app import create_app
from worker.settings import Settings

pytestmark = pytest.mark.usefixtures("clean_settings")

REDIS = "redis://127.0.0.1:6379/7"  # never connected to by these tests
AMQP = "amqp://guest:guest@127.0.0.1:5672/snapfleet"


def test_an_amqp_broker_leaves_redis_the_result_backend_and_gate_store() -> None:
    app = create_app(Settings(redis_url=REDIS, snapfleet_broker_url=AMQP))
    assert app.conf.broker_url == AMQP
    assert app.conf.result_backend == REDIS
    assert app.conf.redbeat_redis_url == REDIS


def test_without_a_broker_url_redis_is_the_broker() -> None:
    app = create_app(Settings(redis_url=REDIS))
    assert app.conf.broker_url == REDIS


def test_embedded_mode_is_unchanged() -> None:
    assert create_app(Settings()).conf.broker_url == "memory://"


def test_a_broker_without_redis_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError, match="SNAPFLEET_BROKER_URL needs REDIS_URL"):
        Settings(snapfleet_broker_url=AMQP)


def test_a_broker_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="SNAPFLEET_BROKER_URL must be an amqp"):
        Settings(redis_url=REDIS, snapfleet_broker_url="sqs://queue")
