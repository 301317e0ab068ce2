"""Campaigns, ad squads and ads of one ad account for `snap.campaign|adsquad|ad.list`.

From the mirror by default: the entities as the fleet last saw them (entity sync,
detection, its own writes), each with `last_seen_at` and its age, filtered by parent and
status and keyset-paged (`storage.reads`). With `fresh`, the listing is read from Snap
first (the parent's own route when a parent is named: `/campaigns/{id}/adsquads`,
`/adsquads/{id}/ads`; else the ad account's), inside the account's gate scope in the
mutation lane, as the runner asked for it now, and stored in the mirror; the answer
is then the entities Snap just listed. A fresh listing never marks the missing ones as
deleted and never overwrites the delivery or review status detection compares: that
stays detection's job, so no transition is lost to a read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from storage import mirrors as mirror_repo
from storage import reads as read_repo
from worker.runtime import Runtime

# The route a fresh listing takes, by kind and whether a parent is named.
_PARENT_ROUTE = {"adsquads": "campaigns", "ads": "adsquads"}


def from_mirror(
    runtime: Runtime,
    kind: str,
    ad_account_id: str,
    *,
    parent_id: str | None,
    statuses: Sequence[str] | None,
    include_deleted: bool,
    limit: int,
    cursor: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    with runtime.session() as session:
        page = read_repo.entities(
            session, kind, ad_account_id, parent_id=parent_id, statuses=statuses,
            include_deleted=include_deleted, limit=limit, cursor=cursor,
        )  # fmt: skip
        items = [entity(row, now) for row in page.rows]
    return _answer("mirror", items, page.next_cursor, now)


def from_snap(
    runtime: Runtime,
    kind: str,
    ad_account_id: str,
    *,
    parent_id: str | None,
    statuses: Sequence[str] | None,
    limit: int,
    cursor: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Read the listing through to Snap, store it, answer the page of what Snap listed."""
    account = runtime.account(ad_account_id)
    client = runtime.client(account.connection_id)
    with runtime.account_gate_scope(account):
        listed = [_plain(e) for e in _list(client, kind, ad_account_id, parent_id)]
    now = now or datetime.now(UTC)
    with runtime.session() as session:
        mirror_repo.upsert_many(session, kind, ad_account_id, listed)
    wanted = sorted(
        str(e["id"]) for e in listed if not statuses or e.get("status") in set(statuses)
    )
    after = [i for i in wanted if cursor is None or i > cursor]
    page, more = after[:limit], len(after) > limit
    with runtime.session() as session:
        rows = mirror_repo.by_ids(session, kind, page)
        items = [entity(rows[i], now) for i in page if i in rows]
    return _answer("snap", items, page[-1] if more and page else None, now)


def _list(client: Any, kind: str, ad_account_id: str, parent_id: str | None) -> list[Any]:
    if kind == "campaigns":
        return list(client.list_campaigns(ad_account_id))
    parent = _PARENT_ROUTE[kind] if parent_id is not None else "adaccounts"
    parent_key = parent_id if parent_id is not None else ad_account_id
    if kind == "adsquads":
        return list(client.list_ad_squads(parent_key, parent=parent))
    return list(client.list_ads(parent_key, parent=parent))


def _plain(entity: Any) -> dict[str, Any]:
    if hasattr(entity, "model_dump"):
        return dict(entity.model_dump(mode="json", exclude_unset=True))
    return dict(entity)


def entity(row: Any, now: datetime) -> dict[str, Any]:
    """One mirrored entity as the runner reads it: its columns, Snap's object, its age."""
    skip = {"raw", "first_seen_at"}
    item = {
        column.key: _json(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }
    item["age_s"] = round((now - row.last_seen_at).total_seconds())
    item["snap"] = row.raw
    return item


def _answer(
    source: str, items: list[dict[str, Any]], next_cursor: str | None, now: datetime
) -> dict[str, Any]:
    ages = [i["age_s"] for i in items]
    return {
        "status": "succeeded",
        "source": source,
        "as_of": now.isoformat(),
        "oldest_age_s": max(ages) if ages else None,
        "items": items,
        "count": len(items),
        "next_cursor": next_cursor,
        "dry_run": False,
    }


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


__all__ = ["entity", "from_mirror", "from_snap"]
