"""Bulk create and update under a parent, and delete: the write side of the API.

Stateless rules come from `snap.rules` (the same checks the client runs before
sending). The rules that need stored state live here: ids in the body that contradict
the path, the entity being updated must exist under that parent, a campaign's lifetime
spend cap may not drop below 1.1x what it has spent (seed 002), a running ad squad's
start_time cannot change (seed 004), an ad's creative and ad squad must be in the same
ad account (seed 001), and smart-budget / HCE rules are checked against the stored
campaign. Each item gets its own result; see `envelope.item_results_body`.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from snap import rules
from snap.sandbox.envelope import (
    E_BAD_REQUEST,
    E_FORBIDDEN,
    E_IMMUTABLE,
    E_NOT_FOUND,
    SandboxError,
    bad_request,
    iso,
    item_results_body,
    new_request_id,
)
from snap.sandbox.ledger import parse_time
from snap.sandbox.state import SandboxState
from snap.sandbox.store import PARENT, Record

Item = dict[str, Any]


class ItemRefused(Exception):
    """One item of a bulk write is refused; the others go on."""

    def __init__(self, message: str, error_code: str = E_BAD_REQUEST) -> None:
        super().__init__(message)
        self.error_code = error_code


def parse_items(kind: str, raw: bytes) -> list[Item]:
    """The list under the plural key, within the bulk limit (seed 003), or a 400."""
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise bad_request("Request body is not valid JSON") from None
    items = body.get(kind) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request(f'Request body must be {{"{kind}": [ ... ]}}')
    violations = rules.check_bulk(kind, items)
    if violations:
        raise bad_request(violations[0].message)
    return items


def write(
    state: SandboxState, kind: str, parent_id: str, raw: bytes, *, op: str
) -> tuple[int, dict]:
    """POST (op="create") or PUT (op="update") of `kind` under its documented parent."""
    items = parse_items(kind, raw)
    now = state.settle()
    with state.lock:
        parent = state.store.get(PARENT[kind][1], parent_id)
        account = state.store.get("adaccounts", parent.ad_account_id or "")
        if account.entity.get("status") != "ACTIVE":
            raise SandboxError(
                403, f"Ad account {account.entity['id']} is not active", error_code=E_FORBIDDEN
            )
        results = [_one(state, kind, parent, account, item, op, now) for item in items]
    return item_results_body(kind, results)


def _one(state, kind, parent, account, item, op, now) -> dict[str, Any]:
    try:
        current = _current(state, kind, parent, item) if op == "update" else None
        _check(state, kind, parent, account, item, op, current, now)
    except ItemRefused as refused:
        return {"error": str(refused), "error_code": refused.error_code}
    record = _commit(state, kind, account, item, current, now)
    return {"entity": state.delivery.render(record, now)}


def _current(state: SandboxState, kind: str, parent: Record, item: Item) -> Record:
    """The stored entity an update names: it must exist, live, under the path's parent."""
    if not item.get("id"):
        raise ItemRefused("id: id is required")
    record = state.store.find(str(item["id"]))
    attribute = PARENT[kind][0]
    if record is None or record.kind != kind or record.deleted_at is not None:
        raise ItemRefused(f"Resource can not be found: {kind} {item['id']}", E_NOT_FOUND)
    if record.entity.get(attribute) != parent.entity["id"]:
        raise ItemRefused(
            f"Resource can not be found: {kind} {item['id']} under {parent.entity['id']}",
            E_NOT_FOUND,
        )
    return record


def _check(state, kind, parent, account, item, op, current, now) -> None:
    violations = _path_violations(kind, parent, item)
    violations += _rule_violations(state, kind, parent, account, item, op, current)
    if violations:
        raise ItemRefused("; ".join(f"{v.field}: {v.message}" for v in violations))
    if kind == "campaigns" and current is not None:
        _echoed_unchanged(item, current)
        _lifetime_cap(state, item, current)
    if kind == "adsquads" and current is not None:
        _running_start_time(item, current, now)
    if kind == "ads":
        _same_account(state, item, account)
    if kind == "creatives":
        _top_snap_media(state, item, account)


def _path_violations(kind: str, parent: Record, item: Item) -> list[rules.Violation]:
    """An id in the body that contradicts the path (e.g. campaign_id of another campaign)."""
    attribute = PARENT[kind][0]
    value = item.get(attribute)
    if value is not None and value != parent.entity["id"]:
        return [
            rules.Violation(
                attribute, f"{attribute} {value} does not match the path ({parent.entity['id']})"
            )
        ]
    return []


def _rule_violations(state, kind, parent, account, item, op, current) -> list[rules.Violation]:
    if kind == "campaigns":
        return rules.check_campaign(item, op=op, current=current.entity if current else None)
    if kind == "adsquads":
        currency = account.entity.get("currency")
        return rules.check_ad_squad(item, op=op, currency=currency, campaign=parent.entity)
    if kind == "ads":
        creative = state.store.find(
            str(item.get("creative_id") or (current.entity.get("creative_id") if current else ""))
        )
        creative_type = (
            creative.entity.get("type") if creative and creative.kind == "creatives" else None
        )
        return rules.check_ad(item, op=op, creative_type=creative_type)
    return rules.CHECKS[kind](item, op=op)


def _echoed_unchanged(item: Item, current: Record) -> None:
    """seed 002 PUT example echoes ad_account_id, objective, buy_model...: sent, not changed.
    A field the stored campaign lacks (a server default such as objective) may be echoed."""
    for field in sorted(rules.CAMPAIGN_UPDATE_ECHO_FIELDS - {"id"}):
        stored = current.entity.get(field)
        if field in item and stored is not None and item[field] != stored:
            raise ItemRefused(f"{field}: {field} cannot be updated on a campaign", E_IMMUTABLE)


def _lifetime_cap(state: SandboxState, item: Item, current: Record) -> None:
    """seed 002: the cap may rise or be removed; lowered, it must stay >= 1.1x the spend."""
    if "lifetime_spend_cap_micro" not in item or not item["lifetime_spend_cap_micro"]:
        return
    new_cap = int(item["lifetime_spend_cap_micro"])
    old_cap = current.entity.get("lifetime_spend_cap_micro")
    spent = state.ledger.lifetime_spend(current.entity["id"])
    if (
        old_cap is None or new_cap < int(old_cap)
    ) and new_cap < spent * rules.LIFETIME_CAP_MIN_FACTOR:
        raise ItemRefused(
            f"lifetime_spend_cap_micro: cannot be reduced below {rules.LIFETIME_CAP_MIN_FACTOR} "
            f"times the amount already spent ({spent})"
        )


def _running_start_time(item: Item, current: Record, now: datetime) -> None:
    """seed 004: start_time is only updatable while in the future; not once running."""
    if "start_time" not in item:
        return
    old, new = parse_time(current.entity.get("start_time")), parse_time(item["start_time"])
    if new == old:
        return
    if old is not None and old <= now:
        raise ItemRefused(
            "start_time: the start_time of a running ad squad cannot be updated", E_IMMUTABLE
        )
    if new is not None and new <= now:
        raise ItemRefused(
            "start_time: start_time can only be updated to a time in the future", E_IMMUTABLE
        )


def _same_account(state: SandboxState, item: Item, account: Record) -> None:
    """seed 001: the creative and the ad squad must be in the same ad account."""
    creative_id = item.get("creative_id")
    if creative_id is None:
        return
    creative = state.store.find(str(creative_id))
    if creative is None or creative.kind != "creatives" or creative.deleted_at:
        raise ItemRefused(
            f"creative_id: Resource can not be found: creative {creative_id}", E_NOT_FOUND
        )
    if creative.ad_account_id != account.entity["id"]:
        raise ItemRefused(
            f"creative_id: creative {creative_id} belongs to another ad account than the ad squad"
        )


def _top_snap_media(state: SandboxState, item: Item, account: Record) -> None:
    """Snap docs: Creatives: top_snap_media_id must be READY media of the account."""
    media_id = item.get("top_snap_media_id")
    if media_id is None:
        return
    media = state.store.find(str(media_id))
    if media is None or media.kind != "media" or media.ad_account_id != account.entity["id"]:
        raise ItemRefused(
            f"top_snap_media_id: Resource can not be found: media {media_id}", E_NOT_FOUND
        )
    if media.entity.get("media_status") != "READY":
        raise ItemRefused(f"top_snap_media_id: media {media_id} is not READY (upload it first)")


def _commit(state, kind, account, item, current, now) -> Record:
    changes = {
        k: copy.deepcopy(v) for k, v in item.items() if k not in rules.READ_ONLY_FIELDS[kind]
    }
    changes["updated_at"] = iso(now)
    if current is not None:
        changes.pop("id", None)
        back_to_review = _reviewed_again(state, kind, current, changes)
        state.store.update(current, changes, now=now)
        for ad in back_to_review:
            ad.restart_review(now)
        return current
    changes.pop("id", None)
    changes["created_at"] = changes["updated_at"]
    if kind == "media":
        changes["media_status"] = "PENDING_UPLOAD"
    return state.store.add(kind, changes, ad_account_id=account.entity["id"], now=now)


def _reviewed_again(state: SandboxState, kind: str, current: Record, changes: Item) -> list[Record]:
    """The ads an update sends back to review: seed 004 ("Updating the targeting of an Ad
    Squad will push the ads back into review"), and an ad whose creative changes."""
    field = {"adsquads": "targeting", "ads": "creative_id"}.get(kind)
    if field is None or field not in changes or changes[field] == current.entity.get(field):
        return []
    if kind == "ads":
        return [current]
    ads = state.store.children("ads", "adsquads", current.entity["id"])
    return [ad for ad in ads if ad.deleted_at is None]


def delete(state: SandboxState, kind: str, entity_id: str) -> tuple[int, dict]:
    """DELETE /v1/{kind}/{id}: marks it deleted; answers the seed's empty plural list."""
    now = state.settle()
    with state.lock:
        record = state.store.get(kind, entity_id)
        state.store.delete(record, now=now)
        record.entity["updated_at"] = iso(now)
    return 200, {"request_status": "SUCCESS", "request_id": new_request_id(), kind: []}
