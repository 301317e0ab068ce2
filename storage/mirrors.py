"""Campaigns, ad squads, ads, creatives and media as last seen on Snap.

`kind` is the plural API key the snap client uses: "campaigns", "adsquads", "ads",
"creatives", "media". Detection reads the stored state (`by_ids`, `for_ad_account`)
before it calls `upsert` with the fresh one, and compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage import snap_values
from storage.models.base import utcnow
from storage.models.mirrors import Ad, AdSquad, Campaign, Creative, Media, MirrorColumns
from storage.upsert import upsert

Item = Mapping[str, Any]


def _common(item: Item, ad_account_id: str, now: datetime) -> dict[str, Any]:
    return dict(
        id=item["id"],
        ad_account_id=ad_account_id,
        name=item.get("name"),
        status=item.get("status"),
        raw=dict(item),
        snap_created_at=snap_values.timestamp(item.get("created_at")),
        snap_updated_at=snap_values.timestamp(item.get("updated_at")),
        deleted=False,
        deleted_at=None,
        first_seen_at=now,
        last_seen_at=now,
    )


def _campaign(item: Item) -> dict[str, Any]:
    return dict(
        objective=item.get("objective"),
        delivery_status=snap_values.string_list(item.get("delivery_status")),
        daily_budget_micro=snap_values.integer(item.get("daily_budget_micro")),
        lifetime_spend_cap_micro=snap_values.integer(item.get("lifetime_spend_cap_micro")),
        start_time=snap_values.timestamp(item.get("start_time")),
        end_time=snap_values.timestamp(item.get("end_time")),
    )


def _ad_squad(item: Item) -> dict[str, Any]:
    return dict(
        campaign_id=item.get("campaign_id"),
        type=item.get("type"),
        delivery_status=snap_values.string_list(item.get("delivery_status")),
        daily_budget_micro=snap_values.integer(item.get("daily_budget_micro")),
        lifetime_budget_micro=snap_values.integer(item.get("lifetime_budget_micro")),
        bid_micro=snap_values.integer(item.get("bid_micro")),
        optimization_goal=item.get("optimization_goal"),
        start_time=snap_values.timestamp(item.get("start_time")),
        end_time=snap_values.timestamp(item.get("end_time")),
    )


def _ad(item: Item) -> dict[str, Any]:
    return dict(
        ad_squad_id=item.get("ad_squad_id"),
        creative_id=item.get("creative_id"),
        type=item.get("type"),
        delivery_status=snap_values.string_list(item.get("delivery_status")),
        review_status=item.get("review_status"),
        review_status_reasons=snap_values.string_list(item.get("review_status_reasons")),
    )


def _creative(item: Item) -> dict[str, Any]:
    top_snap = item.get("top_snap_media_id")
    return dict(
        type=item.get("type"), review_status=item.get("review_status"), top_snap_media_id=top_snap
    )


def _media(item: Item) -> dict[str, Any]:
    return dict(
        type=item.get("type"),
        media_status=item.get("media_status"),
        file_name=item.get("file_name"),
    )


KINDS: dict[str, tuple[type[MirrorColumns], Callable[[Item], dict[str, Any]]]] = {
    "campaigns": (Campaign, _campaign),
    "adsquads": (AdSquad, _ad_squad),
    "ads": (Ad, _ad),
    "creatives": (Creative, _creative),
    "media": (Media, _media),
}


def model(kind: str) -> type[MirrorColumns]:
    try:
        return KINDS[kind][0]
    except KeyError:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {sorted(KINDS)}") from None


# The state detection compares (stored vs fresh) to find transitions.
DETECTED_COLUMNS = ("delivery_status", "review_status", "review_status_reasons")


def upsert_many(
    session: Session,
    kind: str,
    ad_account_id: str,
    items: Sequence[Item],
    *,
    detected: bool = False,
) -> int:
    """Store the entities as just read from Snap: one statement per batch.

    A re-seen entity is un-deleted; `first_seen_at` keeps its first value. Only detection
    (`detected=True`) overwrites the delivery and review status of a stored entity: a
    write's answer (an ad paused by the runner, already REJECTED on Snap) must not move
    the stored state past a transition detection has not reported yet.
    """
    now = utcnow()
    table, to_columns = model(kind).__table__, KINDS[kind][1]  # type: ignore[attr-defined]
    rows = [{**_common(item, ad_account_id, now), **to_columns(item)} for item in items]
    keep = ["first_seen_at"] if detected else ["first_seen_at", *DETECTED_COLUMNS]
    return upsert(session, table, rows, conflict=["id"], keep=keep)


def by_ids(session: Session, kind: str, ids: Iterable[str]) -> dict[str, Any]:
    """The stored entities among `ids`, keyed by id."""
    cls = model(kind)
    wanted = list(ids)
    if not wanted:
        return {}
    stmt = select(cls).where(cls.id.in_(wanted)).execution_options(populate_existing=True)
    return {row.id: row for row in session.scalars(stmt)}


def for_ad_account(
    session: Session, kind: str, ad_account_id: str, *, include_deleted: bool = False
) -> dict[str, Any]:
    """An ad account's stored entities of one kind, keyed by id."""
    cls = model(kind)
    stmt = select(cls).where(cls.ad_account_id == ad_account_id)
    if not include_deleted:
        stmt = stmt.where(cls.deleted.is_(False))
    return {row.id: row for row in session.scalars(stmt.execution_options(populate_existing=True))}


def missing(session: Session, kind: str, ad_account_id: str, seen_ids: Iterable[str]) -> list[str]:
    """Ids stored as live that a full listing no longer returned (deleted outside the fleet)."""
    seen = set(seen_ids)
    return sorted(set(for_ad_account(session, kind, ad_account_id)) - seen)


def mark_deleted(
    session: Session, kind: str, ids: Iterable[str], *, now: datetime | None = None
) -> int:
    """Flag entities as deleted (kept for history and for the deletion event)."""
    cls = model(kind)
    wanted = list(ids)
    if not wanted:
        return 0
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(cls)
        .where(cls.id.in_(wanted), cls.deleted.is_(False))
        .values(deleted=True, deleted_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
