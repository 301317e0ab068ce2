"""The heartbeat of live attempts: their journal leases and create locks stay theirs.

A journal lease says "this attempt is working on the key"; once it lapses another attempt
may claim the key and reconcile. A fixed lease long enough for the slowest attempt made
every crash cost that long (minutes) before a redelivered task could proceed. Instead,
the attempt renews what it holds while it runs, as redbeat extends its lock: a thread of
the process pushes each held lease (`storage.journal.renew`) and create lock (a redis-py
`Lock.extend`) one lease further every third of a lease. A process that dies stops
beating, so what it held lapses within one lease, while a slow live attempt keeps its own.

The two stores are renewed independently: while PostgreSQL is down the journal lease may
lapse, but a create's Redis lock still keeps a second attempt from reconciling (and
sending) the same create meanwhile, and the first attempt's outcome is fenced on its
attempt number either way.

One `Heartbeat` per runtime (`for_runtime`); a forked pool child starts its own thread on
first use.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

from storage import journal

logger = logging.getLogger("snapfleet.heartbeat")

Sessions = Callable[[], contextlib.AbstractContextManager[Any]]


class Heartbeat:
    """Renews the leases and locks registered with `hold` until they are released."""

    def __init__(self, sessions: Sessions, lease_s: float) -> None:
        self.sessions = sessions
        self.lease_s = lease_s
        self.every_s = lease_s / 3
        self._keys: dict[str, int] = {}  # journal key -> attempt
        self._locks: dict[int, Any] = {}  # id -> redis-py Lock
        self._guard = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    @contextlib.contextmanager
    def key(self, key: str, attempt: int) -> Iterator[None]:
        """Keep the journal lease of (key, attempt) alive for the block."""
        with self._guard:
            self._keys[key] = attempt
        self._ensure_thread()
        try:
            yield
        finally:
            with self._guard:
                if self._keys.get(key) == attempt:
                    del self._keys[key]

    @contextlib.contextmanager
    def lock(self, lock: Any) -> Iterator[None]:
        """Keep a redis-py Lock (the create lock) alive for the block."""
        with self._guard:
            self._locks[id(lock)] = lock
        self._ensure_thread()
        try:
            yield
        finally:
            with self._guard:
                self._locks.pop(id(lock), None)

    def beat(self) -> None:
        """Renew everything held now (the thread calls this every third of a lease)."""
        with self._guard:
            keys = list(self._keys.items())
            locks = list(self._locks.values())
        if keys:
            try:
                with self.sessions() as session:
                    journal.renew(session, keys, self.lease_s)
            except Exception as exc:  # the database is down: the Redis locks still hold
                logger.warning("heartbeat: journal leases not renewed (%s)", type(exc).__name__)
        for lock in locks:
            try:
                lock.extend(self.lease_s, replace_ttl=True)
            except Exception as exc:  # released meanwhile, or Redis down: nothing to keep
                logger.debug("heartbeat: lock not extended (%s)", type(exc).__name__)

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():  # forked: the parent's thread did not come along
            self._pid, self._thread = os.getpid(), None
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name="journal-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._wake.wait(self.every_s):
            self.beat()


def for_runtime(rt: Any, lease_s: float) -> Heartbeat:
    """The heartbeat of this process for one runtime (kept on it, like its sessions)."""
    beat: Heartbeat | None = getattr(rt, "snapfleet_heartbeat", None)
    if beat is None or beat.lease_s != lease_s:
        beat = Heartbeat(rt.session, lease_s)
        rt.snapfleet_heartbeat = beat
    return beat
