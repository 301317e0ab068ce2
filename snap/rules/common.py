"""Rules every entity shares, and the pieces the entity checks are built from.

Shared limits (names, bulk sizes, pagination, sorting), the statuses and delivery codes,
the fields the server owns, `Violation`, and the generic checks (`check_bulk`,
`check_list_params`, `strip_deprecated_for_update`). The entity modules import from here
and never the other way round, so this module must not import any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# --- Shared limits -------------------------------------------------------------------

# seed 001 (Ads: name), 002 (Campaign Attributes: name), 004 (Attributes: name),
# Snap docs: Creatives: "max length: 375 characters".
NAME_MAX_LEN = 375

# seed 003 "Entity Request Limits": create/update limit per request, by plural API key.
BULK_LIMITS: dict[str, int] = {
    "campaigns": 30,
    "adsquads": 30,
    "ads": 30,
    "creatives": 10,
    "media": 10,
    "organizations": 15,
    "adaccounts": 15,
    "segments": 15,
}

# seed 003 "Pagination": "limit | O | integer, min 50, max 1000".
PAGE_LIMIT_MIN = 50
PAGE_LIMIT_MAX = 1000

# seed 003 "Sorting parameter": "sort=updated_at-desc , sort=created_at-desc".
SORT_VALUES: tuple[str, ...] = ("updated_at-desc", "created_at-desc")

# seed 003 "Sorting parameter / Endpoint availability": (parent plural, child plural).
# seed 002 "Fetch all Campaigns under an Ad Account" documents `sort` for campaigns too,
# although seed 003 lists only Ad Squads, Ads, Creatives and Media; the campaign page is
# the more specific reference, so it is included.
SORT_SUPPORTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("adaccounts", "adsquads"),
        ("campaigns", "adsquads"),
        ("adaccounts", "ads"),
        ("campaigns", "ads"),
        ("adsquads", "ads"),
        ("adaccounts", "media"),
        ("adaccounts", "creatives"),
        ("adaccounts", "campaigns"),
    }
)

# seed 003 "Sorting parameter": "cannot be used with ... type, review_status or
# read_deleted_entities".
SORT_INCOMPATIBLE_PARAMS: tuple[str, ...] = ("type", "review_status", "read_deleted_entities")

# --- Statuses and common enums -------------------------------------------------------

# seed 001 Ads (status), 002 Campaign Attributes (status), 004 Attributes (status).
CAMPAIGN_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})
AD_SQUAD_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})
AD_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})

# seed 001 Ads (review_status); Snap facts 12 (docs/architecture.md).
REVIEW_STATUSES: frozenset[str] = frozenset({"PENDING", "APPROVED", "REJECTED"})

# Snap docs: Ad accounts (status: third-party schema, unconfirmed beyond these; Snap facts 13).
AD_ACCOUNT_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED", "DISABLED"})

# Snap docs: Delivery status (the official page, plus the ad squad and ad rows connectors use).
DELIVERY_STATUS_CODES: frozenset[str] = frozenset(
    {
        "PENDING",
        "VALID",
        "DELIVERING",  # seed 002 "Get a specific Campaign" example
        "INVALID_UNKNOWN",  # seed 002 "Fetch all Campaigns" example
        "INVALID_NOT_ACTIVE",
        "INVALID_NOT_EFFECTIVE_ACTIVE",
        "INVALID_START_TIME",
        "INVALID_END_TIME",
        "INVALID_EFFECTIVE_START_TIME",
        "INVALID_EFFECTIVE_END_TIME",
        "INVALID_EFFECTIVE_DELETED",
        "INVALID_EFFECTIVE_INVALID",
        "INVALID_START_TIME_AFTER_END_TIME",
        "NOT_ACTIVE_ORGANIZATION",
        "NOT_ENTERPRISE_ORGANIZATION",
        "TEST_AD_ACCOUNT",
        "INVALID_REMAINING_AD_ACCOUNT_BUDGET",
        "INVALID_AD_ACCOUNT_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_ACCOUNT_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_AD_ACCOUNT_REALTIME_LIFETIME_SPEND",
        "INVALID_CAMPAIGN_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_CAMPAIGN_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND",
        "NO_VALID_AD_SQUAD",
        "INVALID_RF_FOR_RESERVED_BUY",
        "INVALID_CAMPAIGN_HAS_NO_ACTIVE_AD_SQUAD",
        "INVALID_TARGETING_REACH_STATUS",
        "INVALID_PENDING_TARGETING_REACH_STATUS",
        "INVALID_AD_SQUAD_HAS_NO_ACTIVE_ADS",
        "INVALID_AD_SQUAD_WIREOBJECT",
        "INVALID_INTERNAL_PLACEMENT",
        "INVALID_AD_SQUAD_HAS_UNSUPPORTED_AD_TYPE",
        "INVALID_UNSUPPORTED_AD_SQUAD_TYPE",
        "INVALID_AD_SQUAD_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_SQUAD_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_AD_SQUAD_REALTIME_LIFETIME_SPEND",
        "INVALID_AD_SQUAD_DAILY_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND",
        "INVALID_AD_SQUAD_RESERVED_STATUS_NOT_ACTIVE",
        "NOT_DELIVERING_AD_CONTAINS_INVALID_AUDIENCE",
        "LEARNING_PHASE",
        "NOT_APPROVED_AD",
        "INVALID_NOT_APPROVED_REVIEW_STATUS",
        "INVALID_PENDING_REVIEW_STATUS",
        "INVALID_DYNAMIC_CONTENT_MARKUP",
        "INVALID_UNSUPPORTED_AD_TYPE",
        "INVALID_NO_CREATIVE_EFFECTIVE_ACTIVE",
        "INVALID_DYNAMIC_FILTER",
        "INVALID_CREATIVE_PACKAGING_STATUS",
        "INVALID_SKOV_REQUIRES_SKAN",
    }
)

# Snap facts 11 (docs/architecture.md): the codes that mean a cap was hit.
OVER_BUDGET_DAILY_CODES: frozenset[str] = frozenset(
    {"INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND", "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"}
)
OVER_BUDGET_LIFETIME_CODES: frozenset[str] = frozenset(
    code for code in DELIVERY_STATUS_CODES if "OVER_BUDGET" in code and "LIFETIME" in code
)

# seed 004 Attributes: conversion_window (the table in "Optimization Goal and Conversion
# Window combinations" spells it SWIPE_28_DAY_VIEW_1DAY; the attribute and the examples
# use SWIPE_28DAY_VIEW_1DAY, which is what is sent). Here rather than in `adsquads`
# because seed 002's smart budget shared_conversion_window takes the same values, and
# `campaigns` must not import `adsquads` (which imports it).
CONVERSION_WINDOWS: frozenset[str] = frozenset({"SWIPE_28DAY_VIEW_1DAY", "SWIPE_7DAY"})

# --- Fields the server owns ----------------------------------------------------------

# The fields every entity carries (seed 003) and the READ ONLY rows of seeds 001/002/004
# and Snap docs: Ad accounts, Media, Creatives. A read-modify-write drops these before
# sending (models.validate_write).
COMMON_READ_ONLY_FIELDS: frozenset[str] = frozenset(
    {
        "created_at",
        "updated_at",
        "delivery_status",
        "deleted",
        "created_by_app_id",
        "created_by_user",
        "last_updated_by_app_id",
        "last_updated_by_user",
    }
)
READ_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "campaigns": COMMON_READ_ONLY_FIELDS | {"pacing_properties_version"},
    "adsquads": COMMON_READ_ONLY_FIELDS | {"separated_types"},
    "ads": COMMON_READ_ONLY_FIELDS | {"review_status", "review_status_reasons"},
    "creatives": COMMON_READ_ONLY_FIELDS
    | {"review_status", "review_status_reasons", "packaging_status"},
    "media": COMMON_READ_ONLY_FIELDS
    | {"media_status", "download_link", "file_name", "lens_package_metadata", "media_usages"},
}

# seed 004 "Bid Strategy" (auto_bid/target_bid: "should be stripped out for any update
# AdSquad requests ... or the API will reject your requests") and "placement_v2"
# (placement deprecated). seed 001 "Third-Party Tracking Tags": an Ad cannot be updated
# while the sunset fields on_swipe_tracking_urls / third_party_tracking_urls are set.
DEPRECATED_UPDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "adsquads": ("auto_bid", "target_bid", "placement"),
    "ads": ("on_swipe_tracking_urls", "third_party_tracking_urls"),
}

# === Checks ==========================================================================
#
# Each check takes one item (a dict as it would be sent) and returns every violation it
# finds, empty when the item is fine. On an update only what is present is checked, plus
# the cross-field rules whose fields are all present. Context that is unknown (currency,
# the parent campaign, the creative's type) skips the rules that need it. None counts as
# absent: an update may send null to clear an optional field.

OPS: frozenset[str] = frozenset({"create", "update"})


@dataclass(frozen=True)
class Violation:
    """One broken rule: the dotted path of the field and a short Snap-like message."""

    field: str
    message: str


Item = Mapping[str, Any]


def strip_deprecated_for_update(kind: str, item: Item) -> dict[str, Any]:
    """A copy of `item` without the fields Snap refuses on an update (seed 004 Bid
    Strategy: auto_bid/target_bid, placement; seed 001: the sunset tracking fields).
    The API still returns them on reads, so a read-modify-write must drop them."""
    dropped = DEPRECATED_UPDATE_FIELDS.get(kind, ())
    return {key: value for key, value in item.items() if key not in dropped}


def check_bulk(kind: str, items: Sequence[Item]) -> list[Violation]:
    """seed 003 "Entity Request Limits": at most BULK_LIMITS[kind] items per request."""
    limit = BULK_LIMITS.get(kind)
    if not items:
        return [Violation(kind, f"{kind} must contain at least one item")]
    if limit is not None and len(items) > limit:
        return [Violation(kind, f"at most {limit} {kind} per request, got {len(items)}")]
    return []


def check_list_params(parent: str, child: str, params: Item) -> list[Violation]:
    """seed 003 "Pagination" and "Sorting parameter" rules for a list request."""
    found: list[Violation] = []
    if params.get("limit") is not None:
        limit = _as_int(params["limit"])
        if limit is None or not PAGE_LIMIT_MIN <= limit <= PAGE_LIMIT_MAX:
            found.append(_between("limit", PAGE_LIMIT_MIN, PAGE_LIMIT_MAX))
    if params.get("sort") is not None:
        found += _sort(parent, child, params)
    return found


# --- Generic pieces ------------------------------------------------------------------


def _check_op(op: str) -> None:
    if op not in OPS:
        raise ValueError(f"op must be 'create' or 'update', not {op!r}")


def _present(item: Item, field: str) -> bool:
    return item.get(field) is not None


def _as_int(value: Any) -> int | None:
    """An integer micro value; digit strings count (seed 004's SKAdNetwork examples send
    "bid_micro": "200000000"), bools and fractions do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _flagged(*checks: tuple[bool, str, str]) -> list[Violation]:
    """A Violation(field, message) for each (broken, field, message) whose rule is broken."""
    return [Violation(field, message) for broken, field, message in checks if broken]


def _between(field: str, low: int, high: int) -> Violation:
    return Violation(field, f"{field} must be an integer between {low} and {high}")


def _identity(item: Item, op: str, required: Sequence[str]) -> list[Violation]:
    """Create: every required attribute. Update: the id of the entity to change."""
    fields = required if op == "create" else ("id",)
    return [Violation(f, f"{f} is required") for f in fields if not _present(item, f)]


def _name(item: Item) -> list[Violation]:
    return _max_len(item, "name", NAME_MAX_LEN)


def _max_len(item: Item, field: str, max_len: int) -> list[Violation]:
    if not _present(item, field):
        return []
    value = item[field]
    if not isinstance(value, str) or not value.strip():
        return [Violation(field, f"{field} must be a non-empty string")]
    if len(value) > max_len:
        return [Violation(field, f"{field} must be at most {max_len} characters")]
    return []


def _enums(item: Item, table: Mapping[str, frozenset[str]]) -> list[Violation]:
    return [v for field, allowed in table.items() for v in _enum(item, field, allowed)]


def _enum(item: Item, field: str, allowed: frozenset[str]) -> list[Violation]:
    value = item.get(field)
    if value is None or (isinstance(value, str) and value in allowed):
        return []
    return [Violation(field, f"{field} must be one of {', '.join(sorted(allowed))}")]


def _bool(item: Item, field: str) -> list[Violation]:
    if not _present(item, field) or isinstance(item[field], bool):
        return []
    return [Violation(field, f"{field} must be true or false")]


def _non_negative_micros(item: Item, fields: Sequence[str]) -> list[Violation]:
    found = []
    for field in fields:
        value = _as_int(item[field]) if _present(item, field) else 0
        if value is None or value < 0:
            found.append(Violation(field, f"{field} must be a non-negative integer"))
    return found


def _deprecated(item: Item, op: str, kind: str) -> list[Violation]:
    if op != "update":
        return []
    return [
        Violation(f, f"{f} is deprecated and must not be sent on an update")
        for f in DEPRECATED_UPDATE_FIELDS.get(kind, ())
        if f in item
    ]


def _sort(parent: str, child: str, params: Item) -> list[Violation]:
    if params["sort"] not in SORT_VALUES:
        return [Violation("sort", f"sort must be one of {', '.join(SORT_VALUES)}")]
    if (parent, child) not in SORT_SUPPORTED:
        return [Violation("sort", f"sort is not supported when listing {child} of {parent}")]
    clash = [p for p in SORT_INCOMPATIBLE_PARAMS if params.get(p) is not None]
    return [Violation(p, f"sort cannot be combined with {p}") for p in clash]


def _nested(found: list[Violation], prefix: str) -> list[Violation]:
    return [Violation(f"{prefix}.{v.field}", f"{prefix}.{v.message}") for v in found]
