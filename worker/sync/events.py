"""Delivering stored events to the runner: the events table is the outbox.

Each undelivered event is sent as a task (`SNAPFLEET_EVENTS_TASK`, default
`growth.snap_event`) on the runner's queue (`SNAPFLEET_EVENTS_QUEUE`, default `growth`),
and marked delivered only after `send_task` returned. A failed send is counted and the
event waits for the next sweep (after every detection, and on beat), so it is retried
until delivered.

At most once per transition: the sweep locks the rows it sends (`FOR UPDATE SKIP LOCKED`),
so two sweeps never hand the same event over together, and the message's task id is
derived from the transition key, so in the one window no store closes (sent, then the
process died before the commit) the runner sees the same id twice and can drop it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session

from snap.errors import WebhooksNotSupported
from storage import events as event_repo
from storage.models.events import Event
from worker.runtime import Runtime

logger = logging.getLogger("snapfleet.events")

SWEEP_BATCH = 100


def message(event: Event) -> dict[str, Any]:
    """The runner's payload for one event (JSON)."""
    return {
        "event_id": event.id,
        "transition_key": event.transition_key,
        "kind": event.kind,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "ad_account_id": event.ad_account_id,
        "before": event.before,
        "after": event.after,
        "observed_at": _iso(event.observed_at),
        "detected_at": _iso(event.detected_at),
        "source": "snapchat_ads",
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def message_id(event: Event) -> str:
    """A stable task id per transition: a re-send after a crash carries the same id."""
    return f"snap-event-{event.transition_key[:32]}"


def deliver_pending(app: Celery, runtime: Runtime, *, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Send undelivered events, each in its own transaction (sent, then marked, then
    committed); returns counts of delivered and failed."""
    counts = {"delivered": 0, "failed": 0}
    failed_ids: set[int] = set()
    for _ in range(limit):
        with runtime.session() as session:
            # The oldest undelivered event, locked: a concurrent sweep passes over it.
            pending = event_repo.undelivered(session, limit=1, skip=failed_ids, lock=True)
            if not pending:
                break
            event = pending[0]
            if _send(app, runtime, session, event):
                counts["delivered"] += 1
            else:
                failed_ids.add(event.id)
                counts["failed"] += 1
    if counts["delivered"] or counts["failed"]:
        logger.info("events: %(delivered)d delivered, %(failed)d failed (retried later)", counts)
    return counts


def _send(app: Celery, runtime: Runtime, session: Session, event: Event) -> bool:
    settings = runtime.settings
    try:
        app.send_task(
            settings.snapfleet_events_task,
            kwargs={"event": message(event)},
            queue=settings.snapfleet_events_queue,
            task_id=message_id(event),
        )
    except Exception as exc:
        logger.warning("events: delivery of event %s failed: %s", event.id, exc)
        event_repo.mark_delivery_failed(session, event.id, f"{type(exc).__name__}: {exc}")
        return False
    event_repo.mark_delivered(session, event.id)
    return True


def register_webhook(**_: Any) -> None:
    """Snap pushes nothing: state changes are polled (`snap.detect.run`), so any request
    for a webhook is refused with `webhooks not supported on snapchat_ads`."""
    raise WebhooksNotSupported()
