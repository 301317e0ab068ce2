"""What the read tasks answer from: organizations, ad accounts and mirrored entities, paged,
and an experiment's per-variant totals.

The guarantee: a page is stable under concurrent writes. Pages are keyset-paged on the
primary key (`WHERE id > :after ORDER BY id`), so an entity created or updated while
the runner pages never shifts the others between pages (an offset would skip or repeat
one); the cursor is the last id of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from storage.mirrors import model
from storage.models.accounts import AdAccount, Organization
from storage.models.connections import Connection
from storage.models.stats import DailyStat

# The column each entity kind's parent lives in.
PARENT_COLUMNS = {"campaigns": "ad_account_id", "adsquads": "campaign_id", "ads": "ad_squad_id"}


@dataclass(frozen=True)
class Page:
    """One page of rows and the cursor of the next (None: the last page)."""

    rows: list[Any]
    next_cursor: str | None


def _paged(session: Session, stmt: Any, id_column: Any, limit: int, cursor: str | None) -> Page:
    if cursor:
        stmt = stmt.where(id_column > cursor)
    found = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    more = len(found) > limit
    rows = found[:limit]
    return Page(rows, str(rows[-1].id) if more and rows else None)


def connection_for_tenant(session: Session, tenant_id: str) -> Connection | None:
    """The tenant's connection (the newest, if it connected through several apps)."""
    stmt = select(Connection).where(Connection.tenant_id == tenant_id)
    return session.scalars(stmt.order_by(Connection.id.desc()).limit(1)).first()


def organizations(
    session: Session, connection_id: int, *, limit: int, cursor: str | None = None
) -> Page:
    stmt = select(Organization).where(Organization.connection_id == connection_id)
    return _paged(session, stmt, Organization.id, limit, cursor)


def ad_accounts(
    session: Session,
    connection_id: int,
    *,
    organization_id: str | None = None,
    statuses: Sequence[str] | None = None,
    limit: int,
    cursor: str | None = None,
) -> Page:
    stmt = select(AdAccount).where(AdAccount.connection_id == connection_id)
    if organization_id is not None:
        stmt = stmt.where(AdAccount.organization_id == organization_id)
    if statuses:
        stmt = stmt.where(AdAccount.status.in_(list(statuses)))
    return _paged(session, stmt, AdAccount.id, limit, cursor)


def entities(
    session: Session,
    kind: str,
    ad_account_id: str,
    *,
    parent_id: str | None = None,
    statuses: Sequence[str] | None = None,
    include_deleted: bool = False,
    limit: int,
    cursor: str | None = None,
) -> Page:
    """Mirrored campaigns, ad squads or ads of one ad account, filtered by parent and status."""
    cls = model(kind)
    stmt = select(cls).where(cls.ad_account_id == ad_account_id)
    if parent_id is not None:
        stmt = stmt.where(getattr(cls, PARENT_COLUMNS[kind]) == parent_id)
    if statuses:
        stmt = stmt.where(cls.status.in_(list(statuses)))
    if not include_deleted:
        stmt = stmt.where(cls.deleted.is_(False))
    return _paged(session, stmt.execution_options(populate_existing=True), cls.id, limit, cursor)


def entity_ids_under(session: Session, kind: str, ad_account_id: str) -> set[str]:
    """Every mirrored id of one kind in an ad account, deleted ones included."""
    cls = model(kind)
    return set(session.scalars(select(cls.id).where(cls.ad_account_id == ad_account_id)))


@dataclass(frozen=True)
class VariantTotals:
    """One ad squad's daily stats summed over the experiment's days."""

    ad_squad_id: str
    days: int
    first_day: date | None
    last_day: date | None
    spend_usd_micro: int
    spend_rows_without_rate: int
    impressions: int
    swipes: int
    view_completion: int
    conversion_purchases: Decimal


def ad_squad_totals(
    session: Session,
    ad_squad_ids: Sequence[str],
    *,
    attribution: str,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, VariantTotals]:
    """Per ad squad: the sums of its DAY rows under one attribution setting."""
    if not ad_squad_ids:
        return {}
    s = DailyStat
    stmt = (
        select(
            s.entity_id,
            func.count(),
            func.min(s.day),
            func.max(s.day),
            func.coalesce(func.sum(s.spend_usd_micro), 0),
            func.coalesce(func.sum(s.fx_missing.cast(Integer())), 0),
            func.coalesce(func.sum(s.impressions), 0),
            func.coalesce(func.sum(s.swipes), 0),
            func.coalesce(func.sum(s.view_completion), 0),
            func.coalesce(func.sum(s.conversion_purchases), 0),
        )
        .where(
            s.entity_type == "ad_squad",
            s.entity_id.in_(list(ad_squad_ids)),
            s.attribution == attribution,
        )
        .group_by(s.entity_id)
    )
    if since is not None:
        stmt = stmt.where(s.day >= since)
    if until is not None:
        stmt = stmt.where(s.day <= until)
    totals = {}
    for row in session.execute(stmt):
        entity_id, days, first, last, spend, no_rate, imps, swipes, vc, conv = row
        totals[entity_id] = VariantTotals(
            entity_id, int(days), first, last, int(spend), int(no_rate), int(imps),
            int(swipes), int(vc), Decimal(str(conv)),
        )  # fmt: skip
    return totals
