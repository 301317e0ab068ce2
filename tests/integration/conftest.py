"""Fixtures every integration test may use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

# What a test that reads Snap leaves behind in the session-wide database. Experiments
# too: an account holding one gets its ad squad breakdown on every pull.
TABLES = (
    "stats_daily",
    "stats_hourly",
    "stats_finality",
    "events",
    "ads",
    "ad_squads",
    "campaigns",
    "fx_rates",
    "experiment_variants",
    "experiments",
)


@pytest.fixture
def clean_sync_tables(migrated_database: str) -> None:
    """Each test that pulls stats or detects starts from an account the fleet never read."""
    from sqlalchemy import create_engine

    engine = create_engine(migrated_database)
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        conn.execute(
            text(
                "UPDATE ad_accounts SET stats_mode = NULL, last_synced_at = NULL, "
                "finalized_data_end_time = NULL, conversion_data_processed_end_time = NULL, "
                # Each test's sandbox is a new world: no status detection has seen yet
                # (a capture keeps the stored status, so a suspension would carry over).
                "status = NULL, delivery_status = NULL"
            )
        )
    engine.dispose()


@pytest.fixture
def forget_experiments(migrated_database: str) -> Iterator[None]:
    """The database lives for the whole session: an experiment left behind would give
    later tests' stats pulls of this account their ad squad breakdown call."""
    yield
    from sqlalchemy import create_engine

    engine = create_engine(migrated_database)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM experiment_variants"))
        conn.execute(text("DELETE FROM experiments"))
    engine.dispose()
