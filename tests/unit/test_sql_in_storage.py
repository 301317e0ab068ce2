"""SQL lives in storage/ only: worker/ and tasks/ ask repository functions, never the database.

A query written in a worker module cannot be found, reused or tested with the others, and
two modules end up asking the same question twice. So worker/ and tasks/ build no
statement (`select(`, `text(`, `update(`, ...), run none (`session.execute`,
`session.scalars`, `.with_for_update`) and import nothing from SQLAlchemy's expression
language (`from sqlalchemy import ...`); `sqlalchemy.orm.Session` as a type, and
`sqlalchemy.exc` / `sqlalchemy.engine` for errors and URLs, are fine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("worker", "tasks")

SQL = re.compile(
    r"(?<![\w.])(?<!def )(select|text|insert|update|delete)\("  # statement builders
    r"|\bsession\.(execute|scalars?|query)\("  # running a statement
    r"|\.with_for_update\("
    r"|^\s*from sqlalchemy import |^\s*import sqlalchemy\b"  # the expression language
)


def sql_lines(root: Path) -> list[str]:
    """`file:line: text` of every line under worker/ and tasks/ that writes SQL."""
    found = []
    for package in CHECKED:
        for path in sorted((root / package).rglob("*.py")):
            shown = path.relative_to(root)
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if SQL.search(line) and not line.lstrip().startswith("#"):
                    found.append(f"{shown}:{number}: {line.strip()}")
    return found


def test_worker_and_tasks_hold_no_sql() -> None:
    found = sql_lines(ROOT)
    assert not found, "SQL outside storage/ (make it a storage repository function):\n" + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    "line",
    [
        "    stmt = select(Event).where(Event.delivered_at.is_(None))",
        "    rows = session.execute(text('SELECT 1'))",
        "    return session.scalars(stmt).first()",
        "    state = session.scalar(stmt)",
        "    session.execute(",
        "        update(Connection)",
        "    return stmt.with_for_update(skip_locked=True)",
        "from sqlalchemy import select",
        "    from sqlalchemy import text",
        "import sqlalchemy as sa",
    ],
)
def test_a_planted_query_is_found_by_file_and_line(tmp_path: Path, line: str) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "worker" / "sync").mkdir(parents=True)
    (tmp_path / "worker" / "sync" / "planted.py").write_text(f'"""Planted."""\n\n{line}\n')
    assert sql_lines(tmp_path) == [f"worker/sync/planted.py:3: {line.strip()}"]


@pytest.mark.parametrize(
    "line",
    [
        "from sqlalchemy.orm import Session",
        "from sqlalchemy.exc import OperationalError",
        "    record.msg = redact_text(message)",
        "    result.update(fields)",
        "    def update(self, step: str) -> Done:",
        "    done = m.delete(step, kind, entity_id, send=send)",
        "    pipe.execute()",
        "    # a comment may name session.execute(",
    ],
)
def test_what_is_not_sql_is_not_reported(tmp_path: Path, line: str) -> None:
    (tmp_path / "worker").mkdir()
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "planted.py").write_text(f"{line}\n")
    assert sql_lines(tmp_path) == []
