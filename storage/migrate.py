"""Alembic, driven from code: no alembic.ini, the migrations live in `storage/migrations`.

The URL travels in `Config.attributes` rather than the ini options, so a password with a
`%` in it is never mangled by configparser interpolation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from storage.db import make_engine, normalize_url
from storage.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = normalize_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (an empty database gets every table)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the schema down to `revision` ("base" drops every table of the fleet)."""
    command.downgrade(alembic_config(url), revision)


def head() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current(url: str, *, connect_timeout_s: int | None = None) -> str | None:
    """The revision the database at `url` is at (None: never migrated).

    `connect_timeout_s` bounds the connect to PostgreSQL (a start-up check must not hang
    on an unreachable host for the kernel's TCP timeout).
    """
    options: dict[str, Any] = {}
    if connect_timeout_s is not None and not url.startswith("sqlite"):
        options["connect_args"] = {"connect_timeout": connect_timeout_s}
    engine = make_engine(url, poolclass=NullPool, **options)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def diff(url: str) -> list[Any]:
    """What autogenerate would change to make the database match the models (empty: none)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()
