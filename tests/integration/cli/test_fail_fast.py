"""A user's configuration mistake is one line and a non-zero exit, at once, from `snapfleet`.

Each case runs the real console script in a subprocess, as an operator would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
NOWHERE_PG = "postgresql://fleet:hunter2-secret@127.0.0.1:1/nowhere"
NOWHERE_REDIS = "redis://:hunter2-secret@127.0.0.1:1/0"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SNAPFLEET_", "SNAPCHAT_ADS_")) and k not in ("REDIS_URL",)
    }
    env.pop("DATABASE_URL", None)
    env.update(SNAPFLEET_HOME=str(tmp_path / "home"), SNAPFLEET_FX_URL="off", **values)
    return env


def _snapfleet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "snapfleet", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def oauth_server() -> Iterator[tuple[str, list[str]]]:
    """An OAuth token endpoint that records every request (none may arrive)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(400)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/login/oauth2", hits
    server.shutdown()


def test_connect_without_an_encryption_key_refuses_before_exchanging_the_code(
    tmp_path: Path, migrated_database: str, redis_url: str | None, oauth_server: tuple
) -> None:
    oauth_url, hits = oauth_server
    env = _env(
        tmp_path,
        DATABASE_URL=migrated_database,
        SNAPCHAT_ADS_OAUTH_URL=oauth_url,
        SNAPCHAT_ADS_CLIENT_ID="client",
        SNAPCHAT_ADS_CLIENT_SECRET="secret-value",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    )
    done = _snapfleet(
        env, "connect", "--tenant", "t1", "--code", "single-use", "--redirect-uri", "https://x/cb"
    )
    assert done.returncode == 2, done.stderr
    assert "SNAPFLEET_ENCRYPTION_KEY" in done.stderr and "snapfleet keygen" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert hits == []  # the single-use code is still good for the retry


@pytest.mark.parametrize(
    "args",
    [("accounts",), ("events",), ("call", "snap.campaign.list", "--json", "{}"), ("worker",)],
)
def test_an_unreachable_database_is_one_line_naming_it_without_the_password(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    env = _env(
        tmp_path, DATABASE_URL=NOWHERE_PG, SNAPFLEET_ENCRYPTION_KEY=Fernet.generate_key().decode()
    )
    done = _snapfleet(env, *args)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "database postgresql+psycopg://fleet:***@127.0.0.1:1/nowhere unreachable" in lines[0]
    assert "hunter2-secret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr and "e3q8" not in done.stderr + done.stdout


@pytest.mark.parametrize("args", [("beat",), ("call", "snap.campaign.list", "--json", "{}")])
def test_an_unreachable_redis_is_one_line_naming_it(
    tmp_path: Path, migrated_database: str, args: tuple[str, ...]
) -> None:
    env = _env(
        tmp_path,
        DATABASE_URL=migrated_database,
        REDIS_URL=NOWHERE_REDIS,
        SNAPFLEET_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    done = _snapfleet(env, *args)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Redis redis://:***@127.0.0.1:1/0 unreachable" in lines[0]
    assert "hunter2-secret" not in done.stderr


def test_a_schema_behind_the_code_is_named_with_the_fix(tmp_path: Path) -> None:
    env = _env(tmp_path, SNAPFLEET_ENCRYPTION_KEY=Fernet.generate_key().decode())
    done = _snapfleet(env, "accounts")  # the embedded SQLite file was never migrated
    assert done.returncode == 1
    assert "has no schema" in done.stderr and "snapfleet db upgrade" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback_for_developers(tmp_path: Path) -> None:
    env = _env(tmp_path, DATABASE_URL=NOWHERE_PG)
    done = _snapfleet(env, "--debug", "accounts")
    assert done.returncode != 0
    assert "Traceback" in done.stderr or "Unusable" in done.stderr
    assert "hunter2-secret" not in done.stderr


def test_a_fleet_worker_without_an_encryption_key_refuses_to_start(
    tmp_path: Path, migrated_database: str, redis_url: str | None
) -> None:
    if redis_url is None:
        pytest.skip("needs a real Redis (fleet mode)")
    env = _env(tmp_path, DATABASE_URL=migrated_database, REDIS_URL=redis_url)
    done = _snapfleet(env, "worker", "-Q", "nothing")
    assert done.returncode == 2, done.stderr
    assert "SNAPFLEET_ENCRYPTION_KEY" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    shown = _snapfleet(env, "settings")
    assert "SNAPFLEET_ENCRYPTION_KEY is not set" in shown.stderr
