"""State-change events: each transition stored once, then delivered to the runner.

The transition key is sha256 over (kind, entity type, entity id, the canonical JSON of
the after-state, the observed time). Detecting the same transition twice (two detect
runs over the same fresh state) gives the same key, so the second insert does nothing.
A transition that happens again later (rejected, re-approved, rejected again) has a new
observed time and so a new key. `observed_at` is Snap's `updated_at` of the entity when
the change moved it (review status); for changes that leave `updated_at` alone (a daily
cap hit shows only in delivery_status) pass the start of the account-local day, so one
such event is kept per day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models.base import utcnow
from storage.models.events import Event
from storage.upsert import dialect_insert


def transition_key(
    kind: str,
    entity_type: str,
    entity_id: str,
    after: Mapping[str, Any] | None,
    observed_at: datetime | None,
) -> str:
    fingerprint = json.dumps(after or {}, sort_keys=True, separators=(",", ":"), default=str)
    observed = observed_at.isoformat() if observed_at else ""
    material = "\x1f".join((kind, entity_type, entity_id, fingerprint, observed))
    return hashlib.sha256(material.encode()).hexdigest()


def record(
    session: Session,
    *,
    kind: str,
    entity_type: str,
    entity_id: str,
    ad_account_id: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    observed_at: datetime | None,
    now: datetime | None = None,
) -> Event | None:
    """Store one transition; returns the new event, or None when it was already stored."""
    key = transition_key(kind, entity_type, entity_id, after, observed_at)
    values = dict(
        transition_key=key,
        kind=kind,
        entity_type=entity_type,
        entity_id=entity_id,
        ad_account_id=ad_account_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        observed_at=observed_at,
        detected_at=now or utcnow(),
        delivery_attempts=0,
    )
    stmt = dialect_insert(session, Event.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["transition_key"]).returning(
        Event.__table__.c.id
    )
    new_id = session.execute(stmt).scalar_one_or_none()
    return None if new_id is None else session.get(Event, new_id)


def undelivered(
    session: Session, *, limit: int = 100, skip: Collection[int] = (), lock: bool = False
) -> list[Event]:
    """Events not yet handed to the runner, oldest first, leaving out the ids in `skip`.

    `lock=True` takes them FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one writer
    anyway), so a concurrent delivery sweep passes over them instead of sending them too.
    """
    stmt = select(Event).where(Event.delivered_at.is_(None))
    if skip:
        stmt = stmt.where(Event.id.not_in(list(skip)))
    stmt = stmt.order_by(Event.detected_at, Event.id).limit(limit)
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def mark_delivered(session: Session, event_id: int, *, now: datetime | None = None) -> None:
    session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(delivered_at=now or utcnow(), delivery_attempts=Event.delivery_attempts + 1)
        .execution_options(synchronize_session=False)
    )


def mark_delivery_failed(session: Session, event_id: int, error: str) -> None:
    """Count a failed hand-off; the event stays undelivered for the next run."""
    session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(delivery_attempts=Event.delivery_attempts + 1, last_delivery_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def latest(
    session: Session, *, limit: int | None = 50, undelivered_only: bool = False
) -> list[Event]:
    """The newest events (or the newest not yet handed to the runner), newest first; all
    of them when `limit` is None."""
    stmt = select(Event).order_by(Event.detected_at.desc(), Event.id.desc()).limit(limit)
    if undelivered_only:
        stmt = stmt.where(Event.delivered_at.is_(None))
    return list(session.scalars(stmt))


def for_entity(session: Session, entity_type: str, entity_id: str) -> list[Event]:
    stmt = select(Event).where(Event.entity_type == entity_type, Event.entity_id == entity_id)
    return list(session.scalars(stmt.order_by(Event.detected_at, Event.id)))
