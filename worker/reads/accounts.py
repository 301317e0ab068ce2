"""Organizations and ad accounts of one connection, as `snap.organizations.list` and
`snap.adaccounts.list` answer them.

From the fleet's own tables by default; `fresh` captures the connection's organizations
and ad accounts from Snap first (`/me/organizations`, `/organizations/{id}/adaccounts`,
gated under the app's organization scope, as the connect probe is).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from snap.errors import Unauthorized
from storage import connections as connection_repo
from storage import reads as read_repo
from storage.errors import NotFound
from storage.models.accounts import AdAccount, Organization
from storage.models.connections import ConnectionState
from worker.connections.capture import capture_accounts
from worker.errors import AccountNotConnected
from worker.results import REAUTH_MESSAGE
from worker.runtime import Runtime


def resolve_connection(
    runtime: Runtime, *, connection_id: str | None, tenant_id: str | None
) -> tuple[int, str]:
    """The connection's id and state; AccountNotConnected when there is none to read."""
    with runtime.session() as session:
        if connection_id is not None:
            try:
                row = connection_repo.get(session, int(connection_id))
            except NotFound as exc:
                raise AccountNotConnected(str(exc)) from exc
        else:
            found = read_repo.connection_for_tenant(session, str(tenant_id))
            if found is None:
                raise AccountNotConnected(
                    f"tenant {tenant_id} has no connection: snap.connection.authorize first"
                )
            row = found
        if row.state == ConnectionState.DISCONNECTED.value:
            raise AccountNotConnected(f"connection {row.id} is disconnected: connect it again")
        return row.id, row.state


def refresh_from_snap(runtime: Runtime, connection_id: int, state: str) -> None:
    """`fresh`: capture the organizations and ad accounts from Snap now."""
    if state == ConnectionState.NEEDS_REAUTH.value:
        raise Unauthorized(REAUTH_MESSAGE, operation="/me")
    try:
        capture_accounts(runtime, connection_id)
    except Unauthorized:
        runtime.mark_needs_reauth(connection_id, REAUTH_MESSAGE)
        raise


def organizations(
    runtime: Runtime, connection_id: int, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    with runtime.session() as session:
        page = read_repo.organizations(session, connection_id, limit=limit, cursor=cursor)
        return [_organization(o) for o in page.rows], page.next_cursor


def ad_accounts(
    runtime: Runtime,
    connection_id: int,
    *,
    organization_id: str | None,
    statuses: list[str] | None,
    limit: int,
    cursor: str | None,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    now = now or datetime.now(UTC)
    with runtime.session() as session:
        page = read_repo.ad_accounts(
            session, connection_id, organization_id=organization_id, statuses=statuses,
            limit=limit, cursor=cursor,
        )  # fmt: skip
        return [_ad_account(a, now) for a in page.rows], page.next_cursor


def _organization(o: Organization) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "type": o.type,
        "captured_at": o.updated_at.isoformat(),
    }


def _ad_account(a: AdAccount, now: datetime) -> dict[str, Any]:
    synced = a.last_synced_at
    return {
        "id": a.id,
        "name": a.name,
        "organization_id": a.organization_id,
        "currency": a.currency,
        "timezone": a.timezone,
        "status": a.status,
        "delivery_status": a.delivery_status,
        "last_synced_at": synced.isoformat() if synced else None,
        "sync_lag_s": round((now - synced).total_seconds()) if synced else None,
        "finalized_data_end_time": (
            a.finalized_data_end_time.isoformat() if a.finalized_data_end_time else None
        ),
        "stats_mode": a.stats_mode,
    }
