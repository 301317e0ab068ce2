"""OAuth `state` values: issued for one tenant, spent by one task, dead after their expiry.

The guarantee: a state completes at most one connection. `consume` takes it with one
conditional UPDATE (unspent, or spent by this very task id, and not expired), so two
redirects racing with the same state, or a replayed one, find it taken; the task that
took it may run again (a Celery retry keeps its task id) and still holds it. Only the
SHA-256 of a state is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.models.base import utcnow
from storage.models.onboarding import AuthorizationState


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def issue(
    session: Session,
    state: str,
    *,
    tenant_id: str,
    client_id: str,
    redirect_uri: str,
    ttl_s: float,
    backfill_since: date | None = None,
    now: datetime | None = None,
) -> AuthorizationState:
    """Remember a fresh state for `tenant_id`, valid for `ttl_s` seconds."""
    now = now or utcnow()
    row = AuthorizationState(
        state_sha256=state_digest(state),
        tenant_id=tenant_id,
        client_id=client_id,
        redirect_uri=redirect_uri,
        backfill_since=backfill_since,
        expires_at=now + timedelta(seconds=ttl_s),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


Verdict = Literal["ok", "unknown", "expired", "spent"]


@dataclass(frozen=True)
class Consumed:
    """What `consume` found: `ok` with the state's row, or why not."""

    verdict: Verdict
    row: AuthorizationState | None = None

    def describe(self) -> dict[str, Any]:
        row = self.row
        return {} if row is None else {"tenant_id": row.tenant_id}


def consume(session: Session, state: str, *, task_id: str, now: datetime | None = None) -> Consumed:
    """Spend `state` for `task_id` (again, if this task already spent it)."""
    now = now or utcnow()
    digest = state_digest(state)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(AuthorizationState)
        .where(
            AuthorizationState.state_sha256 == digest,
            AuthorizationState.expires_at > now,
            or_(
                AuthorizationState.consumed_by_task_id.is_(None),
                AuthorizationState.consumed_by_task_id == task_id,
            ),
        )
        .values(consumed_by_task_id=task_id, consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(
        select(AuthorizationState)
        .where(AuthorizationState.state_sha256 == digest)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if result.rowcount == 1 and row is not None:
        return Consumed("ok", row)
    if row is None:
        return Consumed("unknown")
    if row.consumed_by_task_id not in (None, task_id):
        return Consumed("spent", row)
    return Consumed("expired", row)


def reap(session: Session, *, older_than_s: float, now: datetime | None = None) -> int:
    """Forget states that expired more than `older_than_s` ago."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_s)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(AuthorizationState).where(AuthorizationState.expires_at < cutoff)
    )
    return int(result.rowcount or 0)
