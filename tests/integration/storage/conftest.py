"""Databases for the storage tests: PostgreSQL and SQLite, the same tests on both.

PostgreSQL tests run in a database these tests create for themselves (next to the
session's `database_url`, on the same server) and drop at the end, so nothing here
touches another room's rows. Under the SQLite fallback the PostgreSQL cases skip.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage import migrate
from storage.db import make_engine, session_factory
from storage.models import Base

DIALECTS = ["postgresql", "sqlite"]


class ScratchDatabases:
    """PostgreSQL databases created by these tests, dropped by them (and only them)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = make_url(base_url)
        self.created: list[str] = []

    def _admin(self) -> str:
        return self.base_url.set(drivername="postgresql").render_as_string(hide_password=False)

    def create(self, label: str) -> str:
        import psycopg

        name = f"snapfleet_storage_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self._admin(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(self._admin(), autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture(scope="session")
def scratch_pg(database_url: str) -> Iterator[ScratchDatabases | None]:
    if not database_url.startswith("postgresql"):
        yield None
        return
    scratch = ScratchDatabases(database_url)
    yield scratch
    scratch.drop_all()


def fresh_url(dialect: str, scratch: ScratchDatabases | None, tmp: Path, label: str) -> str:
    """An empty database of `dialect` (skips PostgreSQL under the SQLite fallback)."""
    if dialect == "sqlite":
        return f"sqlite:///{tmp / f'{label}.sqlite3'}"
    if scratch is None:
        pytest.skip("PostgreSQL unreachable: the suite fell back to SQLite")
    return scratch.create(label)


@pytest.fixture(scope="session", params=DIALECTS)
def storage_url(
    request: pytest.FixtureRequest,
    scratch_pg: ScratchDatabases | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """A migrated database of each dialect, shared by the repository tests."""
    url = fresh_url(request.param, scratch_pg, tmp_path_factory.mktemp("storage"), "repos")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def storage_engine(storage_url: str) -> Iterator[Engine]:
    engine = make_engine(storage_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(storage_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database, emptied after each test."""
    yield session_factory(storage_engine)
    with session_factory(storage_engine).begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


@pytest.fixture
def dialect(storage_engine: Engine) -> str:
    return storage_engine.dialect.name
