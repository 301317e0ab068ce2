"""Connections: the dashboard's connect flow, and token refresh (docs/architecture.md, Connect).

`snap.connection.authorize` -> the user approves on Snap -> `snap.connection.complete`
with the redirect's code and state (`worker.connections.authorize`: the state is single
use and expiring, the code exchanged at most once), and `snap.connection.disconnect`.

`snap.connection.refresh` refreshes one connection (the runner may ask for it; beat's
`snap.connection.refresh_due` fans out one per connection due within
`SNAPFLEET_TOKEN_REFRESH_MARGIN_S`). The work is `worker.connections.tokens.refresh_connection`:
one worker at a time per connection, tokens stored encrypted, a refused refresh marks
the connection `needs_reauth` with `Snapchat Ads /me returned 401`.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from celery import Task, shared_task
from pydantic import ValidationError as PayloadError

from snap.errors import ConnectError, OutcomeUnknown, ServerError
from tasks.payloads import (
    ConnectionAuthorize,
    ConnectionComplete,
    ConnectionDisconnect,
    ConnectionRefresh,
    payload_model,
    validate_payload,
)
from worker.connections import authorize as onboarding
from worker.connections.tokens import due_connection_ids, refresh_connection
from worker.errors import AccountNotConnected, Code
from worker.reads.accounts import resolve_connection
from worker.results import failed, validation_failure
from worker.runner_task import RunnerTask
from worker.runtime import runtime

logger = logging.getLogger("snapfleet.tasks.connections")

REFRESH_TASK = "snap.connection.refresh"
REFRESH_DUE_TASK = "snap.connection.refresh_due"
# The token endpoint did not answer, or answered 5xx: the refresh token is still good.
TRANSIENT = (ConnectError, OutcomeUnknown, ServerError)


@shared_task(
    bind=True,
    name=REFRESH_TASK,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def refresh(self: Task, **payload: Any) -> dict[str, Any]:
    """Refresh one connection's access token; see `worker.connections.tokens.refresh_connection`."""
    try:
        checked = ConnectionRefresh.model_validate(payload)
    except PayloadError as exc:
        return validation_failure(exc, ConnectionRefresh)
    connection_id = _connection_number(checked.connection_id)
    if connection_id is None:
        message = "connection_id: must be the number of a stored connection"
        return failed(
            Code.VALIDATION, message, errors=[{"field": "connection_id", "message": message}]
        )
    try:
        done = refresh_connection(runtime(self.app), connection_id, worker_id=_worker_id(self))
    except AccountNotConnected as exc:
        return failed(exc.code, str(exc))
    except ValueError as exc:
        return failed(Code.NOT_CONFIGURED, str(exc))
    return done.to_result()


@shared_task(bind=True, name=REFRESH_DUE_TASK)
def refresh_due(self: Task, **payload: Any) -> dict[str, Any]:
    """Beat: enqueue one `snap.connection.refresh` per connection due within the margin."""
    try:
        validate_payload(REFRESH_DUE_TASK, payload)  # beat sends none; anything else is refused
    except PayloadError as exc:
        return validation_failure(exc, payload_model(REFRESH_DUE_TASK))
    due = due_connection_ids(runtime(self.app))
    for connection_id in due:
        self.app.send_task(REFRESH_TASK, kwargs={"connection_id": str(connection_id)})
    if due:
        logger.info("tokens: %d connections due for refresh", len(due))
    return {"status": "succeeded", "enqueued": len(due), "dry_run": False}


def _connection_number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _worker_id(task: Task) -> str:
    """Who holds the refresh lease: host and task id, readable in the connections table."""
    return f"{task.request.hostname or socket.gethostname()}:{task.request.id}"[:128]


# --- The dashboard's connect flow (seed 000, Connect and Disconnect) ----------------------

AUTHORIZE_TASK = "snap.connection.authorize"
COMPLETE_TASK = "snap.connection.complete"
DISCONNECT_TASK = "snap.connection.disconnect"


@shared_task(
    bind=True, base=RunnerTask, name=AUTHORIZE_TASK, payload_model=ConnectionAuthorize,
    journal_refusals=True,
)  # fmt: skip
def authorize(self: RunnerTask, payload: ConnectionAuthorize) -> dict[str, Any]:
    """The authorization URL for the tenant, carrying a single-use, expiring state."""
    return onboarding.authorize(
        self.runtime,
        tenant_id=payload.tenant_id,
        redirect_uri=payload.redirect_uri,
        backfill_since=payload.backfill_since,
    ).to_result()


@shared_task(
    bind=True, base=RunnerTask, name=COMPLETE_TASK, payload_model=ConnectionComplete,
    journal_refusals=True,
)  # fmt: skip
def complete(self: RunnerTask, payload: ConnectionComplete) -> dict[str, Any]:
    """Spend the state, exchange the code (once per task id), capture the ad accounts."""
    return onboarding.complete(
        self.runtime, self.app, task_id=self.task_id, task_name=self.name,
        code=payload.code, state=payload.state, worker_id=self.worker_id,
    )  # fmt: skip


@shared_task(
    bind=True, base=RunnerTask, name=DISCONNECT_TASK, payload_model=ConnectionDisconnect,
    journal_refusals=True,
)  # fmt: skip
def disconnect(self: RunnerTask, payload: ConnectionDisconnect) -> dict[str, Any]:
    """Delete the connection's refresh token; its tasks fail as not connected from now on."""
    connection_id, _ = resolve_connection(
        self.runtime, connection_id=payload.connection_id, tenant_id=payload.tenant_id
    )
    return onboarding.disconnect_tenant(self.runtime, connection_id)
