"""The dashboard's connect flow as tasks: authorize, then complete after the redirect.

Seed 000 (Connect): the user clicks Connect, signs in and approves the scope, is
redirected back, and the dashboard exchanges the code and probes `/me/organizations`
then `/organizations/{id}/adaccounts`. Here:

1. `authorize(tenant, redirect_uri)`: a fresh `state` (128 random bits) bound to the
   tenant, the redirect URI and the app, stored (hashed) with an expiry
   (`SNAPFLEET_OAUTH_STATE_TTL_S`), and the authorization URL carrying it.
2. `complete(code, state)`: the state is spent by this task (`storage.authorizations`:
   once, before its expiry; a retry of the same task still holds it), the code is
   exchanged at most once (`worker.connections.exchange`), then the organizations and
   ad accounts are captured (`worker.connections.capture`). A probe refused with 401
   marks the connection as needing re-authorisation and answers the guide's
   `Snapchat Ads /me returned 401`.
3. A backfill asked for at authorize (`backfill_since`) is enqueued for each captured
   account under a task id derived from this task's, so a retried completion resumes
   the same backfills instead of starting new ones.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from celery import Celery

from snap import oauth
from snap.errors import Unauthorized
from storage import authorizations
from worker.connections.capture import Connected, app_client_id, capture_accounts
from worker.connections.connect import captured_accounts, disconnect
from worker.connections.exchange import exchange_once
from worker.errors import TaskFailed
from worker.mutations.writes import NAMESPACE
from worker.results import REAUTH_MESSAGE, failed
from worker.runtime import Runtime

logger = logging.getLogger("snapfleet.connect")

BACKFILL_TASK = "snap.stats.backfill"

__all__ = ["Authorization", "authorize", "complete", "disconnect"]


@dataclass(frozen=True)
class Authorization:
    """Where to send the user's browser, and the state its redirect must bring back."""

    url: str
    state: str
    expires_at: datetime

    def to_result(self) -> dict[str, Any]:
        return {
            "status": "succeeded",
            "authorization_url": self.url,
            "state": self.state,
            "expires_at": self.expires_at.isoformat(),
            "dry_run": False,
        }


def authorize(
    runtime: Runtime,
    *,
    tenant_id: str,
    redirect_uri: str,
    backfill_since: date | None = None,
) -> Authorization:
    """A single-use, expiring `state` for the tenant and the URL that carries it."""
    s = runtime.settings
    if not s.snapchat_ads_client_id:
        raise TaskFailed(failed("not_configured", "authorize needs SNAPCHAT_ADS_CLIENT_ID"))
    state = secrets.token_urlsafe(16)
    with runtime.session() as session:
        row = authorizations.issue(
            session,
            state,
            tenant_id=tenant_id,
            client_id=app_client_id(runtime),
            redirect_uri=redirect_uri,
            ttl_s=s.snapfleet_oauth_state_ttl_s,
            backfill_since=backfill_since,
        )
        expires_at = row.expires_at
    url = oauth.authorization_url(
        s.snapchat_ads_oauth_url,
        client_id=s.snapchat_ads_client_id,
        redirect_uri=redirect_uri,
        state=state,
    )
    return Authorization(url, state, expires_at)


def complete(
    runtime: Runtime,
    celery: Celery | None,
    *,
    task_id: str,
    task_name: str,
    code: str,
    state: str,
    worker_id: str,
) -> dict[str, Any]:
    """Spend the state, exchange the code once, capture the accounts; the task's result."""
    with runtime.session() as session:
        found = authorizations.consume(session, state, task_id=task_id)
        row = found.row
        bound = (
            (row.tenant_id, row.client_id, row.redirect_uri, row.backfill_since)
            if row is not None
            else None
        )
    if found.verdict != "ok" or bound is None:
        raise TaskFailed(_state_refused(found.verdict))
    tenant_id, client_id, redirect_uri, backfill_since = bound
    # A re-drive of this task id by the completer carries the state (spent by this task
    # already, useless to any other) but never the code.
    replay = {"code": "[withheld]", "state": state}
    connection_id = exchange_once(
        runtime, task_id=task_id, task_name=task_name, tenant_id=tenant_id,
        client_id=client_id, code=code, redirect_uri=redirect_uri, worker_id=worker_id,
        replay=replay,
    )  # fmt: skip
    connected = probe(runtime, connection_id, tenant_id)
    result = connected_result(runtime, connected, tenant_id)
    if backfill_since is not None:
        result["backfills"] = request_backfills(
            celery, task_id, connected.ad_account_ids, backfill_since
        )
    return result


def probe(runtime: Runtime, connection_id: int, tenant_id: str) -> Connected:
    """Capture the accounts; a refused token marks the connection `needs_reauth`."""
    try:
        return capture_accounts(runtime, connection_id)
    except Unauthorized as exc:
        runtime.mark_needs_reauth(connection_id, REAUTH_MESSAGE)
        raise TaskFailed(
            failed(
                Unauthorized.code,
                REAUTH_MESSAGE,
                connection_id=connection_id,
                tenant_id=tenant_id,
                operation=exc.operation,
            ),
            cause=exc,
        ) from exc


def connected_result(runtime: Runtime, connected: Connected, tenant_id: str) -> dict[str, Any]:
    accounts = captured_accounts(runtime, connected.connection_id)
    return {
        **connected.to_result(),
        "tenant_id": tenant_id,
        "ad_accounts": [
            {
                "id": a.id,
                "name": a.name,
                "currency": a.currency,
                "timezone": a.timezone,
                "status": a.status,
                "organization_id": a.organization_id,
            }
            for a in accounts
        ],
        "dry_run": False,
    }


def backfill_task_id(task_id: str, ad_account_id: str) -> str:
    """The backfill a completion asks for, under one id however often it runs."""
    return str(uuid.uuid5(NAMESPACE, f"{task_id}:backfill:{ad_account_id}"))


def request_backfills(
    celery: Celery | None, task_id: str, ad_account_ids: list[str], since: date
) -> list[dict[str, str]]:
    """Enqueue `snap.stats.backfill` for each account from `since` (sync queue)."""
    asked = []
    for account in ad_account_ids:
        backfill_id = backfill_task_id(task_id, account)
        if celery is not None:
            celery.send_task(
                BACKFILL_TASK,
                kwargs={"ad_account_id": account, "since": since.isoformat()},
                task_id=backfill_id,
            )
        asked.append({"ad_account_id": account, "task_id": backfill_id})
    return asked


_STATE_MESSAGES = {
    "unknown": "the OAuth state is not one this fleet issued",
    "expired": "the OAuth state expired",
    "spent": "the OAuth state was already used to complete a connection",
}


def _state_refused(verdict: str) -> dict[str, Any]:
    message = f"{_STATE_MESSAGES.get(verdict, 'the OAuth state is not valid')}: start the "
    message += "connection again (snap.connection.authorize)"
    return failed("invalid_state", message, errors=[{"field": "state", "message": message}])


def disconnect_tenant(runtime: Runtime, connection_id: int) -> dict[str, Any]:
    """Seed 000 (Disconnect): the refresh token is removed; the task's result."""
    tenant_id = disconnect(runtime, connection_id)
    return {
        "status": "succeeded",
        "connection_id": connection_id,
        "tenant_id": tenant_id,
        "connection_state": "disconnected",
        "dry_run": False,
    }
