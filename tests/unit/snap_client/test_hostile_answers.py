"""Answers that are not Snap's envelope: MalformedAnswer naming the operation, never an
empty result, a success without an id, or a KeyError."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from snap.errors import BadRequest, MalformedAnswer, PartialFailure, ServerError

from . import items
from .wire import Wire, make_client

OK = {"request_status": "SUCCESS", "request_id": "req-1"}
CAMPAIGN = {"id": "c-1", "name": "Campaign 0", "status": "PAUSED"}

HOSTILE: dict[str, httpx.Response] = {
    "truncated JSON": httpx.Response(200, content=b'{"request_status": "SUCCESS", "campai'),
    "HTML with 200": httpx.Response(
        200, content=b"<html>502 Bad Gateway</html>", headers={"content-type": "text/html"}
    ),
    "empty body": httpx.Response(200),
    "a JSON list": httpx.Response(200, json=[{"id": "c-1"}]),
    "no request_status": httpx.Response(
        200, json={"campaigns": [{"sub_request_status": "SUCCESS", "campaign": CAMPAIGN}]}
    ),
    "another kind's key": httpx.Response(
        200, json={**OK, "adsquads": [{"sub_request_status": "SUCCESS", "adsquad": CAMPAIGN}]}
    ),
    "an item that is no object": httpx.Response(200, json={**OK, "campaigns": ["c-1"]}),
    "a success without the entity": httpx.Response(
        200, json={**OK, "campaigns": [{"sub_request_status": "SUCCESS"}]}
    ),
    "an entity without an id": httpx.Response(
        200,
        json={**OK, "campaigns": [{"sub_request_status": "SUCCESS", "campaign": {"name": "x"}}]},
    ),
}

CALLS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "create": (
        "create_campaign",
        lambda c: c.create_campaigns("acct-1", [items.campaign()], idempotency_key="k"),
    ),
    "list": ("list_campaigns", lambda c: c.list_campaigns("acct-1")),
    "get": ("get_campaign", lambda c: c.get_campaign("c-1")),
}


@pytest.mark.parametrize("answer", list(HOSTILE), ids=str)
@pytest.mark.parametrize("call", list(CALLS), ids=str)
def test_an_answer_that_is_not_the_envelope_is_malformed_naming_the_operation(
    call: str, answer: str
) -> None:
    operation, run = CALLS[call]
    client, _ = make_client(Wire(HOSTILE[answer]), max_attempts=1)
    with pytest.raises(MalformedAnswer) as caught:
        run(client)
    error = caught.value
    assert f"Snapchat Ads {operation}: 200 — malformed answer" in str(error)
    assert error.operation == operation and error.code == "malformed_answer"
    # A 5xx by kind: a create's outcome is unknown, a read may be tried again
    assert isinstance(error, ServerError) and error.retryable


def test_a_write_answered_with_fewer_items_than_sent_is_malformed() -> None:
    client, _ = make_client(Wire(httpx.Response(200, json={**OK, "campaigns": []})))
    with pytest.raises(MalformedAnswer, match="carries 0 campaigns for 1 sent"):
        client.create_campaigns("acct-1", [items.campaign()], idempotency_key="k")


def test_an_empty_list_is_still_an_empty_list() -> None:
    client, _ = make_client(Wire(httpx.Response(200, json={**OK, "campaigns": []})))
    assert client.list_campaigns("acct-1") == []


def test_an_item_error_inside_a_200_names_the_operation_and_snaps_reason() -> None:
    failed = {"sub_request_status": "ERROR", "sub_request_error_reason": "budget too low"}
    body = {**OK, "campaigns": [failed]}
    client, _ = make_client(Wire(httpx.Response(200, json=body)))
    with pytest.raises(PartialFailure) as caught:
        client.create_campaigns("acct-1", [items.campaign()], idempotency_key="k")
    assert str(caught.value).endswith(
        "create_campaign: 1 of 1 items failed — item 0: budget too low"
    )
    assert caught.value.succeeded == []
    client, _ = make_client(Wire(httpx.Response(200, json=body)))
    with pytest.raises(BadRequest, match="Snapchat Ads list_campaigns: budget too low"):
        client.list_campaigns("acct-1")


def test_an_upload_answer_without_its_result_is_malformed_not_a_key_error() -> None:
    client, _ = make_client(Wire(httpx.Response(200, json=OK)))
    with pytest.raises(
        MalformedAnswer, match="upload_media: 200 — malformed answer: the answer has no result"
    ):
        client.upload_media("m-1", io.BytesIO(b"png"), file_name="a.png", idempotency_key="k")
