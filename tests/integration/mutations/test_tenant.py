"""A payload naming its tenant_id may only touch that tenant's ad accounts.

The fleet's tenant connected both sandbox accounts; a second tenant then connects and
takes them over. A payload naming the first tenant is refused before any request.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fleet import CLIENT_ID, REDIRECT_URI, USD_AD_ACCOUNT_ID, Fleet
from worker.connections.capture import connect_code
from worker.mutations.task import call_task

from .support import campaign_payload, journal_rows


def sent(fleet: Fleet) -> list[dict[str, Any]]:
    """Requests that reached the sandbox's API (the token endpoint aside)."""
    return [r for r in fleet.sandbox.state.requests() if "/oauth2/" not in r["path"]]


@pytest.fixture
def two_tenants(fleet: Fleet) -> tuple[Fleet, str, str]:
    from storage import connections as connection_repo

    with fleet.runtime.session() as session:
        first = connection_repo.get(session, fleet.connected.connection_id).tenant_id
    code = fleet.sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
    second = f"tenant-{uuid.uuid4().hex[:8]}"
    connect_code(fleet.runtime, tenant_id=second, code=code, redirect_uri=REDIRECT_URI)
    return fleet, first, second


CASES = {
    "snap.campaign.create": campaign_payload("Not yours"),
    "snap.campaign.list": {"ad_account_id": USD_AD_ACCOUNT_ID},
    "snap.stats.pull": {"ad_account_id": USD_AD_ACCOUNT_ID},
}


@pytest.mark.parametrize("task", list(CASES))
def test_an_ad_account_of_another_tenant_is_refused_before_any_request(
    two_tenants: tuple[Fleet, str, str], task: str
) -> None:
    fleet, first, _ = two_tenants
    before = len(sent(fleet))
    task_id = str(uuid.uuid4())
    result = call_task(fleet.app, task, {**CASES[task], "tenant_id": first}, task_id=task_id)
    assert result["status"] == "failed" and result["code"] == "validation", result
    assert result["errors"] == [
        {
            "field": "ad_account_id",
            "message": f"ad account {USD_AD_ACCOUNT_ID} is not an account of tenant {first}",
        }
    ]
    assert len(sent(fleet)) == before  # nothing reached Snap
    if task == "snap.campaign.create":
        (row,) = journal_rows(fleet, task_id)
        assert row.state == "failed" and row.error["code"] == "validation"


def test_the_owning_tenant_and_no_tenant_both_pass(two_tenants: tuple[Fleet, str, str]) -> None:
    fleet, _, second = two_tenants
    mine = call_task(fleet.app, "snap.campaign.create", campaign_payload("Mine", tenant_id=second))
    assert mine["status"] == "succeeded", mine
    anyone = call_task(fleet.app, "snap.campaign.create", campaign_payload("Untagged"))
    assert anyone["status"] == "succeeded", anyone


def test_a_tenant_id_must_be_a_plain_token() -> None:
    from pydantic import ValidationError

    from tasks.payloads import CampaignCreate

    for bad in ("", "two words", "x" * 129):
        with pytest.raises(ValidationError) as caught:
            CampaignCreate.model_validate(campaign_payload(tenant_id=bad))
        assert [e["loc"] for e in caught.value.errors()] == [("tenant_id",)]


def test_a_refusal_re_driven_with_its_journaled_payload_meets_its_own_journal_row(
    two_tenants: tuple[Fleet, str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from tasks.payloads import CampaignCreate
    from worker.mutations.task import request_of

    fleet, first, _ = two_tenants
    raw = {**campaign_payload("Not yours"), "tenant_id": first}
    task_id = str(uuid.uuid4())
    refused = call_task(fleet.app, "snap.campaign.create", raw, task_id=task_id)
    # The completer re-sends a task with the payload as journaled (validated, defaults in).
    journaled = request_of(CampaignCreate.model_validate(raw))
    assert journaled != raw
    again = call_task(fleet.app, "snap.campaign.create", journaled, task_id=task_id)
    assert again == refused
    assert "not journaled" not in caplog.text
    (row,) = journal_rows(fleet, task_id)
    assert row.state == "failed" and row.attempt == 1
