"""What the polling plan knows about each ad account, in a few grouped queries.

The plan (`worker.sync.plan`) spends Snap calls where things change; what it asks of the
database is one row per connected ad account: its organization and time zone, whether it
spent recently, how many of its ads wait for review, when the runner last wrote to it, and
whether any of its ads can deliver. Five queries whatever the number of accounts, so a
plan tick over 10,000 accounts stays a few database round trips.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.accounts import AdAccount
from storage.models.connections import Connection, ConnectionState
from storage.models.journal import JournalEntry
from storage.models.mirrors import Ad
from storage.models.stats import DailyStat

__all__ = ["AccountRow", "account_rows", "org_connection"]


@dataclass(frozen=True)
class AccountRow:
    """One connected ad account as the plan sees it (plain values, no ORM object)."""

    ad_account_id: str
    organization_id: str
    time_zone: str
    status: str | None
    spend_days: frozenset[date]  # days (account-local, as stored) with spend, lately
    ads_in_review: int
    last_written_at: datetime | None
    deliverable_ads: int  # ads whose last seen delivery_status is ["VALID"]


def account_rows(
    session: Session, *, now: datetime, written_since: datetime, spend_since: date
) -> list[AccountRow]:
    """Every account whose connection is active, with the facts the plan decides on."""
    accounts = session.execute(
        select(AdAccount.id, AdAccount.organization_id, AdAccount.timezone, AdAccount.status)
        .join(Connection, Connection.id == AdAccount.connection_id)
        .where(Connection.state == ConnectionState.ACTIVE.value)
        .order_by(AdAccount.id)
    ).all()
    spend = _spend_days(session, spend_since)
    review = _counts(session, Ad.review_status == "PENDING")
    written = dict(
        session.execute(
            select(JournalEntry.ad_account_id, func.max(JournalEntry.created_at))
            .where(JournalEntry.created_at >= written_since, JournalEntry.step != "task")
            .group_by(JournalEntry.ad_account_id)
        ).all()
    )
    deliverable = _deliverable(session)
    return [
        AccountRow(
            ad_account_id=account_id,
            organization_id=organization_id,
            time_zone=time_zone,
            status=status,
            spend_days=frozenset(spend.get(account_id, ())),
            ads_in_review=review.get(account_id, 0),
            last_written_at=written.get(account_id),
            deliverable_ads=deliverable.get(account_id, 0),
        )
        for account_id, organization_id, time_zone, status in accounts
    ]


def _spend_days(session: Session, since: date) -> dict[str, set[date]]:
    rows = session.execute(
        select(DailyStat.ad_account_id, DailyStat.day)
        .where(DailyStat.day >= since, DailyStat.spend_micro > 0)
        .group_by(DailyStat.ad_account_id, DailyStat.day)
    )
    found: dict[str, set[date]] = defaultdict(set)
    for account_id, day in rows:
        found[account_id].add(day)
    return found


def _counts(session: Session, condition: Any) -> dict[str, int]:
    stmt = (
        select(Ad.ad_account_id, func.count())
        .where(condition, Ad.deleted.is_(False))
        .group_by(Ad.ad_account_id)
    )
    return {account_id: int(n) for account_id, n in session.execute(stmt)}


def _deliverable(session: Session) -> dict[str, int]:
    # delivery_status is a JSON array; the few ACTIVE ads are checked here rather than in a
    # dialect-specific JSON predicate, so SQLite (embedded mode) answers the same.
    rows = session.execute(
        select(Ad.ad_account_id, Ad.delivery_status).where(
            Ad.status == "ACTIVE", Ad.deleted.is_(False)
        )
    )
    found: dict[str, int] = defaultdict(int)
    for account_id, codes in rows:
        if list(codes or []) == ["VALID"]:
            found[account_id] += 1
    return found


def org_connection(session: Session, organization_id: str) -> tuple[int, list[str]] | None:
    """An active connection that reaches the organization, and its accounts stored under it.

    The organization's account listing is read through this connection; the accounts it
    returns that are not stored under an active connection are not the fleet's business.
    """
    rows = session.execute(
        select(AdAccount.id, AdAccount.connection_id)
        .join(Connection, Connection.id == AdAccount.connection_id)
        .where(
            AdAccount.organization_id == organization_id,
            Connection.state == ConnectionState.ACTIVE.value,
        )
        .order_by(AdAccount.id)
    ).all()
    if not rows or rows[0][1] is None:
        return None
    return int(rows[0][1]), [account_id for account_id, _ in rows]
