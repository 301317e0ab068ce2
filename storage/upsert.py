"""Bulk `INSERT ... ON CONFLICT DO UPDATE` on PostgreSQL and SQLite, from one call.

Both dialects have `on_conflict_do_update` on their own `insert()`; this picks the one of
the session's dialect. A batch is one statement (chunked only to stay under SQLite's
bound-parameter limit), never a round trip per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import FromClause, TableClause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

MAX_PARAMS_PER_STATEMENT = 30_000


def dialect_insert(session: Session, table: FromClause) -> Any:
    """The dialect-specific `insert(table)`, which knows ON CONFLICT."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(cast(TableClause, table))
    if name == "sqlite":
        return sqlite.insert(cast(TableClause, table))
    raise NotImplementedError(f"storage supports postgresql and sqlite, not {name}")


def upsert(
    session: Session,
    table: FromClause,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict: Sequence[str],
    keep: Iterable[str] = (),
) -> int:
    """Insert `rows`, overwriting every column but `conflict` and `keep` on a clash.

    Parameters:
        conflict(list[str]): the columns of the unique constraint that identifies a row.
        keep(list[str]): columns an existing row keeps (e.g. `first_seen_at`).
    Returns the number of rows sent.
    """
    if not rows:
        return 0
    columns = list(rows[0].keys())
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"upsert into {table}: every row must have the same columns")
    frozen = set(conflict) | set(keep)
    per_chunk = max(1, MAX_PARAMS_PER_STATEMENT // max(1, len(columns)))
    for start in range(0, len(rows), per_chunk):
        stmt = dialect_insert(session, table).values(list(rows[start : start + per_chunk]))
        updates = {c: stmt.excluded[c] for c in columns if c not in frozen}
        session.execute(stmt.on_conflict_do_update(index_elements=list(conflict), set_=updates))
    return len(rows)
