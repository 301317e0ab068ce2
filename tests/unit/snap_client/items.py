"""Valid items of each kind, as the rules accept them."""

from __future__ import annotations

from typing import Any


def campaign(n: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "ad_account_id": "acct-1",
        "name": f"Campaign {n}",
        "start_time": "2026-12-01T00:00:00.000Z",
        "status": "PAUSED",
        **extra,
    }


def ad_squad(n: int = 0) -> dict[str, Any]:
    return {
        "campaign_id": "camp-1",
        "name": f"Squad {n}",
        "type": "SNAP_ADS",
        "targeting": {"geos": [{"country_code": "us"}]},
        "placement_v2": {"config": "AUTOMATIC"},
        "optimization_goal": "SWIPES",
        "bid_strategy": "AUTO_BID",
        "billing_event": "IMPRESSION",
        "daily_budget_micro": 20_000_000,
        "status": "PAUSED",
    }


def ad(n: int = 0) -> dict[str, Any]:
    return {
        "ad_squad_id": "sq-1",
        "creative_id": "cr-1",
        "name": f"Ad {n}",
        "status": "PAUSED",
        "type": "SNAP_AD",
    }


def creative(n: int = 0) -> dict[str, Any]:
    return {
        "ad_account_id": "acct-1",
        "name": f"Creative {n}",
        "type": "SNAP_AD",
        "headline": "Hello",
        "top_snap_media_id": "m-1",
        "brand_name": "Brand",
    }


def media(n: int = 0) -> dict[str, Any]:
    return {"ad_account_id": "acct-1", "name": f"Media {n}", "type": "VIDEO"}
