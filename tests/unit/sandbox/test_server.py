"""`snapfleet sandbox` as a real server subprocess, over TCP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.unit.sandbox.conftest import USD, campaign


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    exe = shutil.which("snapfleet", path=os.path.dirname(sys.executable)) or "snapfleet"
    proc = subprocess.Popen(
        [
            exe,
            "sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--token",
            "tcp-token",
            "--seed",
            "empty",
            "--rate-limit-rps",
            "1000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(proc, port)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_until_listening(proc: subprocess.Popen, port: int) -> None:
    """Readiness only (not a timing assertion): poll the port until it accepts."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"snapfleet sandbox exited: {proc.stdout.read()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("snapfleet sandbox did not start listening")


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
