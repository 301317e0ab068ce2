"""Where the tests find Redis and PostgreSQL.

Integration tests use the real services on localhost (`REDIS_URL` / `DATABASE_URL`
override). Each pytest session claims a Redis database of its own (1..15, by a lock key)
and creates a PostgreSQL database of its own, so parallel runs never see each other's
keys or rows. Outside CI, when a service is unreachable, the suite falls back to
fakeredis (with Lua) and SQLite and says so in one line at the top; under `CI=true` it
refuses to fall back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["tests.fleet"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The fleet reads the ECB's feed by default; tests never leave the machine for a rate (the
# FX tests give their own table or a feed served from fixtures).
os.environ.setdefault("SNAPFLEET_FX_URL", "off")
REDIS_BASE = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
PG_BASE = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Backends:
    redis_url: str | None  # None: fakeredis
    database_url: str  # postgresql+psycopg://... or sqlite:///...
    notes: list[str]


def _claim_redis_db() -> tuple[str | None, str]:
    import redis

    base = REDIS_BASE.rsplit("/", 1)[0] if REDIS_BASE.count("/") > 2 else REDIS_BASE
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        for db in range(1, 16):
            client = redis.Redis.from_url(f"{base}/{db}", socket_connect_timeout=2)
            if client.set("snapfleet:test-session-lock", token, nx=True, ex=3 * 3600):
                client.flushdb()
                client.set("snapfleet:test-session-lock", token, ex=3 * 3600)
                client.close()
                return f"{base}/{db}", token
            client.close()
    except redis.RedisError as exc:
        return None, f"unreachable ({type(exc).__name__})"
    return None, "all 15 test databases are claimed"


def _release_redis_db(url: str, token: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    if client.get("snapfleet:test-session-lock") == token.encode():
        client.flushdb()
    client.close()


def _create_pg_database() -> tuple[str | None, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_BASE)
    name = f"snapfleet_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return None, f"unreachable ({type(exc).__name__})"
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(PG_BASE).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_BACKENDS: Backends | None = None


def _backends(tmp_root: Path) -> Backends:
    global _BACKENDS
    if _BACKENDS is not None:
        return _BACKENDS
    notes: list[str] = []
    redis_url, redis_note = _claim_redis_db()
    if redis_url is None:
        if IN_CI:
            pytest.exit(f"CI=true and Redis is {redis_note}; refusing to fall back", 3)
        notes.append(f"Redis {redis_note}: falling back to fakeredis")
    pg_url, pg_note = _create_pg_database()
    if pg_url is None:
        if IN_CI:
            pytest.exit(f"CI=true and PostgreSQL is {pg_note}; refusing to fall back", 3)
        notes.append(f"PostgreSQL {pg_note}: falling back to SQLite")
        pg_url = f"sqlite:///{tmp_root / 'fallback.sqlite3'}"
    _BACKENDS = Backends(redis_url, pg_url, notes)
    _BACKENDS._redis_token = redis_note  # type: ignore[attr-defined]
    _BACKENDS._pg_name = pg_note if pg_url.startswith("postgresql") else None  # type: ignore[attr-defined]
    return _BACKENDS


def pytest_report_header(config: pytest.Config) -> str:
    b = _backends(Path(config.rootpath) / ".pytest_cache")
    if b.notes:
        return "FALLBACK: " + "; ".join(b.notes)
    return (
        f"backends: real Redis {b.redis_url}, real PostgreSQL {b.database_url.rsplit('/', 1)[-1]}"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    b = _BACKENDS
    if b is None:
        return
    if b.redis_url:
        _release_redis_db(b.redis_url, b._redis_token)  # type: ignore[attr-defined]
    if b._pg_name:  # type: ignore[attr-defined]
        _drop_pg_database(b._pg_name)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def backends(request: pytest.FixtureRequest) -> Backends:
    return _backends(Path(request.config.rootpath) / ".pytest_cache")


@pytest.fixture(scope="session")
def redis_url(backends: Backends) -> str | None:
    """The URL of this session's own Redis database, or None under the fakeredis fallback."""
    return backends.redis_url


@pytest.fixture
def redis_client(backends: Backends) -> Iterator[object]:
    """A Redis client on this session's database (flushed after the test), or fakeredis."""
    if backends.redis_url is None:
        import fakeredis

        client = fakeredis.FakeRedis()
        yield client
        client.flushall()
        return
    import redis

    client = redis.Redis.from_url(backends.redis_url)
    yield client
    lock = client.get("snapfleet:test-session-lock")
    client.flushdb()
    if lock:
        client.set("snapfleet:test-session-lock", lock, ex=3 * 3600)
    client.close()


@pytest.fixture(scope="session")
def database_url(backends: Backends) -> str:
    """The URL of this session's own database: a fresh PostgreSQL database, or SQLite."""
    return backends.database_url


@pytest.fixture
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings read from a clean environment (no SNAPCHAT_*/SNAPFLEET_* leaking in)."""
    from worker.settings import get_settings

    for name in list(os.environ):
        if name.startswith(("SNAPCHAT_ADS_", "SNAPFLEET_")) or name in {
            "REDIS_URL",
            "DATABASE_URL",
        }:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SNAPFLEET_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SNAPFLEET_FX_URL", "off")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
