"""The counts behind the fleet exporter's gauges: one aggregate query each, no rows loaded.

Each function answers one question a dashboard or an alert asks of the whole fleet,
cheaply enough to run on every Prometheus scrape (`snapfleet exporter`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.accounts import AdAccount
from storage.models.connections import Connection, ConnectionState
from storage.models.events import Event
from storage.models.journal import JournalEntry, JournalState
from storage.models.stats import DailyStat, HourlyStat

__all__ = [
    "connections_needing_reauth",
    "events_undelivered",
    "journal_keys_by_state",
    "stats_last_success",
    "stats_rows_waiting_fx",
]


def journal_keys_by_state(session: Session) -> dict[str, int]:
    """Journal keys per state; every state present, 0 when none is in it."""
    counts = {state.value: 0 for state in JournalState}
    stmt = select(JournalEntry.state, func.count()).group_by(JournalEntry.state)
    for state, count in session.execute(stmt):
        counts[str(state)] = int(count)
    return counts


def stats_last_success(session: Session) -> dict[str, datetime]:
    """When each connected ad account's stats were last pulled successfully (UTC)."""
    stmt = select(AdAccount.id, AdAccount.last_synced_at).where(
        AdAccount.connection_id.is_not(None), AdAccount.last_synced_at.is_not(None)
    )
    return {account: _utc(at) for account, at in session.execute(stmt) if at is not None}


def connections_needing_reauth(session: Session) -> list[int]:
    """Ids of the connections whose refresh Snap refused: a person must re-connect them."""
    stmt = select(Connection.id).where(Connection.state == ConnectionState.NEEDS_REAUTH.value)
    return list(session.scalars(stmt.order_by(Connection.id)))


def events_undelivered(session: Session) -> int:
    """Events detected but not yet handed to the runner."""
    stmt = select(func.count()).select_from(Event).where(Event.delivered_at.is_(None))
    return int(session.scalar(stmt) or 0)


def stats_rows_waiting_fx(session: Session) -> int:
    """Stats rows (daily and hourly) stored without a USD rate."""
    total = 0
    for model in (DailyStat, HourlyStat):
        stmt = select(func.count()).select_from(model).where(model.fx_missing.is_(True))
        total += int(session.scalar(stmt) or 0)
    return total


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
