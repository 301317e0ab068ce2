"""The connect flow as tasks: authorize -> the user approves -> complete; disconnect.

Run in-process through the worker's path (`call_task`) against the sandbox: the state
is bound to the tenant, single use and expiring; the code is exchanged at most once per
task id, even when an earlier attempt's answer was lost; a refused token reads as the
guide's `Snapchat Ads /me returned 401`.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snap.sandbox import USD_AD_ACCOUNT_ID
from storage import journal
from tests.fleet import REDIRECT_URI, Fleet
from worker.connections.exchange import EXCHANGE_STEP
from worker.mutations.task import call_task
from worker.mutations.writes import idempotency_key, request_digest

pytestmark = pytest.mark.integration


def _call(fleet: Fleet, name: str, payload: dict[str, Any], task_id: str | None = None) -> Any:
    return call_task(fleet.app, name, payload, task_id=task_id)


def _approve(fleet: Fleet, url: str) -> dict[str, str]:
    """The user's browser: follow the authorization URL to Snap, read the redirect back."""
    # Not closed: closing a client closes its transport, the fleet's own sandbox link.
    browser = httpx.Client(transport=fleet.sandbox.transport)
    answer = browser.get(url)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith(REDIRECT_URI)
    return {"code": query["code"][0], "state": query["state"][0]}


def _code_exchanges(fleet: Fleet) -> int:
    return sum(
        1
        for entry in fleet.sandbox.state.log
        if entry.path.endswith("/access_token") and "authorization_code" in str(entry.body)
    )


def _authorize(fleet: Fleet, tenant: str, **extra: Any) -> dict[str, Any]:
    payload = {"tenant_id": tenant, "redirect_uri": REDIRECT_URI, **extra}
    result = _call(fleet, "snap.connection.authorize", payload)
    assert result["status"] == "succeeded", result
    return result


def test_authorize_then_complete_connects_the_tenant_and_captures_its_accounts(
    fleet: Fleet,
) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    # Given an authorization URL for the tenant, approved by the user
    authorized = _authorize(fleet, tenant)
    assert f"state={authorized['state']}" in authorized["authorization_url"]
    redirect = _approve(fleet, authorized["authorization_url"])
    assert redirect["state"] == authorized["state"]
    # When the dashboard completes the connection with the redirect's code and state
    done = _call(fleet, "snap.connection.complete", redirect)
    # Then the tenant is connected with its ad accounts, currency and time zone included
    assert done["status"] == "succeeded", done
    assert done["tenant_id"] == tenant
    accounts = {a["id"]: a for a in done["ad_accounts"]}
    assert accounts[USD_AD_ACCOUNT_ID]["currency"] == "USD"
    assert redirect["code"] not in str(done)
    # And listing the tenant's ad accounts answers them with their last sync
    listed = _call(fleet, "snap.adaccounts.list", {"tenant_id": tenant})
    assert listed["status"] == "succeeded", listed
    assert {a["id"] for a in listed["items"]} == set(accounts)
    assert all("last_synced_at" in a and a["timezone"] for a in listed["items"])
    orgs = _call(fleet, "snap.organizations.list", {"tenant_id": tenant, "fresh": True})
    assert orgs["status"] == "succeeded" and orgs["items"], orgs


def test_a_state_completes_one_connection_only(fleet: Fleet) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    redirect = _approve(fleet, _authorize(fleet, tenant)["authorization_url"])
    first = _call(fleet, "snap.connection.complete", redirect)
    assert first["status"] == "succeeded", first
    # When the same redirect is replayed under another task id
    again = _call(fleet, "snap.connection.complete", redirect)
    # Then it is refused by name, and the code was never sent a second time
    assert (again["status"], again["code"]) == ("failed", "invalid_state"), again
    assert again["errors"][0]["field"] == "state"
    assert "already used" in again["message"]
    assert _code_exchanges(fleet) == 2  # the fixture's own connect, and this one


def test_an_unknown_state_is_refused_before_any_exchange(fleet: Fleet) -> None:
    before = _code_exchanges(fleet)
    result = _call(fleet, "snap.connection.complete", {"code": "abc", "state": "forged"})
    assert (result["status"], result["code"]) == ("failed", "invalid_state")
    assert _code_exchanges(fleet) == before


def test_a_retried_complete_does_not_exchange_the_code_again(fleet: Fleet) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    redirect = _approve(fleet, _authorize(fleet, tenant)["authorization_url"])
    task_id = str(uuid.uuid4())
    first = _call(fleet, "snap.connection.complete", redirect, task_id=task_id)
    assert first["status"] == "succeeded", first
    before = _code_exchanges(fleet)
    # When the same task runs again (a redelivery keeps the task id)
    again = _call(fleet, "snap.connection.complete", redirect, task_id=task_id)
    # Then it answers the same connection from the journal, without another exchange
    assert again["status"] == "succeeded", again
    assert again["connection_id"] == first["connection_id"]
    assert _code_exchanges(fleet) == before
    # And the exchange's journal row can be re-driven without the code in it
    with fleet.runtime.session() as session:
        row = journal.get(session, idempotency_key(task_id, EXCHANGE_STEP))
        assert row is not None and row.payload == {"code": "[withheld]", "state": redirect["state"]}


def test_an_exchange_whose_answer_was_lost_is_never_sent_again(fleet: Fleet) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    redirect = _approve(fleet, _authorize(fleet, tenant)["authorization_url"])
    task_id = str(uuid.uuid4())
    # Given an earlier attempt of this task that claimed the exchange and died mid-request
    key = idempotency_key(task_id, EXCHANGE_STEP)
    with fleet.runtime.session() as session:
        journal.claim(
            session, key, task_id=task_id, task_name="snap.connection.complete",
            step=EXCHANGE_STEP, ad_account_id=None,
            request_digest=request_digest(
                "snap.connection.complete", EXCHANGE_STEP, [tenant, REDIRECT_URI]
            ),
            worker_id="dead-worker", lease_s=0.0,
        )  # fmt: skip
    before = _code_exchanges(fleet)
    # When the task runs again, as the completer re-drives it (the code withheld)
    replay = {"code": "[withheld]", "state": redirect["state"]}
    result = _call(fleet, "snap.connection.complete", replay, task_id=task_id)
    # Then it says the code may be spent, and sends nothing to the token endpoint
    assert (result["status"], result["code"]) == ("failed", "code_spent"), result
    assert _code_exchanges(fleet) == before
    with fleet.runtime.session() as session:
        assert journal.get(session, key).state == "failed"


def test_disconnect_removes_the_refresh_token_and_its_tasks_fail(fleet: Fleet) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    redirect = _approve(fleet, _authorize(fleet, tenant)["authorization_url"])
    done = _call(fleet, "snap.connection.complete", redirect)
    assert done["status"] == "succeeded"
    result = _call(fleet, "snap.connection.disconnect", {"tenant_id": tenant})
    assert result["status"] == "succeeded", result
    assert result["connection_state"] == "disconnected"
    listed = _call(fleet, "snap.adaccounts.list", {"tenant_id": tenant})
    assert (listed["status"], listed["code"]) == ("failed", "not_connected")


def test_a_bad_payload_names_its_field_and_is_journaled(fleet: Fleet) -> None:
    task_id = str(uuid.uuid4())
    result = _call(
        fleet,
        "snap.connection.authorize",
        {"tenant_id": "t", "redirect_uri": "not a url"},
        task_id=task_id,
    )
    assert (result["status"], result["code"]) == ("failed", "validation")
    assert result["errors"][0]["field"] == "redirect_uri"
    with fleet.runtime.session() as session:
        assert [e.state for e in journal.for_task(session, task_id)] == ["failed"]


def test_a_revoked_token_reads_as_the_guides_message(fleet: Fleet) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    redirect = _approve(fleet, _authorize(fleet, tenant)["authorization_url"])
    done = _call(fleet, "snap.connection.complete", redirect)
    assert done["status"] == "succeeded"
    state = fleet.sandbox.state
    refresh = [t for t in state.tokens.issued if t in state.tokens._refresh][-1]
    assert state.tokens.revoke(refresh)
    listed = _call(
        fleet,
        "snap.organizations.list",
        {"connection_id": str(done["connection_id"]), "fresh": True},
    )
    assert (listed["status"], listed["code"]) == ("failed", "unauthorized"), listed
    assert listed["message"] == "Snapchat Ads /me returned 401"


def test_a_connection_may_ask_for_a_backfill_at_connect(fleet_worker: Fleet) -> None:
    import time
    from datetime import date, timedelta

    from storage import backfills as backfill_repo
    from storage.errors import NotFound

    fleet = fleet_worker
    tenant = f"tenant-{uuid.uuid4().hex[:6]}"
    since = date.today() - timedelta(days=3)
    authorized = fleet.call(
        "snap.connection.authorize",
        {"tenant_id": tenant, "redirect_uri": REDIRECT_URI, "backfill_since": since.isoformat()},
    )
    redirect = _approve(fleet, authorized["authorization_url"])
    task_id = str(uuid.uuid4())
    done = fleet.call("snap.connection.complete", redirect, task_id=task_id)
    assert done["status"] == "succeeded", done
    asked = {b["ad_account_id"]: b["task_id"] for b in done["backfills"]}
    assert set(asked) == set(done["ad_account_ids"])
    # Each account's backfill runs on the sync queue, from the day asked for
    deadline = time.monotonic() + 60
    while True:
        with fleet.runtime.session() as session:
            states = {}
            for account, backfill_id in asked.items():
                try:
                    row = backfill_repo.for_task(session, backfill_id)
                    states[account] = (row.state, row.since)
                except NotFound:  # not started yet
                    states[account] = None
        if all(s is not None and s[0] != "running" for s in states.values()):
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.2)
    assert all(s == ("succeeded", since) for s in states.values()), states
