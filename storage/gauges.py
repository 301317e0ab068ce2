"""The fleet-level questions: one aggregate query each, no rows loaded.

Each function answers one question a dashboard, an alert or an operator asks of the whole
fleet, cheaply enough to run on every Prometheus scrape (`snapfleet exporter`); `snapfleet
status` asks the same ones, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.accounts import AdAccount
from storage.models.connections import Connection, ConnectionState
from storage.models.events import Event
from storage.models.journal import JournalEntry, JournalState
from storage.models.stats import DailyStat, HourlyStat

__all__ = [
    "StaleAccount",
    "accounts_with_stale_stats",
    "connections_needing_reauth",
    "events_undelivered",
    "journal_keys_by_state",
    "oldest_undelivered_event_at",
    "stats_last_success",
    "stats_rows_waiting_fx",
    "stats_rows_waiting_fx_by_currency",
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


def stats_rows_waiting_fx_by_currency(session: Session) -> dict[str, int]:
    """Stats rows stored without a USD rate, per currency (daily and hourly together)."""
    counts: dict[str, int] = {}
    for model in (DailyStat, HourlyStat):
        stmt = (
            select(model.currency, func.count())
            .where(model.fx_missing.is_(True))
            .group_by(model.currency)
        )
        for currency, count in session.execute(stmt):
            counts[str(currency)] = counts.get(str(currency), 0) + int(count)
    return counts


@dataclass(frozen=True)
class StaleAccount:
    ad_account_id: str
    last_synced_at: datetime | None  # None: never pulled


def accounts_with_stale_stats(session: Session, *, synced_before: datetime) -> list[StaleAccount]:
    """Accounts of active connections not pulled since `synced_before` (captured before it).

    An account captured after `synced_before` has not had a whole period yet: not stale.
    """
    stmt = (
        select(AdAccount.id, AdAccount.last_synced_at)
        .join(Connection, Connection.id == AdAccount.connection_id)
        .where(
            Connection.state == ConnectionState.ACTIVE.value,
            AdAccount.created_at < synced_before,
            (AdAccount.last_synced_at.is_(None)) | (AdAccount.last_synced_at < synced_before),
        )
        .order_by(AdAccount.id)
    )
    return [
        StaleAccount(account, _utc(at) if at is not None else None)
        for account, at in session.execute(stmt)
    ]


def oldest_undelivered_event_at(session: Session) -> datetime | None:
    """When the oldest event still waiting for the runner was detected."""
    stmt = select(func.min(Event.detected_at)).where(Event.delivered_at.is_(None))
    at = session.scalar(stmt)
    return _utc(at) if at is not None else None


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
