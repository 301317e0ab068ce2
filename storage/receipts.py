"""Task receipts: what a worker node holds, so a node killed whole loses nothing for long.

A node writes a receipt when it receives a mutation message (`received`), renews the
leases of those it still holds (`renew`, its heartbeat), and closes one when the task
ended, retried or was handed back (`finish`). The completer re-sends what a dead node
held (`lapsed`, then `mark_redriven`). Functions flush but never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage.models.base import utcnow
from storage.models.receipts import TaskReceipt
from storage.redact import redact
from storage.upsert import dialect_insert


def received(
    session: Session,
    task_id: str,
    task_name: str,
    payload: dict[str, Any] | None,
    node: str,
    lease_s: float,
    *,
    now: datetime | None = None,
) -> None:
    """This node holds the message now (a redelivery or retry takes the receipt over)."""
    now = now or utcnow()
    values = dict(
        task_id=task_id,
        task_name=task_name,
        payload=redact(payload) if payload is not None else None,
        node=node,
        received_at=now,
        lease_expires_at=now + timedelta(seconds=lease_s),
        finished_at=None,
    )
    stmt = dialect_insert(session, TaskReceipt.__table__).values(**values, redriven=0)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["task_id"],
            set_={k: v for k, v in values.items() if k not in ("task_id", "payload")},
        )
    )


def leave_to_completer(
    session: Session, task_id: str, node: str, *, now: datetime | None = None
) -> None:
    """Nobody holds the task any more (its retry could not be queued): the receipt is open
    and lapsed, under a node no worker renews or closes, for the completer to re-send."""
    now = now or utcnow()
    session.execute(
        update(TaskReceipt)
        .where(TaskReceipt.task_id == task_id)
        .values(node=node, lease_expires_at=now, finished_at=None)
        .execution_options(synchronize_session=False)
    )


def renew(
    session: Session, node: str, task_ids: list[str], lease_s: float, *, now: datetime | None = None
) -> int:
    """The node's heartbeat: the receipts it still holds stay its own for one more lease."""
    if not task_ids:
        return 0
    now = now or utcnow()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(TaskReceipt)
        .where(
            TaskReceipt.task_id.in_(task_ids),
            TaskReceipt.node == node,
            TaskReceipt.finished_at.is_(None),
        )
        .values(lease_expires_at=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def finish(session: Session, task_id: str, node: str, *, now: datetime | None = None) -> None:
    """The node is done with the message (ended, retried as a new message, or handed back)."""
    session.execute(
        update(TaskReceipt)
        .where(TaskReceipt.task_id == task_id, TaskReceipt.node == node)
        .values(finished_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def lapsed(session: Session, *, now: datetime | None = None, limit: int = 100) -> list[TaskReceipt]:
    """Receipts whose node stopped renewing them before the task ended: the node died."""
    now = now or utcnow()
    stmt = (
        select(TaskReceipt)
        .where(TaskReceipt.finished_at.is_(None), TaskReceipt.lease_expires_at <= now)
        .order_by(TaskReceipt.lease_expires_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_redriven(
    session: Session, task_id: str, lease_s: float, *, now: datetime | None = None
) -> None:
    """The completer sent the task again: the receipt waits one more lease for a taker."""
    now = now or utcnow()
    session.execute(
        update(TaskReceipt)
        .where(TaskReceipt.task_id == task_id)
        .values(
            lease_expires_at=now + timedelta(seconds=lease_s), redriven=TaskReceipt.redriven + 1
        )
        .execution_options(synchronize_session=False)
    )
