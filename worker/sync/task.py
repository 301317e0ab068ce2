"""The small base of the sync tasks (stats pull, entity sync and detection): reads only.

Reads need no journal (nothing to do twice: re-reading and upserting is harmless); what
they share is the mapping of failures to results or retries, in one place:

    GateTimeout                 retry with the gate's countdown
    retryable Snap errors       (429, 5xx, transport, gate store down) retry with backoff,
                                and report the error object once retries run out
    other Snap errors           report the error object (`code`, message, request id)
    AccountNotConnected         skipped: the connection needs re-authorisation
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import Task

from snap.errors import QuotaUnavailable, RateLimited, SnapError
from worker import logs, metrics
from worker.errors import AccountNotConnected, Code, GateTimeout
from worker.results import failed, skipped
from worker.runtime import Runtime, runtime

logger = logging.getLogger("snapfleet.sync")


class SyncTask(Task):
    """A read task: errors become results; transient ones are retried first."""

    abstract = True
    max_retries = 5

    def after_return(
        self, status: str, retval: Any, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        """One line per attempt, as the mutation tasks write (worker/logs.py)."""
        tally = metrics.current_attempt()
        outcome, code = metrics.outcome_of(status, retval)
        if outcome == "retry":
            outcome, code = "retrying", tally.retry_code or ""
        account = kwargs.get("ad_account_id") if isinstance(kwargs, dict) else None
        logs.log_outcome(
            task_id=task_id,
            task_name=self.name,
            ad_account_id=account if isinstance(account, str) else None,
            attempt=int(self.request.retries or 0) + 1,
            outcome=outcome,
            code=code or None,
            duration_ms=(time.monotonic() - tally.started) * 1000,
            tally=tally.fields(),
            level=logging.INFO if outcome in ("succeeded", "skipped") else logging.WARNING,
        )

    @property
    def runtime(self) -> Runtime:
        return runtime(self.app)

    def guarded(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run `work`, mapping failures to a retry or to the runner's error object."""
        try:
            return work()
        except GateTimeout as exc:
            if self.request.retries < self.max_retries:
                raise self.retry(exc=exc, countdown=max(exc.wait_s, 0.1)) from exc
            return failed(Code.RATE_LIMITED, str(exc))
        except AccountNotConnected as exc:
            logger.warning("sync: skipped: %s", exc)
            return skipped(Code.NOT_CONNECTED, str(exc))
        except SnapError as exc:
            if _retryable(exc) and self.request.retries < self.max_retries:
                raise self.retry(
                    exc=exc, countdown=_countdown_s(exc, self.request.retries)
                ) from exc
            logger.warning("sync: %s failed: %s", self.name, exc.message)
            return exc.to_result()


def _retryable(exc: SnapError) -> bool:
    return isinstance(exc, QuotaUnavailable) or bool(getattr(exc, "retryable", False))


def _countdown_s(exc: SnapError, retries: int) -> float:
    if isinstance(exc, RateLimited) and exc.retry_after_s:
        return float(exc.retry_after_s)
    return float(min(300, 2 ** (retries + 2)))
