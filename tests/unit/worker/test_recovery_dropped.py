"""A node stops renewing the receipt of a task Celery dropped (found by the soak).

After Redis came back, a worker dropped its countdown (ETA) messages without
acknowledging them, as Celery does on a broker reconnect; the Redis broker hides them
until the visibility timeout, and the node kept renewing their receipts, so the
completer never saw them either (a create waited 66 s for the journal's idle sweep).
Now a receipt is renewed only while Celery still holds the request (reserved, active or
scheduled), after two beats of grace.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

from celery.worker import state as worker_state

from worker.mutations.recovery import Node


class FakeRequest(SimpleNamespace):
    __hash__ = object.__hash__  # WeakSet members must be hashable and weak-referenceable


def _node(held: set[str]) -> Node:
    node = Node.__new__(Node)  # no database, no thread: only the bookkeeping under test
    node._held, node._guard = set(held), threading.Lock()
    return node


def test_a_request_celery_no_longer_holds_stops_being_renewed_after_two_beats() -> None:
    kept, dropped = FakeRequest(id="kept"), FakeRequest(id="dropped")
    worker_state.scheduled_requests.add(kept)
    try:
        node = _node({"kept", "dropped"})
        missing = node._forget_dropped(set())  # first beat: grace
        assert node._held == {"kept", "dropped"}
        node._forget_dropped(missing)  # second beat: gone
        assert node._held == {"kept"}
    finally:
        worker_state.scheduled_requests.discard(kept)
    assert dropped.id == "dropped"


def test_a_request_registered_after_its_receipt_is_kept() -> None:
    late = FakeRequest(id="late")
    node = _node({"late"})
    missing = node._forget_dropped(set())  # the receipt came a moment before Celery's set
    worker_state.reserved_requests.add(late)
    try:
        node._forget_dropped(missing)
        assert node._held == {"late"}
    finally:
        worker_state.reserved_requests.discard(late)


class FakeNode:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def handed_back(self, request: object) -> None:
        self.calls.append("handed_back")

    def finished(self, request: object) -> None:
        self.calls.append("finished")


def test_a_message_handed_back_to_the_broker_keeps_its_receipt_open(monkeypatch) -> None:
    """Found by the soak: on a lost broker connection Celery cancels and requeues the
    running task; the requeue went nowhere (Redis was down) and the receipt was closed as
    if the task had ended, so nothing brought it back for the visibility timeout."""
    from celery.worker.request import Request

    from worker.mutations import recovery

    keeper = FakeNode()
    monkeypatch.setattr(recovery, "node", lambda request: keeper)
    monkeypatch.setattr(Request, "reject", lambda self, requeue=False: None)
    monkeypatch.setattr(Request, "acknowledge", lambda self: None)
    request = recovery.MutationRequest.__new__(recovery.MutationRequest)
    request.reject(requeue=True)
    assert keeper.calls == ["handed_back"]  # not renewed, not closed: it lapses
    request.reject(requeue=False)
    request.acknowledge()
    assert keeper.calls == ["handed_back", "finished", "finished"]
