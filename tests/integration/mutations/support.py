"""Shared helpers of the mutation tests: payloads against the sandbox, journal reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from storage.models.journal import JournalEntry
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

START = "2030-01-01T00:00:00Z"
TARGETING = {"geos": [{"country_code": "us"}]}
CAMPAIGNS_PATH = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"
# Settings for tests that lose answers: an attempt gives up quickly, and a key left in
# flight is reconciled within the test (the lease still outlasts one attempt).
QUICK_ATTEMPTS: dict[str, Any] = {
    "snapfleet_client_max_elapsed_s": 0.5,
    "snapfleet_http_timeout_s": 1.0,
    "snapfleet_gate_max_inline_wait_s": 0.2,
    "snapfleet_journal_lease_s": 3.0,
}


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


def make_creative(fleet: Fleet, name: str = "Spring hero") -> str:
    """Upload a tiny media and bind it into a creative (the order an ad create needs)."""
    import io

    runtime = fleet.runtime
    account = runtime.account(USD_AD_ACCOUNT_ID)
    client = runtime.client(account.connection_id)
    with runtime.account_gate_scope(account):
        (media,) = client.create_media(
            USD_AD_ACCOUNT_ID,
            [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": f"{name}.png", "type": "IMAGE"}],
            idempotency_key=f"media-{name}",
        )
        client.upload_media(
            media.id, io.BytesIO(b"p" * 64), file_name=f"{name}.png", idempotency_key="up"
        )
        (creative,) = client.create_creatives(
            USD_AD_ACCOUNT_ID,
            [
                {
                    "ad_account_id": USD_AD_ACCOUNT_ID,
                    "name": name,
                    "type": "SNAP_AD",
                    "headline": "Spring",
                    "brand_name": "Badger",
                    "top_snap_media_id": media.id,
                }
            ],
            idempotency_key=f"creative-{name}",
        )
    return str(creative.id)


def make_campaign(fleet: Fleet, name: str = "Parent campaign") -> str:
    result = fleet.call("snap.campaign.create", campaign_payload(name))
    assert result["status"] == "succeeded", result
    return str(result["snap_id"])


def make_ad_squad(fleet: Fleet, campaign_id: str, name: str = "Parent squad") -> str:
    result = fleet.call("snap.adsquad.create", ad_squad_payload(campaign_id, name))
    assert result["status"] == "succeeded", result
    return str(result["snap_id"])


def failing_first(
    real: Callable[..., Any], error: Callable[[], BaseException], times: int = 1
) -> tuple[Callable[..., Any], list[BaseException]]:
    """A stand-in for `real` (a function or a method: it is patched as a plain function,
    so a method still gets its self): the first `times` calls raise `error()`, later ones
    call `real`. Returns it and the list of what it raised."""
    raised: list[BaseException] = []

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        if len(raised) < times:
            raised.append(error())
            raise raised[-1]
        return real(*args, **kwargs)

    return stand_in, raised
