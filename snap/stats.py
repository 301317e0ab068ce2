"""Stats queries and answers: the rules Snap puts on a stats request, and flat rows from its answer.

Pure functions over the Snap API's stats shapes (Snap docs: Measurement); no network, no SQL.
The sync task asks this module three questions and then stays thin:

- which windows to ask for (`plan_windows`, `repull_windows`): start and end on whole hours,
  DAY windows from one local midnight of the ad account to another, chunked under the
  server's range limits, rendered with the account's UTC offset as Snap renders them;
- which fields it may ask for (`fields_for`): leaves out what a granularity or level refuses;
- what came back (`flatten_stats`, `stats_end_times`): one `StatsRow` per entity and period,
  whatever the response shape (TOTAL, DAY/HOUR, LIFETIME, with or without a breakdown).

Day arithmetic is done on local calendar dates and turned into instants with zoneinfo, never
by adding 24 h in UTC, so days of 23 or 25 hours (DST) stay whole days.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snap.errors import BadRequest

__all__ = [
    "ACCOUNT_FIELDS_WITHOUT_BREAKDOWN",
    "BREAKDOWNS",
    "DAY_MAX_DAYS",
    "HOUR_MAX_SPAN",
    "HOUR_UNAVAILABLE_FIELDS",
    "KNOWN_METRICS",
    "SNAP_DEFAULT_ATTRIBUTION",
    "StatsEndTimes",
    "StatsRow",
    "StatsWindow",
    "account_zone",
    "attribution_key",
    "ceil_hour",
    "check_window",
    "fields_for",
    "flatten_stats",
    "floor_hour",
    "local_midnight",
    "normalize_level",
    "plan_windows",
    "render_time",
    "repull_start_day",
    "repull_windows",
    "stats_end_times",
]

Granularity = Literal["TOTAL", "DAY", "HOUR", "LIFETIME"]

# Snap refuses DAY queries longer than 32 days ("cannot query time intervals of more than
# 32 days", quoted by Airbyte); 31 local days is at most 31 days + 1 h (a DST autumn), under it.
DAY_MAX_DAYS = 31
DAY_SERVER_LIMIT = timedelta(days=32)
# HOUR: connectors chunk at 7 days (Singer, Airbyte); the exact server limit is unconfirmed,
# so 7 x 24 h of absolute time is the safe reading.
HOUR_MAX_SPAN = timedelta(days=7)
_HOUR = timedelta(hours=1)


# Time zones and instants.


def account_zone(time_zone: str | ZoneInfo) -> ZoneInfo:
    """The ad account's IANA zone (`AdAccount.timezone`), or a clear error naming it."""
    if isinstance(time_zone, ZoneInfo):
        return time_zone
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown ad account time zone {time_zone!r}") from None


def _aware(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant


def _utc(instant: datetime) -> datetime:
    # Python compares and subtracts two datetimes of the same tzinfo by wall clock (ignoring
    # fold and DST), so every comparison and span here is taken in UTC.
    return instant.astimezone(UTC)


def local_midnight(day: date, time_zone: str | ZoneInfo) -> datetime:
    """The first instant of `day` in the account's zone, as an aware datetime in that zone.

    Where a DST gap swallows midnight (America/Santiago, spring) this is the first instant
    that exists, e.g. 01:00-03:00.
    """
    zone = account_zone(time_zone)
    wall = datetime(day.year, day.month, day.day, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def floor_hour(instant: datetime, time_zone: str | ZoneInfo) -> datetime:
    """The whole local hour at or before `instant` (zones like +05:30 have local whole hours)."""
    zone = account_zone(time_zone)
    local = _aware(instant, "instant").astimezone(zone)
    # `replace` keeps `fold`, so the repeated hour of an autumn DST change stays the right one.
    floored = local.replace(minute=0, second=0, microsecond=0)
    return floored.astimezone(UTC).astimezone(zone)


def ceil_hour(instant: datetime, time_zone: str | ZoneInfo) -> datetime:
    """The whole local hour at or after `instant` (clients round an end time up)."""
    floored = floor_hour(instant, time_zone)
    if _utc(floored) == _utc(instant):
        return floored
    return (_utc(floored) + _HOUR).astimezone(floored.tzinfo)


def render_time(instant: datetime, time_zone: str | ZoneInfo) -> str:
    """ISO 8601 with milliseconds and the account's offset: `2022-06-25T00:00:00.000-07:00`."""
    local = _aware(instant, "instant").astimezone(account_zone(time_zone))
    return local.isoformat(timespec="milliseconds")


def _parse_time(value: Any, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return _aware(datetime.fromisoformat(str(value)), key)
    except ValueError:
        raise ValueError(f"stats response: {key} is not an ISO 8601 time: {value!r}") from None


# Windows.


@dataclass(frozen=True)
class StatsWindow:
    """One stats request's time range: aware instants in the account's zone."""

    granularity: str
    start: datetime
    end: datetime

    @property
    def start_time(self) -> str:
        return self.start.isoformat(timespec="milliseconds")

    @property
    def end_time(self) -> str:
        return self.end.isoformat(timespec="milliseconds")

    def params(self) -> dict[str, str]:
        """The query parameters of this window."""
        return {
            "granularity": self.granularity,
            "start_time": self.start_time,
            "end_time": self.end_time,
        }


def plan_windows(
    granularity: str, time_zone: str | ZoneInfo, start: datetime, end: datetime
) -> list[StatsWindow]:
    """The requests that cover `[start, end)`, each within Snap's range limit.

    DAY: from the local midnight of `start`'s day to the local midnight at or after `end`,
    at most `DAY_MAX_DAYS` local days per window. HOUR: from the whole hour at or before
    `start` to the one at or after `end`, at most `HOUR_MAX_SPAN` per window. Empty when
    the range is empty.
    """
    zone = account_zone(time_zone)
    if _utc(_aware(start, "start")) > _utc(_aware(end, "end")):
        raise ValueError(f"start {start.isoformat()} is after end {end.isoformat()}")
    if granularity == "DAY":
        return _day_windows(zone, start, end)
    if granularity == "HOUR":
        return _hour_windows(zone, start, end)
    raise ValueError(f"granularity must be DAY or HOUR to plan windows, got {granularity!r}")


def _day_windows(zone: ZoneInfo, start: datetime, end: datetime) -> list[StatsWindow]:
    first = start.astimezone(zone).date()
    end_local = end.astimezone(zone)
    last = end_local.date()
    if _utc(local_midnight(last, zone)) < _utc(end_local):
        last += timedelta(days=1)
    windows = []
    day = first
    while day < last:
        upto = min(day + timedelta(days=DAY_MAX_DAYS), last)
        windows.append(StatsWindow("DAY", local_midnight(day, zone), local_midnight(upto, zone)))
        day = upto
    return windows


def _hour_windows(zone: ZoneInfo, start: datetime, end: datetime) -> list[StatsWindow]:
    cursor = _utc(floor_hour(start, zone))
    stop = _utc(ceil_hour(end, zone))
    windows = []
    while cursor < stop:
        upto = min(cursor + HOUR_MAX_SPAN, stop)
        windows.append(StatsWindow("HOUR", cursor.astimezone(zone), upto.astimezone(zone)))
        cursor = upto
    return windows


def check_window(
    granularity: str, time_zone: str | ZoneInfo, start: datetime, end: datetime
) -> list[str]:
    """What Snap would refuse about this window (empty when fine), in Snap's own words.

    For a faithful fake and for asserting a planned window; the planner never breaks these.
    """
    zone = account_zone(time_zone)
    start, end = _utc(_aware(start, "start")), _utc(_aware(end, "end"))
    problems = []
    if _utc(floor_hour(start, zone)) != start or _utc(floor_hour(end, zone)) != end:
        problems.append("start_time and end_time must be expressed in whole hours")
    if end <= start:
        problems.append("end_time must be after start_time")
    day = start.astimezone(zone).date()
    if granularity == "DAY" and _utc(local_midnight(day, zone)) != start:
        problems.append(
            "Unsupported Stats Query: Timeseries queries with DAY granularity must have a start "
            "time that is the start of day (00:00:00) for the account's timezone."
        )
    if granularity == "DAY" and end - start > DAY_SERVER_LIMIT:
        problems.append(
            "Timeseries queries with DAY granularity cannot query time intervals of more than "
            "32 days"
        )
    if granularity == "HOUR" and end - start > HOUR_MAX_SPAN:
        problems.append("Timeseries queries with HOUR granularity cannot exceed 7 days")
    return problems


# What to re-pull.


def repull_start_day(
    *,
    time_zone: str | ZoneInfo,
    now: datetime,
    lookback_days: int,
    finalized_data_end_time: datetime | None = None,
    conversion_data_processed_end_time: datetime | None = None,
) -> date:
    """The earliest local day of the account whose stats may still change.

    Rules, in order:

    1. Each end time says "before this instant the data is final". The earlier of the two
       known ones wins; its local day (the day containing it, in the account's zone) is the
       first day that is not final. An end time exactly at a local midnight makes that new
       day the first one to re-pull, since everything before it is final.
    2. A `None` end time is unknown and ignored (ad-account spend-only answers carry no
       `conversion_data_processed_end_time`). Both `None` (first run) means the lookback.
    3. The result is never earlier than today minus `lookback_days` (the configured
       lookback, at least the attribution window): an account that stopped answering does
       not turn into a pull of its whole history.
    4. The result is never later than today (an end time in the future, clock skew): today
       is always re-pulled, it is never final.

    "Today" is the local date of `now` in the account's zone.
    """
    zone = account_zone(time_zone)
    if lookback_days < 0:
        raise ValueError(f"lookback_days must be >= 0, got {lookback_days}")
    today = _aware(now, "now").astimezone(zone).date()
    earliest_allowed = today - timedelta(days=lookback_days)
    known = [t for t in (finalized_data_end_time, conversion_data_processed_end_time) if t]
    if not known:
        return earliest_allowed
    first_open = min(_utc(_aware(t, "end time")) for t in known).astimezone(zone).date()
    return min(max(first_open, earliest_allowed), today)


def repull_windows(
    *,
    time_zone: str | ZoneInfo,
    now: datetime,
    lookback_days: int,
    finalized_data_end_time: datetime | None = None,
    conversion_data_processed_end_time: datetime | None = None,
) -> list[StatsWindow]:
    """The DAY windows from `repull_start_day` through the end of today (local)."""
    first = repull_start_day(
        time_zone=time_zone,
        now=now,
        lookback_days=lookback_days,
        finalized_data_end_time=finalized_data_end_time,
        conversion_data_processed_end_time=conversion_data_processed_end_time,
    )
    return plan_windows("DAY", time_zone, local_midnight(first, time_zone), now)


# Fields.

# Snap has no uniques/reach at HOUR (Singer, Airbyte and Fivetran all strip these).
HOUR_UNAVAILABLE_FIELDS = frozenset(
    {
        "uniques",
        "frequency",
        "attachment_uniques",
        "attachment_frequency",
        "total_reach",
        "earned_reach",
    }
)
# `/adaccounts/{id}/stats` without a breakdown lists spend only (Singer, Airbyte, CData).
ACCOUNT_FIELDS_WITHOUT_BREAKDOWN = frozenset({"spend"})
# Which breakdown each level accepts (Snap facts 7: campaign at account level, adsquad at
# campaign level, ad at campaign and ad squad level; connectors also use adsquad/ad on accounts).
BREAKDOWNS: Mapping[str, tuple[str, ...]] = {
    "adaccount": ("campaign", "adsquad", "ad"),
    "campaign": ("adsquad", "ad"),
    "adsquad": ("ad",),
    "ad": (),
}
_LEVEL_NAMES = {
    "adaccount": "adaccount", "adaccounts": "adaccount", "ad_account": "adaccount",
    "campaign": "campaign", "campaigns": "campaign",
    "adsquad": "adsquad", "adsquads": "adsquad", "ad_squad": "adsquad",
    "ad": "ad", "ads": "ad",
}  # fmt: skip


def normalize_level(level: str) -> str:
    """`adaccount`, `campaign`, `adsquad` or `ad`, from a singular or plural API name."""
    try:
        return _LEVEL_NAMES[level.strip().lower()]
    except KeyError:
        raise ValueError(
            f"stats level must be one of adaccount, campaign, adsquad, ad; got {level!r}"
        ) from None


def fields_for(
    level: str, granularity: str, breakdown: str | None, wanted: Iterable[str] | str
) -> list[str]:
    """The wanted fields this query may ask for, in order, without duplicates.

    Disallowed fields are left out rather than failing the pull: HOUR drops the uniques
    and reach fields; an ad account without a breakdown keeps only `spend`. An unknown
    level or a breakdown the level does not accept is a programming error (ValueError).
    """
    level = normalize_level(level)
    if breakdown is not None and breakdown not in BREAKDOWNS[level]:
        raise ValueError(f"breakdown {breakdown!r} is not accepted at {level} level")
    names = wanted.split(",") if isinstance(wanted, str) else wanted
    kept: list[str] = []
    for name in (n.strip() for n in names):
        if name and name not in kept and _field_allowed(level, granularity, breakdown, name):
            kept.append(name)
    return kept


def _field_allowed(level: str, granularity: str, breakdown: str | None, name: str) -> bool:
    if granularity.upper() == "HOUR" and name in HOUR_UNAVAILABLE_FIELDS:
        return False
    return not (
        level == "adaccount" and breakdown is None and name not in ACCOUNT_FIELDS_WITHOUT_BREAKDOWN
    )


# Answers.

# API metric name -> row attribute; money is micro-currency of the account (units in names).
KNOWN_METRICS: Mapping[str, str] = {
    "spend": "spend_micro",
    "impressions": "impressions",
    "swipes": "swipes",
    "view_completion": "view_completion",
    "conversion_purchases": "conversion_purchases",
    "conversion_purchases_value": "conversion_purchases_value_micro",
}
# Breakdown key -> entity type, for an item that does not say its `type`.
_BREAKDOWN_TYPES = {"campaign": "CAMPAIGN", "adsquad": "AD_SQUAD", "ad": "AD"}
# What Snap applies when a query leaves them out (Snap docs: Measurement, parameters).
SNAP_DEFAULT_ATTRIBUTION = ("28_DAY", "1_DAY", "conversion")
_SHAPES = (
    ("total_stats", "total_stat"),
    ("timeseries_stats", "timeseries_stat"),
    ("lifetime_stats", "lifetime_stat"),
)


@dataclass(frozen=True)
class StatsEndTimes:
    """Up to when an answer is final: metrics (`finalized_data_end_time`) and conversions."""

    finalized_data_end_time: datetime | None = None
    conversion_data_processed_end_time: datetime | None = None


@dataclass(frozen=True)
class StatsRow:
    """One entity's metrics for one period (a day, an hour, or the whole TOTAL/LIFETIME range).

    `entity_type` is Snap's `type` in lower case (`ad_account`, `campaign`, `ad_squad`,
    `ad`). `spend_micro` and `conversion_purchases_value_micro` are micro-currency of the ad
    account's currency; `conversion_purchases` is a Decimal (modelled conversions may be
    fractional), the other known metrics are ints. A known metric the query did not ask
    for is None; every other metric Snap returned is in `extra` under its API name.
    Breakdown rows name the queried entity in `parent_type`/`parent_id` and the breakdown
    key in `breakdown`. Not hashable (`extra` is a dict).
    """

    entity_type: str
    entity_id: str
    granularity: str
    start_time: datetime | None
    end_time: datetime | None
    spend_micro: int | None = None
    impressions: int | None = None
    swipes: int | None = None
    view_completion: int | None = None
    conversion_purchases: Decimal | None = None
    conversion_purchases_value_micro: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    swipe_up_attribution_window: str | None = None
    view_attribution_window: str | None = None
    action_report_time: str | None = None
    finalized_data_end_time: datetime | None = None
    conversion_data_processed_end_time: datetime | None = None
    parent_type: str | None = None
    parent_id: str | None = None
    breakdown: str | None = None

    @property
    def day(self) -> date | None:
        """The account-local day of the period: Snap renders times with the account's offset."""
        return self.start_time.date() if self.start_time else None

    @property
    def attribution(self) -> str:
        """The attribution settings as one key, part of the row's identity in storage."""
        return attribution_key(
            self.swipe_up_attribution_window, self.view_attribution_window, self.action_report_time
        )

    @property
    def final(self) -> bool:
        """True when the whole period ends before both finality marks Snap sent."""
        marks = [self.finalized_data_end_time, self.conversion_data_processed_end_time]
        known = [m for m in marks if m is not None]
        end = self.end_time
        return end is not None and bool(known) and all(end <= m for m in known)

    def metrics(self) -> dict[str, Any]:
        """Every metric under its API name (known ones as parsed numbers)."""
        known = {api: getattr(self, attr) for api, attr in KNOWN_METRICS.items()}
        return {**{k: v for k, v in known.items() if v is not None}, **self.extra}

    def as_dict(self) -> dict[str, Any]:
        """A plain dict for an upsert: every attribute plus `day` and `attribution`.

        `extra` is a copy. Pick the columns the target table has; this carries more.
        """
        return {**asdict(self), "day": self.day, "attribution": self.attribution}


def attribution_key(
    swipe_up_attribution_window: str | None,
    view_attribution_window: str | None,
    action_report_time: str | None,
) -> str:
    """`swipe_up=28_DAY,view=1_DAY,report=conversion`: one string for the three settings.

    A setting left out of the query is Snap's default (`SNAP_DEFAULT_ATTRIBUTION`), so a
    query that omits it and one that sends the default key the same rows.
    """
    swipe, view, report = SNAP_DEFAULT_ATTRIBUTION
    return (
        f"swipe_up={swipe_up_attribution_window or swipe},"
        f"view={view_attribution_window or view},"
        f"report={(action_report_time or report).lower()}"
    )


def flatten_stats(
    answer: Mapping[str, Any] | Iterable[Any],
    *,
    swipe_up_attribution_window: str | None = None,
    view_attribution_window: str | None = None,
    action_report_time: str | None = None,
) -> list[StatsRow]:
    """Flat rows from one stats answer of any shape, breakdown rows included.

    `answer` is a whole response body, or the stat objects `SnapClient.stats()` returns
    (dicts or `snap.models.Stat`, pages already merged). The attribution settings given
    here fill in what the answer does not echo (pass what was requested; Snap echoes the
    two windows but not `action_report_time`). A failed request or sub-request raises
    `BadRequest` with Snap's reason: a partial answer would be stored as if the other
    entities had no data.
    """
    defaults = {
        "swipe_up_attribution_window": swipe_up_attribution_window,
        "view_attribution_window": view_attribution_window,
        "action_report_time": action_report_time,
    }
    rows: list[StatsRow] = []
    for stat in _stat_objects(answer):
        rows.extend(_rows_of_stat(stat, defaults))
    return rows


def stats_end_times(answer: Mapping[str, Any] | Iterable[Any]) -> StatsEndTimes:
    """The finality marks of an answer (body or stat objects): the earliest of each."""
    finalized, conversions = [], []
    for stat in _stat_objects(answer):
        finalized.append(
            _parse_time(stat.get("finalized_data_end_time"), "finalized_data_end_time")
        )
        key = "conversion_data_processed_end_time"
        conversions.append(_parse_time(stat.get(key), key))
    return StatsEndTimes(_earliest(finalized), _earliest(conversions))


def _earliest(times: list[datetime | None]) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _is_success(status: Any) -> bool:
    return status is None or str(status).lower() == "success"


def _stat_objects(answer: Mapping[str, Any] | Iterable[Any]) -> list[Mapping[str, Any]]:
    """Each `*_stat` object of the answer, once the request and every sub-request succeeded.

    A failed sub-request's own reason is the most precise one, so it is reported first.
    Stat objects handed over directly (the client already checked them) are taken as dicts.
    """
    if not isinstance(answer, Mapping):
        return [_plain(stat) for stat in answer]
    body = answer
    request_id = body.get("request_id")
    items = [(inner, item) for outer, inner in _SHAPES for item in body.get(outer) or ()]
    for _, item in items:
        if not _is_success(item.get("sub_request_status")):
            reason = item.get("sub_request_error_reason") or item.get("sub_request_status")
            raise _refusal(reason, request_id, body)
    if not _is_success(body.get("request_status")):
        reason = body.get("debug_message") or body.get("display_message")
        raise _refusal(reason or body.get("request_status"), request_id, body)
    return [item[inner] for inner, item in items if item.get(inner)]


def _plain(stat: Any) -> Mapping[str, Any]:
    """A stat object as a dict: pydantic models (extra fields included) are dumped."""
    if hasattr(stat, "model_dump"):
        dumped: Mapping[str, Any] = stat.model_dump(mode="python", exclude_none=True)
        return dumped
    if isinstance(stat, Mapping):
        return stat
    raise TypeError(f"not a stat object: {type(stat).__name__}")


def _refusal(reason: Any, request_id: Any, body: Mapping[str, Any]) -> BadRequest:
    return BadRequest(
        f"Snapchat Ads stats: refused — {reason}",
        operation="stats",
        request_id=str(request_id) if request_id else None,
        debug_message=str(reason) if reason else None,
        body=dict(body),
    )


def _rows_of_stat(stat: Mapping[str, Any], defaults: Mapping[str, Any]) -> Iterator[StatsRow]:
    common = _common_fields(stat, defaults)
    yield from _entity_rows(stat, stat, common)
    parent = {"parent_type": _entity_type(stat.get("type")), "parent_id": _id(stat.get("id"))}
    for breakdown, items in (stat.get("breakdown_stats") or {}).items():
        for item in items or ():
            context = {**common, **parent, "breakdown": breakdown}
            fallback = {"type": _BREAKDOWN_TYPES.get(breakdown, breakdown.upper())}
            yield from _entity_rows({**fallback, **item}, stat, context)


def _common_fields(stat: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    common: dict[str, Any] = {"granularity": str(stat.get("granularity") or "")}
    for key in ("finalized_data_end_time", "conversion_data_processed_end_time"):
        common[key] = _parse_time(stat.get(key), key)
    for key, default in defaults.items():
        common[key] = stat.get(key) or default
    return common


def _entity_rows(
    entity: Mapping[str, Any], stat: Mapping[str, Any], context: Mapping[str, Any]
) -> Iterator[StatsRow]:
    """Rows of one entity: one per timeseries point, or one for a `stats` total."""
    who = {"entity_type": _entity_type(entity.get("type")), "entity_id": _id(entity.get("id"))}
    for point in entity.get("timeseries") or ():
        yield _row(who, point, point, context)
    if entity.get("stats") is not None:
        # TOTAL/LIFETIME: the period is the entity's own range, else the query's (or none).
        period = entity if entity.get("start_time") else stat
        yield _row(who, period, entity, context)


def _row(
    who: Mapping[str, Any],
    period: Mapping[str, Any],
    holder: Mapping[str, Any],
    context: Mapping[str, Any],
) -> StatsRow:
    stats = dict(holder.get("stats") or {})
    known: dict[str, Any] = {
        attr: _count(stats.pop(api, None), api) for api, attr in KNOWN_METRICS.items()
    }
    return StatsRow(
        **who,
        start_time=_parse_time(period.get("start_time"), "start_time"),
        end_time=_parse_time(period.get("end_time"), "end_time"),
        **known,
        extra=stats,
        **context,
    )


def _entity_type(value: Any) -> str:
    return str(value or "").lower()


def _id(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any, name: str = "conversion_purchases") -> Decimal | None:
    """A metric as an exact Decimal (JSON floats go through their shortest repr)."""
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValueError
    except (ValueError, ArithmeticError):
        raise ValueError(f"stats response: {name} is not a number: {value!r}") from None
    return number


def _count(value: Any, name: str) -> int | Decimal | None:
    """A known metric parsed: counts and micro amounts must be whole numbers on the wire.

    `conversion_purchases` may be fractional and stays a Decimal (see `_row`).
    """
    number = _number(value, name)
    if number is None or name == "conversion_purchases":
        return number
    if number != number.to_integral_value():
        raise ValueError(f"stats response: {name} is not a whole number: {value!r}")
    return int(number)
