"""Migrations build the schema from nothing, match the models, and come down cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.pool import NullPool

from storage import migrate
from storage.db import make_engine
from storage.models import Base
from tests.integration.storage.conftest import DIALECTS, ScratchDatabases, fresh_url

FLEET_TABLES = {t.name for t in Base.metadata.sorted_tables}


def _tables(url: str) -> set[str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_upgrade_from_empty_builds_every_table_and_matches_the_models(
    dialect: str, scratch_pg: ScratchDatabases | None, tmp_path: Path
) -> None:
    # Given an empty database
    url = fresh_url(dialect, scratch_pg, tmp_path, "upgrade")
    assert migrate.current(url) is None
    # When it is upgraded
    migrate.upgrade(url)
    # Then every table of the models exists, it is at head, and autogenerate sees no diff
    assert _tables(url) == FLEET_TABLES | {"alembic_version"}
    assert migrate.current(url) == migrate.head()
    assert migrate.diff(url) == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_downgrade_to_base_drops_every_table_and_upgrade_rebuilds(
    dialect: str, scratch_pg: ScratchDatabases | None, tmp_path: Path
) -> None:
    url = fresh_url(dialect, scratch_pg, tmp_path, "downgrade")
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert _tables(url) - {"alembic_version"} == set()
    assert migrate.current(url) is None
    migrate.upgrade(url)
    assert _tables(url) == FLEET_TABLES | {"alembic_version"}
    assert migrate.diff(url) == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_model_check_notices_drift(
    dialect: str, scratch_pg: ScratchDatabases | None, tmp_path: Path
) -> None:
    """The no-diff assertion above can fail: a schema that drifted from the models shows."""
    url = fresh_url(dialect, scratch_pg, tmp_path, "drift")
    migrate.upgrade(url)
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE fx_rates ADD COLUMN stray INTEGER"))
        conn.execute(text("DROP INDEX ix_mutation_journal_state_updated"))
    engine.dispose()
    changes = [str(change) for change in migrate.diff(url)]
    assert any("stray" in change for change in changes)
    assert any("ix_mutation_journal_state_updated" in change for change in changes)


def test_every_migration_has_a_downgrade() -> None:
    for path in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text()
        assert "def downgrade() -> None:\n    pass" not in source, path.name
