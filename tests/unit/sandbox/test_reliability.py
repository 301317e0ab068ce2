"""Idempotency-Key, rate limits, injected faults, the request log, and thread safety."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from snap.sandbox import Sandbox
from tests.unit.sandbox.conftest import START, TOKEN, USD, campaign, error, post


def names(api) -> list[str]:
    return [
        c["campaign"]["name"] for c in api.get(f"/adaccounts/{USD}/campaigns").json()["campaigns"]
    ]


def client(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.base_url,
        transport=sandbox.transport,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def test_replayed_write_returns_the_original_result_and_creates_nothing(api):
    headers = {"Idempotency-Key": "k-1"}
    first = post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(), headers=headers)
    second = post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(), headers=headers)
    assert second.status_code == first.status_code == 200
    assert second.json() == first.json()
    assert names(api) == ["Badger Tunneling Campaign"]


def test_same_key_with_another_body_is_409(api):
    post(
        api,
        f"/adaccounts/{USD}/campaigns",
        "campaigns",
        campaign(),
        headers={"Idempotency-Key": "k-2"},
    )
    other = post(
        api,
        f"/adaccounts/{USD}/campaigns",
        "campaigns",
        campaign(name="other"),
        headers={"Idempotency-Key": "k-2"},
    )
    assert "Idempotency-Key" in error(other, 409)["debug_message"]
    assert names(api) == ["Badger Tunneling Campaign"]


def test_ignore_idempotency_key_creates_duplicates_as_snap_does():
    with (
        Sandbox(token=TOKEN, start_time=START, ignore_idempotency_key=True) as sandbox,
        client(sandbox) as api,
    ):
        for _ in range(2):
            post(
                api,
                f"/adaccounts/{USD}/campaigns",
                "campaigns",
                campaign(),
                headers={"Idempotency-Key": "k"},
            )
        assert len(names(api)) == 2


def test_rate_limit_per_ad_account_answers_429_until_the_window_passes():
    with (
        Sandbox(token=TOKEN, start_time=START, rate_limit_rps=3) as sandbox,
        client(sandbox) as api,
    ):
        statuses = [api.get(f"/adaccounts/{USD}/campaigns").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert (
            "Retry-After" not in api.get(f"/adaccounts/{USD}/campaigns").headers
        )  # Snap documents none
        assert api.get("/me").status_code == 200  # another scope: no ad account in the path
        sandbox.clock.advance(1)
        assert api.get(f"/adaccounts/{USD}/campaigns").status_code == 200


def test_rate_limit_per_token_with_retry_after():
    with (
        Sandbox(token=TOKEN, start_time=START, token_rps=2, retry_after_s=1) as sandbox,
        client(sandbox) as api,
    ):
        assert [api.get("/me").status_code for _ in range(2)] == [200, 200]
        limited = api.get("/me")
        assert error(limited, 429)["error_code"] == "E1010"
        assert limited.headers["Retry-After"] == "1"


def test_rate_limit_per_app():
    with Sandbox(token=TOKEN, start_time=START, app_rps=1) as sandbox, client(sandbox) as api:
        assert [api.get("/me").status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_fault_answers_the_next_n_calls(sb, api, status):
    sb.state.inject_fault("status", status=status, times=2, method="POST", path="/v1/adaccounts")
    assert api.get(f"/adaccounts/{USD}/campaigns").status_code == 200  # GET does not match
    for _ in range(2):
        error(post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign()), status)
    assert post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign()).status_code == 200
    assert names(api) == ["Badger Tunneling Campaign"]  # faulted calls commit nothing


def test_drop_commits_the_write_and_then_raises_a_protocol_error(sb, api):
    sb.state.inject_fault("drop", method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        post(
            api,
            f"/adaccounts/{USD}/campaigns",
            "campaigns",
            campaign(),
            headers={"Idempotency-Key": "d"},
        )
    assert names(api) == ["Badger Tunneling Campaign"]
    replay = post(
        api,
        f"/adaccounts/{USD}/campaigns",
        "campaigns",
        campaign(),
        headers={"Idempotency-Key": "d"},
    )
    assert replay.status_code == 200 and names(api) == ["Badger Tunneling Campaign"]


def test_stall_commits_the_write_then_holds_the_answer(sb, api):
    sb.state.inject_fault("stall", method="POST", latency_ms=5000)
    answer: list[httpx.Response] = []
    sender = threading.Thread(
        target=lambda: answer.append(
            post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign())
        )
    )
    sender.start()
    for _ in range(400):  # the write is visible while its answer is still held
        if names(api) == ["Badger Tunneling Campaign"]:
            break
        threading.Event().wait(0.01)
    assert names(api) == ["Badger Tunneling Campaign"]
    assert not answer
    sender.join()
    assert answer[0].status_code == 200


def test_latency_fault(sb, api):
    sb.state.inject_fault("latency", latency_ms=1, times=1)
    assert api.get("/me").status_code == 200
    assert sb.state.faults.faults == []


def test_request_log_keeps_what_matters_and_never_the_token(sb, api):
    post(
        api,
        f"/adaccounts/{USD}/campaigns",
        "campaigns",
        campaign(),
        headers={"Idempotency-Key": "log-1"},
    )
    entry = sb.state.requests()[-1]
    assert entry["method"] == "POST" and entry["path"] == f"/v1/adaccounts/{USD}/campaigns"
    assert entry["headers"]["idempotency-key"] == "log-1" and entry["status"] == 200
    assert entry["body"]["campaigns"][0]["name"] == "Badger Tunneling Campaign"
    assert entry["timestamp"] == "2026-11-02T20:00:00.000Z"
    assert TOKEN not in repr(sb.state.requests()) and "authorization" not in entry["headers"]
    served = api.get("http://sandbox.invalid/_sandbox/requests")
    assert served.status_code == 200 and TOKEN not in served.text


def test_concurrent_calls_from_worker_threads(api):
    def create(n: int) -> int:
        return post(
            api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(name=f"c{n}")
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(create, range(40))) == {200}
    assert sorted(names(api)) == sorted(f"c{n}" for n in range(40))


def test_admin_endpoints(sb, api):
    base = "http://sandbox.invalid/_sandbox"
    assert (
        api.post(f"{base}/clock/advance", json={"seconds": 3600}).json()["now"]
        == "2026-11-02T21:00:00.000Z"
    )
    assert (
        api.post(f"{base}/faults", json={"action": "status", "status": 502, "times": 1}).status_code
        == 200
    )
    assert api.get("/me").status_code == 502
    assert api.post(f"{base}/adaccounts/{USD}/suspend").json()["status"] == "DISABLED"
    assert api.post(f"{base}/adaccounts/{USD}/reinstate").json()["status"] == "ACTIVE"
    assert api.get(f"{base}/ids").json()["usd_ad_account_id"] == USD
    assert api.post(f"{base}/clock/set", json={"time": "2026-11-03T00:00:00Z"}).status_code == 200
    assert api.get(f"{base}/clock").json()["now"] == "2026-11-03T00:00:00.000Z"
    assert api.post(f"{base}/clock/advance", json={}).status_code == 400


def test_unknown_endpoint_answers_the_documented_error_body(api):
    body = error(api.get("/nope/123"), 404)
    assert body["error_code"] == "E3003"
    error(api.patch(f"/adaccounts/{USD}/campaigns"), 405)


def test_admin_review_and_exhaust_over_http(sb, api):
    from tests.unit.sandbox.conftest import make_ad, make_campaign, make_creative, make_squad

    base = "http://sandbox.invalid/_sandbox"
    squad_id = make_squad(api, make_campaign(api))
    ad_id = make_ad(api, squad_id, make_creative(api))
    rejected = api.post(
        f"{base}/ads/{ad_id}/review", json={"review_status": "REJECTED", "reasons": ["r"]}
    )
    assert rejected.json()["review_status_reasons"] == ["r"]
    exhausted = api.post(f"{base}/caps/{squad_id}/exhaust", json={"cap": "daily"}).json()
    assert "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND" in exhausted["delivery_status"]
    assert api.post(f"{base}/caps/{squad_id}/exhaust", json={"cap": "lifetime"}).status_code == 400


def test_cli_refuses_an_unknown_seed():
    from typer.testing import CliRunner

    from worker.cli import app

    result = CliRunner().invoke(app, ["sandbox", "--seed", "nope"])
    assert result.exit_code == 2 and "seed" in result.output


def test_a_request_handed_over_as_the_transport_closes_fails_instead_of_waiting_forever():
    sandbox = Sandbox(token=TOKEN, start_time=START, app_rps=None, token_rps=None)
    transport = sandbox.transport
    # The private loop stops (the transport closing) before it runs the request.
    transport._loop.call_soon_threadsafe(transport._loop.stop)
    transport._thread.join(timeout=5)
    outcome: list[Exception] = []

    def send() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=sandbox.base_url, transport=transport, headers=headers) as c:
            try:
                c.get("/me")
            except httpx.ConnectError as exc:
                outcome.append(exc)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(timeout=15)
    assert not sender.is_alive(), "the request waited on a loop that will never run it"
    assert outcome and "closed before answering" in str(outcome[0])
