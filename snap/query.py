"""Query strings for lists and stats, checked before anything is sent.

Lists: `limit` 50..1000 and `sort` with its documented incompatibilities (seed 003, via
`snap.rules`). Stats: granularity, breakdown per level, times on whole hours with an
offset, attribution and report-time values (Snap docs: Measurement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from snap import rules
from snap.errors import ValidationError

STATS_LEVELS = {
    "campaign": "campaigns",
    "adsquad": "adsquads",
    "ad_squad": "adsquads",
    "ad": "ads",
    "adaccount": "adaccounts",
    "ad_account": "adaccounts",
}
# Snap docs: Measurement: breakdown `campaign` at the ad-account level, `adsquad` at the
# campaign level, `ad` at campaign and ad squad. The ad-account level is also used with
# `adsquad`/`ad` by third-party code (accepted here; the server decides).
STATS_BREAKDOWNS = {
    "adaccounts": {"campaign", "adsquad", "ad"},
    "campaigns": {"adsquad", "ad"},
    "adsquads": {"ad"},
    "ads": set(),
}
STATS_GRANULARITY_KEYS = {
    "TOTAL": "total_stats",
    "DAY": "timeseries_stats",
    "HOUR": "timeseries_stats",
    "LIFETIME": "lifetime_stats",
}
ACTION_REPORT_TIMES = {"conversion", "impression"}


def query_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Query values as Snap spells them: booleans lower-case, lists comma-joined."""
    query = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(str(v) for v in value)
        query[name] = str(value)
    return query


def list_query(parent: str, kind: str, params: Mapping[str, Any]) -> dict[str, str]:
    """Check `limit` and `sort` against seed 003 (`snap.rules`) before anything is sent.

    `limit` defaults to the maximum: fewer pages, fewer calls against the rate limits.
    """
    query = query_params({"limit": rules.PAGE_LIMIT_MAX, **params})
    found = rules.check_list_params(parent, kind, query)
    if found:
        raise ValidationError("; ".join(v.message for v in found), field=found[0].field)
    return query


def stats_query(
    plural: str,
    granularity: str,
    fields: Sequence[str] | str,
    start_time: datetime | str | None,
    end_time: datetime | str | None,
    breakdown: str | None,
    params: Mapping[str, Any],
) -> dict[str, str]:
    """The stats query string, checked against Snap facts 7-8 (docs/architecture.md)."""
    granularity = granularity.upper()
    if granularity not in STATS_GRANULARITY_KEYS:
        raise ValidationError(f"unknown granularity {granularity!r}", field="granularity")
    if breakdown is not None and breakdown not in STATS_BREAKDOWNS[plural]:
        raise ValidationError(
            f"breakdown {breakdown!r} is not offered on {plural}", field="breakdown"
        )
    if granularity in ("DAY", "HOUR") and (start_time is None or end_time is None):
        field = "start_time" if start_time is None else "end_time"
        raise ValidationError(f"{granularity} stats need start_time and end_time", field=field)
    art = params.get("action_report_time")
    if art is not None and art not in ACTION_REPORT_TIMES:
        raise ValidationError(
            "action_report_time is conversion or impression", field="action_report_time"
        )
    if params.get("limit") is not None:  # breakdown pages: the list limits apply
        _check_limit(params["limit"])
    fields_csv = fields if isinstance(fields, str) else ",".join(fields)
    if not fields_csv:
        raise ValidationError("stats need at least one field", field="fields")
    query = {
        "granularity": granularity,
        "fields": fields_csv,
        "start_time": _stats_time(start_time, "start_time"),
        "end_time": _stats_time(end_time, "end_time"),
        "breakdown": breakdown,
        **params,
    }
    return query_params(query)


def _check_limit(limit: Any) -> None:
    found = rules.check_list_params("", "", {"limit": limit})
    if found:
        raise ValidationError(found[0].message, field=found[0].field)


def _stats_time(value: datetime | str | None, field: str) -> str | None:
    """ISO-8601 with its offset, on a whole hour (Snap facts 8: "Minutes are not supported")."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValidationError(f"{field} needs a time zone offset", field=field)
    if (value.minute, value.second, value.microsecond) != (0, 0, 0):
        raise ValidationError(f"{field} must be on a whole hour", field=field)
    return value.isoformat(timespec="milliseconds")
