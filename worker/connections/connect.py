"""The operator's side of connecting a tenant: `snapfleet connect` and `snapfleet disconnect`.

`worker.connections.capture` stores the tokens and captures the accounts; this module adds what an
operator needs around it: a probe refused with 401 leaves the stored connection marked
`needs_reauth` (its tokens are no good, so no task may use them) and reports the seed's
message; the captured ad accounts are read back for display; disconnect deletes the
refresh token (seed 000, Disconnect).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from snap.errors import Unauthorized
from storage import accounts as account_repo
from storage import connections as connection_repo
from worker.connections.capture import Connected, app_client_id, capture_accounts, connect_tokens
from worker.connections.exchange import exchange_once
from worker.connections.tokens import REAUTH_MESSAGE
from worker.runtime import Runtime

# The journal's task name of a code exchanged from the command line.
CLI_TASK_NAME = "snapfleet connect"


@dataclass(frozen=True)
class CapturedAccount:
    """One ad account as the connect command prints it."""

    id: str
    name: str | None
    currency: str
    timezone: str
    status: str | None
    organization_id: str


def connect(
    runtime: Runtime,
    *,
    tenant_id: str,
    access_token: str | None = None,
    refresh_token: str | None = None,
    expires_in_s: float | None = None,
    code: str | None = None,
    redirect_uri: str | None = None,
) -> Connected:
    """Connect with tokens obtained elsewhere, or with an OAuth code; flag a refused probe.

    A code goes through the same journaled exchange as `snap.connection.complete`
    (`worker.connections.exchange`): sent at most once, tokens stored with its outcome.
    Raises `worker.results.TaskFailed` when the exchange is refused.
    """
    try:
        if code is not None:
            if not redirect_uri:
                raise ValueError("--code needs --redirect-uri (the one the code was issued for)")
            connection_id = exchange_once(
                runtime, task_id=str(uuid.uuid4()), task_name=CLI_TASK_NAME,
                tenant_id=tenant_id, client_id=app_client_id(runtime), code=code,
                redirect_uri=redirect_uri, worker_id=runtime.worker_id,
            )  # fmt: skip
            return capture_accounts(runtime, connection_id)
        if not refresh_token:
            raise ValueError("give --refresh-token (with --access-token), or --code")
        return connect_tokens(
            runtime,
            tenant_id=tenant_id,
            refresh_token=refresh_token,
            access_token=access_token,
            expires_in_s=expires_in_s,
        )
    except Unauthorized as exc:
        if not (exc.operation or "").startswith("oauth"):  # a refused code stores nothing
            _flag_refused(runtime, tenant_id)
        raise


def _flag_refused(runtime: Runtime, tenant_id: str) -> None:
    """The tokens were stored but Snap refused them: no task may use this connection."""
    with runtime.session() as session:
        row = connection_repo.for_tenant(session, tenant_id, app_client_id(runtime))
        connection_id = row.id if row is not None else None
    if connection_id is not None:
        runtime.mark_needs_reauth(connection_id, REAUTH_MESSAGE)


def captured_accounts(runtime: Runtime, connection_id: int) -> list[CapturedAccount]:
    """The ad accounts stored for a connection, for display."""
    with runtime.session() as session:
        return [
            CapturedAccount(a.id, a.name, a.currency, a.timezone, a.status, a.organization_id)
            for a in account_repo.for_connection(session, connection_id)
        ]


def disconnect(runtime: Runtime, connection_id: int) -> str:
    """Delete the connection's refresh token (and cached access token); returns its tenant."""
    with runtime.session() as session:
        row = connection_repo.disconnect(session, connection_id)
        tenant_id = row.tenant_id
    runtime.forget_client(connection_id)
    return tenant_id
