"""Organizations and ad accounts, and the per-account bookkeeping of the stats sync."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import snap_values
from storage.errors import NotFound
from storage.models.accounts import AdAccount, Organization, StatsMode
from storage.models.base import utcnow
from storage.models.connections import Connection
from storage.upsert import upsert

# Columns the fleet owns: a re-read of the account from Snap never overwrites them.
_FLEET_COLUMNS = (
    "created_at",
    "rate_limit_rps",
    "last_synced_at",
    "finalized_data_end_time",
    "conversion_data_processed_end_time",
    "stats_mode",
)


def upsert_organizations(
    session: Session, items: Sequence[Mapping[str, Any]], *, connection_id: int | None
) -> int:
    """Store organizations as Snap lists them (`/me/organizations`)."""
    now = utcnow()
    rows = [
        dict(
            id=item["id"],
            connection_id=connection_id,
            name=item.get("name"),
            type=item.get("type"),
            raw=dict(item),
            snap_updated_at=snap_values.timestamp(item.get("updated_at")),
            created_at=now,
            updated_at=now,
        )
        for item in items
    ]
    return upsert(session, Organization.__table__, rows, conflict=["id"], keep=["created_at"])


# The state detection compares to report a suspension or a reinstatement.
_DETECTED_COLUMNS = ("status", "delivery_status")


def upsert_ad_accounts(
    session: Session,
    items: Sequence[Mapping[str, Any]],
    *,
    connection_id: int | None,
    detected: bool = False,
) -> int:
    """Store ad accounts as Snap lists them; the fleet's own columns are left alone.

    Only detection (`detected=True`) overwrites a stored account's status: a capture at
    (re)connect must not move it past a suspension detection has not reported yet.
    """
    now = utcnow()
    rows = [_ad_account_row(item, connection_id, now) for item in items]
    keep = _FLEET_COLUMNS if detected else (*_FLEET_COLUMNS, *_DETECTED_COLUMNS)
    return upsert(session, AdAccount.__table__, rows, conflict=["id"], keep=keep)


def _ad_account_row(item: Mapping[str, Any], connection_id: int | None, now: datetime) -> dict:
    return dict(
        id=item["id"],
        organization_id=item["organization_id"],
        connection_id=connection_id,
        name=item.get("name"),
        type=item.get("type"),
        currency=item.get("currency") or "USD",
        timezone=item.get("timezone") or "UTC",
        status=item.get("status"),
        delivery_status=snap_values.string_list(item.get("delivery_status")),
        raw=dict(item),
        snap_updated_at=snap_values.timestamp(item.get("updated_at")),
        created_at=now,
        updated_at=now,
    )


def get(session: Session, ad_account_id: str) -> AdAccount:
    row = session.get(AdAccount, ad_account_id, populate_existing=True)
    if row is None:
        raise NotFound(f"ad account {ad_account_id} is not known (sync the connection first)")
    return row


def lock(session: Session, ad_account_id: str) -> None:
    """Hold the account's row until the transaction ends, so work on one account is
    serialized (a PostgreSQL row lock; SQLite has one writer at a time anyway).

    FOR NO KEY UPDATE, not FOR UPDATE: two turns still wait for each other, but a write
    that references the account (a mirror row's foreign key check takes FOR KEY SHARE)
    does not wait for a turn that holds the row through its Snap reads, and cannot
    deadlock with it when both store the same entity."""
    stmt = select(AdAccount.id).where(AdAccount.id == ad_account_id)
    session.execute(stmt.with_for_update(key_share=True))


def tenants_of(session: Session, ad_account_ids: Sequence[str]) -> dict[str, str]:
    """The tenant whose connection owns each ad account (accounts without one left out)."""
    if not ad_account_ids:
        return {}
    stmt = (
        select(AdAccount.id, Connection.tenant_id)
        .join(Connection, Connection.id == AdAccount.connection_id)
        .where(AdAccount.id.in_(list(ad_account_ids)))
    )
    return {account_id: tenant for account_id, tenant in session.execute(stmt)}


def for_connection(session: Session, connection_id: int) -> list[AdAccount]:
    stmt = select(AdAccount).where(AdAccount.connection_id == connection_id)
    return list(session.scalars(stmt.order_by(AdAccount.id)))


def with_connection_state(
    session: Session,
    *,
    ad_account_ids: Sequence[str] | None = None,
    connection_id: int | None = None,
    connected_only: bool = True,
) -> list[tuple[AdAccount, str | None]]:
    """Ad accounts (all, those named, or those of one connection) with the state of the
    connection that owns them (None for an account without one), by id."""
    stmt = select(AdAccount, Connection.state).order_by(AdAccount.id)
    if connected_only:
        stmt = stmt.join(Connection, Connection.id == AdAccount.connection_id)
    else:
        stmt = stmt.outerjoin(Connection, Connection.id == AdAccount.connection_id)
    if ad_account_ids:
        stmt = stmt.where(AdAccount.id.in_(list(ad_account_ids)))
    if connection_id is not None:
        stmt = stmt.where(AdAccount.connection_id == connection_id)
    return [(account, state) for account, state in session.execute(stmt)]


def syncable(session: Session) -> list[AdAccount]:
    """Accounts the stats fan-out visits: with a connection, and not disabled on Snap."""
    stmt = select(AdAccount).where(
        AdAccount.connection_id.is_not(None),
        (AdAccount.status.is_(None)) | (AdAccount.status.not_in(["DISABLED", "DELETED"])),
    )
    return list(session.scalars(stmt.order_by(AdAccount.id)))


def record_sync(
    session: Session,
    ad_account_id: str,
    *,
    synced_at: datetime,
    finalized_data_end_time: datetime | None,
    conversion_data_processed_end_time: datetime | None,
) -> AdAccount:
    """Remember a successful stats pull and how far Snap says its data is final."""
    row = get(session, ad_account_id)
    row.last_synced_at = synced_at
    row.finalized_data_end_time = finalized_data_end_time
    row.conversion_data_processed_end_time = conversion_data_processed_end_time
    session.flush()
    return row


def set_stats_mode(session: Session, ad_account_id: str, mode: StatsMode | str) -> AdAccount:
    """Remember whether the account level accepted a breakdown (Snap facts 7)."""
    row = get(session, ad_account_id)
    row.stats_mode = StatsMode(mode).value
    session.flush()
    return row


def set_rate_limit(session: Session, ad_account_id: str, rps: int | None) -> AdAccount:
    """Override the per-account gate budget (None: back to SNAPCHAT_ADS_RATE_LIMIT_RPS)."""
    if rps is not None and rps < 1:
        raise ValueError(f"rate_limit_rps must be at least 1, got {rps}")
    row = get(session, ad_account_id)
    row.rate_limit_rps = rps
    session.flush()
    return row
