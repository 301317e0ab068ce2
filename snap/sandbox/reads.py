"""The read side: /me, organizations, ad accounts, get one, and paged lists.

Lists follow seed 003: `limit` 50..1000 pages the result ordered by created_at with an
absolute `paging.next_link` carrying an opaque cursor; `sort=updated_at-desc|
created_at-desc` where documented, refused with `type`, `review_status` or
`read_deleted_entities`; `read_deleted_entities=true` adds deleted entities with
`deleted: true`. A get of a deleted entity is a 404 E3003, as for one that never was,
unless it asks `read_deleted_entities=true` (seeds 001 and 002 document the parameter on
"Get a specific Ad/Campaign" too): then it answers the entity with `deleted: true`. Ad
squads carry `placement_v2` only when read with `return_placement_v2=true` (seed 004,
on the list and the single-entity routes alike).
"""

from __future__ import annotations

from typing import Any

from snap import rules
from snap.sandbox.call import Call
from snap.sandbox.envelope import bad_request, entities_body, new_request_id
from snap.sandbox.seed import ME_ID, ORGANIZATION_ID
from snap.sandbox.state import SandboxState
from snap.sandbox.store import Record, decode_cursor, encode_cursor


def me(state: SandboxState, call: Call) -> tuple[int, dict]:
    created = state.store.get("organizations", ORGANIZATION_ID).entity["created_at"]
    body = {
        "request_status": "SUCCESS",
        "request_id": new_request_id(),
        "me": {
            "id": ME_ID,
            "email": "sandbox@example.com",
            "display_name": "Sandbox User",
            "organization_id": ORGANIZATION_ID,
            "created_at": created,
            "updated_at": created,
        },
    }
    return 200, body


def organizations(state: SandboxState, call: Call) -> tuple[int, dict]:
    """GET /me/organizations; `with_ad_accounts=true` nests `ad_accounts` (key unconfirmed)."""
    with state.lock:
        orgs = [r for r in state.store.records.values() if r.kind == "organizations"]
        rendered = [_organization(state, r, call.flag("with_ad_accounts")) for r in orgs]
    return 200, entities_body("organizations", rendered)


def _organization(state: SandboxState, record: Record, with_accounts: bool) -> dict[str, Any]:
    entity = dict(record.entity)
    if with_accounts:
        accounts = state.store.children("adaccounts", "organizations", entity["id"])
        entity["ad_accounts"] = [state.render(a) for a in accounts]
    return entity


def organization(state: SandboxState, call: Call) -> tuple[int, dict]:
    with state.lock:
        record = state.store.get("organizations", call.path_params["id"])
        return 200, entities_body("organizations", [dict(record.entity)])


def get_one(kind: str):
    """GET /v1/{kind}/{id}: a list of one, or 404 E3003 (also when deleted)."""

    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        deleted = call.flag("read_deleted_entities")
        with state.lock:
            record = state.store.get(kind, call.path_params["id"], deleted_ok=deleted)
            shown = state.render(record, show_deleted=deleted, placement_v2=_placement(call))
            return 200, entities_body(kind, [shown])

    return handler


def list_under(parent_kind: str, kind: str):
    """GET /v1/{parent_kind}/{id}/{kind}, paged when `limit` is given."""

    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        violations = rules.check_list_params(parent_kind, kind, call.query)
        if violations:
            raise bad_request("; ".join(f"{v.field}: {v.message}" for v in violations))
        with state.lock:
            state.store.get(parent_kind, call.path_params["id"])
            records = _selected(state, parent_kind, kind, call)
            return 200, _page(state, kind, records, call)

    return handler


def _selected(state: SandboxState, parent_kind: str, kind: str, call: Call) -> list[Record]:
    records = state.store.children(kind, parent_kind, call.path_params["id"])
    if not call.flag("read_deleted_entities"):
        records = [r for r in records if r.deleted_at is None]
    if call.query.get("type"):
        records = [r for r in records if r.entity.get("type") == call.query["type"]]
    if call.query.get("review_status"):
        now = state.settle()
        want = call.query["review_status"]
        records = [r for r in records if state.delivery.review_status(r, now) == want]
    sort = call.query.get("sort")
    if sort:
        attribute = sort.split("-")[0]
        records = sorted(records, key=lambda r: (r.entity.get(attribute, ""), r.seq), reverse=True)
    return records


def _placement(call: Call) -> bool:
    return call.flag("return_placement_v2")


def _page(state: SandboxState, kind: str, records: list[Record], call: Call) -> dict[str, Any]:
    show_deleted = call.flag("read_deleted_entities")
    placement = _placement(call)
    if not call.query.get("limit"):
        rendered = [
            state.render(r, show_deleted=show_deleted, placement_v2=placement) for r in records
        ]
        return entities_body(kind, rendered)
    limit = int(call.query["limit"])
    offset = decode_cursor(call.query["cursor"]) if call.query.get("cursor") else 0
    page = records[offset : offset + limit]
    extra: dict[str, Any] = {}
    if offset + limit < len(records):
        extra["paging"] = {
            "next_link": call.link(cursor=encode_cursor(offset + limit), limit=limit)
        }
    else:
        extra["paging"] = {}
    rendered = [state.render(r, show_deleted=show_deleted, placement_v2=placement) for r in page]
    return entities_body(kind, rendered, **extra)
