"""The operator commands read the whole fleet (every journal key, every account), so each
test here gets a database of its own instead of the session's shared one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url


@pytest.fixture
def migrated_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    from storage.migrate import upgrade

    if not database_url.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        upgrade(url)
        yield url
        return
    import psycopg

    base = make_url(database_url)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"snapfleet_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
