"""One journaled write to Snap: key, claim, gate, send, record. The exactly-once core.

    key = uuid5(NAMESPACE, f"{task_id}:{step}")       stable across Celery retries
    claim(key)                                        storage.journal: one holder at a time,
                                                      its lease renewed while held (heartbeat)
      succeeded   -> the recorded entity, no request  (a redelivered or re-run task)
      failed      -> TaskFailed(recorded error)
      held        -> RetryLater(lease left)
      won, reconcile (in_flight expired / unknown)
                  -> create: list the parent's entities and match (worker.mutations.reconcile);
                     nothing found: look once more after SNAPFLEET_RECONCILE_RECHECK_S
                     (a listing may lag the create), only then send again
      maybe_created -> the same maybe_created result, no request (the completer looks)
    send(key, item) inside the task's gate scope      the client adds Idempotency-Key
    record        mark_succeeded + mirror, one transaction; or the error's journal state

What an error means for the journal and the task (`_verdict`):

    ConnectError, RateLimited (429 after the client's own retries), GateTimeout
        nothing took effect: release the key, RetryLater (Retry-After / gate wait wins)
    OutcomeUnknown, ServerError, other transport errors
        create: mark_unknown, RetryLater; the next claim comes back with reconcile=True
        update/delete: absolute values, safe to resend: release, RetryLater
    NotFound on a delete whose key was claimed before: an earlier attempt deleted it: done
    QuotaUnavailable (the gate store is down): mark_quota_unavailable, TaskFailed, no retry
    any other Snap error (4xx, rejected items, Unauthorized): mark_failed, TaskFailed
    ... met while a create's outcome is unknown (reconcile, create lock, the resend after
        a reconcile that found nothing): never failed or released without looking again;
        RetryLater keeps the key unknown, an error that ends the task parks it
        maybe_created (below)

On the task's last attempt a retryable error is recorded as failed instead (rule 8),
except a create whose outcome is unknown: that one becomes `maybe_created` (the journal
state and the result code) with what is known (kind, name, parent, first attempt time),
and the completer keeps listing and matching it; it is never reported as a failure. The
same holds when an error that is not retried (a 401 after the token was revoked, the gate
store down) ends a create whose outcome is unknown.
Creates hold a short Redis lock per (kind, parent, name) from claim to record, so two
creates of the same name under one parent never reconcile (or send while the other
reconciles) at the same time, and a reconcile never adopts an entity another journaled
write already owns.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from snap import rules
from snap.errors import (
    ConnectError,
    NotFound,
    QuotaUnavailable,
    RateLimited,
    ServerError,
    SnapError,
    TransportError,
)
from storage import journal, mirrors
from storage.conflicts import rerun_on_conflict
from storage.errors import JournalConflict, StaleAttempt
from storage.models.journal import JournalEntry, JournalState
from worker.errors import (
    Code,
    CreateLockBusy,
    GateTimeout,
    JournalKeyBusy,
    TaskError,
    TaskFailed,
)
from worker.mutations.reconcile import Lookup, Match, as_dict, find
from worker.results import failed, from_error

logger = logging.getLogger("snapfleet.writes")

# Fixed forever: changing it would give every in-flight task new keys (and duplicates).
NAMESPACE = uuid.UUID("8a4e5a0c-6c1f-5b7e-9a53-2f0d3c8e1b44")
NAME_TAG_PREFIX = " #sf-"

Op = Literal["create", "update", "delete"]

__all__ = [
    "NAMESPACE",
    "Done",
    "RetryLater",
    "Write",
    "WriteContext",
    "idempotency_key",
    "request_digest",
    "run",
    "tagged_name",
]


def idempotency_key(task_id: str, step: str) -> str:
    """`uuid5(NAMESPACE, f"{task_id}:{step}")` (docs/architecture.md, A mutation)."""
    return str(uuid.uuid5(NAMESPACE, f"{task_id}:{step}"))


def request_digest(task_name: str, step: str, request: Any) -> str:
    """SHA-256 of what the runner asked for: the same key with another request is refused."""
    canonical = json.dumps([task_name, step, request], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def tagged_name(name: str, key: str) -> str:
    """`name` with the op id appended (`SNAPFLEET_RECONCILE_NAME_TAG`), within 375 chars."""
    tag = f"{NAME_TAG_PREFIX}{key}"
    return name[: rules.NAME_MAX_LEN - len(tag)] + tag


class RetryLater(Exception):
    """Nothing final happened: the task should run again after `countdown_s` (None: backoff).

    `cause` is the error behind it (its result is what the runner sees if retries run out).
    """

    def __init__(
        self, cause: BaseException, *, countdown_s: float | None = None, journaled: bool = True
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.countdown_s = countdown_s
        self.journaled = journaled

    @property
    def code(self) -> str:
        return str(getattr(self.cause, "code", "retry"))


@dataclass(frozen=True)
class Write:
    """One write of a task.

    Parameters:
        step(str): names the write inside its task ("create", "media", "adsquad:control");
            the idempotency key derives from it, so keep it stable across retries.
        kind(str): the plural API key of the entity ("campaigns", "adsquads", "ads", ...).
        op(str): "create", "update" or "delete".
        send(Callable): `send(key, item)` makes the request with `idempotency_key=key`
            and returns the entity (a snap model or a dict; None for a delete).
        item(Mapping|None): the item sent. For a create it is also what reconcile matches
            (its `name` gets the op-id tag first when SNAPFLEET_RECONCILE_NAME_TAG is on).
        parent_id(str|None): create: the entity the item is created under.
        list_children(Callable|None): create: lists the parent's entities of `kind`
            (pass `worker.mutations.reconcile.list_params(parent, kind)` for Snap-side sorting).
        entity_id(str|None): update/delete: the entity written.
    """

    step: str
    kind: str
    op: Op
    send: Callable[[str, Any], Any]  # (key, item): item is the Mapping, None for a delete
    item: Mapping[str, Any] | None = None
    parent_id: str | None = None
    list_children: Callable[[], Any] | None = None
    entity_id: str | None = None

    def __post_init__(self) -> None:
        if self.op == "create" and (self.item is None or self.parent_id is None):
            raise ValueError("a create needs item and parent_id")
        if self.op == "create" and self.list_children is None:
            raise ValueError("a create needs list_children to reconcile a lost answer")
        if self.op != "create" and self.entity_id is None:
            raise ValueError(f"an {self.op} needs entity_id")


@dataclass
class WriteContext:
    """What every write of one task attempt shares (built by the task base)."""

    session: Callable[[], contextlib.AbstractContextManager[Session]]
    task_id: str
    task_name: str
    ad_account_id: str | None
    request: Any  # the validated payload, JSON-able: the digest's base
    worker_id: str
    final_attempt: bool
    dry_run: bool
    lock: Callable[[str], contextlib.AbstractContextManager[None]]
    fx_rate: Callable[[], Decimal | None] = lambda: None
    lease_s: float = journal.DEFAULT_LEASE_S
    max_attempts: int = journal.DEFAULT_MAX_ATTEMPTS
    skew_s: float = 300.0
    recheck_s: float = 10.0
    name_tag: bool = False
    keys: list[str] = field(default_factory=list)  # every key this attempt touched
    heartbeat: Any = None  # worker.mutations.heartbeat.Heartbeat: renews the lease while held


@dataclass(frozen=True)
class Done:
    """A write that took effect (now or in an earlier attempt)."""

    entity: dict[str, Any]
    key: str
    attempt: int
    replayed: bool = False  # read from the journal, no request sent
    adopted: bool = False  # found on Snap by reconcile, not sent again
    duplicates: tuple[str, ...] = ()

    @property
    def snap_id(self) -> str | None:
        value = self.entity.get("id")
        return None if value is None else str(value)


def run(ctx: WriteContext, write: Write) -> Done:
    """Claim the write's key, then replay, reconcile or send it, and record the outcome."""
    key = idempotency_key(ctx.task_id, write.step)
    ctx.keys.append(key)
    claim = _claim(ctx, write, key)
    if not claim.won:
        return _settled(claim.entry)
    beating = ctx.heartbeat.key(key, claim.entry.attempt) if ctx.heartbeat else None
    with beating or contextlib.nullcontext():
        return _run_claimed(ctx, write, key, claim)


def _run_claimed(ctx: WriteContext, write: Write, key: str, claim: journal.Claim) -> Done:
    attempt = claim.entry.attempt
    item = _item(ctx, write, key)
    if write.op != "create":
        return _send(ctx, write, key, attempt, item)
    assert item is not None and write.parent_id is not None
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(ctx.lock(lock_name(write.kind, write.parent_id, item.get("name"))))
        except Exception as exc:  # the lock store failed: nothing was sent
            _fail_or_retry(ctx, write, key, attempt, _lock_error(exc), unknown=claim.reconcile)
        if claim.reconcile:
            found = _reconcile(ctx, write, key, item, claim.entry)
            if found.adopted is not None:
                return _adopt(ctx, write, key, attempt, found)
            _look_again_later(ctx, write, key, attempt, claim.entry)
        # Found nothing (yet: lists may lag): until this send's answer is known the key
        # stays unknown, so a resend turned away (429, gate wait) is looked for again.
        return _send(ctx, write, key, attempt, item, unknown=claim.reconcile)
    raise AssertionError("unreachable")  # pragma: no cover


def lock_name(kind: str, parent_id: str, name: Any) -> str:
    """The create lock of one name under one parent (the name hashed: it is free text)."""
    digest = hashlib.sha256(str(name).encode()).hexdigest()[:24]
    return f"snapfleet:create-lock:{kind}:{parent_id}:{digest}"


class ListingMayLag(TaskError):
    """A reconcile found nothing yet: the listing may lag the create, so look again first."""

    code = Code.OUTCOME_UNKNOWN

    def __init__(self, message: str, *, wait_s: float, missed_at: datetime) -> None:
        super().__init__(message)
        self.wait_s = wait_s
        self.missed_at = missed_at


MISSED_AT = "reconcile_missed_at"  # in the journal row's error: when a reconcile found nothing


def _look_again_later(
    ctx: WriteContext, write: Write, key: str, attempt: int, entry: JournalEntry
) -> None:
    """Return (send) only if an earlier reconcile, at least `recheck_s` ago, found nothing too.

    Otherwise the key stays unknown with the time of this miss, and the task comes back
    after the rest of the delay (RetryLater), not holding a worker or the create lock.
    """
    if ctx.recheck_s <= 0:
        return
    now = datetime.now(UTC)
    missed_at = _time((entry.error or {}).get(MISSED_AT))
    if missed_at is not None and (now - missed_at).total_seconds() >= ctx.recheck_s:
        return
    missed_at = missed_at or now
    wait_s = max(1.0, ctx.recheck_s - (now - missed_at).total_seconds())
    lag = ListingMayLag(
        f"reconcile found no {write.kind} matching this create under {write.parent_id} yet; "
        f"looking again in {wait_s:.0f}s before sending it again (listings may lag)",
        wait_s=wait_s,
        missed_at=missed_at,
    )
    _fail_or_retry(ctx, write, key, attempt, lag, unknown=True)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _lock_error(exc: Exception) -> BaseException:
    if isinstance(exc, SnapError | GateTimeout | CreateLockBusy):
        return exc
    return QuotaUnavailable(
        f"create lock unavailable ({type(exc).__name__}): nothing sent", operation="lock"
    )


def _claim(ctx: WriteContext, write: Write, key: str) -> journal.Claim:
    digest = request_digest(ctx.task_name, write.step, ctx.request)
    try:
        with ctx.session() as session:
            return journal.claim(
                session,
                key,
                task_id=ctx.task_id,
                task_name=ctx.task_name,
                step=write.step,
                ad_account_id=ctx.ad_account_id,
                request_digest=digest,
                worker_id=ctx.worker_id,
                payload=ctx.request if isinstance(ctx.request, dict) else None,
                lease_s=ctx.lease_s,
                max_attempts=ctx.max_attempts,
                fx_rate=ctx.fx_rate(),
                create_lookup=_lookup(ctx, write, key) if write.op == "create" else None,
            )
    except JournalConflict as exc:
        raise TaskFailed(failed(Code.CONFLICT, str(exc)), cause=exc, journaled=True) from exc


def _settled(entry: JournalEntry) -> Done:
    """A key someone else holds, or one already finished."""
    if entry.state == JournalState.SUCCEEDED.value:
        response = entry.response or {}
        entity = dict(response.get("entity") or {"id": (entry.snap_ids or [None])[0]})
        return Done(entity, entry.idempotency_key, entry.attempt, replayed=True)
    if entry.state == JournalState.FAILED.value:
        error = entry.error or failed(Code.INTERNAL, entry.reason or "failed")
        raise TaskFailed({"status": "failed", **error}, journaled=True)
    if entry.state == JournalState.MAYBE_CREATED.value:
        raise TaskFailed(dict(entry.error or {}), journaled=True)
    wait_s = 1.0
    if entry.lease_expires_at is not None:
        left = entry.lease_expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
        wait_s = max(1.0, left.total_seconds())
    raise RetryLater(
        JournalKeyBusy(
            f"journal key {entry.idempotency_key} is {entry.state}, held by another attempt"
        ),
        countdown_s=wait_s,
    )


def _lookup(ctx: WriteContext, write: Write, key: str) -> dict[str, Any]:
    """What the completer needs to look for a create that may have landed."""
    return {"kind": write.kind, "parent_id": write.parent_id, "item": _item(ctx, write, key)}


def _item(ctx: WriteContext, write: Write, key: str) -> dict[str, Any] | None:
    if write.item is None:
        return None
    item = dict(write.item)
    if write.op == "create" and ctx.name_tag and isinstance(item.get("name"), str):
        item["name"] = tagged_name(item["name"], key)
    return item


def _reconcile(
    ctx: WriteContext, write: Write, key: str, item: Mapping[str, Any], entry: JournalEntry
) -> Match:
    """List-and-match under the create lock; log what was decided."""
    assert write.list_children is not None and write.parent_id is not None
    lookup = Lookup(write.kind, write.parent_id, item, write.list_children)
    try:
        found = find(
            lookup, since=entry.created_at, skew_s=ctx.skew_s, owned_ids=_owned_ids(ctx, write)
        )
    except BaseException as exc:
        # Listing failed: we still do not know; nothing new was sent.
        _fail_or_retry(ctx, write, key, entry.attempt, exc, unknown=True)
        raise AssertionError("unreachable") from exc  # pragma: no cover
    logger.info(
        "writes: reconcile key=%s kind=%s parent=%s adopted=%s duplicates=%d",
        key,
        write.kind,
        write.parent_id,
        (found.adopted or {}).get("id"),
        len(found.duplicates),
    )
    return found


def _owned_ids(ctx: WriteContext, write: Write) -> set[str]:
    """Ids other journaled writes of this account already recorded (never adopt those)."""
    with ctx.session() as session:
        return journal.owned_snap_ids(session, ctx.ad_account_id, days=7)


def _adopt(ctx: WriteContext, write: Write, key: str, attempt: int, found: Match) -> Done:
    assert found.adopted is not None
    duplicates = tuple(str(d.get("id")) for d in found.duplicates)
    return _record(ctx, write, key, attempt, found.adopted, adopted=True, duplicates=duplicates)


def _send(
    ctx: WriteContext,
    write: Write,
    key: str,
    attempt: int,
    item: Mapping[str, Any] | None,
    *,
    unknown: bool = False,
) -> Done:
    try:
        raw = write.send(key, item)
    except BaseException as exc:
        if _already_deleted(write, attempt, exc):
            return _record(ctx, write, key, attempt, {"id": write.entity_id})
        _fail_or_retry(ctx, write, key, attempt, exc, unknown=unknown)
        raise AssertionError("unreachable") from exc  # pragma: no cover
    entity = as_dict(raw) if raw is not None else {"id": write.entity_id}
    return _record(ctx, write, key, attempt, entity)


def _already_deleted(write: Write, attempt: int, exc: BaseException) -> bool:
    """A delete answered 404 after an earlier attempt of the same key: that one deleted it."""
    return write.op == "delete" and attempt > 1 and isinstance(exc, NotFound)


def _record(
    ctx: WriteContext,
    write: Write,
    key: str,
    attempt: int,
    entity: dict[str, Any],
    *,
    adopted: bool = False,
    duplicates: tuple[str, ...] = (),
) -> Done:
    """mark_succeeded and the mirror in one transaction (dry-run entities are not mirrored)."""
    snap_id = entity.get("id")
    response = {"entity": entity, "adopted": adopted, "duplicates": list(duplicates)}
    ids = [str(snap_id)] if snap_id is not None else []
    try:
        # Snap's answer is in hand: a transaction PostgreSQL rolled back to break a
        # deadlock is run again rather than leave the key for a reconcile to find.
        for rerun in rerun_on_conflict():
            with rerun, ctx.session() as session:
                journal.mark_succeeded(session, key, attempt, ids, response, fx_rate=ctx.fx_rate())
                if not ctx.dry_run:
                    _mirror(session, write, ctx.ad_account_id, entity)
    except StaleAttempt as exc:
        # Our lease ran out and another attempt holds the key; it will reconcile.
        logger.warning("writes: %s", exc)
        raise RetryLater(exc, countdown_s=1.0) from exc
    return Done(entity, key, attempt, adopted=adopted, duplicates=duplicates)


def _mirror(session: Session, write: Write, ad_account_id: str | None, entity: dict) -> None:
    if ad_account_id is None or write.kind not in mirrors.KINDS or entity.get("id") is None:
        return
    if write.op == "delete":
        mirrors.mark_deleted(session, write.kind, [str(entity["id"])])
    elif len(entity) > 1:  # a full entity, not just {"id": ...}
        mirrors.upsert_many(session, write.kind, ad_account_id, [entity])


# --- Errors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Verdict:
    state: Literal["release", "unknown", "quota", "failed"]
    retry: bool
    countdown_s: float | None = None


def _verdict(exc: BaseException, op: Op, *, unknown: bool = False) -> _Verdict:
    """What the error means: the journal state to leave and whether to retry."""
    maybe_sent = "unknown" if op == "create" or unknown else "release"
    if isinstance(exc, GateTimeout | CreateLockBusy | ListingMayLag):
        return _Verdict("unknown" if unknown else "release", True, exc.wait_s)
    if isinstance(exc, RateLimited):
        return _Verdict("unknown" if unknown else "release", True, exc.retry_after_s)
    if isinstance(exc, ConnectError):
        return _Verdict("unknown" if unknown else "release", True)
    if isinstance(exc, QuotaUnavailable):
        return _Verdict("unknown" if unknown else "quota", False)
    if isinstance(exc, TransportError | ServerError):
        return _Verdict(maybe_sent, True)  # type: ignore[arg-type]
    if isinstance(exc, SnapError):
        # A refused list (401/403/404) while reconciling says nothing about the earlier
        # send: the key stays unknown, so a later run still looks before sending.
        return _Verdict("unknown" if unknown else "failed", False)
    return _Verdict(maybe_sent, True)  # type: ignore[arg-type]  # a bug: safe side


def _fail_or_retry(
    ctx: WriteContext,
    write: Write,
    key: str,
    attempt: int,
    exc: BaseException,
    *,
    unknown: bool = False,
) -> None:
    """Leave the journal in the state the error means, then raise RetryLater or TaskFailed."""
    verdict = _verdict(exc, write.op, unknown=unknown)
    result = from_error(exc)
    if isinstance(exc, ListingMayLag):
        result[MISSED_AT] = exc.missed_at.isoformat()
    ends = ctx.final_attempt or not verdict.retry
    if ends and write.op == "create" and verdict.state == "unknown":
        # A create that may have landed is never reported as a plain failure, whether its
        # retries ran out or looking for it was refused (a revoked token, Redis down):
        # the runner is told it may exist, and the completer keeps looking.
        reason = (
            f"retries exhausted: {result['code']}"
            if verdict.retry
            else f"{result['code']} while its outcome was unknown"
        )
        raise TaskFailed(_park(ctx, write, key, attempt, reason), cause=exc, journaled=True)
    if verdict.retry and ctx.final_attempt:
        reason = f"retries exhausted: {result['code']}"
        _mark(ctx, key, attempt, "failed", result, reason=reason)
        raise TaskFailed(result, cause=exc, journaled=True) from exc
    _mark(ctx, key, attempt, verdict.state, result)
    if verdict.retry:
        raise RetryLater(exc, countdown_s=verdict.countdown_s) from exc
    raise TaskFailed(result, cause=exc, journaled=True) from exc


def _park(ctx: WriteContext, write: Write, key: str, attempt: int, reason: str) -> dict[str, Any]:
    """The key becomes maybe_created; returns the result the runner gets."""
    lookup = _lookup(ctx, write, key)
    try:
        with ctx.session() as session:
            entry = journal.mark_maybe_created(session, key, attempt, lookup, reason)
            return dict(entry.error or {})
    except StaleAttempt as exc:
        # Another attempt holds the key now and owns its outcome; say what we know.
        logger.warning("writes: %s", exc)
        with ctx.session() as session:
            current = journal.get(session, key)
            assert current is not None
            return journal.maybe_created_result(current, lookup, reason)


def _mark(
    ctx: WriteContext,
    key: str,
    attempt: int,
    state: str,
    error: dict[str, Any],
    *,
    reason: str | None = None,
) -> None:
    try:
        with ctx.session() as session:
            if state == "release":
                journal.release(session, key, attempt)
            elif state == "unknown":
                journal.mark_unknown(session, key, attempt, error)
            elif state == "quota":
                journal.mark_quota_unavailable(session, key, attempt, error)
            else:
                journal.mark_failed(session, key, attempt, error, reason=reason)
    except StaleAttempt as exc:
        logger.warning("writes: %s", exc)


@contextlib.contextmanager
def no_lock(name: str) -> Iterator[None]:
    """A lock that is no lock (one process, or tests that do not race)."""
    yield
