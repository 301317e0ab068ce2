"""Transactions PostgreSQL rolled back to break a conflict, and running them again.

PostgreSQL ends one side of a deadlock (SQLSTATE 40P01) or of a serialization conflict
(40001) with an error and rolls that transaction back whole; its documentation asks the
application to run it again. Only those two: a connection lost mid-COMMIT may or may not
have committed, so it is never re-run blindly (the journal's lease and reconcile cover
it). `rerun_on_conflict` is tenacity's loop bounded in attempts, with a short jittered
wait so the two sides do not meet again at once.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

logger = logging.getLogger("snapfleet.storage")

ROLLED_BACK = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure

__all__ = ["ROLLED_BACK", "rerun_on_conflict", "rolled_back_by_conflict"]


def rolled_back_by_conflict(exc: BaseException) -> bool:
    """True when PostgreSQL rolled the transaction back to break a deadlock or conflict."""
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ROLLED_BACK


def rerun_on_conflict(attempts: int = 4) -> Retrying:
    """`for attempt in rerun_on_conflict(): with attempt: <one whole transaction>`."""
    return Retrying(
        retry=retry_if_exception(rolled_back_by_conflict),
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.05, max=1.0),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )
