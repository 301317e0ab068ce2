"""Mutation messages a worker received, before any journal row exists (docs/architecture.md).

The journal sees a task only once it claims its first key. A node killed whole also
takes the messages it had prefetched or just started; on the Redis broker they sit
unacknowledged until the visibility timeout. A receipt, written when the node receives
the message and renewed by the node while it holds it, is what lets the completer see
them: a receipt whose lease lapsed and that never finished is a task to send again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class TaskReceipt(Base):
    __tablename__ = "task_receipts"
    __table_args__ = (Index("ix_task_receipts_open_lease", "finished_at", "lease_expires_at"),)

    task_id: Mapped[str] = mapped_column(String(155), primary_key=True)
    task_name: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any] | None]  # the message's kwargs: what a re-drive sends
    node: Mapped[str] = mapped_column(String(128))  # the worker node holding the message
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    redriven: Mapped[int] = mapped_column(default=0)
