"""Detection in embedded mode (SQLite under SNAPFLEET_HOME), where the database has one writer.

Every SQLite transaction of the fleet begins with BEGIN IMMEDIATE, so a detection that
kept its transaction open while it read Snap held the one write lock while the client
looked up (or refreshed) its access token in a transaction of its own: the lookup waited
the whole busy timeout behind its own task and the run ended "database is locked".
These run the README's walkthrough as processes (`snapfleet sandbox`, `connect`, `call`),
then the in-process path on a SQLite file with a fresh client, and check that detections
of one account still take turns there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from snap.sandbox import USD_AD_ACCOUNT_ID
from storage.models.events import Event
from tests.fleet import CLIENT_ID, CLIENT_SECRET, ENCRYPTION_KEY, REDIRECT_URI, Fleet
from tests.processes import listening_sandbox

EXE = shutil.which("snapfleet", path=os.path.dirname(sys.executable)) or "snapfleet"
# A hang guard for each command, not a timing assertion: a run that waited out SQLite's
# 30 s busy timeout still answers (with the error) well inside it.
COMMAND_TIMEOUT_S = 180


@pytest.fixture
def sandbox_server() -> Iterator[str]:
    args = ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    with listening_sandbox(args) as (base, _):
        yield base


@pytest.fixture
def embedded_env(sandbox_server: str, tmp_path: Path) -> dict[str, str]:
    """The walkthrough's environment: no REDIS_URL / DATABASE_URL, SQLite under a new home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SNAPCHAT_ADS_", "SNAPFLEET_", "CELERY"))
        and k not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        SNAPFLEET_HOME=str(tmp_path / "home"),
        SNAPFLEET_FX_URL="off",
        SNAPFLEET_FX_RATES='{"EUR": "1.08"}',
        SNAPFLEET_ENCRYPTION_KEY=ENCRYPTION_KEY,
        SNAPCHAT_ADS_API_BASE_URL=f"{sandbox_server}/v1",
        SNAPCHAT_ADS_OAUTH_URL=f"{sandbox_server}/login/oauth2",
        SNAPCHAT_ADS_CLIENT_ID=CLIENT_ID,
        SNAPCHAT_ADS_CLIENT_SECRET=CLIENT_SECRET,
    )
    return env


def snapfleet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
    )


def _code(base: str) -> str:
    answer = httpx.get(
        f"{base}/login/oauth2/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    assert answer.status_code == 302
    return answer.headers["location"].split("code=", 1)[1].split("&", 1)[0]


def test_call_detect_in_a_fresh_process_on_sqlite_succeeds(
    embedded_env: dict[str, str], sandbox_server: str
) -> None:
    upgraded = snapfleet(embedded_env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    connected = snapfleet(
        embedded_env, "connect", "--tenant", "acme", "--code", _code(sandbox_server),
        "--redirect-uri", REDIRECT_URI,
    )  # fmt: skip
    assert connected.returncode == 0, connected.stderr

    # Each `call` is a new process: its client has no token yet and reads it from SQLite
    # in the middle of the detection's reads.
    for payload in (
        {"ad_account_ids": [USD_AD_ACCOUNT_ID]},
        {"ad_account_ids": [USD_AD_ACCOUNT_ID], "reads": ["ads"]},
    ):
        called = snapfleet(embedded_env, "call", "snap.detect.run", "--json", json.dumps(payload))
        assert called.returncode == 0, called.stdout + called.stderr
        result = json.loads(called.stdout)
        assert result["status"] == "succeeded", result
        assert result["ad_account_id"] == USD_AD_ACCOUNT_ID and result["entities"] > 0


# --- In process: a SQLite file, a client without a token, threads ------------------------


@pytest.fixture
def migrated_database(tmp_path: Path) -> str:
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def fresh_client(fleet: Fleet) -> Fleet:
    """As in a new process: the connect's client (and the token it holds) forgotten."""
    fleet.runtime.forget_client(fleet.connected.connection_id)
    return fleet


def test_detection_on_sqlite_looks_up_its_token_without_waiting_on_itself(
    fresh_client: Fleet,
) -> None:
    from worker.sync.entities import detect_account
    from worker.sync.planned import detect_planned

    fleet, now = fresh_client, fresh_client.sandbox.clock.now()
    assert fleet.runtime.settings.database.startswith("sqlite")

    full = detect_account(fleet.runtime, USD_AD_ACCOUNT_ID, now=now)
    fleet.runtime.forget_client(fleet.connected.connection_id)
    planned = detect_planned(fleet.runtime, USD_AD_ACCOUNT_ID, ("ads",), now=now)

    assert full["status"] == planned["status"] == "succeeded"
    assert full["api_calls"] == 4 and full["entities"] > 0


class PausingTransport(httpx.BaseTransport):
    """The sandbox, except that the thread named `paused` stops after its ads listing
    (its last read) until `resume` is set; `reached` records the threads that sent."""

    def __init__(self, inner: httpx.BaseTransport, paused: str) -> None:
        self.inner, self.paused = inner, paused
        self.resume, self.at_pause = threading.Event(), threading.Event()
        self.reached: dict[str, threading.Event] = {"A": threading.Event(), "B": threading.Event()}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        name = threading.current_thread().name
        if name in self.reached:
            self.reached[name].set()
        response = self.inner.handle_request(request)
        if name == self.paused and request.url.path.endswith("/ads"):
            self.at_pause.set()
            self.resume.wait(COMMAND_TIMEOUT_S)
        return response


def test_detections_of_one_account_take_turns_on_sqlite(fresh_client: Fleet) -> None:
    """A reads the ad REJECTED and stops before storing; the ad is approved meanwhile and
    B starts. B must wait for A's store, then report the approval: were they to
    interleave, B would store APPROVED first and A's older REJECTED over it."""
    from worker.runtime import Runtime
    from worker.sync.entities import detect_account

    fleet, now = fresh_client, fresh_client.sandbox.clock.now()
    state = fleet.sandbox.state
    detect_account(fleet.runtime, USD_AD_ACCOUNT_ID, now=now)
    ad = next(iter(state.store.children("ads", "adaccounts", USD_AD_ACCOUNT_ID))).entity["id"]
    transport = PausingTransport(fleet.sandbox.transport, paused="A")
    # A second runtime of the fleet's settings, as a second process would have.
    runtime = Runtime(
        fleet.runtime.settings, fleet.runtime.gate, transport=transport,
        oauth_transport=fleet.sandbox.transport,
    )  # fmt: skip
    results: dict[str, Any] = {}

    def run(name: str, seconds: int) -> threading.Thread:
        def target() -> None:
            later = now + timedelta(seconds=seconds)
            try:
                results[name] = detect_account(runtime, USD_AD_ACCOUNT_ID, now=later)
            except Exception as exc:  # the assertion below shows it
                results[name] = exc

        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    try:
        state.set_review_status(ad, "REJECTED", ["Misleading claims"])
        a = run("A", 1)
        assert transport.at_pause.wait(60), "A never read the ads"
        state.set_review_status(ad, "APPROVED")
        b = run("B", 2)
        # Not a timing assertion: B may never reach Snap while A holds its turn, however
        # long this waits; a B that did not wait would have sent within it.
        assert not transport.reached["B"].wait(3), "B read Snap while A held the account"
        transport.resume.set()
        a.join(COMMAND_TIMEOUT_S)
        b.join(COMMAND_TIMEOUT_S)
        with runtime.session() as session:
            kinds = session.scalars(
                select(Event.kind).where(Event.entity_id == ad).order_by(Event.id)
            ).all()
    finally:
        transport.resume.set()
        runtime.close()

    assert isinstance(results["A"], dict) and isinstance(results["B"], dict), results
    assert results["A"]["events"] == 1 and results["B"]["events"] == 1
    assert kinds == ["ad_disapproved", "ad_approved"]
