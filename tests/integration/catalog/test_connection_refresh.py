"""snap.connection.refresh and refresh_due: one worker at a time, tokens encrypted, 401 flagged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage import connections as connection_repo
from tasks.payloads import RESULT_EXAMPLES
from tests.fleet import Fleet
from worker.connections.tokens import REAUTH_MESSAGE, due_connection_ids
from worker.errors import AccountNotConnected

LIFETIME_S = 120


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"access_token_lifetime_s": LIFETIME_S}


def _stored(fleet: Fleet) -> dict[str, Any]:
    with fleet.runtime.session() as session:
        row = connection_repo.get(session, fleet.connected.connection_id)
        return {
            "state": row.state,
            "reason": row.reauth_reason,
            "access_ciphertext": row.access_token_ciphertext,
            "access": connection_repo.access_token(fleet.runtime.cipher, row),
            "refresh": connection_repo.refresh_token(fleet.runtime.cipher, row),
            "expires_at": row.access_token_expires_at,
            "locked_by": row.refresh_locked_by,
        }


def _oauth_requests(fleet: Fleet) -> int:
    return sum("access_token" in r["path"] for r in fleet.sandbox.state.requests())


def test_refresh_stores_a_new_access_token_encrypted(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    before = _stored(fleet)

    result = fleet.call("snap.connection.refresh", {"connection_id": str(before_id(fleet))})

    after = _stored(fleet)
    assert (result["status"], result["dry_run"]) == ("succeeded", False)
    assert set(result) == set(RESULT_EXAMPLES["snap.connection.refresh"])
    assert 0 < result["expires_in_s"] <= LIFETIME_S
    assert after["access"] != before["access"]
    assert after["access"] not in after["access_ciphertext"]
    assert after["expires_at"] >= before["expires_at"]
    assert after["locked_by"] is None
    # The new token is one the sandbox accepts; the result carries no token.
    now = fleet.sandbox.clock.now()
    assert fleet.sandbox.state.tokens.holder(after["access"], now) is not None
    assert after["access"] not in json.dumps(result)
    assert after["refresh"] not in json.dumps(result)


def before_id(fleet: Fleet) -> int:
    return fleet.connected.connection_id


def test_a_revoked_refresh_token_marks_the_connection_needs_reauth(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    fleet.sandbox.state.revoke_token(_stored(fleet)["refresh"])

    result = fleet.call("snap.connection.refresh", {"connection_id": str(before_id(fleet))})

    assert result["status"] == "failed"
    assert (result["code"], result["message"]) == ("unauthorized", REAUTH_MESSAGE)
    assert result["connection_state"] == "needs_reauth"
    stored = _stored(fleet)
    assert (stored["state"], stored["reason"]) == ("needs_reauth", REAUTH_MESSAGE)
    assert stored["access"] is None
    with pytest.raises(AccountNotConnected, match="needs_reauth"):
        fleet.runtime.token_provider(before_id(fleet))


def test_a_refresh_leased_by_another_worker_is_skipped_without_a_request(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    with fleet.runtime.session() as session:
        assert connection_repo.lock_refresh(
            session, before_id(fleet), worker_id="other-worker", lease_s=300
        )
    sent = _oauth_requests(fleet)

    result = fleet.call("snap.connection.refresh", {"connection_id": str(before_id(fleet))})

    assert result["status"] == "succeeded" and "skipped" in result
    assert _oauth_requests(fleet) == sent
    assert _stored(fleet)["locked_by"] == "other-worker"


def test_refresh_of_a_disconnected_or_unknown_connection_is_refused(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    with fleet.runtime.session() as session:
        connection_repo.disconnect(session, before_id(fleet))

    gone = fleet.call("snap.connection.refresh", {"connection_id": str(before_id(fleet))})
    unknown = fleet.call("snap.connection.refresh", {"connection_id": "987654321"})
    bad = fleet.call("snap.connection.refresh", {"connection_id": "three"})

    assert (gone["code"], unknown["code"]) == ("not_connected", "not_connected")
    assert "disconnected" in gone["message"]
    assert bad["code"] == "validation" and "connection_id" in bad["message"]


def test_refresh_due_enqueues_the_connections_expiring_within_the_margin(
    fleet_worker: Fleet,
) -> None:
    fleet = fleet_worker
    # The token lives LIFETIME_S: due within the default 600 s margin, not within 10 s.
    assert before_id(fleet) in due_connection_ids(fleet.runtime)
    assert before_id(fleet) not in due_connection_ids(fleet.runtime, margin_s=10)
    sent = _oauth_requests(fleet)

    result = fleet.call("snap.connection.refresh_due", {})

    assert result["status"] == "succeeded" and result["enqueued"] >= 1
    _wait_for(lambda: _oauth_requests(fleet) > sent)


def _wait_for(condition: Any, attempts: int = 200) -> None:
    """Readiness polling for the enqueued refresh (not a timing assertion)."""
    import time

    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the enqueued refresh never reached the token endpoint")


def test_a_rotated_refresh_token_replaces_the_stored_one(fleet: Fleet) -> None:
    import httpx

    from worker.connections.tokens import refresh_connection
    from worker.runtime import install_runtime

    forms: list[bytes] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        forms.append(request.read())
        return httpx.Response(
            200,
            json={"access_token": "rotated-access", "refresh_token": "rotated-refresh",
                  "expires_in": 1800, "token_type": "Bearer"},
        )  # fmt: skip

    old_refresh = _stored(fleet)["refresh"]
    fleet.runtime = install_runtime(
        fleet.app,
        transport=fleet.sandbox.transport,
        oauth_transport=httpx.MockTransport(token_endpoint),
    )

    done = refresh_connection(fleet.runtime, before_id(fleet), worker_id="test-worker")

    stored = _stored(fleet)
    assert (done.outcome, stored["access"], stored["refresh"]) == (
        "refreshed", "rotated-access", "rotated-refresh"
    )  # fmt: skip
    assert old_refresh.encode() in forms[0]  # the old refresh token was the one spent
    assert "rotated" not in repr(done) and "rotated" not in json.dumps(done.to_result())
