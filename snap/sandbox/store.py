"""The in-memory entity tables: organizations, ad accounts and the five writable kinds.

Entities are kept as the dicts the API returns (read-only fields included); what the
API never shows (owning ad account, creation order, when it was deleted, status
history for delivery) sits beside them in `Record`. Paged lists are ordered by
`created_at` (seed 003: "Paginated calls are ordered by the attribute CreatedAt"),
then creation order, with an opaque cursor.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from snap.sandbox.envelope import bad_request, not_found

WRITABLE_KINDS = ("campaigns", "adsquads", "ads", "creatives", "media")

# kind -> (attribute naming the parent, kind of the parent)
PARENT = {
    "adaccounts": ("organization_id", "organizations"),
    "campaigns": ("ad_account_id", "adaccounts"),
    "adsquads": ("campaign_id", "campaigns"),
    "ads": ("ad_squad_id", "adsquads"),
    "creatives": ("ad_account_id", "adaccounts"),
    "media": ("ad_account_id", "adaccounts"),
}


# A `review_history` entry that starts a new review rather than forcing a verdict.
REVIEW_AGAIN = "REVIEW_AGAIN"


@dataclass
class Record:
    """One stored entity and what the API does not show about it."""

    kind: str
    entity: dict[str, Any]
    ad_account_id: str | None
    seq: int
    created: datetime
    deleted_at: datetime | None = None
    status_history: list[tuple[datetime, str]] = field(default_factory=list)
    review_history: list[tuple[datetime, str]] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)

    def restart_review(self, now: datetime) -> None:
        """seed 004: a targeting change pushes the ads back into review (an ad's creative
        change too): PENDING again, approved after the review delay, whatever the last
        verdict was."""
        self.review_history.append((now, REVIEW_AGAIN))
        self.review_reasons = []

    def status_at(self, when: datetime) -> str | None:
        """The entity's `status` as it was at `when` (for hour-by-hour delivery)."""
        current = None
        for changed, status in self.status_history:
            if changed <= when:
                current = status
        return current


class EntityStore:
    """All entities by id, with the parent links the list endpoints need."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self._by_parent: dict[tuple[str, str], list[Record]] = {}
        self._seq = 0

    def add(
        self, kind: str, entity: dict[str, Any], *, ad_account_id: str | None, now: datetime
    ) -> Record:
        self._seq += 1
        entity.setdefault("id", str(uuid.uuid4()))
        record = Record(kind, entity, ad_account_id, self._seq, now)
        if "status" in entity:
            record.status_history.append((now, entity["status"]))
        self.records[entity["id"]] = record
        if kind in PARENT:
            key = (kind, entity.get(PARENT[kind][0]) or "")
            self._by_parent.setdefault(key, []).append(record)
        return record

    def get(self, kind: str, entity_id: str, *, deleted_ok: bool = False) -> Record:
        """The live record, or 404 E3003 as the API answers (also for deleted ones)."""
        record = self.records.get(entity_id)
        if record is None or record.kind != kind or (record.deleted_at and not deleted_ok):
            raise not_found(kind, entity_id)
        return record

    def find(self, entity_id: str) -> Record | None:
        return self.records.get(entity_id)

    def children(self, kind: str, parent_kind: str, parent_id: str) -> list[Record]:
        """Records of `kind` under a parent of `parent_kind`, at any depth, in created order."""
        direct = PARENT[kind][1]
        if direct == parent_kind:
            found = list(self._by_parent.get((kind, parent_id), ()))
        elif direct in PARENT:
            middle = self.children(direct, parent_kind, parent_id)
            found = [r for m in middle for r in self._by_parent.get((kind, m.entity["id"]), ())]
        else:
            found = []
        return sorted(found, key=lambda r: (r.created, r.seq))

    def update(self, record: Record, changes: dict[str, Any], *, now: datetime) -> None:
        if "status" in changes and changes["status"] != record.entity.get("status"):
            record.status_history.append((now, changes["status"]))
        record.entity.update(copy.deepcopy(changes))

    def delete(self, record: Record, *, now: datetime) -> None:
        record.deleted_at = now
        if "status" in record.entity:
            record.status_history.append((now, "DELETED"))


def encode_cursor(offset: int) -> str:
    raw = json.dumps({"o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor points at; a cursor we did not issue is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
    except (ValueError, KeyError, TypeError):
        raise bad_request(f"Invalid cursor: {cursor}") from None
    if not isinstance(offset, int) or offset < 0:
        raise bad_request(f"Invalid cursor: {cursor}")
    return offset
