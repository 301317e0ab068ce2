"""Engines: SQLite in WAL with a busy timeout and foreign keys, psycopg 3 for PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage import accounts, migrate
from storage.db import make_engine, normalize_url
from storage.models import FxRate


def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()
    assert (tmp_path / "nested" / "db.sqlite3").exists()


def test_postgres_urls_mean_psycopg_3() -> None:
    for url in ("postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"):
        assert normalize_url(url) == "postgresql+psycopg://u@h/db"
    engine = make_engine("postgresql://u@127.0.0.1/db")
    assert engine.dialect.driver == "psycopg"
    assert engine.pool.size() == 5  # a bounded pool, pre-pinged
    assert engine.pool._pre_ping
    engine.dispose()


def test_foreign_keys_are_enforced(factory: sessionmaker[Session]) -> None:
    with factory() as s, pytest.raises(IntegrityError):
        accounts.upsert_ad_accounts(
            s,
            [
                {
                    "id": "orphan",
                    "organization_id": "no-such-org",
                    "currency": "USD",
                    "timezone": "UTC",
                }
            ],
            connection_id=None,
        )
        s.flush()


def test_timestamps_come_back_aware_in_utc_and_naive_ones_are_refused(
    factory: sessionmaker[Session], storage_engine: Engine
) -> None:
    paris = timezone(timedelta(hours=1))
    with factory.begin() as s:
        s.add(
            FxRate(
                currency="EUR",
                day=date(2026, 11, 20),
                rate_to_usd=1,
                source="t",
                fetched_at=datetime(2026, 11, 20, 13, 0, tzinfo=paris),
            )
        )
    with factory() as s:
        row = s.get(FxRate, ("EUR", date(2026, 11, 20)))
    assert row.fetched_at.isoformat() == "2026-11-20T12:00:00+00:00"
    with factory() as s, pytest.raises(StatementError, match="naive"):
        s.add(
            FxRate(
                currency="GBP",
                day=date(2026, 11, 20),
                rate_to_usd=1,
                source="t",
                fetched_at=datetime(2026, 11, 20, 13, 0),
            )
        )
        s.flush()


def test_upgrade_twice_is_harmless(storage_url: str) -> None:
    migrate.upgrade(storage_url)
    assert migrate.current(storage_url) == migrate.head()


def test_rates_keep_every_decimal(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        s.add(
            FxRate(
                currency="JPY",
                day=date(2026, 11, 20),
                rate_to_usd=Decimal("0.0066123456"),
                source="t",
            )
        )
    with factory() as s:
        raw = s.execute(text("SELECT rate_to_usd FROM fx_rates")).scalar_one()
        row = s.get(FxRate, ("JPY", date(2026, 11, 20)))
    assert row.rate_to_usd == Decimal("0.0066123456")
    assert Decimal(str(raw)) == Decimal("0.0066123456")
