"""Every retry path, counted on the wire, with the headers of each attempt."""

from __future__ import annotations

import httpx
import pytest

from snap.errors import (
    BadRequest,
    ConnectError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    Unauthorized,
)

from . import items
from .wire import TOKEN, CountingTokens, Wire, entities, error, make_client

KEY = "key-123"
created = entities("campaigns", "campaign", [{"id": "c-1", "name": "Campaign 0"}])


def create(client):
    return client.create_campaigns("acct-1", [items.campaign()], idempotency_key=KEY)


def test_429_with_retry_after_waits_that_long_and_reuses_the_key():
    wire = Wire(error(429, "slow down", headers={"Retry-After": "2"}), created)
    client, sleeps = make_client(wire)
    (campaign,) = create(client)
    assert campaign.id == "c-1"
    assert len(wire.requests) == 2
    assert sleeps == [2.0]
    assert wire.header("Idempotency-Key") == [KEY, KEY]
    assert wire.header("Authorization") == [f"Bearer {TOKEN}"] * 2
    assert wire.bodies()[0] == wire.bodies()[1]


def test_429_without_retry_after_backs_off_exponentially():
    wire = Wire(error(429), error(429), error(429), created)
    client, sleeps = make_client(wire)
    create(client)
    assert len(wire.requests) == 4
    assert wire.header("Idempotency-Key") == [KEY] * 4
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0 and 1.0 <= sleeps[2] <= 2.0


def test_429_exhausted_raises_rate_limited_with_the_seed_message():
    wire = Wire(default=error(429, "Too many requests"))
    client, sleeps = make_client(wire, max_attempts=3)
    with pytest.raises(RateLimited) as caught:
        create(client)
    assert len(wire.requests) == 3 and len(sleeps) == 2
    assert caught.value.message == "Snapchat Ads create_campaign: 429 — Too many requests"
    assert (
        str(caught.value)
        == "Request req-429: Snapchat Ads create_campaign: 429 — Too many requests"
    )


def test_long_retry_after_is_not_waited_in_process():
    wire = Wire(error(429, headers={"Retry-After": "600"}), created)
    client, sleeps = make_client(wire, max_elapsed_s=60)
    with pytest.raises(RateLimited) as caught:
        create(client)
    assert caught.value.retry_after_s == 600.0
    assert len(wire.requests) == 1 and sleeps == []


def test_5xx_on_a_read_is_retried():
    wire = Wire(error(503), error(500), entities("campaigns", "campaign", [{"id": "c-1"}]))
    client, sleeps = make_client(wire)
    assert client.get_campaign("c-1").id == "c-1"
    assert len(wire.requests) == 3 and len(sleeps) == 2
    assert wire.header("Idempotency-Key") == [None] * 3


def test_5xx_on_an_update_is_retried_with_the_same_key():
    wire = Wire(error(502), created)
    client, _ = make_client(wire)
    item = {"id": "c-1", "name": "Campaign 0", "status": "ACTIVE"}
    client.update_campaigns("acct-1", [item], idempotency_key=KEY)
    assert [r.method for r in wire.requests] == ["PUT", "PUT"]
    assert wire.header("Idempotency-Key") == [KEY, KEY]


def test_5xx_on_a_create_is_not_resent():
    wire = Wire(error(500, "internal"), created)
    client, sleeps = make_client(wire)
    with pytest.raises(ServerError) as caught:
        create(client)
    assert len(wire.requests) == 1 and sleeps == []
    assert caught.value.http_status == 500


def test_connect_error_on_a_create_is_retried_with_the_same_key():
    wire = Wire(httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), created)
    client, sleeps = make_client(wire)
    create(client)
    assert len(wire.requests) == 3 and len(sleeps) == 2
    assert wire.header("Idempotency-Key") == [KEY] * 3


def test_connect_errors_exhausted_raise_connect_error():
    wire = Wire(default=httpx.ConnectError("refused"))
    client, _ = make_client(wire, max_attempts=2)
    with pytest.raises(ConnectError):
        client.get_campaign("c-1")
    assert len(wire.requests) == 2


@pytest.mark.parametrize(
    "lost", [httpx.ReadTimeout("t"), httpx.ReadError("reset"), httpx.RemoteProtocolError("closed")]
)
def test_lost_answer_on_a_create_is_outcome_unknown_and_not_resent(lost):
    wire = Wire(lost, created)
    client, sleeps = make_client(wire)
    with pytest.raises(OutcomeUnknown) as caught:
        create(client)
    assert len(wire.requests) == 1 and sleeps == []
    assert caught.value.operation == "create_campaign"


def test_connection_reset_on_an_update_is_retried():
    wire = Wire(httpx.ReadError("connection reset by peer"), created)
    client, _ = make_client(wire)
    item = {"id": "c-1", "name": "Campaign 0", "status": "ACTIVE"}
    client.update_campaigns("acct-1", [item], idempotency_key=KEY)
    assert len(wire.requests) == 2 and wire.header("Idempotency-Key") == [KEY, KEY]


def test_delete_answering_404_on_a_retry_means_done():
    wire = Wire(httpx.ReadTimeout("lost"), error(404, "Resource can not be found"))
    client, _ = make_client(wire)
    assert client.delete_campaign("c-1", idempotency_key=KEY) is None
    assert [r.method for r in wire.requests] == ["DELETE", "DELETE"]
    assert wire.header("Idempotency-Key") == [KEY, KEY]


def test_delete_answering_404_at_once_is_not_found():
    wire = Wire(error(404, "Resource can not be found"))
    client, _ = make_client(wire)
    with pytest.raises(NotFound):
        client.delete_campaign("c-1", idempotency_key=KEY)


def test_4xx_is_never_retried():
    wire = Wire(error(400, "bad name"), created)
    client, sleeps = make_client(wire)
    with pytest.raises(BadRequest):
        create(client)
    assert len(wire.requests) == 1 and sleeps == []


def test_401_then_success_refreshes_once_and_retries_once():
    tokens = CountingTokens()
    wire = Wire(error(401, "expired"), created)
    client, _ = make_client(wire, tokens)
    create(client)
    assert tokens.refreshes == 1
    assert wire.header("Authorization") == [f"Bearer {TOKEN}", f"Bearer {TOKEN}-1"]
    assert wire.header("Idempotency-Key") == [KEY, KEY]


def test_401_twice_raises_unauthorized_after_one_refresh():
    tokens = CountingTokens()
    wire = Wire(error(401), error(401), created)
    client, _ = make_client(wire, tokens)
    with pytest.raises(Unauthorized) as caught:
        client.me()
    assert tokens.refreshes == 1 and len(wire.requests) == 2
    assert caught.value.message == "Snapchat Ads /me returned 401"
    assert caught.value.http_status == 401


def test_refused_refresh_raises_unauthorized_without_a_second_request():
    tokens = CountingTokens(refresh_fails=True)
    wire = Wire(error(401), created)
    client, _ = make_client(wire, tokens)
    with pytest.raises(Unauthorized) as caught:
        client.me()
    assert len(wire.requests) == 1
    assert caught.value.message == "Snapchat Ads /me returned 401"


class FlakyRefresh(CountingTokens):
    """The token endpoint is down (5xx / unreachable) when the refresh after a 401 runs."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def refresh(self) -> str:
        self.refreshes += 1
        raise self.error


@pytest.mark.parametrize(
    "outage",
    [
        ServerError("Snapchat Ads oauth refresh_token: 503", http_status=503),
        ConnectError("Snapchat Ads oauth refresh_token: could not connect"),
    ],
)
def test_a_refresh_that_fails_transiently_is_not_a_refused_token(outage):
    # Only a refused grant means re-authorise; an outage of the token endpoint is
    # retryable, else the task base would mark the connection needs_reauth for good.
    tokens = FlakyRefresh(outage)
    wire = Wire(error(401), created)
    client, _ = make_client(wire, tokens)
    with pytest.raises(type(outage)) as caught:
        client.me()
    assert not isinstance(caught.value, Unauthorized)
    assert tokens.refreshes == 1 and len(wire.requests) == 1


def test_write_without_a_key_is_refused_before_sending():
    wire = Wire()
    client, _ = make_client(wire)
    with pytest.raises(BadRequest) as caught:
        client.create_campaigns("acct-1", [items.campaign()], idempotency_key="")
    assert caught.value.field == "idempotency_key" and wire.requests == []
