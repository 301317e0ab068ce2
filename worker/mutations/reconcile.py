"""List-and-match: did a create whose answer was lost take effect on Snap after all?

Snap documents no idempotency (Snap facts 3), so before a create whose earlier attempt
may have reached Snap is sent again, the parent's entities are listed, newest first, and
the one this write would have made is looked for (docs/architecture.md, The reconcile):
same name, same written attributes (those Snap echoes back), created no earlier than
the first attempt minus a clock-skew allowance (`SNAPFLEET_RECONCILE_SKEW_S`), and not
already owned by another journaled write. Found: adopt its id. None: send. Several:
keep the oldest, report the rest as duplicates.

Nested attributes (targeting, placement) are not compared: Snap normalises them on the
way in, so the echo may differ from what was sent without being another entity.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from snap import rules

Entity = Mapping[str, Any]


@dataclass(frozen=True)
class Lookup:
    """How to find what a create of `item` under `parent_id` would have made.

    Parameters:
        kind(str): the plural API key ("campaigns", "adsquads", "ads", "creatives", "media").
        parent_id(str): the entity the create was sent under.
        item(Mapping): the item as sent (name tag included, when the tag is on).
        list_children(Callable): lists the parent's entities of `kind` (every page);
            pass `list_params(parent, kind)` to it so Snap sorts newest first where it can.
    """

    kind: str
    parent_id: str
    item: Mapping[str, Any]
    list_children: Callable[[], Sequence[Any]]


@dataclass(frozen=True)
class Match:
    """The reconcile verdict: `adopted` is the entity to keep (None: nothing was made)."""

    adopted: dict[str, Any] | None
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def list_params(parent: str, kind: str) -> dict[str, str]:
    """`sort=created_at-desc` where seed 003 says the list supports it, else nothing."""
    return {"sort": "created_at-desc"} if (parent, kind) in rules.SORT_SUPPORTED else {}


def find(
    lookup: Lookup,
    *,
    since: datetime,
    skew_s: float,
    owned_ids: Collection[str] = (),
) -> Match:
    """List the parent's entities and match the one `lookup.item` would have made."""
    earliest = _aware(since) - timedelta(seconds=skew_s)
    entities = [as_dict(e) for e in lookup.list_children()]
    found = [
        e
        for e in entities
        if e.get("id") not in owned_ids and matches(e, lookup.item, earliest=earliest)
    ]
    if not found:
        return Match(adopted=None)
    oldest_first = sorted(found, key=_created_at)
    return Match(adopted=oldest_first[0], duplicates=oldest_first[1:])


def matches(entity: Entity, item: Mapping[str, Any], *, earliest: datetime) -> bool:
    """Same name, same echoed scalar attributes, created at or after `earliest`."""
    if entity.get("name") != item.get("name") or entity.get("deleted"):
        return False
    created = _created_at(entity)
    if created < earliest:
        return False
    return all(
        _same(entity[key], value)
        for key, value in item.items()
        if key in entity and not isinstance(value, Mapping | list)
    )


# Where each kind is created, so where a lost create of it is looked for.
PARENT_OF = {
    "campaigns": "adaccounts",
    "adsquads": "campaigns",
    "ads": "adsquads",
    "creatives": "adaccounts",
    "media": "adaccounts",
}


def children_lister(client: Any, kind: str, parent_id: str) -> Callable[[], list[dict]]:
    """`list_children` of a create of `kind` under `parent_id`, as the create tasks list."""
    parent = PARENT_OF[kind]
    params = list_params(parent, kind)
    lists: dict[str, Callable[[], Sequence[Any]]] = {
        "campaigns": lambda: client.list_campaigns(parent_id, **params),
        "adsquads": lambda: client.list_ad_squads(parent_id, parent=parent, **params),
        "ads": lambda: client.list_ads(parent_id, parent=parent, **params),
        "creatives": lambda: client.list_creatives(parent_id, **params),
        "media": lambda: client.list_media(parent_id, **params),
    }
    return lambda: newest_first(lists[kind]())


def newest_first(entities: Sequence[Any]) -> list[dict[str, Any]]:
    """Entities sorted by `created_at`, newest first (for lists that cannot sort)."""
    return sorted((as_dict(e) for e in entities), key=_created_at, reverse=True)


def as_dict(entity: Any) -> dict[str, Any]:
    """A Snap model (`snap.models`) or a mapping as a plain dict."""
    if hasattr(entity, "to_api"):
        return entity.to_api()
    return dict(entity)


def _same(seen: Any, sent: Any) -> bool:
    if seen == sent:
        return True
    if isinstance(seen, str) and isinstance(sent, str):
        seen_time, sent_time = _time(seen), _time(sent)
        return seen_time is not None and seen_time == sent_time
    try:
        return Decimal(str(seen)) == Decimal(str(sent))
    except ArithmeticError:
        return False


def _created_at(entity: Entity) -> datetime:
    return _time(entity.get("created_at")) or datetime.min.replace(tzinfo=UTC)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
