"""Hostile answers from Snap, through a task: a clear error naming the operation, never a
crash or a false success.

The sandbox handles each request; a wrapper replaces the answer of the next matching one
with what a broken proxy or a bad day at Snap sends: truncated JSON, an HTML page with
200, a wrong envelope, an item without an id, an item `sub_request_status: ERROR`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import worker.mutations.task
from snap.sandbox import USD_AD_ACCOUNT_ID, Sandbox
from tests.fleet import CLIENT_ID, REDIRECT_URI, Fleet
from worker.connections.capture import connect_code
from worker.mutations.task import call_task
from worker.settings import Settings

from .support import campaign_payload, journal_rows, listed

CAMPAIGNS = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"


@dataclass
class Swap:
    """Replace the answer of the next `method path` request (after the sandbox ran it)."""

    method: str
    path: str
    answer: Callable[[httpx.Response], httpx.Response]
    forward: bool = True  # let the sandbox handle it first (a create then commits)


class Hostile(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.swaps: list[Swap] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for swap in self.swaps:
            if request.method == swap.method and request.url.path == swap.path:
                self.swaps.remove(swap)
                real = self.inner.handle_request(request) if swap.forward else None
                if real is not None:
                    real.read()
                return swap.answer(real)  # type: ignore[arg-type]
        return self.inner.handle_request(request)


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"ignore_idempotency_key": True}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    # No second look before a resend: a listing misread as empty would be re-sent at once.
    return {
        "snapfleet_client_max_attempts": 1,
        "snapfleet_task_max_retries": 3,
        "snapfleet_reconcile_recheck_s": 0,
    }


@pytest.fixture
def hostile(
    fleet_settings: Settings, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Fleet, Hostile]]:
    from worker.app import create_app
    from worker.runtime import install_runtime

    monkeypatch.setattr(worker.mutations.task, "eager_sleep", lambda seconds: None)
    wire = Hostile(sandbox.transport)
    app = create_app(fleet_settings)
    runtime = install_runtime(app, transport=wire, oauth_transport=sandbox.transport)
    code = sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    connected = connect_code(runtime, tenant_id=tenant, code=code, redirect_uri=REDIRECT_URI)
    yield Fleet(app, runtime, sandbox, connected), wire
    runtime.close()


def call(fleet: Fleet, name: str, payload: dict[str, Any], task_id: str) -> dict[str, Any]:
    return call_task(fleet.app, name, payload, task_id=task_id)


def campaigns(fleet: Fleet) -> list[dict[str, Any]]:
    return listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")


def posts(fleet: Fleet) -> int:
    return sum(
        1
        for r in fleet.sandbox.state.requests()
        if r["method"] == "POST" and r["path"] == CAMPAIGNS
    )


def _truncated(real: httpx.Response) -> httpx.Response:
    return httpx.Response(200, content=real.content[: len(real.content) // 2])


def _html(real: httpx.Response) -> httpx.Response:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return httpx.Response(200, content=page, headers={"content-type": "text/html"})


def _wrong_envelope(real: httpx.Response) -> httpx.Response:
    body = real.json()
    return httpx.Response(200, json={"request_status": "SUCCESS", "adsquads": body["campaigns"]})


def _no_id(real: httpx.Response) -> httpx.Response:
    body = real.json()
    for wrapper in body["campaigns"]:
        wrapper["campaign"].pop("id")
    return httpx.Response(200, json=body)


def _no_items(real: httpx.Response) -> httpx.Response:
    return httpx.Response(200, json={**real.json(), "campaigns": []})


@pytest.mark.parametrize(
    "answer", [_truncated, _html, _wrong_envelope, _no_id, _no_items], ids=lambda f: f.__name__
)
def test_a_create_answered_with_garbage_is_found_not_taken_for_success_or_a_crash(
    hostile: tuple[Fleet, Hostile], answer: Callable[[httpx.Response], httpx.Response]
) -> None:
    fleet, wire = hostile
    # Given Snap made the campaign but its answer is garbage
    wire.swaps.append(Swap("POST", CAMPAIGNS, answer))
    task_id = str(uuid.uuid4())
    result = call(fleet, "snap.campaign.create", campaign_payload("Garbled"), task_id)
    # Then the task did not believe it: it looked, found the campaign, adopted it
    (made,) = campaigns(fleet)
    assert result["status"] == "succeeded" and result.get("reconciled") is True, result
    assert result["snap_id"] == made["id"] and posts(fleet) == 1
    rows = journal_rows(fleet, task_id)
    (first,) = [r for r in rows if r.step == "create"]
    assert first.state == "succeeded" and first.snap_ids == [made["id"]]


def test_a_reconcile_listing_with_a_wrong_envelope_is_not_read_as_nothing_there(
    hostile: tuple[Fleet, Hostile],
) -> None:
    fleet, wire = hostile

    def lost(real: httpx.Response) -> httpx.Response:
        raise httpx.ReadError("connection reset after the create was sent")

    # Given the create's answer is lost and the first listing answers a wrong envelope
    wire.swaps.append(Swap("POST", CAMPAIGNS, lost))
    wire.swaps.append(Swap("GET", CAMPAIGNS, _wrong_envelope))
    result = call(
        fleet, "snap.campaign.create", campaign_payload("Listed badly"), str(uuid.uuid4())
    )
    # Then nothing was sent again on the strength of an unreadable list
    assert result["status"] == "succeeded" and result.get("reconciled") is True, result
    assert posts(fleet) == 1 and len(campaigns(fleet)) == 1


def test_an_item_error_inside_a_200_is_a_rejection_naming_the_operation(
    hostile: tuple[Fleet, Hostile],
) -> None:
    fleet, wire = hostile

    def item_error(real: httpx.Response) -> httpx.Response:
        body = {
            "request_status": "SUCCESS",
            "request_id": "req-item",
            "campaigns": [
                {"sub_request_status": "ERROR", "sub_request_error_reason": "budget too low"}
            ],
        }
        return httpx.Response(200, json=body)

    wire.swaps.append(Swap("POST", CAMPAIGNS, item_error, forward=False))
    task_id = str(uuid.uuid4())
    result = call(fleet, "snap.campaign.create", campaign_payload("Refused"), task_id)
    assert result["status"] == "failed" and result["code"] == "rejected", result
    assert "Snapchat Ads create_campaign" in result["message"]
    assert "budget too low" in result["message"]
    assert "snap_id" not in result and campaigns(fleet) == []
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "failed"


def test_a_read_that_keeps_answering_html_fails_naming_the_operation(
    hostile: tuple[Fleet, Hostile],
) -> None:
    fleet, wire = hostile
    made = call(fleet, "snap.campaign.create", campaign_payload("To pause"), str(uuid.uuid4()))
    path = f"/v1/campaigns/{made['snap_id']}"
    wire.swaps.extend(Swap("GET", path, _html, forward=False) for _ in range(4))
    payload = {"ad_account_id": USD_AD_ACCOUNT_ID, "campaign_id": made["snap_id"]}
    result = call(fleet, "snap.campaign.pause", payload, str(uuid.uuid4()))
    assert result["status"] == "failed" and result["code"] == "malformed_answer", result
    assert result["message"].startswith("Snapchat Ads get_campaign: 200 — malformed answer")
    puts = [r for r in fleet.sandbox.state.requests() if r["method"] == "PUT"]
    assert puts == []  # nothing written on the strength of an unreadable read
