"""The mutation journal: at most one worker holds an idempotency key at a time.

A key moves `pending -> in_flight -> succeeded | failed | unknown | quota_unavailable`
(docs/architecture.md, The journal), and a create whose attempts ran out while its
outcome was unknown moves to `maybe_created`: never claimed again (nothing re-sends it),
only looked for by the completer, which adopts the entity (`adopt_maybe_created`) if it
appears.

`claim` is the only way into `in_flight`: the row is created with `INSERT ... ON
CONFLICT DO NOTHING`, then taken with an UPDATE conditioned on the attempt number the
claimant read, so of two racing claimants exactly one changes a row; the other reads
the winner's state. Each claim bumps `attempt` (the fencing
token) and every outcome is written `WHERE attempt = :mine AND state = 'in_flight'`, so
a worker whose lease ran out cannot overwrite a newer attempt (`StaleAttempt`).

Functions flush but never commit: commit the claim before the request goes out and the
outcome right after it comes back (rule 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import CursorResult, String, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.errors import JournalConflict, StaleAttempt
from storage.models.base import utcnow
from storage.models.journal import TERMINAL_STATES, JournalEntry, JournalState
from storage.redact import redact
from storage.upsert import dialect_insert

DEFAULT_LEASE_S = 90.0
DEFAULT_MAX_ATTEMPTS = 10
_CLAIMABLE = (
    JournalState.PENDING.value,
    JournalState.QUOTA_UNAVAILABLE.value,
    JournalState.UNKNOWN.value,
    JournalState.IN_FLIGHT.value,  # only once its lease has expired
)
_MUST_RECONCILE = (JournalState.IN_FLIGHT.value, JournalState.UNKNOWN.value)


@dataclass(frozen=True)
class Claim:
    """The answer to a claim.

    `won`: this caller holds the key under `entry.attempt` and may act. `reconcile`: a
    previous attempt may have reached Snap (it was in flight or its answer was lost), so
    list-and-match before any resend (rule 4). When not won, `entry` is the current row:
    a terminal state means return its recorded result; `in_flight` means someone holds it.
    """

    won: bool
    entry: JournalEntry
    reconcile: bool = False


def claim(
    session: Session,
    key: str,
    *,
    task_id: str,
    task_name: str,
    step: str,
    ad_account_id: str | None,
    request_digest: str,
    worker_id: str,
    payload: dict[str, Any] | None = None,
    lease_s: float = DEFAULT_LEASE_S,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    fx_rate: Decimal | None = None,
    create_lookup: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Claim:
    """Take `key` for one attempt under a lease of `lease_s`, or learn who has it.

    `fx_rate` (the rate the write's amounts were converted at) is kept on the row from
    the claim on, so a later attempt converts as this one did (`task_fx_rate`).
    `create_lookup` (a create's `{"kind", "parent_id", "item"}`): a key at its attempt
    cap whose outcome is unknown becomes `maybe_created` rather than `failed`.
    """
    now = now or utcnow()
    row = _row(key, task_id, task_name, step, ad_account_id, request_digest, payload, now)
    taken = _insert_taken(session, row, worker_id, lease_s, now, fx_rate)
    if taken is not None:  # a new key, taken by its own insert: nobody held it before
        return Claim(won=True, entry=taken)
    entry = _read(session, key)
    if entry.request_digest != request_digest:
        raise JournalConflict(
            f"idempotency key {key} is journaled for another request ({entry.task_name} "
            f"step {entry.step}); refusing to reuse it"
        )
    if not _claimable(entry, now):
        return Claim(won=False, entry=entry)
    lost = lost_attempts(entry)
    if lost >= max_attempts:
        if create_lookup is not None and entry.state in _MUST_RECONCILE:
            reason = f"attempts exhausted ({lost} of {max_attempts} lost)"
            return Claim(won=False, entry=_park(session, entry, create_lookup, reason, now))
        return Claim(won=False, entry=_exhaust(session, entry, max_attempts, now))
    return _take(session, entry, worker_id, lease_s, now, fx_rate)


def lost_attempts(entry: JournalEntry) -> int:
    """Attempts lost so far, counting the holder of a claimable in-flight key (its lease
    lapsed or was ended: it never recorded an outcome).

    Rule 8's cap counts only these. `task_reject_on_worker_lost` requeues a task whose
    worker died, outside Celery's retry count, so a task that kills its worker would
    loop; the cap ends that loop. An attempt that ended cleanly (a gate wait, a 429, a
    lost answer it recorded) is bounded by Celery's retries: counting it too failed
    mutations that had only waited for a busy gate (the chaos soak: 10 gate waits in a
    row and an `adsquad.resume` ended `attempts_exhausted` with nothing sent).
    """
    return entry.lost_attempts + (1 if entry.state == JournalState.IN_FLIGHT.value else 0)


def _row(
    key: str,
    task_id: str,
    task_name: str,
    step: str,
    ad_account_id: str | None,
    request_digest: str,
    payload: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    return dict(
        idempotency_key=key,
        task_id=task_id,
        task_name=task_name,
        step=step,
        ad_account_id=ad_account_id,
        request_digest=request_digest,
        payload=payload,
        created_at=now,
        updated_at=now,
    )


def _insert_taken(
    session: Session,
    row: dict[str, Any],
    worker_id: str,
    lease_s: float,
    now: datetime,
    fx_rate: Decimal | None,
) -> JournalEntry | None:
    """The first claim of a key is its INSERT ... ON CONFLICT DO NOTHING RETURNING: the row
    is born in flight at attempt 1, in one statement. The unique key lets exactly one of
    racing claimants insert; the others get nothing back and take the path of a key that
    exists (read it, then the conditional UPDATE)."""
    values = dict(
        row,
        state=JournalState.IN_FLIGHT.value,
        attempt=1,
        worker_id=worker_id,
        locked_at=now,
        lease_expires_at=now + timedelta(seconds=lease_s),
        **({"fx_rate": fx_rate} if fx_rate is not None else {}),
    )
    stmt = (
        dialect_insert(session, JournalEntry)  # type: ignore[arg-type]  # ORM entity: rows back
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(JournalEntry)
    )
    return session.scalars(stmt).one_or_none()


def _read(session: Session, key: str) -> JournalEntry:
    stmt = select(JournalEntry).where(JournalEntry.idempotency_key == key)
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def _claimable(entry: JournalEntry, now: datetime) -> bool:
    if entry.state not in _CLAIMABLE:
        return False
    if entry.state == JournalState.IN_FLIGHT.value:
        return entry.lease_expires_at is None or entry.lease_expires_at <= now
    return True


def _take(
    session: Session,
    entry: JournalEntry,
    worker_id: str,
    lease_s: float,
    now: datetime,
    fx_rate: Decimal | None = None,
) -> Claim:
    """The conditional UPDATE: it matches only if nobody took the key since we read it."""
    rate = {"fx_rate": fx_rate} if fx_rate is not None else {}
    key, reconcile = entry.idempotency_key, entry.state in _MUST_RECONCILE
    # RETURNING: the row as taken comes back with the UPDATE, one round trip, not two.
    taken = session.execute(
        update(JournalEntry)
        .where(
            JournalEntry.idempotency_key == key,
            JournalEntry.attempt == entry.attempt,
            JournalEntry.state == entry.state,
        )
        .values(
            state=JournalState.IN_FLIGHT.value,
            attempt=entry.attempt + 1,
            lost_attempts=lost_attempts(entry),
            worker_id=worker_id,
            locked_at=now,
            lease_expires_at=now + timedelta(seconds=lease_s),
            updated_at=now,
            **rate,
        )
        .returning(JournalEntry)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).scalar_one_or_none()
    if taken is None:  # someone took the key since we read it: their state, not ours
        return Claim(won=False, entry=_read(session, key))
    return Claim(won=True, entry=taken, reconcile=reconcile)


def _exhaust(
    session: Session, entry: JournalEntry, max_attempts: int, now: datetime
) -> JournalEntry:
    """Rule 8: over the cap the key fails for good, with the reason."""
    lost = lost_attempts(entry)
    session.execute(
        update(JournalEntry)
        .where(
            JournalEntry.idempotency_key == entry.idempotency_key,
            JournalEntry.attempt == entry.attempt,
        )
        .values(
            state=JournalState.FAILED.value,
            reason=f"attempts exhausted ({lost} of {max_attempts} lost)",
            error={
                "code": "attempts_exhausted",
                "message": (
                    f"gave up after {lost} attempts that ended without an outcome "
                    "(worker killed, timed out or crashed)"
                ),
            },
            worker_id=None,
            lease_expires_at=None,
            updated_at=now,
            finished_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _read(session, entry.idempotency_key)


def _park(
    session: Session,
    entry: JournalEntry,
    lookup: dict[str, Any],
    reason: str,
    now: datetime,
) -> JournalEntry:
    """A create at its cap with its outcome unknown: `maybe_created`, never re-sent."""
    session.execute(
        update(JournalEntry)
        .where(
            JournalEntry.idempotency_key == entry.idempotency_key,
            JournalEntry.attempt == entry.attempt,
            JournalEntry.state == entry.state,
        )
        .values(
            state=JournalState.MAYBE_CREATED.value,
            error=redact(maybe_created_result(entry, lookup, reason)),
            response=redact({"lookup": lookup}),
            reason=reason,
            worker_id=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _read(session, entry.idempotency_key)


def maybe_created_result(
    entry: JournalEntry, lookup: dict[str, Any], reason: str
) -> dict[str, Any]:
    """What the runner is told about a create that may have landed: all that is known.

    Not a failure (`status` is `unknown`): the completer keeps looking for the entity,
    and the task's result under the same task id becomes the success if it appears.
    """
    item = lookup.get("item") or {}
    name, kind, parent = item.get("name"), lookup.get("kind"), lookup.get("parent_id")
    first = entry.created_at.isoformat() if entry.created_at else None
    return {
        "status": "unknown",
        "code": "maybe_created",
        "message": (
            f"Snapchat Ads create of {kind} {name!r} under {parent} may have taken effect "
            f"({reason}); its answer was lost and it is not sent again. The completer keeps "
            "listing and matching it and adopts it if it appears: do not send it again "
            "under a new task id"
        ),
        "kind": kind,
        "name": name,
        "parent_id": parent,
        "first_attempt_at": first,
        "idempotency_key": entry.idempotency_key,
    }


def _finish(
    session: Session, key: str, attempt: int, values: dict[str, Any], now: datetime | None
) -> JournalEntry:
    """Write an outcome, fenced on `attempt`: a stale attempt gets StaleAttempt."""
    now = now or utcnow()
    values = {"updated_at": now, "worker_id": None, "lease_expires_at": None, **values}
    for column in ("response", "error"):
        if values.get(column) is not None:
            values[column] = redact(values[column])
    finished = session.execute(
        update(JournalEntry)
        .where(
            JournalEntry.idempotency_key == key,
            JournalEntry.attempt == attempt,
            JournalEntry.state == JournalState.IN_FLIGHT.value,
        )
        .values(**values)
        .returning(JournalEntry)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).scalar_one_or_none()
    if finished is None:
        current = get(session, key)
        seen = "missing" if current is None else f"{current.state} at attempt {current.attempt}"
        raise StaleAttempt(f"journal key {key}: attempt {attempt} no longer holds it ({seen})")
    return finished


def mark_succeeded(
    session: Session,
    key: str,
    attempt: int,
    snap_ids: list[str],
    response: dict[str, Any] | None = None,
    *,
    fx_rate: Decimal | None = None,
    now: datetime | None = None,
) -> JournalEntry:
    """The write took effect: store the Snap ids and the (secret-free) response."""
    finished = now or utcnow()
    values = dict(
        state=JournalState.SUCCEEDED.value,
        snap_ids=list(snap_ids),
        response=response,
        error=None,
        fx_rate=fx_rate,
        finished_at=finished,
    )
    return _finish(session, key, attempt, values, finished)


def mark_failed(
    session: Session,
    key: str,
    attempt: int,
    error: dict[str, Any],
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> JournalEntry:
    """A definitive failure (validation, rejected): terminal, never retried."""
    finished = now or utcnow()
    values = dict(state=JournalState.FAILED.value, error=error, reason=reason, finished_at=finished)
    return _finish(session, key, attempt, values, finished)


def mark_unknown(
    session: Session,
    key: str,
    attempt: int,
    error: dict[str, Any] | None = None,
    *,
    lost: bool = False,
    now: datetime | None = None,
) -> JournalEntry:
    """The request may have reached Snap but the answer was lost: reconcile next time.

    `lost`: written on behalf of an attempt that died holding the key (the completer
    settling an expired lease), so it counts against the attempt cap.
    """
    values: dict[str, Any] = dict(state=JournalState.UNKNOWN.value, error=error)
    if lost:
        values["lost_attempts"] = JournalEntry.lost_attempts + 1
    return _finish(session, key, attempt, values, now)


def mark_quota_unavailable(
    session: Session,
    key: str,
    attempt: int,
    error: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> JournalEntry:
    """The gate failed closed: nothing was sent, a later claim may try again."""
    values = dict(state=JournalState.QUOTA_UNAVAILABLE.value, error=error)
    return _finish(session, key, attempt, values, now)


def mark_maybe_created(
    session: Session,
    key: str,
    attempt: int,
    lookup: dict[str, Any],
    reason: str,
    *,
    now: datetime | None = None,
) -> JournalEntry:
    """A create's last attempt ended with its outcome unknown: look for it, never resend.

    `lookup` is `{"kind", "parent_id", "item"}`: what the completer lists and matches.
    """
    entry = _read(session, key)
    values = dict(
        state=JournalState.MAYBE_CREATED.value,
        error=maybe_created_result(entry, lookup, reason),
        response={"lookup": lookup},
        reason=reason,
    )
    return _finish(session, key, attempt, values, now)


def maybe_created(session: Session, *, limit: int = 100) -> list[JournalEntry]:
    """Creates that may have landed, least recently looked for first (the completer's)."""
    stmt = select(JournalEntry).where(JournalEntry.state == JournalState.MAYBE_CREATED.value)
    return list(session.scalars(stmt.order_by(JournalEntry.updated_at).limit(limit)))


def adopt_maybe_created(
    session: Session,
    key: str,
    snap_ids: list[str],
    response: dict[str, Any],
    *,
    now: datetime | None = None,
) -> bool:
    """The entity of a `maybe_created` key appeared: succeeded. False if the row moved on."""
    finished = now or utcnow()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(JournalEntry)
        .where(
            JournalEntry.idempotency_key == key,
            JournalEntry.state == JournalState.MAYBE_CREATED.value,
        )
        .values(
            state=JournalState.SUCCEEDED.value,
            snap_ids=list(snap_ids),
            response=redact(response),
            error=None,
            updated_at=finished,
            finished_at=finished,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(
    session: Session, key: str, attempt: int, *, now: datetime | None = None
) -> JournalEntry:
    """Give the key back untouched (nothing was sent, e.g. a long gate wait): `pending`."""
    return _finish(session, key, attempt, {"state": JournalState.PENDING.value}, now)


def renew(
    session: Session, held: list[tuple[str, int]], lease_s: float, *, now: datetime | None = None
) -> int:
    """The live attempts' heartbeat: push the lease of each (key, attempt) still in flight
    `lease_s` past now. A key another attempt took (its attempt moved on) is left alone.
    Returns how many leases were renewed."""
    if not held:
        return 0
    now = now or utcnow()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(JournalEntry)
        .where(
            JournalEntry.state == JournalState.IN_FLIGHT.value,
            or_(
                *(
                    (JournalEntry.idempotency_key == key) & (JournalEntry.attempt == attempt)
                    for key, attempt in held
                )
            ),
        )
        .values(lease_expires_at=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def expire_holder(session: Session, worker_prefix: str, *, now: datetime | None = None) -> int:
    """A holder is known dead (its pool child was lost): its in-flight leases end now, so
    the redelivered task reconciles at once instead of waiting for them to lapse."""
    now = now or utcnow()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(JournalEntry)
        .where(
            JournalEntry.state == JournalState.IN_FLIGHT.value,
            JournalEntry.worker_id.startswith(worker_prefix, autoescape=True),
            JournalEntry.lease_expires_at > now,
        )
        .values(lease_expires_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def get(session: Session, key: str) -> JournalEntry | None:
    stmt = select(JournalEntry).where(JournalEntry.idempotency_key == key)
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def task_fx_rate(session: Session, task_id: str) -> Decimal | None:
    """The FX rate an earlier attempt of the task converted its amounts at, if any.

    A retry must convert as the first attempt did: a lost create is matched on its
    micro amounts, and another rate would make another entity (a duplicate).
    """
    stmt = select(JournalEntry.fx_rate).where(
        JournalEntry.task_id == task_id, JournalEntry.fx_rate.is_not(None)
    )
    return session.scalars(stmt.order_by(JournalEntry.created_at).limit(1)).first()


def for_task(session: Session, task_id: str) -> list[JournalEntry]:
    """Every step of one task, oldest first."""
    stmt = select(JournalEntry).where(JournalEntry.task_id == task_id)
    return list(session.scalars(stmt.order_by(JournalEntry.created_at, JournalEntry.step)))


def find_stale(
    session: Session,
    *,
    idle_s: float,
    now: datetime | None = None,
    limit: int = 100,
) -> list[JournalEntry]:
    """Unfinished keys nobody is working on, idle for `idle_s`: the completer re-drives them.

    That is pending, unknown or quota_unavailable rows untouched for `idle_s`, and
    in_flight rows whose lease expired (their worker died mid-request).
    """
    now = now or utcnow()
    idle_since = now - timedelta(seconds=idle_s)
    stmt = (
        select(JournalEntry)
        .where(
            or_(
                JournalEntry.state.in_(
                    [
                        JournalState.PENDING.value,
                        JournalState.UNKNOWN.value,
                        JournalState.QUOTA_UNAVAILABLE.value,
                    ]
                )
                & (JournalEntry.updated_at <= idle_since),
                (JournalEntry.state == JournalState.IN_FLIGHT.value)
                & (JournalEntry.lease_expires_at <= now),
            )
        )
        .order_by(JournalEntry.updated_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def owned_snap_ids(
    session: Session, ad_account_id: str | None, *, days: int = 7, now: datetime | None = None
) -> set[str]:
    """Ids the account's succeeded writes of the last `days` recorded (reconcile skips them)."""
    since = (now or utcnow()) - timedelta(days=days)
    rows = session.scalars(
        select(JournalEntry.snap_ids).where(
            JournalEntry.ad_account_id == ad_account_id,
            JournalEntry.state == JournalState.SUCCEEDED.value,
            JournalEntry.created_at >= since,
        )
    )
    return {str(i) for ids in rows if ids for i in ids}


def by_state(
    session: Session, state: JournalState | str, *, limit: int = 100
) -> list[JournalEntry]:
    """Operators' view: the most recently touched rows in one state."""
    stmt = select(JournalEntry).where(JournalEntry.state == str(state))
    return list(session.scalars(stmt.order_by(JournalEntry.updated_at.desc()).limit(limit)))


def for_ad_account(session: Session, ad_account_id: str, *, limit: int = 100) -> list[JournalEntry]:
    """Operators' view: an ad account's mutations, newest first."""
    stmt = select(JournalEntry).where(JournalEntry.ad_account_id == ad_account_id)
    return list(session.scalars(stmt.order_by(JournalEntry.created_at.desc()).limit(limit)))


def last_recorded_entity(session: Session, snap_id: str) -> dict[str, Any] | None:
    """The entity the newest succeeded write of `snap_id` recorded, if any.

    A dry run's entities exist nowhere else (Snap never saw them, mirrors skip them), so a
    dry-run update of one made in another process reads it back from here.
    """
    stmt = (
        select(JournalEntry.response)
        .where(
            JournalEntry.state == JournalState.SUCCEEDED.value,
            cast(JournalEntry.snap_ids, String).contains(json.dumps(snap_id), autoescape=True),
        )
        .order_by(JournalEntry.finished_at.desc())
        .limit(1)
    )
    response = session.scalars(stmt).first()
    entity = (response or {}).get("entity")
    return dict(entity) if isinstance(entity, dict) else None


def touch(session: Session, keys: list[str], *, now: datetime | None = None) -> None:
    """Restart the idle clock of unfinished keys (the completer just re-drove them)."""
    session.execute(
        update(JournalEntry)
        .where(JournalEntry.idempotency_key.in_(keys), JournalEntry.finished_at.is_(None))
        .values(updated_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def reap(session: Session, *, older_than_s: float, now: datetime | None = None) -> int:
    """Delete finished keys (succeeded, failed) older than `older_than_s`; returns rows gone.

    Only terminal rows go: an unfinished key is the completer's, however old it is.
    """
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_s)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(JournalEntry)
        .where(
            JournalEntry.state.in_([state.value for state in TERMINAL_STATES]),
            JournalEntry.finished_at <= cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def is_terminal(entry: JournalEntry) -> bool:
    return entry.state in TERMINAL_STATES
