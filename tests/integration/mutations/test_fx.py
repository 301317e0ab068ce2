"""USD amounts become the account's micro-currency; the rate used is journaled."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from storage.models.mirrors import Campaign
from tests.fleet import EUR_AD_ACCOUNT_ID, Fleet

from .support import campaign_payload, journal_rows, writes


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_fx_rates": '{"EUR": "1.25"}'}


def test_a_eur_account_gets_eur_micro_and_the_rate_is_journaled(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    payload = campaign_payload(ad_account_id=EUR_AD_ACCOUNT_ID, daily_budget_usd="125")
    result = fleet.call("snap.campaign.create", payload, task_id=task_id)
    assert result["status"] == "succeeded", result
    (post,) = writes(fleet, "POST")
    assert post["body"]["campaigns"][0]["daily_budget_micro"] == 100_000_000  # 100 EUR
    (row,) = journal_rows(fleet, task_id)
    assert row.fx_rate == Decimal("1.25")
    # and the entity is mirrored in the same transaction as the journal's success
    with fleet.runtime.session() as session:
        mirrored = session.scalars(select(Campaign).where(Campaign.id == result["snap_id"])).one()
        assert mirrored.daily_budget_micro == 100_000_000


def test_a_missing_rate_fails_with_fx_unavailable_and_sends_nothing(
    fleet_worker: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = fleet_worker
    monkeypatch.setattr(fleet.runtime, "rate_to_usd", lambda currency, day=None: None)
    task_id = str(uuid.uuid4())
    payload = campaign_payload(ad_account_id=EUR_AD_ACCOUNT_ID)
    result = fleet.call("snap.campaign.create", payload, task_id=task_id)
    assert (result["status"], result["code"]) == ("failed", "fx_unavailable")
    assert "EUR" in result["message"]
    assert writes(fleet) == []
    assert [row.state for row in journal_rows(fleet, task_id)] == ["failed"]
