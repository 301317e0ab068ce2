"""`snapfleet sandbox` as a real server subprocess, over TCP."""

from __future__ import annotations

import httpx
import pytest

from tests.processes import listening_sandbox
from tests.unit.sandbox.conftest import USD, campaign


@pytest.fixture
def server():
    args = ["--host", "127.0.0.1", "--token", "tcp-token", "--seed", "empty"]
    with listening_sandbox([*args, "--rate-limit-rps", "1000"]) as (base, proc):
        yield base, proc


def test_serves_the_api_over_tcp(server):
    base, _ = server
    with httpx.Client(base_url=f"{base}/v1", headers={"Authorization": "Bearer tcp-token"}) as api:
        orgs = api.get("/me/organizations", params={"with_ad_accounts": "true"}).json()
        accounts = orgs["organizations"][0]["organization"]["ad_accounts"]
        assert USD in {a["id"] for a in accounts}
        created = api.post(f"/adaccounts/{USD}/campaigns", json={"campaigns": [campaign()]})
        assert created.status_code == 200
        assert api.get(f"/adaccounts/{USD}/campaigns", params={"limit": 50}).json()["paging"] == {}
        assert httpx.get(f"{base}/v1/me").status_code == 401


def test_drop_fault_closes_the_socket_without_an_answer(server):
    base, _ = server
    httpx.post(f"{base}/_sandbox/faults", json={"action": "drop", "method": "POST"})
    with httpx.Client(base_url=f"{base}/v1", headers={"Authorization": "Bearer tcp-token"}) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post(f"/adaccounts/{USD}/campaigns", json={"campaigns": [campaign()]})
        listed = api.get(f"/adaccounts/{USD}/campaigns").json()["campaigns"]
        assert len(listed) == 1  # committed before the drop


def test_banner_prints_the_seed_ids(server):
    _, proc = server
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    assert USD in out and "/v1" in out
