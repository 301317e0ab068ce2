"""Shared helpers of the mutation tests: payloads against the sandbox, journal reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models.journal import JournalEntry
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

START = "2030-01-01T00:00:00Z"
TARGETING = {"geos": [{"country_code": "us"}]}


def campaign_payload(name: str = "Spring launch", **extra: Any) -> dict[str, Any]:
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "name": name,
        "start_time": START,
        "daily_budget_usd": "150",
        **extra,
    }


def ad_squad_payload(campaign_id: str, name: str = "US 18+", **extra: Any) -> dict[str, Any]:
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "campaign_id": campaign_id,
        "name": name,
        "targeting": TARGETING,
        "optimization_goal": "SWIPES",
        "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
        "bid_usd": "1.25",
        "daily_budget_usd": "50",
        **extra,
    }


def writes(fleet: Fleet, method: str | None = None) -> list[dict[str, Any]]:
    """The sandbox requests that change something (POST/PUT/DELETE), optionally one method."""
    wanted = {method} if method else {"POST", "PUT", "DELETE"}
    return [
        r
        for r in fleet.sandbox.state.requests()
        if r["method"] in wanted and "/oauth2/" not in r["path"]
    ]


def journal_rows(fleet: Fleet, task_id: str) -> list[JournalEntry]:
    with fleet.runtime.session() as session:
        rows = session.scalars(select(JournalEntry).where(JournalEntry.task_id == task_id))
        out = list(rows)
        session.expunge_all()
        return out


def listed(fleet: Fleet, path: str, key: str) -> list[dict[str, Any]]:
    """Entities as the sandbox lists them (through its own transport, ungated)."""
    import httpx

    token = fleet.runtime.token_provider(fleet.connected.connection_id).access_token()
    # Not a `with` block: closing this client would close the sandbox's shared transport.
    http = httpx.Client(transport=fleet.sandbox.transport)
    answer = http.get(
        f"{fleet.sandbox.base_url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    return [entry[key[:-1] if key != "media" else key] for entry in answer.json()[key]]
