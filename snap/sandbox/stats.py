"""GET /v1/{adaccounts,campaigns,adsquads,ads}/{id}/stats, from the spend ledger.

Query rules (Snap facts 7-8): granularity TOTAL, DAY, HOUR or LIFETIME; times on whole
hours; DAY starts at 00:00 in the ad account's time zone (the captured error text) and
spans at most 32 days, HOUR at most 7; ad-account stats without a breakdown allow only
`spend`; HOUR refuses uniques/frequency/reach fields; unknown field names are refused.
Breakdowns: `campaign|adsquad|ad` on an ad account, `adsquad|ad` on a campaign, `ad` on
an ad squad. Conversions of recent hours keep arriving until `conversion_lag_h` has
passed, which is before `finalized_data_end_time`, so re-pull logic has something to find.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from snap import rules
from snap.sandbox.call import Call
from snap.sandbox.envelope import bad_request, iso, iso_local, new_request_id
from snap.sandbox.ledger import HOUR, METRICS, floor_hour, parse_time
from snap.sandbox.state import SandboxState
from snap.sandbox.store import Record
from snap.stats import HOUR_UNAVAILABLE_FIELDS

# Snap docs: Measurement, metric (field) names: core, others, conversions.
STATS_FIELDS: frozenset[str] = frozenset(
    [
        "impressions",
        "swipes",
        "view_time_millis",
        "screen_time_millis",
        "quartile_1",
        "quartile_2",
        "quartile_3",
        "view_completion",
        "spend",
        "video_views",
        "android_installs",
        "ios_installs",
        "total_installs",
        "avg_screen_time_millis",
        "avg_view_time_millis",
        "swipe_up_percent",
        "video_views_time_based",
        "video_views_15s",
        "attachment_impressions",
        "attachment_avg_view_time_millis",
        "attachment_quartile_1",
        "attachment_quartile_2",
        "attachment_quartile_3",
        "attachment_total_view_time_millis",
        "attachment_view_completion",
        "paid_impressions",
        "earned_impressions",
        "total_impressions",
        "play_time_millis",
        "shares",
        "saves",
        "native_leads",
        "uniques",
        "frequency",
        "attachment_uniques",
        "attachment_frequency",
        "total_reach",
        "earned_reach",
        "custom_event_1",
        "custom_event_2",
        "custom_event_3",
        "custom_event_4",
        "custom_event_5",
        "conversion_purchases",
        "conversion_purchases_value",
        "conversion_save",
        "conversion_start_checkout",
        "conversion_add_cart",
        "conversion_view_content",
        "conversion_add_billing",
        "conversion_sign_ups",
        "conversion_searches",
        "conversion_level_completes",
        "conversion_app_opens",
        "conversion_page_views",
        "conversion_subscribe",
        "conversion_ad_click",
        "conversion_ad_view",
        "conversion_complete_tutorial",
        "conversion_invite",
        "conversion_login",
        "conversion_share",
        "conversion_reserve",
        "conversion_achievement_unlocked",
        "conversion_add_to_wishlist",
        "conversion_spend_credits",
        "conversion_rate",
        "conversion_start_trial",
        "conversion_list_view",
    ]
)
# The fields of the doc's default response example (the default set itself is unconfirmed).
DEFAULT_FIELDS = (
    "impressions",
    "swipes",
    "spend",
    "quartile_1",
    "quartile_2",
    "quartile_3",
    "view_completion",
    "screen_time_millis",
)
CONVERSION_FIELDS = frozenset({"conversion_purchases", "conversion_purchases_value"})
ENTITY_TYPE = {
    "adaccounts": "AD_ACCOUNT",
    "campaigns": "CAMPAIGN",
    "adsquads": "AD_SQUAD",
    "ads": "AD",
}
BREAKDOWN_KIND = {"campaign": "campaigns", "adsquad": "adsquads", "ad": "ads"}
DAY_START_ERROR = (
    "Unsupported Stats Query: Timeseries queries with DAY granularity must have a start time "
    "that is the start of day (00:00:00) for the account's timezone."
)


class StatsQuery:
    """The validated parameters of one stats request."""

    def __init__(self, state: SandboxState, kind: str, call: Call, tz: str) -> None:
        q = call.query
        self.kind, self.tz = kind, ZoneInfo(tz)
        self.granularity = q.get("granularity", "TOTAL").upper()
        self.breakdown = q.get("breakdown")
        self.fields = [f.strip() for f in q.get("fields", "").split(",") if f.strip()]
        self.fields = self.fields or (["spend"] if kind == "adaccounts" else list(DEFAULT_FIELDS))
        self.start, self.end = _time(q, "start_time"), _time(q, "end_time")
        self.swipe_window = q.get("swipe_up_attribution_window", "28_DAY")
        self.view_window = q.get("view_attribution_window", "1_DAY")
        self.limit = _int_or_none(q.get("limit"))
        self._check(state)

    def _check(self, state: SandboxState) -> None:
        if self.granularity not in rules.STATS_GRANULARITIES:
            raise bad_request(
                f"granularity must be one of {', '.join(sorted(rules.STATS_GRANULARITIES))}"
            )
        self._check_fields()
        self._check_limit()
        self._check_breakdown(state)
        self._check_times()
        if self.swipe_window not in rules.SWIPE_UP_ATTRIBUTION_WINDOWS:
            raise bad_request(f"Invalid swipe_up_attribution_window: {self.swipe_window}")
        if self.view_window not in rules.VIEW_ATTRIBUTION_WINDOWS:
            raise bad_request(f"Invalid view_attribution_window: {self.view_window}")

    def _check_fields(self) -> None:
        unknown = [f for f in self.fields if f not in STATS_FIELDS]
        if unknown:
            raise bad_request(
                f"Invalid query parameters in request URL: unknown fields {', '.join(unknown)}"
            )
        if self.granularity == "HOUR" and HOUR_UNAVAILABLE_FIELDS & set(self.fields):
            bad = ", ".join(sorted(HOUR_UNAVAILABLE_FIELDS & set(self.fields)))
            raise bad_request(f"Unsupported Stats Query: {bad} not available with HOUR granularity")
        if self.kind == "adaccounts" and not self.breakdown and set(self.fields) != {"spend"}:
            raise bad_request(
                "Unsupported Stats Query: ad account stats support only the spend field"
            )

    def _check_limit(self) -> None:
        """`limit` 50..1000 applies with breakdowns (Snap facts 5); rows fit one page."""
        low, high = rules.PAGE_LIMIT_MIN, rules.PAGE_LIMIT_MAX
        if self.limit is not None and not low <= self.limit <= high:
            raise bad_request(f"limit must be an integer between {low} and {high}")

    def _check_breakdown(self, state: SandboxState) -> None:
        if not self.breakdown:
            return
        if self.breakdown not in rules.STATS_BREAKDOWNS[self.kind]:
            raise bad_request(
                f"Unsupported Stats Query: breakdown {self.breakdown} is not supported here"
            )
        if self.kind == "adaccounts" and state.config.refuse_account_breakdown:
            raise bad_request(
                "Unsupported Stats Query: breakdown is not supported for ad account stats"
            )

    def _check_times(self) -> None:
        if self.granularity in ("DAY", "HOUR") and not (self.start and self.end):
            raise bad_request(
                f"start_time and end_time are required with {self.granularity} granularity"
            )
        for name, when in (("start_time", self.start), ("end_time", self.end)):
            if when and (when.minute or when.second or when.microsecond):
                raise bad_request(f"{name} must be expressed in whole hours")
        if self.start and self.end and self.end <= self.start:
            raise bad_request("end_time must be after start_time")
        if not (self.start and self.end):
            return  # TOTAL / LIFETIME over everything (or from a start on)
        if (
            self.granularity == "DAY"
            and self.start.astimezone(self.tz).time() != datetime.min.time()
        ):
            raise bad_request(DAY_START_ERROR)
        limit_days = rules.STATS_MAX_RANGE_DAYS.get(self.granularity)
        if limit_days and self.end - self.start > timedelta(days=limit_days):
            raise bad_request(
                f"Unsupported Stats Query: Timeseries queries with {self.granularity} granularity "
                f"cannot query time intervals of more than {limit_days} days"
            )


def _bucket_of(hour: datetime, buckets: list[tuple[Any, Any]], starts: list[Any]) -> int | None:
    """The index of the [start, end) bucket holding `hour` (None bounds are open)."""
    if starts[0] is None:
        index = 0
    else:
        index = bisect.bisect_right(starts, hour) - 1
        if index < 0:
            return None
    end = buckets[index][1]
    return None if end is not None and hour >= end else index


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # refused by _check_limit


def _time(query: dict[str, str], name: str) -> datetime | None:
    try:
        return parse_time(query.get(name))
    except ValueError:
        raise bad_request(f"{name} is not an ISO-8601 time: {query.get(name)}") from None


def stats_of(kind: str):
    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        now = state.settle()
        with state.lock:
            record = state.store.get(kind, call.path_params["id"], deleted_ok=True)
            account = state.account_of(record)
            query = StatsQuery(state, kind, call, account.entity["timezone"])
            return 200, Report(state, query, now).body(record)

    return handler


class Report:
    """Sums of the ledger's ad-hours over the query's entities and buckets."""

    def __init__(self, state: SandboxState, query: StatsQuery, now: datetime) -> None:
        self.state, self.q, self.now = state, query, now

    def body(self, record: Record) -> dict[str, Any]:
        key = {"TOTAL": "total", "LIFETIME": "lifetime"}.get(self.q.granularity, "timeseries")
        stat = self._stat(record)
        body = {
            "request_status": "SUCCESS",
            "request_id": new_request_id(),
            f"{key}_stats": [{"sub_request_status": "SUCCESS", f"{key}_stat": stat}],
        }
        return body

    def _stat(self, record: Record) -> dict[str, Any]:
        stat: dict[str, Any] = {
            "id": record.entity["id"],
            "type": ENTITY_TYPE[record.kind],
            "granularity": self.q.granularity,
        }
        if self.q.start and self.q.end:
            stat.update(start_time=self._local(self.q.start), end_time=self._local(self.q.end))
        stat["finalized_data_end_time"] = self._local(self._finalized())
        if record.kind != "adaccounts" or self.q.breakdown:
            stat["conversion_data_processed_end_time"] = iso(self._conversions_done())
        stat.update(
            swipe_up_attribution_window=self.q.swipe_window,
            view_attribution_window=self.q.view_window,
        )
        stat.update(self._figures(self._ads(record)))
        if self.q.breakdown:
            children = self._children(record)
            stat["breakdown_stats"] = {
                self.q.breakdown: [
                    {
                        "id": c.entity["id"],
                        "type": ENTITY_TYPE[c.kind],
                        **self._figures(self._ads(c)),
                    }
                    for c in children
                ]
            }
        return stat

    def _figures(self, ads: list[str]) -> dict[str, Any]:
        if self.q.granularity in ("TOTAL", "LIFETIME"):
            return {"stats": self._sums(ads, [(self.q.start, self.q.end)])[0]}
        buckets = self._buckets()
        sums = self._sums(ads, buckets)
        rows = [
            {"start_time": self._local(a), "end_time": self._local(b), "stats": stats}
            for (a, b), stats in zip(buckets, sums, strict=True)
        ]
        return {"timeseries": rows}

    def _buckets(self) -> list[tuple[datetime, datetime]]:
        assert self.q.start and self.q.end  # required for DAY and HOUR (checked)
        buckets: list[tuple[datetime, datetime]] = []
        start = self.q.start
        while start < self.q.end:
            if self.q.granularity == "HOUR":
                end = start + HOUR
            else:
                day = start.astimezone(self.q.tz).date() + timedelta(days=1)
                end = datetime.combine(day, datetime.min.time(), self.q.tz)
            end = min(end, self.q.end)
            buckets.append((start, end))
            start = end
        return buckets

    def _sums(self, ads: list[str], buckets: list[tuple[Any, Any]]) -> list[dict[str, int]]:
        """Each bucket's totals, in one pass over every ad's hours."""
        totals = [[0] * len(METRICS) for _ in buckets]
        starts = [start for start, _ in buckets]
        for ad_id in ads:
            for hour, row in self.state.ledger.ad_hours.get(ad_id, {}).items():
                index = _bucket_of(hour, buckets, starts)
                if index is not None:
                    self._add(totals[index], row, self._conversion_share(hour))
        # Fields the sandbox does not model are answered as 0 (they exist, nothing accrues).
        known = [dict(zip(METRICS, t, strict=True)) for t in totals]
        return [{f: k.get(f, 0) for f in self.q.fields} for k in known]

    @staticmethod
    def _add(total: list[int], row: list[int], share: int) -> None:
        for index, value in enumerate(row):
            converted = METRICS[index] in CONVERSION_FIELDS
            total[index] += value * share // 1000 if converted else value

    def _conversion_share(self, hour: datetime) -> int:
        """Per mille of an hour's final conversions reported so far (grows to 1000)."""
        age_h = (self.now - (hour + HOUR)) / HOUR
        lag = max(self.state.config.conversion_lag_h, 1)
        return max(0, min(1000, int(1000 * (age_h + 1) / lag)))

    def _ads(self, record: Record) -> list[str]:
        if record.kind == "ads":
            return [record.entity["id"]]
        return [
            r.entity["id"]
            for r in self.state.store.children("ads", record.kind, record.entity["id"])
        ]

    def _children(self, record: Record) -> list[Record]:
        kind = BREAKDOWN_KIND[self.q.breakdown or ""]
        return self.state.store.children(kind, record.kind, record.entity["id"])

    def _finalized(self) -> datetime:
        behind = (self.now - timedelta(hours=self.state.config.finalized_lag_h)).astimezone(
            self.q.tz
        )
        return datetime.combine(behind.date(), datetime.min.time(), self.q.tz)

    def _conversions_done(self) -> datetime:
        return floor_hour(self.now) - timedelta(hours=self.state.config.conversion_lag_h)

    def _local(self, when: datetime) -> str:
        return iso_local(when.astimezone(self.q.tz))
