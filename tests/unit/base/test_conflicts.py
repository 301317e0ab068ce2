"""Which database errors a transaction is run again after: PostgreSQL's conflict rollbacks
only, never a lost connection (a COMMIT may have gone through)."""

from __future__ import annotations

import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.conflicts import rerun_on_conflict, rolled_back_by_conflict


def _db_error(cause: Exception, kind: type = OperationalError) -> Exception:
    return kind("UPDATE mutation_journal ...", {}, cause)


def test_deadlocks_and_serialization_failures_are_run_again_nothing_else() -> None:
    assert rolled_back_by_conflict(_db_error(psycopg.errors.DeadlockDetected("d")))
    assert rolled_back_by_conflict(_db_error(psycopg.errors.SerializationFailure("s")))
    assert not rolled_back_by_conflict(_db_error(psycopg.OperationalError("server closed")))
    unique = _db_error(psycopg.errors.UniqueViolation("dup"), IntegrityError)
    assert not rolled_back_by_conflict(unique)
    assert not rolled_back_by_conflict(RuntimeError("deadlock detected"))


def test_a_transaction_is_run_again_a_bounded_number_of_times() -> None:
    runs: list[int] = []
    with pytest.raises(OperationalError):
        for rerun in rerun_on_conflict(attempts=3):
            with rerun:
                runs.append(1)
                raise _db_error(psycopg.errors.DeadlockDetected("d"))
    assert len(runs) == 3
    lost: list[int] = []
    with pytest.raises(OperationalError):
        for rerun in rerun_on_conflict(attempts=3):
            with rerun:
                lost.append(1)
                raise _db_error(psycopg.OperationalError("server closed the connection"))
    assert len(lost) == 1
