"""What a fresh sandbox holds: one organization with a USD and a EUR ad account, and in
the `demo` seed a few campaigns, ad squads, media, creatives and ads that have been
delivering for two weeks; the `fleet` seed adds ten more ad accounts in five currencies
(a fleet's worth, for soaks). Ids are fixed so operators and tests can rely on them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from snap.sandbox.envelope import iso
from snap.sandbox.store import EntityStore

ORGANIZATION_ID = "5f2b7c1e-0a3d-4e55-9b1f-0d2c3a4b5c6d"
USD_AD_ACCOUNT_ID = "8adc3db7-8148-4fbf-999c-8d2266369d74"
EUR_AD_ACCOUNT_ID = "ff869d1f-0923-4d28-8577-4c36291f0fca"
ME_ID = "2c9e1a6b-7d4f-4c1e-8a2b-3f4e5d6c7b8a"
DEMO_HISTORY = timedelta(days=14)

ACCOUNTS = (
    (USD_AD_ACCOUNT_ID, "Sandbox US", "USD", "America/Los_Angeles"),
    (EUR_AD_ACCOUNT_ID, "Sandbox FR", "EUR", "Europe/Paris"),
)


# The `fleet` seed's extra accounts: ids stable (uuid5 of the organization and a number).
FLEET_ACCOUNTS = tuple(
    (str(uuid.uuid5(uuid.UUID(ORGANIZATION_ID), f"fleet:{n}")), f"Sandbox {n:02d} {cur}", cur, tz)
    for n, (cur, tz) in enumerate(
        (
            ("USD", "America/New_York"),
            ("USD", "America/Chicago"),
            ("USD", "UTC"),
            ("EUR", "Europe/Berlin"),
            ("GBP", "Europe/London"),
            ("GBP", "Europe/London"),
            ("CAD", "America/Toronto"),
            ("AUD", "Australia/Sydney"),
            ("JPY", "Asia/Tokyo"),
            ("USD", "Pacific/Honolulu"),
        ),
        start=3,
    )
)


def seed_accounts(store: EntityStore, now: datetime, *, fleet: bool = False) -> None:
    """The organization and its two ad accounts (twelve with `fleet`)."""
    created = now - DEMO_HISTORY - timedelta(days=30)
    org = {
        "id": ORGANIZATION_ID,
        "name": "Sandbox Organization",
        "type": "ENTERPRISE",
        "country": "US",
        "created_at": iso(created),
        "updated_at": iso(created),
    }
    store.add("organizations", org, ad_account_id=None, now=created)
    for account_id, name, currency, tz in ACCOUNTS + (FLEET_ACCOUNTS if fleet else ()):
        account = {
            "id": account_id,
            "name": name,
            "type": "DIRECT",
            "status": "ACTIVE",
            "organization_id": ORGANIZATION_ID,
            "advertiser": "Sandbox Advertiser",
            "currency": currency,
            "timezone": tz,
            "billing_type": "REVOLVING",
            "funding_source_ids": [],
            "test": False,
            "created_at": iso(created),
            "updated_at": iso(created),
        }
        store.add("adaccounts", account, ad_account_id=account_id, now=created)


def demo_entities(now: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, ad account id, entity) of the demo seed, parents first."""
    start = now - DEMO_HISTORY
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for n, (account_id, _name, _currency, _tz) in enumerate(ACCOUNTS):
        rows += _demo_account(n, account_id, start)
    return rows


def _demo_account(
    n: int, account_id: str, start: datetime
) -> list[tuple[str, str, dict[str, Any]]]:
    campaign_id, media_id, creative_id = (_id(f"{k}{n}") for k in ("campaign", "media", "creative"))
    rows: list[tuple[str, str, dict[str, Any]]] = [
        (
            "campaigns",
            account_id,
            {
                "id": campaign_id,
                "name": f"Demo campaign {n + 1}",
                "ad_account_id": account_id,
                "status": "ACTIVE",
                "objective": "WEB_CONVERSION",
                "buy_model": "AUCTION",
                "start_time": iso(start),
            },
        ),
        (
            "media",
            account_id,
            {
                "id": media_id,
                "name": f"Demo video {n + 1}",
                "type": "VIDEO",
                "ad_account_id": account_id,
                "media_status": "READY",
                "file_name": "demo.mp4",
                "download_link": f"https://sandbox.invalid/media/{media_id}/demo.mp4",
            },
        ),
        (
            "creatives",
            account_id,
            {
                "id": creative_id,
                "name": f"Demo creative {n + 1}",
                "ad_account_id": account_id,
                "type": "SNAP_AD",
                "headline": "Try it today",
                "brand_name": "Sandbox",
                "shareable": True,
                "top_snap_media_id": media_id,
            },
        ),
    ]
    for s, budget in enumerate((50_000_000, 30_000_000)):
        squad_id = _id(f"adsquad{n}.{s}")
        rows.append(
            (
                "adsquads",
                account_id,
                {
                    "id": squad_id,
                    "name": f"Demo ad squad {n + 1}.{s + 1}",
                    "campaign_id": campaign_id,
                    "status": "ACTIVE",
                    "type": "SNAP_ADS",
                    "placement_v2": {"config": "AUTOMATIC"},
                    "optimization_goal": "SWIPES",
                    "bid_strategy": "AUTO_BID",
                    "billing_event": "IMPRESSION",
                    "daily_budget_micro": budget,
                    "targeting": {"geos": [{"country_code": "us"}]},
                    "start_time": iso(start),
                },
            )
        )
        rows.append(
            (
                "ads",
                account_id,
                {
                    "id": _id(f"ad{n}.{s}"),
                    "name": f"Demo ad {n + 1}.{s + 1}",
                    "ad_squad_id": squad_id,
                    "creative_id": creative_id,
                    "type": "SNAP_AD",
                    "status": "ACTIVE",
                },
            )
        )
    return rows


def _id(name: str) -> str:
    """A stable UUID for a demo entity."""
    return str(uuid.uuid5(uuid.UUID(ORGANIZATION_ID), f"demo:{name}"))
