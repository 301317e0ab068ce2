"""Delivery over time: which entities spend in which hour, and how much.

Each completed hour of the clock is simulated once, in order ("settled"): every ACTIVE
ad account -> campaign -> ad squad whose schedule covers the hour and that has at
least one ACTIVE, APPROVED ad spends a deterministic amount (a hash of its id and the
hour), clamped by what is left of the ad squad's daily budget (account-local day) and
lifetime budget, the campaign's daily budget and lifetime spend cap, and the ad
account's lifetime spend cap. The spend is split over its ads, and the other metrics
derive from it. Everything stats answer is a sum over these ad-hours, so DAY equals the
sum of its HOURs and breakdown rows sum to the total by construction.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from snap.sandbox.store import REVIEW_AGAIN, EntityStore, Record

HOUR = timedelta(hours=1)
# Metric slots of one ad-hour.
METRICS = (
    "impressions",
    "swipes",
    "spend",
    "view_completion",
    "conversion_purchases",
    "conversion_purchases_value",
)
FORCED_SPEND_MICRO = 10**15  # "spend everything that is left" (admin exhaust)


def floor_hour(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (entity id, hour, purpose)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class SpendLedger:
    """Per-ad hourly metrics plus the running spend totals the caps are checked against."""

    def __init__(self, start: datetime) -> None:
        self.settled_until = floor_hour(start)
        self.ad_hours: dict[str, dict[datetime, list[int]]] = defaultdict(dict)
        self.spent: dict[tuple[str, ...], int] = defaultdict(int)
        self.review_delay_s = 900

    # Reading the totals.

    def day_spend(self, entity_id: str, tz: str, when: datetime) -> int:
        return self.spent[(entity_id, local_date(when, tz))]

    def lifetime_spend(self, entity_id: str) -> int:
        return self.spent[(entity_id,)]

    # Simulation.

    def settle(self, now: datetime, store: EntityStore) -> None:
        """Simulate every completed hour up to `now`."""
        while self.settled_until + HOUR <= now:
            self._simulate_hour(self.settled_until, store)
            self.settled_until += HOUR

    def _simulate_hour(self, hour: datetime, store: EntityStore) -> None:
        for account in [r for r in store.records.values() if r.kind == "adaccounts"]:
            if account.status_at(hour) != "ACTIVE":
                continue
            for campaign in store.children("campaigns", "adaccounts", account.entity["id"]):
                if not running(campaign, hour):
                    continue
                for squad in store.children("adsquads", "campaigns", campaign.entity["id"]):
                    if running(squad, hour):
                        self._spend_hour(account, campaign, squad, hour, store)

    def _spend_hour(
        self, account: Record, campaign: Record, squad: Record, hour: datetime, store: EntityStore
    ) -> None:
        ads = [
            a
            for a in store.children("ads", "adsquads", squad.entity["id"])
            if serving(a, hour, self.review_delay_s)
        ]
        if not ads:
            return
        wanted = int(hourly_pace_micro(squad.entity) * (0.5 + unit(squad.entity["id"], hour)))
        self.book(account, campaign, squad, ads, hour, wanted)

    def book(
        self,
        account: Record,
        campaign: Record,
        squad: Record,
        ads: list[Record],
        hour: datetime,
        wanted_micro: int,
    ) -> int:
        """Spend up to `wanted_micro` in `hour`, within every cap; returns what was spent."""
        spend = max(0, min(wanted_micro, self._headroom(account, campaign, squad, hour)))
        if spend == 0:
            return 0
        tz = account.entity["timezone"]
        day = local_date(hour, tz)
        for entity in (account, campaign, squad):
            self.spent[(entity.entity["id"],)] += spend
            self.spent[(entity.entity["id"], day)] += spend
        for ad, share in zip(ads, split(spend, [a.entity["id"] for a in ads], hour), strict=True):
            self._add_ad_hour(ad.entity["id"], hour, share)
        return spend

    def _headroom(self, account: Record, campaign: Record, squad: Record, hour: datetime) -> int:
        tz = account.entity["timezone"]
        day = local_date(hour, tz)
        limits = []
        for record, daily_key, lifetime_key in (
            (squad, "daily_budget_micro", "lifetime_budget_micro"),
            (campaign, "daily_budget_micro", "lifetime_spend_cap_micro"),
            (account, None, "lifetime_spend_cap_micro"),
        ):
            entity_id = record.entity["id"]
            if daily_key and record.entity.get(daily_key):
                limits.append(int(record.entity[daily_key]) - self.spent[(entity_id, day)])
            if record.entity.get(lifetime_key):
                limits.append(int(record.entity[lifetime_key]) - self.spent[(entity_id,)])
        return min(limits, default=FORCED_SPEND_MICRO)

    def _add_ad_hour(self, ad_id: str, hour: datetime, spend: int) -> None:
        row = self.ad_hours[ad_id].setdefault(hour, [0] * len(METRICS))
        for index, value in enumerate(metrics_from_spend(ad_id, hour, spend)):
            row[index] += value


def hourly_pace_micro(squad: dict[str, Any]) -> int:
    """What an ad squad would like to spend in an average hour (before the hash jitter).

    A daily budget is paced at 1/20 per hour, so with jitter most days run out of budget
    in the evening (a realistic source of INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND).
    """
    if squad.get("daily_budget_micro"):
        return int(squad["daily_budget_micro"]) // 20
    if squad.get("lifetime_budget_micro"):
        start, end = parse_time(squad.get("start_time")), parse_time(squad.get("end_time"))
        hours = (end - start) / HOUR if start and end else 30 * 24
        return int(int(squad["lifetime_budget_micro"]) * 1.2 / max(hours, 24))
    return 0


def metrics_from_spend(ad_id: str, hour: datetime, spend: int) -> list[int]:
    """Impressions, swipes, spend, view completions and final conversions of one ad-hour.

    Counts are rounded stochastically (but deterministically) so that small hourly
    amounts still add up to realistic daily totals.
    """
    impressions = spend / (3000 + 4000 * unit(ad_id, hour, "cpm"))
    swipes = impressions * (0.01 + 0.02 * unit(ad_id, hour, "ctr"))
    completions = impressions * (0.2 + 0.2 * unit(ad_id, hour, "vc"))
    purchases = _round(swipes * (0.02 + 0.06 * unit(ad_id, hour, "cvr")), ad_id, hour, "p")
    value = purchases * int(10_000_000 + 50_000_000 * unit(ad_id, hour, "aov"))
    counts = [
        _round(x, ad_id, hour, n)
        for n, x in (("i", impressions), ("s", swipes), ("v", completions))
    ]
    return [counts[0], counts[1], spend, counts[2], purchases, value]


def _round(amount: float, *parts: object) -> int:
    return int(amount + unit(*parts, "round"))


def split(total: int, ids: list[str], hour: datetime) -> list[int]:
    """`total` split over ids with deterministic weights; the parts sum to `total`."""
    weights = [1 + int(99 * unit(i, hour, "share")) for i in ids]
    parts = [total * w // sum(weights) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def running(record: Record, hour: datetime) -> bool:
    """ACTIVE at the start of `hour` and inside its start/end schedule."""
    if record.status_at(hour) != "ACTIVE":
        return False
    start, end = (
        parse_time(record.entity.get("start_time")),
        parse_time(record.entity.get("end_time")),
    )
    if start and hour + HOUR <= start:
        return False
    return not (end and hour >= end)


def serving(ad: Record, hour: datetime, review_delay_s: int) -> bool:
    return (
        ad.status_at(hour) == "ACTIVE" and review_status_at(ad, hour, review_delay_s) == "APPROVED"
    )


def review_status_at(ad: Record, when: datetime, review_delay_s: int) -> str:
    """PENDING until the review delay has passed, then APPROVED, unless set by an admin.

    A review restarts when the ad's creative or its ad squad's targeting changes
    (`REVIEW_AGAIN` in the history, in the order things happened): a verdict forced
    before the restart belongs to the old review.
    """
    started, forced = ad.created, None
    for changed, entry in ad.review_history:
        if changed > when:
            continue
        if entry == REVIEW_AGAIN:
            started, forced = changed, None
        else:
            forced = entry
    if forced is not None:
        return forced
    return "APPROVED" if when >= started + timedelta(seconds=review_delay_s) else "PENDING"


def local_date(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).date().isoformat()
