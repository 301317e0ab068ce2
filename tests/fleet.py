"""Fixtures for tests that run the fleet against the sandbox.

`fleet` is a Celery app built from settings that point at this session's own Redis
database and PostgreSQL database (or the fallbacks), whose runtime sends Snap requests
to an in-process sandbox, with one tenant connected through the OAuth code exchange so
both sandbox ad accounts (USD and EUR) are captured. `fleet_worker` adds a real Celery
worker (threads pool, in this process) consuming the fleet's queues.

Tasks are declared with `shared_task`, so every app built here has the whole catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from celery import Celery
from cryptography.fernet import Fernet

from snap.sandbox import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Sandbox
from worker.connections.capture import Connected, connect_code
from worker.settings import Settings

CLIENT_ID = "fleet-test-client"
CLIENT_SECRET = "fleet-test-secret-value"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
ENCRYPTION_KEY = Fernet.generate_key().decode()

__all__ = ["CLIENT_ID", "EUR_AD_ACCOUNT_ID", "USD_AD_ACCOUNT_ID", "Fleet"]


@dataclass
class Fleet:
    app: Celery
    runtime: Any  # worker.runtime.Runtime
    sandbox: Sandbox
    connected: Connected

    def call(self, name: str, payload: dict[str, Any], task_id: str | None = None) -> Any:
        """Enqueue a task by name, as the runner does, and wait for its result."""
        result = self.app.send_task(name, kwargs=payload, task_id=task_id or str(uuid.uuid4()))
        return result.get(timeout=60, propagate=False)


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    from storage.migrate import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    """Sandbox knobs; override this fixture in a test module to change them."""
    return {}


@pytest.fixture
def sandbox(sandbox_config: dict[str, Any]) -> Iterator[Sandbox]:
    # Snap's per-app and per-token limits are off here as they are in the fleet's gate
    # below (the gate's and the sandbox's own tests cover them); a test turns them on
    # through `sandbox_config`.
    knobs = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "app_rps": None,
        "token_rps": None,
        **sandbox_config,
    }
    with Sandbox(**knobs) as sb:
        yield sb


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    """Settings overrides; override this fixture in a test module to change them."""
    return {}


@pytest.fixture
def fleet_settings(
    migrated_database: str,
    redis_url: str | None,
    tmp_path: Any,
    clean_settings: None,
    fleet_overrides: dict[str, Any],
) -> Settings:
    values: dict[str, Any] = dict(
        redis_url=redis_url,
        database_url=migrated_database,
        snapfleet_encryption_key=ENCRYPTION_KEY,
        snapchat_ads_client_id=CLIENT_ID,
        snapchat_ads_client_secret=CLIENT_SECRET,
        snapchat_ads_live_mode=True,
        snapchat_ads_api_base_url=Sandbox.base_url,
        snapchat_ads_oauth_url=Sandbox.oauth_url,
        snapfleet_home=tmp_path / "home",
        snapfleet_media_roots=str(tmp_path),
        snapfleet_media_allow_private_urls=True,  # the tests serve media from 127.0.0.1
        # The app and token scopes (split fairly between active accounts) are the gate's
        # own tests' business; here they would only turn bursts of setup calls into
        # GateTimeouts. The account scope stays on.
        snapchat_ads_app_rps=0,
        snapchat_ads_token_rps=0,
    )
    values.update(fleet_overrides)
    return Settings(**values)


@pytest.fixture
def fleet(fleet_settings: Settings, sandbox: Sandbox) -> Iterator[Fleet]:
    from worker.app import create_app
    from worker.runtime import install_runtime

    app = create_app(fleet_settings)
    runtime = install_runtime(app, transport=sandbox.transport, oauth_transport=sandbox.transport)
    code = sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
    connected = connect_code(
        runtime, tenant_id=f"tenant-{uuid.uuid4().hex[:8]}", code=code, redirect_uri=REDIRECT_URI
    )
    assert {USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID} <= set(connected.ad_account_ids)
    yield Fleet(app, runtime, sandbox, connected)
    runtime.close()


@pytest.fixture
def fleet_worker(fleet: Fleet) -> Iterator[Fleet]:
    """The fleet with a real worker consuming its queues (threads pool, this process)."""
    from celery.contrib.testing.worker import start_worker

    queues = ",".join(q.name for q in fleet.app.conf.task_queues)
    with start_worker(
        fleet.app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=queues,
        shutdown_timeout=30,
    ):
        yield fleet
