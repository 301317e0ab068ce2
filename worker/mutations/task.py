"""The task base: what every mutation does around its own few lines.

    @shared_task(bind=True, base=MutationTask, name="snap.campaign.create",
                 payload_model=CampaignCreate)
    def create(self, m: Mutation) -> dict:
        item = m.payload.to_snap_item(m.to_micro)
        done = m.create("create", "campaigns", item, parent_id=m.account.ad_account_id,
                        send=lambda key, item: m.client.create_campaigns(
                            m.account.ad_account_id, [item], idempotency_key=key)[0],
                        list_children=lambda: m.client.list_campaigns(m.account.ad_account_id))
        return m.succeeded(done)

The runner sends the payload as kwargs; `MutationTask.__call__` (the one Celery
extension point used, so the worker and `task.apply()` take the same path) then:

1. validates the kwargs with `payload_model` before anything else: a bad payload is
   journaled (`failed`, step `task`) and returned as the `validation` result, never retried;
2. resolves the ad account and its connection (`not_connected` if none owns it) and
   fails fast with `unauthorized` when the connection needs re-authorisation;
3. picks the live or dry-run client (`SNAPCHAT_ADS_LIVE_MODE`), enters the account's
   gate scope and calls the task body with a `Mutation`;
4. maps what comes out: a result dict is returned; `TaskFailed` returns its result;
   `RetryLater` (and retryable Snap errors of reads) becomes a Celery retry with
   exponential backoff and jitter, bounded by SNAPFLEET_TASK_MAX_RETRIES and
   SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S (a Retry-After or gate wait wins); `Unauthorized`
   marks the connection `needs_reauth`. Every outcome is one structured log line.

Writes go through `Mutation.create/update/delete` (or `Mutation.write(Write)`), which run
`worker.mutations.writes.run`: the journal, the idempotency key and reconcile live there.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from celery import Task
from celery.exceptions import Ignore, Reject, Retry
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from snap import money
from snap.client import SnapClient
from snap.dryrun import DryRunClient, is_dry_run_id
from snap.errors import (
    RateLimited,
    ServerError,
    SnapError,
    TransportError,
    Unauthorized,
)
from storage import connections as connection_repo
from storage import journal
from storage.errors import JournalConflict, StaleAttempt
from storage.models.connections import ConnectionState
from worker import logs, metrics
from worker.errors import (
    AccountNotConnected,
    Code,
    CreateLockBusy,
    FxRateMissing,
    GateTimeout,
    TaskFailed,
)
from worker.mutations import heartbeat, recovery, writes
from worker.mutations.reconcile import as_dict
from worker.mutations.writes import Done, RetryLater, Write, WriteContext
from worker.results import failed, from_error, succeeded, validation_failure
from worker.runtime import AccountContext, Runtime, runtime
from worker.settings import Settings
from worker.tenancy import tenant_refusal

__all__ = ["Mutation", "MutationTask", "backoff_s"]

logger = logging.getLogger("snapfleet.task")

RETRY_BASE_S = 1.0
REFUSAL_STEP = "task"  # the journal row of a task refused before (or outside) any write


def backoff_s(retries: int, cap_s: float, *, rand: Callable[[], float] = random.random) -> float:
    """Countdown before Celery retry `retries + 1`: exponential, full jitter in [step/2, step]."""
    step_s = min(cap_s, RETRY_BASE_S * (2**retries))
    return step_s / 2 + rand() * step_s / 2


@dataclass
class Mutation:
    """What a task body gets: the validated payload, the account, the client, the writes.

    `to_micro(amount_usd)` converts a USD amount to the account's micro-currency (FX
    looked up on first use; a missing rate raises FxRateMissing -> `fx_unavailable`).
    `create/update/delete/write` run one journaled write each and return `writes.Done`.
    """

    payload: Any
    account: AccountContext
    client: SnapClient
    runtime: Runtime
    context: WriteContext
    fx_rate: Decimal | None = None
    _fx_looked_up: bool = field(default=False, repr=False)

    @property
    def dry_run(self) -> bool:
        return isinstance(self.client, DryRunClient)

    @property
    def ad_account_id(self) -> str:
        return self.account.ad_account_id

    def to_micro(self, amount_usd: Decimal) -> int:
        """USD -> micro of the account's currency (`snap.money`), the rate journaled."""
        currency = self.account.currency
        if currency.upper() == money.USD:
            return money.usd_to_micro(amount_usd)
        if not self._fx_looked_up:
            # A retry converts at the rate its first attempt journaled (a lost create is
            # matched on its amounts); only a task's first conversion asks for today's.
            with self.runtime.session() as session:
                journaled = journal.task_fx_rate(session, self.context.task_id)
            self.fx_rate = journaled or self.runtime.rate_to_usd(currency)
            self._fx_looked_up = True
        if self.fx_rate is None:
            raise FxRateMissing(
                f"no USD rate for {currency} (ad account {self.ad_account_id}): "
                "set SNAPFLEET_FX_RATES or SNAPFLEET_FX_URL, or run the FX fill"
            )
        return money.convert_usd_to_micro(amount_usd, currency, self.fx_rate)

    def write(self, write: Write) -> Done:
        return writes.run(self.context, write)

    def create(
        self,
        step: str,
        kind: str,
        item: Mapping[str, Any],
        *,
        parent_id: str,
        send: Callable[[str, Mapping[str, Any]], Any],
        list_children: Callable[[], Any],
    ) -> Done:
        """A journaled create; a lost answer is reconciled by listing `list_children()`."""
        return self.write(
            Write(step, kind, "create", send, item, parent_id, list_children=list_children)
        )

    def update(
        self,
        step: str,
        kind: str,
        entity_id: str,
        item: Mapping[str, Any],
        *,
        send: Callable[[str, Mapping[str, Any]], Any],
    ) -> Done:
        """A journaled update (absolute values: safe to resend, no reconcile)."""
        return self.write(Write(step, kind, "update", send, item, entity_id=entity_id))

    def delete(self, step: str, kind: str, entity_id: str, *, send: Callable[[str], Any]) -> Done:
        """A journaled delete (a 404 on a retried key counts as done)."""
        return self.write(
            Write(step, kind, "delete", lambda key, _item: send(key), entity_id=entity_id)
        )

    def read_modify_write(
        self,
        kind: str,
        entity_id: str,
        *,
        get: Callable[[str], Any],
        build: Callable[[dict[str, Any]], Mapping[str, Any]],
        send: Callable[[dict[str, Any], Mapping[str, Any], str], Any],
        step: str = "update",
    ) -> Done:
        """GET the entity, build the PUT item from it, send it as one journaled update.

        Snap's PUT needs the entity's required fields (tasks/payloads/), so `build`
        gets the current entity; `send(current, item, key)` knows the parent from it.
        """
        current = self._current(entity_id, get)
        item = build(current)
        return self.update(
            step, kind, entity_id, item, send=lambda key, sent: send(current, sent or item, key)
        )

    def _current(self, entity_id: str, get: Callable[[str], Any]) -> dict[str, Any]:
        """The entity as Snap holds it; a dry run's own entity as the journal recorded it
        (it may have been made in another process, and Snap never saw it)."""
        if self.dry_run and is_dry_run_id(entity_id):
            with self.runtime.session() as session:
                recorded = journal.last_recorded_entity(session, entity_id)
            if recorded is not None:
                return recorded
        return as_dict(get(entity_id))

    def succeeded(self, done: Done | str | None = None, **fields: Any) -> dict[str, Any]:
        """The success result: `snap_id` of `done`, `dry_run`, and any extra fields."""
        snap_id = done.snap_id if isinstance(done, Done) else done
        if isinstance(done, Done) and done.adopted:
            fields.setdefault("reconciled", True)
        if isinstance(done, Done) and done.duplicates:
            fields.setdefault("duplicates", list(done.duplicates))
        return succeeded(snap_id, dry_run=self.dry_run, **fields)


class MutationTask(Task):
    """Celery Task base of every `snap.*` mutation. Options: `payload_model=` (required)."""

    payload_model: ClassVar[type[BaseModel] | None] = None
    # The main process's side of each message: receipt, lost pool child (recovery.py).
    Request = recovery.MutationRequest
    typing = False  # the body takes a Mutation, the message carries the payload as kwargs
    # The base decides every retry (journal first); Celery's autoretry stays off.
    autoretry_for = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Not super().__call__: in eager apply() it would push a request without the task
        # id; the tracer has already pushed the real one.
        started = time.monotonic()
        attempt = _Attempt(self, kwargs)
        try:
            result = attempt.run()
        except Retry:
            attempt.log("retrying", started, code=attempt.retry_code, level=logging.WARNING)
            raise
        ok = result.get("status") == "succeeded"
        level = logging.INFO if ok else logging.WARNING
        attempt.log(result.get("status", "?"), started, code=result.get("code"), level=level)
        return result

    @property
    def settings(self) -> Settings:
        return self.app.snapfleet_settings  # type: ignore[attr-defined,no-any-return]


class _Attempt:
    """One run of a mutation task: validate, resolve, call the body, map the outcome."""

    def __init__(self, task: MutationTask, raw: dict[str, Any]) -> None:
        self.task = task
        self.raw = raw
        request = task.request
        self.task_id = str(request.id or uuid.uuid4())
        self.retries = int(request.retries or 0)
        self.settings = task.settings
        self.final = self.retries >= self.settings.snapfleet_task_max_retries
        self.ad_account_id = raw.get("ad_account_id") if isinstance(raw, dict) else None
        self.context: WriteContext | None = None
        self.connection_id: int | None = None
        self.retry_code: str | None = None
        self.request: dict[str, Any] | None = None  # the validated payload, as journaled

    # --- The run --------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        model = self.task.payload_model
        if model is None:
            raise TypeError(f"task {self.task.name} has no payload_model")
        try:
            payload = model.model_validate(dict(self.raw))
        except PydanticValidationError as exc:
            return self.refuse(validation_failure(exc, model))
        self.request = request_of(payload)
        rt = runtime(self.task.app)
        try:
            # Every lookup before the writes in one transaction (a create is three: this,
            # the journal claim, the recorded outcome).
            with rt.unit():
                refusal = tenant_refusal(rt, payload)
                resolved = None if refusal is not None else self.resolve(rt, payload)
            if refusal is not None:
                return self.refuse(refusal)
            assert resolved is not None
            return self.body(payload, *resolved)
        except TaskFailed as exc:
            return self.failed(exc)
        except RetryLater as exc:
            return self.retry(exc)
        except Retry:
            raise
        except Exception as exc:
            # Not a Snap answer: the database, a soft time limit, a bug. A claimed key stays
            # in flight under its lease, so the retry reconciles rather than resends.
            logger.exception("task: %s[%s] raised %s", self.task.name, self.task_id, exc)
            return self.retry(RetryLater(exc, journaled=False))

    def resolve(self, rt: Runtime, payload: Any) -> tuple[AccountContext, SnapClient]:
        """The account, its connection (checked) and the client to act with."""
        try:
            account = rt.account(payload.ad_account_id)
            self.connection_id = account.connection_id
            self.check_connection(rt, account)
            return account, rt.client(account.connection_id)
        except AccountNotConnected as exc:
            raise TaskFailed(failed(exc.code, str(exc))) from exc

    def body(self, payload: Any, account: AccountContext, client: SnapClient) -> dict[str, Any]:
        """Run the task body inside the account's gate scope (mutation lane)."""
        rt = runtime(self.task.app)
        mutation = Mutation(payload, account, client, rt, self.write_context(rt, payload, client))
        self.context = mutation.context
        mutation.context.fx_rate = lambda: mutation.fx_rate
        try:
            with rt.account_gate_scope(account, lane="mutation"):
                return self.task.run(mutation)
        except (TaskFailed, RetryLater, Retry):
            raise
        except FxRateMissing as exc:
            raise TaskFailed(failed(exc.code, str(exc)), cause=exc) from exc
        except (GateTimeout, RateLimited, TransportError, ServerError) as exc:
            countdown = getattr(exc, "wait_s", None) or getattr(exc, "retry_after_s", None)
            raise RetryLater(exc, countdown_s=countdown, journaled=False) from exc
        except SnapError as exc:
            raise TaskFailed(from_error(exc), cause=exc) from exc

    def check_connection(self, rt: Runtime, account: AccountContext) -> None:
        """A connection that needs re-authorisation fails every queued task, no request."""
        with rt.session() as session:
            connection = connection_repo.get(session, account.connection_id)
            state, reason = connection.state, connection.reauth_reason
        if state == ConnectionState.NEEDS_REAUTH.value:
            raise TaskFailed(
                failed(
                    Code.UNAUTHORIZED,
                    f"Snapchat Ads connection {account.connection_id} needs re-authorisation "
                    f"({reason or 'Snapchat Ads /me returned 401'}): run `snapfleet connect`",
                )
            )
        if state != ConnectionState.ACTIVE.value:
            raise AccountNotConnected(f"connection {account.connection_id} is {state}")

    def write_context(self, rt: Runtime, payload: Any, client: SnapClient) -> WriteContext:
        s = self.settings
        beat = heartbeat.for_runtime(rt, s.snapfleet_journal_lease_s)
        return WriteContext(
            session=rt.session,
            task_id=self.task_id,
            task_name=self.task.name,
            ad_account_id=payload.ad_account_id,
            request=request_of(payload),
            worker_id=worker_id(self.task),
            final_attempt=self.final,
            dry_run=isinstance(client, DryRunClient),
            lock=redis_lock(rt, s.snapfleet_journal_lease_s, beat),
            lease_s=s.snapfleet_journal_lease_s,
            heartbeat=beat,
            max_attempts=s.snapfleet_journal_max_attempts,
            skew_s=s.snapfleet_reconcile_skew_s,
            # The second look is a Celery retry, whose countdown the backoff cap bounds.
            recheck_s=min(s.snapfleet_reconcile_recheck_s, s.snapfleet_task_retry_backoff_max_s),
            name_tag=s.snapfleet_reconcile_name_tag,
        )

    # --- Outcomes -------------------------------------------------------------------

    def failed(self, exc: TaskFailed) -> dict[str, Any]:
        if isinstance(exc.cause, Unauthorized) and self.connection_id is not None:
            runtime(self.task.app).mark_needs_reauth(self.connection_id, exc.cause.message)
        if exc.journaled:
            return exc.result
        state = "quota" if exc.code == Code.QUOTA_UNAVAILABLE else "failed"
        return self.refuse(exc.result, state=state)

    def retry(self, exc: RetryLater) -> dict[str, Any]:
        """A Celery retry after the countdown, or, on the last attempt, the failed result."""
        self.retry_code = exc.code
        if self.final:
            result = from_error(exc.cause)
            if not exc.journaled:
                self.refuse(result, reason=f"retries exhausted: {result['code']}")
            return result
        cap_s = self.settings.snapfleet_task_retry_backoff_max_s
        countdown = (
            exc.countdown_s if exc.countdown_s is not None else backoff_s(self.retries, cap_s)
        )
        if isinstance(exc.cause, GateTimeout):
            # The gate's wait is when a slot frees, not when one will be ours: under a
            # gate that stays busy, retries at that pace spend every retry in seconds.
            # Back off as for any other retry, never sooner than the gate said.
            countdown = max(countdown, backoff_s(self.retries, cap_s))
        countdown = min(max(countdown, 0.0), cap_s)
        if self.task.request.is_eager:
            eager_sleep(countdown)  # apply() re-runs at once: honour the countdown here
        # A builtin exception in the RETRY state: the result backend rebuilds it from its
        # message alone, which our errors' constructors (wait_s=, ...) would not survive.
        reason = RuntimeError(f"{exc.code}: {logs.redact_text(str(exc.cause))}")
        try:
            raise self.task.retry(
                exc=reason,
                countdown=countdown,
                max_retries=self.settings.snapfleet_task_max_retries,
            )
        except Reject as unsent:
            # The retry could not be queued (the broker is down): Celery would end the task
            # FAILED with the broker's error, and the runner would take a passing outage
            # for the task's end. The journal keeps its state; its receipt is left open and
            # lapsed, so the completer sends it again (same task id) once the broker is
            # back, and no result is stored meanwhile (Ignore).
            recovery.retry_unsent(self.task.app, self.task_id)
            raise Ignore() from unsent

    def refuse(
        self, result: dict[str, Any], *, state: str = "failed", reason: str | None = None
    ) -> dict[str, Any]:
        """Journal a task ended outside any write (step `task`), then return its result."""
        key = writes.idempotency_key(self.task_id, REFUSAL_STEP)
        # The validated payload when there is one, as a write's digest: the completer
        # re-drives a task with its journaled payload, which must meet its own refusal.
        request = self.request if self.request is not None else self.raw
        digest = writes.request_digest(self.task.name, REFUSAL_STEP, request)
        account = self.ad_account_id if isinstance(self.ad_account_id, str) else None
        try:
            with runtime(self.task.app).session() as session:
                claim = journal.claim(
                    session,
                    key,
                    task_id=self.task_id,
                    task_name=self.task.name,
                    step=REFUSAL_STEP,
                    ad_account_id=account[:64] if account else None,
                    request_digest=digest,
                    worker_id=worker_id(self.task),
                )
                if claim.won:
                    mark = journal.mark_quota_unavailable if state == "quota" else None
                    if mark is not None:
                        mark(session, key, claim.entry.attempt, result)
                    else:
                        journal.mark_failed(
                            session, key, claim.entry.attempt, result, reason=reason
                        )
        except (JournalConflict, StaleAttempt) as exc:
            logger.warning("task: refusal of %s not journaled: %s", self.task_id, exc)
        return result

    def log(self, outcome: str, started: float, *, code: Any = None, level: int) -> None:
        keys = self.context.keys if self.context else []
        logs.log_outcome(
            task_id=self.task_id,
            task_name=self.task.name,
            ad_account_id=self.ad_account_id if isinstance(self.ad_account_id, str) else None,
            idempotency_key=keys[-1] if keys else None,
            attempt=self.retries + 1,
            outcome=outcome,
            code=None if code is None else str(code),
            duration_ms=(time.monotonic() - started) * 1000,
            tally=metrics.current_attempt().fields(),
            level=level,
        )


def request_of(payload: BaseModel) -> dict[str, Any]:
    """The validated payload as journaled (the request digest's base).

    A `tenant_id` left unset is left out, so a payload without one keeps the digest it
    had before payloads could name a tenant (a task redelivered across that upgrade must
    not meet its own key as "another request").
    """
    request = payload.model_dump(mode="json")
    if request.get("tenant_id", "") is None:
        del request["tenant_id"]
    return request


def eager_sleep(seconds: float) -> None:
    """The wait before an eager (`snapfleet call`) retry; tests replace it."""
    time.sleep(seconds)


def worker_id(task: Task) -> str:
    """Who holds a journal lease: host, process and thread."""
    host = task.request.hostname or "local"
    return f"{host}:{os.getpid()}:{threading.get_ident()}"[:128]


def redis_lock(
    rt: Runtime, timeout_s: float, beat: heartbeat.Heartbeat | None = None
) -> Callable[[str], Any]:
    """The create lock: a redis-py Lock on the gate's own store (dead store: no lock, no send).

    Redis rather than a row lock: the lock spans a Snap request, and a database
    transaction held open across the network would pin a connection for its length. It
    expires with the journal lease (`timeout_s`) and the heartbeat renews both while the
    attempt lives: a holder that died frees it within one lease, and a live holder whose
    lease lapsed anyway is fenced by the journal.
    """

    @contextlib.contextmanager
    def hold(name: str) -> Iterator[None]:
        lock = rt.gate.redis.lock(name, timeout=timeout_s, blocking_timeout=2.0)
        if not lock.acquire():
            left_ms = rt.gate.redis.pttl(name)
            raise CreateLockBusy(max(1.0, (left_ms or 1000) / 1000))
        try:
            with beat.lock(lock) if beat is not None else contextlib.nullcontext():
                yield
        finally:
            with contextlib.suppress(Exception):  # expired: the next holder is fenced
                lock.release()

    return hold


def call_task(
    celery: Any, name: str, payload: Mapping[str, Any], *, task_id: str | None = None
) -> dict[str, Any]:
    """Run one task in this process through the worker's path (`snapfleet call`).

    `task.apply()` runs the same `MutationTask.__call__` a worker does (validation,
    journal, gate, client); its retries re-run here after their countdown, bounded by
    SNAPFLEET_TASK_MAX_RETRIES. Raises LookupError for a name not in the catalog.
    """
    celery.loader.import_default_modules()
    task = celery.tasks.get(name)
    if task is None:
        known = [n for n in celery.tasks if n.startswith("snap.")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise LookupError(f"unknown task {name!r}{hint} (`snapfleet schema` lists them)")
    outcome = task.apply(kwargs=dict(payload), task_id=task_id or str(uuid.uuid4()))
    result = outcome.result
    if isinstance(result, dict):
        return result
    return failed(Code.INTERNAL, f"{type(result).__name__}: {result}")
