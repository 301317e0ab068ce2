"""Named locks beside an embedded (SQLite) database, for work that must not hold its writer.

Every SQLite transaction of the fleet starts with `BEGIN IMMEDIATE` (`storage.db`), so it
holds the database's one write lock from its first statement to its end, reads included.
A transaction kept open across a call to Snap therefore blocks every other transaction
of the machine for as long as the call lasts, and the call's own needs first of all: the
client reads (and may refresh) its connection's access token in a transaction of its
own, which waits on the busy timeout behind the open one and fails with "database is
locked". Work that must be serialised across such a call takes one of these locks
instead and opens its transaction only after the call.

They are files next to the database (`<database>.locks/`), locked with `filelock`
(flock on POSIX): they hold between threads and between processes of the machine the
database lives on (an embedded worker and a `snapfleet call` beside it), which is every
process that can open it. A database without a file (`:memory:`) is private to its
process, so a lock of the process stands in.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock
from sqlalchemy.engine import make_url

from storage.db import normalize_url

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def is_sqlite(url: str) -> bool:
    """Does the URL name a SQLite database (the embedded mode)?"""
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def lock_path(url: str, name: str) -> Path | None:
    """Where the lock `name` of the SQLite database at `url` lives (None: no file)."""
    database = make_url(normalize_url(url)).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return path.with_name(path.name + ".locks") / f"{_UNSAFE.sub('_', name)}.lock"


@contextlib.contextmanager
def held(url: str, name: str) -> Iterator[None]:
    """Hold the lock `name` of the SQLite database at `url` for the block (waits for it)."""
    path = lock_path(url, name)
    if path is None:
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(f"{url}\0{name}", threading.Lock())
        with lock:
            yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new FileLock per holder: each opens its own descriptor, so two threads of one
    # process exclude each other as two processes do.
    with FileLock(path):
        yield
