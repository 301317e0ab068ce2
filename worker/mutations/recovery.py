"""What a worker node's main process does so a crash costs seconds, not the visibility timeout.

Two signals the main process has and the journal alone does not:

- **Receipt.** The journal sees a task only once it claims its first key; a node killed
  whole also takes the messages it had prefetched or just started, which the Redis
  broker keeps unacknowledged until the visibility timeout (an hour by default). So the
  node writes a receipt for every mutation message it receives (`storage.receipts`),
  renews the receipts it holds every third of a lease from a thread of its own, and
  closes one when its task ends, retries (a new message) or is handed back. A node that
  dies stops renewing: the completer re-sends what it held once the lease lapsed.
- **Lost pool child.** When a prefork child dies mid-task, Celery's main process learns
  it at once (`WorkerLostError`) and requeues the message. The child's journal leases
  would still hold its keys until they lapse; `MutationRequest` ends them now
  (`storage.journal.expire_holder`), so the redelivered task reconciles at once.

The main process has its own engine without a pool (`NullPool`): prefork children are
forked from it, and a pooled connection would be inherited by every child.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from celery.exceptions import WorkerLostError
from celery.signals import task_received
from celery.worker import state as worker_state
from celery.worker.request import Request
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage import journal, receipts
from storage.db import make_engine, session_factory
from worker.settings import Settings
from worker.task_events import FleetRequest

logger = logging.getLogger("snapfleet.recovery")


class Node:
    """This worker node's receipts and the thread that renews them."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.settings = settings
        self.lease_s = settings.snapfleet_journal_lease_s
        self.name = f"{name}:{os.getpid()}"[:128]
        self._sessions: sessionmaker[Session] = session_factory(
            make_engine(settings.database, poolclass=NullPool)
        )
        self._held: set[str] = set()
        self._guard = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="receipt-heartbeat", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def received(self, request: Request) -> None:
        with self._guard:
            self._held.add(request.id)
        payload = request.kwargs if isinstance(request.kwargs, dict) else None
        try:
            with self.session() as session:
                receipts.received(
                    session, request.id, request.name, payload, self.name, self.lease_s
                )
        except Exception as exc:  # the database is down: the journal still covers the task
            logger.warning("recovery: receipt of %s not written (%s)", request.id, exc)

    def handed_back(self, request: Request) -> None:
        with self._guard:
            self._held.discard(request.id)

    def finished(self, request: Request) -> None:
        with self._guard:
            self._held.discard(request.id)
        try:
            with self.session() as session:
                receipts.finish(session, request.id, self.name)
        except Exception as exc:  # left open: it lapses and the completer re-sends (harmless)
            logger.warning("recovery: receipt of %s not closed (%s)", request.id, exc)

    def child_lost(self, request: Request) -> None:
        prefix = f"{request.hostname}:{request.worker_pid}:"
        try:
            with self.session() as session:
                freed = journal.expire_holder(session, prefix)
        except Exception as exc:  # the leases lapse on their own within one lease
            logger.warning("recovery: leases of lost %s not freed (%s)", prefix, exc)
            return
        logger.warning(
            "recovery: pool child %s lost running %s[%s]; %d journal leases freed",
            request.worker_pid,
            request.name,
            request.id,
            freed,
        )

    def _run(self) -> None:
        missing_before: set[str] = set()
        while True:
            threading.Event().wait(self.lease_s / 3)
            missing_before = self._forget_dropped(missing_before)
            with self._guard:
                held = list(self._held)
            if not held:
                continue
            try:
                with self.session() as session:
                    receipts.renew(session, self.name, held, self.lease_s)
            except Exception as exc:
                logger.warning("recovery: receipts not renewed (%s)", type(exc).__name__)

    def _forget_dropped(self, missing_before: set[str]) -> set[str]:
        """Stop renewing what Celery no longer holds. After a broker reconnect the worker
        drops its reserved and scheduled (countdown) requests without acknowledging them;
        on the Redis broker they come back only after the visibility timeout. Their
        receipts must lapse so the completer sends them again. (Two beats of grace: the
        receipt is written a moment before Celery registers the request.)"""
        live = {
            request.id
            for pool in (
                worker_state.reserved_requests,
                worker_state.active_requests,
                worker_state.scheduled_requests,
            )
            for request in list(pool)
        }
        with self._guard:
            missing = self._held - live
            dropped = missing & missing_before
            self._held -= dropped
        if dropped:
            logger.warning(
                "recovery: %d received tasks dropped by Celery; their receipts will lapse "
                "and the completer sends them again",
                len(dropped),
            )
        return missing - dropped


_NODE: Node | None = None

UNSENT_RETRY = "unsent-retry"  # the node of a receipt nobody holds: re-send it


def retry_unsent(app: Any, task_id: str) -> None:
    """A retry that could not be queued: its receipt is left to the completer, lapsed now.

    Runs in the pool child (the task's own process), before the main process closes the
    receipt: a receipt whose node is no longer the main process's is not closed by it.
    """
    from worker.runtime import runtime

    try:
        with runtime(app).session() as session:
            receipts.leave_to_completer(session, task_id, UNSENT_RETRY)
    except Exception as exc:  # the database too: the journal's idle sweep still finds it
        logger.warning("recovery: unsent retry of %s not recorded (%s)", task_id, exc)
        return
    logger.warning("recovery: the retry of %s was not queued; the completer re-sends it", task_id)


def node(request: Request) -> Node | None:
    """The node of this (main) process, built on its first mutation message."""
    global _NODE
    settings = getattr(request.task.app, "snapfleet_settings", None)
    if settings is None or settings.embedded:
        return None  # one process, in-memory broker: nothing outlives a crash anyway
    if _NODE is None or _NODE.name.rsplit(":", 1)[-1] != str(os.getpid()):
        _NODE = Node(settings, str(request.hostname or "worker"))
    return _NODE


class MutationRequest(FleetRequest):
    """The main process's view of one mutation message: its receipt closed when the message
    is acknowledged or rejected (every end of an acks_late task passes one of them: done,
    failed, retried as a new message, handed back), a lost pool child's leases freed.
    A FleetRequest, so a returned failure still reaches Flower as task-failed."""

    def acknowledge(self) -> None:
        try:
            super().acknowledge()
        finally:
            _finished(self)

    def reject(self, requeue: bool = False) -> None:
        try:
            super().reject(requeue=requeue)
        finally:
            if requeue:
                # Handed back, not done: the next node to receive it takes the receipt
                # over; if the broker was down and the requeue went nowhere (a lost
                # connection, a node exiting), the receipt lapses and the completer
                # re-sends it.
                _handed_back(self)
            else:
                _finished(self)

    def on_failure(self, exc_info: Any, send_failed_event: bool = True, return_ok: bool = False):
        if isinstance(exc_info.exception, WorkerLostError) and self.worker_pid:
            keeper = node(self)
            if keeper is not None:
                keeper.child_lost(self)
        return super().on_failure(exc_info, send_failed_event, return_ok)


def _handed_back(request: Request) -> None:
    keeper = node(request)
    if keeper is not None:
        keeper.handed_back(request)


def _finished(request: Request) -> None:
    keeper = node(request)
    if keeper is not None:
        keeper.finished(request)


@task_received.connect
def _on_received(sender: Any = None, request: Request | None = None, **kwargs: Any) -> None:
    if isinstance(request, MutationRequest):
        keeper = node(request)
        if keeper is not None:
            keeper.received(request)
