"""Engines and sessions for PostgreSQL (psycopg 3) and SQLite (the embedded mode).

SQLite is opened in WAL mode with a busy timeout and foreign keys on, and every
transaction starts with `BEGIN IMMEDIATE`: the write lock is taken at the start, so two
writers queue on the busy timeout instead of one failing with "database is locked" when
it upgrades a read to a write halfway through (the claim of a journal key reads, then
writes). pysqlite's own BEGIN handling is switched off for that, as SQLAlchemy documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 10
PG_POOL_RECYCLE_S = 1800


def normalize_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3; anything else is left as given."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with sane pool settings for the URL's dialect."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    # Statement parameters (token ciphertext, payloads) stay out of error messages.
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if "poolclass" not in kwargs:
        options.update(
            pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW, pool_recycle=PG_POOL_RECYCLE_S
        )
    options.update(kwargs)
    return create_engine(url, **options)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (results outlive the transaction)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **{"hide_parameters": True, **kwargs})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
