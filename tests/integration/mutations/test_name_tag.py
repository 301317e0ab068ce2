"""SNAPFLEET_RECONCILE_NAME_TAG: created names carry the op id, and reconcile matches it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from worker.mutations.writes import idempotency_key

from .support import campaign_payload, listed, writes


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"ignore_idempotency_key": True}


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_reconcile_name_tag": True}


def test_a_tagged_create_whose_answer_was_lost_is_adopted_by_its_tag(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    path = f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns"
    fleet.sandbox.state.inject_fault("drop", times=1, method="POST", path=path)
    task_id = str(uuid.uuid4())
    result = fleet.call("snap.campaign.create", campaign_payload("Tagged"), task_id=task_id)
    assert result["status"] == "succeeded" and result["reconciled"] is True
    (campaign,) = listed(fleet, f"/adaccounts/{USD_AD_ACCOUNT_ID}/campaigns", "campaigns")
    assert campaign["name"] == f"Tagged #sf-{idempotency_key(task_id, 'create')}"
    assert len(writes(fleet, "POST")) == 1
