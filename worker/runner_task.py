"""The task base of what the runner asks outside a mutation of one ad account: connecting a
tenant, reading the mirrors, reading an experiment's results.

    @shared_task(bind=True, base=RunnerTask, name="snap.campaign.list",
                 payload_model=CampaignList)
    def campaigns(self, payload: CampaignList) -> dict:
        return reads.entities(self.runtime, "campaigns", payload)

The contract is the mutations' (`worker.mutations.task`): the kwargs are validated by
`payload_model` first (a refused payload is the `validation` result, naming each field,
and never reaches Snap); what comes back is a JSON result with `status` and, on failure,
a stable `code` and a message; a transient failure (429, 5xx, no answer, the gate asking
for a wait, the gate's store down) is retried by Celery with exponential backoff and
reported once the retries run out. With `journal_refusals = True` (the connection tasks)
a refused task is also journaled under its `task` step, as a mutation's is.

A token Snap refuses (after the client's own refresh and retry) is reported as the
guide's `Snapchat Ads /me returned 401`, with the operation that met it
(`worker.results.from_error`).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, ClassVar

from celery import Task
from celery.exceptions import Retry
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from snap.errors import QuotaUnavailable, SnapError
from storage import journal
from storage.errors import JournalConflict, StaleAttempt
from worker import logs, metrics
from worker.errors import GateTimeout, TaskError, TaskFailed
from worker.mutations.task import backoff_s, eager_sleep, worker_id
from worker.mutations.writes import idempotency_key, request_digest
from worker.results import failed, from_error, validation_failure
from worker.runtime import Runtime, runtime
from worker.tenancy import tenant_refusal

__all__ = ["RunnerTask"]

logger = logging.getLogger("snapfleet.task")

REFUSAL_STEP = "task"


class RunnerTask(Task):
    """Celery Task base: validate, run the body with the payload, map errors to results."""

    payload_model: ClassVar[type[BaseModel] | None] = None
    journal_refusals: ClassVar[bool] = False
    typing = False  # the body takes the validated payload, the message carries kwargs
    autoretry_for = ()
    max_retries = 5

    @property
    def runtime(self) -> Runtime:
        return runtime(self.app)

    @property
    def task_id(self) -> str:
        return str(self.request.id or uuid.uuid4())

    @property
    def worker_id(self) -> str:
        return worker_id(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Not super().__call__: as in MutationTask, the tracer has pushed the request.
        started = time.monotonic()
        model = self.payload_model
        if model is None:
            raise TypeError(f"task {self.name} has no payload_model")
        try:
            payload = model.model_validate(dict(kwargs))
        except PydanticValidationError as exc:
            result = self._refuse(kwargs, validation_failure(exc, model))
        else:
            try:
                refusal = tenant_refusal(self.runtime, payload)
                result = self.run(payload) if refusal is None else self._refuse(kwargs, refusal)
            except Retry:
                self._log("retrying", started, None, kwargs, logging.WARNING)
                raise
            except Exception as exc:
                result = self._refuse(kwargs, self._outcome(exc))
        ok = result.get("status") in ("succeeded", "skipped")
        level = logging.INFO if ok else logging.WARNING
        self._log(str(result.get("status")), started, result.get("code"), kwargs, level)
        return result

    # --- Outcomes -----------------------------------------------------------------------

    def _outcome(self, exc: Exception) -> dict[str, Any]:
        if isinstance(exc, TaskFailed):
            return exc.result
        if _transient(exc):
            self._retry(exc)
            return from_error(exc)
        if isinstance(exc, SnapError | TaskError):
            return from_error(exc)  # Snap's answer, or the fleet's own refusal: its code
        logger.exception("task: %s[%s] raised %s", self.name, self.task_id, exc)
        self._retry(exc)
        return failed("internal", f"{type(exc).__name__}: {logs.redact_text(str(exc))}")

    def _retry(self, exc: Exception) -> None:
        """Raise Celery's Retry after a backoff; return only when the retries ran out."""
        retries = int(self.request.retries or 0)
        if retries >= self.max_retries:
            return
        countdown = getattr(exc, "wait_s", None) or getattr(exc, "retry_after_s", None)
        if countdown is None:
            countdown = backoff_s(retries, 60.0)
        if self.request.is_eager:
            eager_sleep(countdown)
        code = getattr(exc, "code", "internal")
        reason = RuntimeError(f"{code}: {logs.redact_text(str(exc))}")
        raise self.retry(exc=reason, countdown=countdown, max_retries=self.max_retries)

    def _refuse(self, raw: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """Journal a refused connection task under its `task` step, then return the result."""
        if not self.journal_refusals or result.get("journaled"):
            result.pop("journaled", None)
            return result
        key = idempotency_key(self.task_id, REFUSAL_STEP)
        digest = request_digest(self.name, REFUSAL_STEP, _withheld(raw))
        try:
            with self.runtime.session() as session:
                claim = journal.claim(
                    session, key, task_id=self.task_id, task_name=self.name,
                    step=REFUSAL_STEP, ad_account_id=None, request_digest=digest,
                    worker_id=self.worker_id,
                )  # fmt: skip
                if claim.won:
                    journal.mark_failed(session, key, claim.entry.attempt, result)
        except (JournalConflict, StaleAttempt) as exc:
            logger.warning("task: refusal of %s not journaled: %s", self.task_id, exc)
        return result

    def _log(self, outcome: str, started: float, code: Any, raw: Any, level: int) -> None:
        account = raw.get("ad_account_id") if isinstance(raw, dict) else None
        logs.log_outcome(
            task_id=self.task_id,
            task_name=self.name,
            ad_account_id=account if isinstance(account, str) else None,
            attempt=int(self.request.retries or 0) + 1,
            outcome=outcome,
            code=None if code is None else str(code),
            duration_ms=(time.monotonic() - started) * 1000,
            tally=metrics.current_attempt().fields(),
            level=level,
        )


def _transient(exc: Exception) -> bool:
    if isinstance(exc, GateTimeout | QuotaUnavailable):
        return True
    return isinstance(exc, SnapError) and bool(getattr(exc, "retryable", False))


# Payload keys whose values are credentials of the OAuth flow: never journaled.
WITHHELD_KEYS = ("code", "state")


def _withheld(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    return {k: "[withheld]" if k in WITHHELD_KEYS else v for k, v in raw.items()}
