"""Fixtures for the sandbox tests: an in-process sandbox on a fixed, frozen clock, a sync
httpx client over its transport, and helpers that send the seeds' curl bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from snap.sandbox import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Sandbox

START = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)  # 12:00 in Los Angeles, 21:00 in Paris
USD = USD_AD_ACCOUNT_ID
EUR = EUR_AD_ACCOUNT_ID
TOKEN = "sandbox-test-token"


@pytest.fixture
def sb():
    # Snap's per-app and per-token limits are off: these tests send requests back to back
    # in-process (test_snap_limits.py covers the limits).
    with Sandbox(
        token=TOKEN, start_time=START, review_delay_s=0, app_rps=None, token_rps=None
    ) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb):
    with httpx.Client(
        base_url=sb.base_url, transport=sb.transport, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


def campaign(account: str = USD, **over: Any) -> dict[str, Any]:
    """seed 002 "Create a Campaign" body."""
    body = {
        "name": "Badger Tunneling Campaign",
        "ad_account_id": account,
        "status": "ACTIVE",
        "start_time": "2026-11-01T00:00:00.000Z",
        "buy_model": "AUCTION",
        "objective_v2_properties": {"objective_v2_type": "AWARENESS_AND_ENGAGEMENT"},
    }
    return {**body, **over}


def ad_squad(campaign_id: str, **over: Any) -> dict[str, Any]:
    """seed 004 "Create an Ad Squad" body (Ad Squad Uno)."""
    body = {
        "campaign_id": campaign_id,
        "name": "Ad Squad Uno",
        "type": "SNAP_ADS",
        "status": "ACTIVE",
        "placement_v2": {"config": "AUTOMATIC"},
        "optimization_goal": "IMPRESSIONS",
        "bid_micro": 1000000,
        "daily_budget_micro": 1000000000,
        "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
        "billing_event": "IMPRESSION",
        "targeting": {"geos": [{"country_code": "us"}]},
        "start_time": "2026-11-01T00:00:00.000Z",
    }
    return {**body, **over}


def post(
    api: httpx.Client, path: str, kind: str, *items: dict[str, Any], **kw: Any
) -> httpx.Response:
    return api.post(path, json={kind: list(items)}, **kw)


def put(api: httpx.Client, path: str, kind: str, *items: dict[str, Any]) -> httpx.Response:
    return api.put(path, json={kind: list(items)})


def created(response: httpx.Response, kind: str, singular: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["request_status"] == "SUCCESS"
    return body[kind][0][singular]


def make_campaign(api: httpx.Client, account: str = USD, **over: Any) -> str:
    response = post(api, f"/adaccounts/{account}/campaigns", "campaigns", campaign(account, **over))
    return created(response, "campaigns", "campaign")["id"]


def make_squad(api: httpx.Client, campaign_id: str, **over: Any) -> str:
    response = post(
        api, f"/campaigns/{campaign_id}/adsquads", "adsquads", ad_squad(campaign_id, **over)
    )
    return created(response, "adsquads", "adsquad")["id"]


def make_media(api: httpx.Client, account: str = USD, *, upload: bool = True) -> str:
    item = {"name": "Video", "type": "VIDEO", "ad_account_id": account}
    media_id = created(post(api, f"/adaccounts/{account}/media", "media", item), "media", "media")[
        "id"
    ]
    if upload:
        response = api.post(f"/media/{media_id}/upload", files={"file": ("clip.mp4", b"\0" * 1024)})
        assert response.status_code == 200, response.text
    return media_id


def make_creative(
    api: httpx.Client, account: str = USD, media_id: str | None = None, **over: Any
) -> str:
    item = {
        "name": "Creative",
        "ad_account_id": account,
        "type": "SNAP_AD",
        "headline": "Try it",
        "brand_name": "Badger",
        "top_snap_media_id": media_id or make_media(api, account),
        **over,
    }
    response = post(api, f"/adaccounts/{account}/creatives", "creatives", item)
    return created(response, "creatives", "creative")["id"]


def make_ad(api: httpx.Client, squad_id: str, creative_id: str, **over: Any) -> str:
    """seed 001 "Create an Ad" body."""
    item = {
        "ad_squad_id": squad_id,
        "creative_id": creative_id,
        "name": "Ad One",
        "type": "SNAP_AD",
        "status": "ACTIVE",
        **over,
    }
    return created(post(api, f"/adsquads/{squad_id}/ads", "ads", item), "ads", "ad")["id"]


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The documented error body, checked, of a response expected to fail with `status`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["request_status"] == "ERROR"
    assert body["request_id"] and body["display_message"] and body["debug_message"]
    assert body["error_code"].startswith("E")
    return body
