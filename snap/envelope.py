"""Snap's JSON envelopes, in one place.

A write goes out wrapped under the plural key (`{"campaigns": [...]}`). Every answer
comes back as

    {"request_status": "SUCCESS", "request_id": "...",
     "campaigns": [{"sub_request_status": "SUCCESS", "campaign": {...}}, ...],
     "paging": {"next_link": "..."}}

and an error as `{"request_status": "ERROR", "request_id", "debug_message",
"display_message", "error_code"}` (Snap facts 4 and 6, docs/architecture.md). Statuses are
compared case-insensitively: Snap's doc samples say `success`, live answers `SUCCESS`.

An answer that is not that shape (no `request_status`, no list under the kind's key, an
item that is not an object, a succeeded item without an `id`, fewer or more items than
were sent) is `Malformed`: nothing in it can be trusted, and the client says so naming
the operation rather than reading it as "nothing there" or "done".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from snap import models

# Plural API key -> the singular key of each item in an answer.
SINGULAR: dict[str, str] = {
    "campaigns": "campaign",
    "adsquads": "adsquad",
    "ads": "ad",
    "creatives": "creative",
    "media": "media",
    "organizations": "organization",
    "adaccounts": "adaccount",
    "members": "member",
    "total_stats": "total_stat",
    "timeseries_stats": "timeseries_stat",
    "lifetime_stats": "lifetime_stat",
}

SUCCESS = "success"
ERROR = "error"


@dataclass(frozen=True)
class ApiMessage:
    """What Snap said about a failure, from an envelope or one failed sub-request."""

    request_id: str | None = None
    debug_message: str | None = None
    display_message: str | None = None
    error_code: str | None = None

    @property
    def text(self) -> str | None:
        """The best single line: the developer text first, then the user text, then the code."""
        return self.debug_message or self.display_message or self.error_code


@dataclass
class Unwrapped:
    """The items of one answer: `succeeded` as (index in the request, entity) pairs,
    `failed` as `{"index", "message", "error_code"}` dicts."""

    succeeded: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def is_success(status: Any) -> bool:
    return isinstance(status, str) and status.strip().lower() == SUCCESS


def is_error(status: Any) -> bool:
    """A whole-request failure. Other non-success values (e.g. `PARTIAL`) leave the
    verdict to each item's `sub_request_status`."""
    return isinstance(status, str) and status.strip().lower() == ERROR


def wrap(kind: str, items: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The body of a create or update: the items under their plural key."""
    return {kind: [dict(item) for item in items]}


def success_body(kind: str, entities: Iterable[Mapping[str, Any]], request_id: str) -> dict:
    """An all-success answer carrying `entities` (used by the dry-run client and tests)."""
    singular = SINGULAR[kind]
    return {
        "request_status": "SUCCESS",
        "request_id": request_id,
        kind: [{"sub_request_status": "SUCCESS", singular: dict(e)} for e in entities],
    }


def api_message(body: Any) -> ApiMessage:
    """Snap's own words from an error envelope (or an item), tolerant of any shape."""
    if not isinstance(body, Mapping):
        return ApiMessage()

    def text(key: str) -> str | None:
        value = body.get(key)
        return str(value) if value not in (None, "") else None

    return ApiMessage(
        request_id=text("request_id"),
        debug_message=text("debug_message") or text("sub_request_error_reason") or text("message"),
        display_message=text("display_message"),
        error_code=text("error_code") or text("error_type"),
    )


class Malformed(ValueError):
    """The answer is not Snap's envelope; the message says what is wrong with it."""


def check(body: Any, *, require_status: bool = True) -> None:
    """The envelope itself: a JSON object with a `request_status`."""
    if not isinstance(body, Mapping):
        raise Malformed("the answer is not a JSON object")
    if require_status and not isinstance(body.get("request_status"), str):
        raise Malformed("the answer has no request_status")


def unwrap_checked(body: Mapping[str, Any], kind: str, *, sent: int | None = None) -> Unwrapped:
    """`unwrap`, refusing an answer whose items are not Snap's shape (see the module doc).

    `sent`: a write's item count; its answer must carry one result per item.
    """
    items = body.get(kind)
    if not isinstance(items, list):
        raise Malformed(f"the answer has no {kind} list")
    if sent is not None and len(items) != sent:
        raise Malformed(f"the answer carries {len(items)} {kind} for {sent} sent")
    singular = SINGULAR.get(kind, kind)
    for index, wrapper in enumerate(items):
        if not isinstance(wrapper, Mapping):
            raise Malformed(f"{kind} item {index} is not an object")
        if not is_success(wrapper.get("sub_request_status")):
            continue
        entity = wrapper.get(singular)
        if not isinstance(entity, Mapping):
            raise Malformed(f"{kind} item {index} succeeded without a {singular}")
        if entity.get("id") in (None, ""):
            raise Malformed(f"{kind} item {index} succeeded without an id")
    return unwrap(body, kind)


def unwrap(body: Mapping[str, Any], kind: str) -> Unwrapped:
    """Split an answer's items by their `sub_request_status`.

    Snap's wording for a failed item is not documented (Snap facts 4: "check each
    sub_request_status"). Third-party clients read `sub_request_error_reason` (several
    agree), some `message`/`error_type`; we read those and the error-envelope keys, so
    whichever Snap sends reaches the caller (unconfirmed, closest documented reading).
    """
    singular = SINGULAR.get(kind, kind)
    result = Unwrapped()
    for index, wrapper in enumerate(body.get(kind) or []):
        if not isinstance(wrapper, Mapping):
            continue
        entity = wrapper.get(singular)
        if is_success(wrapper.get("sub_request_status")) and isinstance(entity, Mapping):
            result.succeeded.append((index, dict(entity)))
            continue
        said = api_message(wrapper)
        status = wrapper.get("sub_request_status")
        result.failed.append(
            {
                "index": index,
                "message": said.text or f"sub_request_status {status!r}",
                "error_code": said.error_code,
            }
        )
    return result


def next_link(body: Mapping[str, Any]) -> str | None:
    """The URL of the next page, or None on the last page."""
    paging = body.get("paging")
    if isinstance(paging, Mapping):
        link = paging.get("next_link")
        if isinstance(link, str) and link:
            return link
    return None


def to_model(kind: str, entity: Mapping[str, Any]) -> Any:
    """Parse one entity into its `snap.models` class (lenient: unknown fields survive)."""
    return models.MODELS[kind].model_validate(dict(entity))


def merge_stat_pages(merged: list[dict[str, Any]], page: list[dict[str, Any]]) -> None:
    """Add one page of stat objects: a known id gets its `breakdown_stats` rows extended."""
    by_id = {stat.get("id"): stat for stat in merged}
    for stat in page:
        known = by_id.get(stat.get("id"))
        if known is None:
            merged.append(stat)
            by_id[stat.get("id")] = stat
            continue
        rows = known.setdefault("breakdown_stats", {})
        for name, more in (stat.get("breakdown_stats") or {}).items():
            rows.setdefault(name, []).extend(more)
