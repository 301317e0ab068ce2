"""Snap's documented limits in the sandbox: 20 requests/s on average per app (client id),
10 per access token, 429 past them; every request counts, OAuth token requests and reads
included; the request log says which scope gave each 429, injected storms apart."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest

from snap.sandbox import Sandbox
from snap.sandbox import app as app_module
from snap.sandbox.ratelimit import RateLimits, Scope
from tests.unit.sandbox.conftest import START, TOKEN, USD, error


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticking():
    return FakeMonotonic()


def _sandbox(ticking: FakeMonotonic, **knobs) -> Sandbox:
    sandbox = Sandbox(start_time=START, **knobs)
    sandbox.state.limits = RateLimits(burst_s=sandbox.config.rate_burst_s, clock=ticking)
    return sandbox


def _api(sandbox: Sandbox, token: str = TOKEN) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.base_url,
        transport=sandbox.transport,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_documented_limits_are_on_by_default():
    with Sandbox() as sandbox:
        assert (sandbox.config.app_rps, sandbox.config.token_rps) == (20, 10)


def test_one_token_past_ten_a_second_gets_429_and_the_log_names_the_token_scope(ticking):
    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        statuses = [api.get(f"/adaccounts/{USD}/campaigns").status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
        limited = sandbox.state.requests()[-1]
        assert (limited["status"], limited["limited"]) == (429, "token")
        assert sandbox.state.rate_limited() == {"app": 0, "token": 1, "account": 0, "injected": 0}


def test_a_client_keeping_to_the_average_never_sees_429(ticking):
    # Ten requests a second, bunched at the start of each second, for five seconds.
    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        statuses = []
        for _second in range(5):
            statuses += [api.get("/me").status_code for _ in range(10)]
            ticking.now += 1.0
        assert set(statuses) == {200}
        assert sum(sandbox.state.rate_limited().values()) == 0


def test_the_app_scope_spans_tokens_and_counts_oauth_token_requests(ticking):
    with (
        _sandbox(ticking, client_id="cid", client_secret="secret", app_rps=3) as sandbox,
        httpx.Client(base_url="http://sandbox.invalid", transport=sandbox.transport) as http,
    ):
        codes = [sandbox.state.tokens.authorize("cid", "https://dash.example/cb") for _ in range(4)]
        form = {"grant_type": "authorization_code", "client_id": "cid", "client_secret": "secret",
                "redirect_uri": "https://dash.example/cb"}  # fmt: skip
        answers = [http.post("/login/oauth2/access_token", data={**form, "code": c}) for c in codes]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].json()["error"] == "rate_limited"
        ticking.now += 1.0
        first, second = (a.json()["access_token"] for a in answers[:2])
        with _api(sandbox, first) as one, _api(sandbox, second) as two:
            statuses = [one.get("/me").status_code, two.get("/me").status_code]
            assert [*statuses, one.get("/me").status_code] == [200, 200, 200]
            assert error(two.get("/me"), 429)["error_code"] == "E1010"
        oauth = [r for r in sandbox.state.requests() if r["path"].endswith("/access_token")]
        assert [r["limited"] for r in oauth] == [None, None, None, "app"]
        assert sandbox.state.rate_limited()["app"] == 2


def test_injected_429_storms_are_counted_apart(ticking):
    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        sandbox.state.inject_fault("status", status=429, times=3)
        assert [api.get("/me").status_code for _ in range(4)] == [429, 429, 429, 200]
        assert sandbox.state.rate_limited() == {"app": 0, "token": 0, "account": 0, "injected": 3}
        assert [r["limited"] for r in sandbox.state.requests()] == ["injected"] * 3 + [None]


def test_the_limits_switch_off(ticking):
    sandbox = _sandbox(ticking, token=TOKEN, app_rps=None, token_rps=None)
    with sandbox, _api(sandbox) as api:
        assert {api.get("/me").status_code for _ in range(60)} == {200}


def test_the_admin_request_log_reports_429s_per_scope(ticking):
    with _sandbox(ticking, token=TOKEN, token_rps=1) as sandbox, _api(sandbox) as api:
        api.get("/me"), api.get("/me")
        with httpx.Client(base_url="http://sandbox.invalid", transport=sandbox.transport) as admin:
            report = admin.get("/_sandbox/requests").json()
        assert report["rate_limited"]["token"] == 1
        assert [r["limited"] for r in report["requests"]] == [None, "token"]


def test_a_request_is_counted_when_it_arrives_not_when_injected_latency_lets_it_go(
    ticking, monkeypatch
):
    # Snap's limiter sits at the edge: a slow answer was counted when it came in. Counted
    # after the delay instead, it bunches with the client's later requests and a client
    # that kept to ten a second is refused.
    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        assert {api.get("/me").status_code for _ in range(9)} == {200}
        sandbox.state.inject_fault("latency", latency_ms=5, times=1)
        meanwhile: list[str | None] = []

        async def slow_backend(seconds: float) -> None:
            # Another request of the same token comes in while this one is held.
            scope = Scope("token", f"token:{TOKEN}", sandbox.config.token_rps)
            meanwhile.append(sandbox.state.limits.admit([scope], sandbox.state.now()))

        monkeypatch.setattr(app_module, "asyncio", SimpleNamespace(sleep=slow_backend))
        assert api.get("/me").status_code == 200
        assert meanwhile == ["token"]  # the tenth slot went to the request that came first
        assert [r["limited"] for r in sandbox.state.requests()] == [None] * 10


def test_a_request_past_the_limit_gets_429_whatever_fault_was_waiting_for_it(ticking):
    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        assert {api.get("/me").status_code for _ in range(10)} == {200}
        sandbox.state.inject_fault("status", status=503, times=1)
        assert api.get("/me").status_code == 429
        assert sandbox.state.requests()[-1]["limited"] == "token"
        assert sandbox.state.rate_limited()["token"] == 1


def test_the_request_log_keeps_the_wall_clock_arrival_beside_the_sandboxs_time(ticking):
    import time

    with _sandbox(ticking, token=TOKEN) as sandbox, _api(sandbox) as api:
        before = time.time()
        api.get("/me")
        after = time.time()
        (entry,) = sandbox.state.requests()
        assert before <= entry["received_at"] <= after
        assert entry["timestamp"] == "2026-11-02T20:00:00.000Z"  # the frozen sandbox clock
