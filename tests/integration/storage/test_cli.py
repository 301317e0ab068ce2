"""`snapfleet db upgrade` builds the schema on an empty PostgreSQL database and SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from storage import migrate
from storage.db import make_engine
from storage.models import Base
from tests.integration.storage.conftest import DIALECTS, ScratchDatabases, fresh_url
from worker.cli import app
from worker.settings import get_settings


def _run(*args: str):
    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args))


def _tables(url: str) -> set[str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_db_upgrade_builds_the_schema_on_an_empty_database(
    dialect: str,
    scratch_pg: ScratchDatabases | None,
    tmp_path: Path,
    clean_settings: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = fresh_url(dialect, scratch_pg, tmp_path, "cli")
    monkeypatch.setenv("DATABASE_URL", url)
    before = _run("db", "current")
    assert before.exit_code == 1, before.output  # behind head: a deploy script stops here
    assert "empty" in before.output

    result = _run("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert f"revision {migrate.head()}" in result.output
    assert _tables(url) >= {t.name for t in Base.metadata.sorted_tables}
    current = _run("db", "current")
    assert "up to date" in current.output and current.exit_code == 0
    refused = _run("db", "downgrade", "base")
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert _tables(url) >= {t.name for t in Base.metadata.sorted_tables}
    down = _run("db", "downgrade", "base", "--yes")
    assert down.exit_code == 0, down.output
    assert _tables(url) - {"alembic_version"} == set()


def test_db_upgrade_without_database_url_uses_sqlite_under_home(
    clean_settings: None, tmp_path: Path
) -> None:
    result = _run("db", "upgrade")
    assert result.exit_code == 0, result.output
    database = tmp_path / "home" / "snapfleet.sqlite3"
    assert database.exists()
    assert "connections" in _tables(f"sqlite:///{database}")


def test_db_commands_never_print_the_password(
    clean_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://fleet:hunter2-secret@127.0.0.1:1/nowhere")
    result = _run("db", "current")
    assert result.exit_code == 1
    assert "cannot use database postgresql+psycopg://fleet:***@127.0.0.1:1/nowhere" in result.output
    assert "hunter2-secret" not in result.output
