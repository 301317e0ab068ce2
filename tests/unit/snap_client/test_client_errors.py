"""Errors at the one boundary: class per status, Snap's words attached, str/repr pinned,
and no token anywhere."""

from __future__ import annotations

import httpx
import pytest

from snap.errors import (
    BadRequest,
    Conflict,
    ConnectError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    Unauthorized,
)

from . import items
from .wire import TOKEN, CountingTokens, Wire, error, make_client


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (405, BadRequest),
        (406, BadRequest),
        (409, Conflict),
        (410, NotFound),
        (418, BadRequest),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_every_documented_status_maps_to_its_class(status, cls):
    wire = Wire(default=error(status, "said"))
    client, _ = make_client(wire, max_attempts=1)
    with pytest.raises(cls) as caught:
        client.get_campaign("X")
    err = caught.value
    assert type(err) is cls
    assert (err.http_status, err.request_id, err.operation) == (
        status,
        f"req-{status}",
        "get_campaign",
    )
    assert (err.debug_message, err.display_message, err.error_code) == ("said", "Sorry", "E1000")


def test_rate_limited_str_and_repr_are_pinned():
    wire = Wire(default=error(429, "Too many requests"))
    client, _ = make_client(wire, max_attempts=1)
    with pytest.raises(RateLimited) as caught:
        client.create_campaigns("A", [items.campaign()], idempotency_key="k")
    assert (
        str(caught.value)
        == "Request req-429: Snapchat Ads create_campaign: 429 — Too many requests"
    )
    assert repr(caught.value) == (
        "RateLimited(message='Snapchat Ads create_campaign: 429 — Too many requests', "
        "http_status=429, request_id='req-429')"
    )
    assert caught.value.to_result() == {
        "status": "failed",
        "code": "rate_limited",
        "message": "Snapchat Ads create_campaign: 429 — Too many requests",
        "http_status": 429,
        "request_id": "req-429",
        "error_code": "E1000",
    }


def test_unauthorized_str_and_repr_are_pinned():
    wire = Wire(default=error(401))
    client, _ = make_client(wire)
    with pytest.raises(Unauthorized) as caught:
        client.me()
    assert caught.value.message == "Snapchat Ads /me returned 401"
    assert str(caught.value) == "Request req-401: Snapchat Ads /me returned 401"
    assert repr(caught.value) == (
        "Unauthorized(message='Snapchat Ads /me returned 401', "
        "http_status=401, request_id='req-401')"
    )


def test_error_without_a_json_body_uses_the_reason_phrase():
    wire = Wire(httpx.Response(404, text="<html>nope</html>"))
    client, _ = make_client(wire, max_attempts=1)
    with pytest.raises(NotFound) as caught:
        client.get_ad("X")
    assert str(caught.value) == "Snapchat Ads get_ad: 404 — Not Found"
    assert (
        repr(caught.value) == "NotFound(message='Snapchat Ads get_ad: 404 — Not Found', "
        "http_status=404, request_id=None)"
    )


def test_transport_errors_are_pinned():
    wire = Wire(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"))
    client, _ = make_client(wire, max_attempts=1)
    with pytest.raises(ConnectError) as connect:
        client.get_ad("X")
    with pytest.raises(OutcomeUnknown) as lost:
        client.create_ads("S", [items.ad()], idempotency_key="k")
    assert str(connect.value) == "Snapchat Ads get_ad: could not connect (ConnectError)"
    assert str(lost.value) == "Snapchat Ads create_ad: answer lost (ReadTimeout)"
    assert isinstance(connect.value.__cause__, httpx.ConnectError)  # raise ... from exc


ANSWERS = [
    error(400),
    error(401),
    error(403),
    error(404),
    error(429),
    error(500),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("lost"),
]


@pytest.mark.parametrize(
    "answer", ANSWERS, ids=lambda a: getattr(a, "status_code", type(a).__name__)
)
def test_no_token_in_any_error_or_repr(answer):
    tokens = CountingTokens()
    wire = Wire(default=answer)
    client, _ = make_client(wire, tokens, max_attempts=2)
    with pytest.raises(Exception) as caught:
        client.create_campaigns("A", [items.campaign()], idempotency_key="k")
    texts = [str(caught.value), repr(caught.value), str(caught.value.to_result()), repr(client)]
    cause = caught.value.__cause__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__
    for text in texts:
        assert TOKEN not in text and "Bearer" not in text
    assert wire.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"  # it was sent
