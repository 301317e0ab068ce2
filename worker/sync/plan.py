"""The polling plan: which reads each ad account gets, how often, and what that costs.

Snap pushes nothing, and one app's 20 requests/s (72,000 calls an hour) serve every
tenant connected through it. So the polling spends calls where things change, decided
per account from what the fleet already stores (`storage.polling`):

    tier       who                                        ads listing   full listing
    review     ads waiting for review, or the runner      every 5 min   every hour
               wrote to the account in the last 30 min
    spending   spent today or yesterday (local days), or  every 15 min  every hour
               has an ad that can deliver
    idle       anything else (paused, capped, empty)      every hour    every hour

- The **ads listing** (`/adaccounts/{id}/ads`, 1 call per 1000 ads) sees rejections and
  approvals (`review_status`), deleted ads (absent), and every change above an ad: a
  campaign or ad squad that hits a cap, is paused or deleted turns its ads'
  `delivery_status` to `INVALID_NOT_EFFECTIVE_ACTIVE` (Snap docs: Delivery status). So
  when an ad's delivery codes change (review codes aside) or its set of ads changes, the
  same run reads the campaigns and ad squads at once: the cap is reported from the
  entity that hit it, in the same period.
- The **full listing** (campaigns, ad squads, ads) is every account's hourly floor: what
  no ad shows (an empty ad squad deleted, a cap lowered on a paused campaign) is seen
  within the hour.
- **Account status** for every account of an organization comes from one listing,
  `GET /organizations/{id}/adaccounts` (1 call per 1000 accounts), every 15 minutes:
  suspensions, reinstatements and account-level caps, without a call per account.
- **Stats** (`snap.stats.pull_all`, hourly): every hour for accounts that spend or are in
  review, every 6 hours for idle ones (enough to follow `finalized_data_end_time`).

Reads are spread: each account (and organization) has a fixed phase in the hour, and a
read is due when a period boundary shifted by that phase falls between the previous tick
and this one. So 10,000 accounts make a steady trickle, not an hourly burst that would
wait 25 minutes at the gate, and a read's interval is exactly its period: detection
latency is at most the period plus the time the read waits in the queue.

**The budget** (`CallBudget`): the plan knows the calls it needs per hour and the part of
the app's quota polling may use (`SNAPCHAT_ADS_APP_RPS` x 3600 x `SNAPFLEET_SYNC_SHARE`).
When the plan would exceed it, idle accounts' periods stretch first (up to 6x: a full
read every 6 hours), then the spending ones' (up to 4x); the review tier keeps its 5
minutes. A stretched or still-over plan is logged as a warning at every tick and kept in
Redis for `snapfleet status` and the exporter (`last_budget`, `current_budget`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from snap import stats as snapstats
from storage import polling
from worker.settings import Settings

T = TypeVar("T")

__all__ = [
    "ACCOUNTS_PER_PAGE",
    "CallBudget",
    "Periods",
    "PlannedTick",
    "Tier",
    "budget",
    "crossed",
    "current_budget",
    "last_budget",
    "periods_from_settings",
    "phase_s",
    "plan_tick",
    "reads_due",
    "stats_due",
    "tier_of",
]

logger = logging.getLogger("snapfleet.plan")

Tier = Literal["review", "spending", "idle"]
TIERS: tuple[Tier, ...] = ("review", "spending", "idle")
ACCOUNTS_PER_PAGE = 1000  # the list maximum (limit=1000)
MAX_IDLE_STRETCH = 6.0
MAX_SPENDING_STRETCH = 4.0
BUDGET_KEY = "snapfleet:plan:budget"
LAST_TICK_KEY = "snapfleet:plan:last_tick"
LAST_STATS_KEY = "snapfleet:plan:last_stats"
SPEND_DAYS = 2  # today and yesterday, account-local: a daily cap resets at midnight


@dataclass(frozen=True)
class Periods:
    """Seconds between reads of each kind (before any stretch)."""

    tick_s: int = 60
    review_s: int = 300
    spending_s: int = 900
    full_s: int = 3600
    stats_s: int = 3600
    idle_stats_s: int = 21_600
    status_s: int = 900
    written_window_s: int = 1800

    def ads_s(self, tier: Tier) -> int:
        return {"review": self.review_s, "spending": self.spending_s, "idle": self.full_s}[tier]

    def tier_stats_s(self, tier: Tier) -> int:
        return self.idle_stats_s if tier == "idle" else self.stats_s

    def stretched(self, idle: float, spending: float) -> StretchedPeriods:
        return StretchedPeriods(self, idle, spending)


@dataclass(frozen=True)
class StretchedPeriods:
    """Periods after the budget stretched idle (then spending) accounts' reads."""

    base: Periods
    idle: float = 1.0
    spending: float = 1.0

    def _k(self, tier: Tier) -> float:
        return {"review": 1.0, "spending": self.spending, "idle": self.idle}[tier]

    def _round(self, seconds: float) -> int:
        tick = self.base.tick_s
        return max(tick, math.ceil(seconds / tick) * tick)

    def ads_s(self, tier: Tier) -> int:
        return self._round(self.base.ads_s(tier) * self._k(tier))

    def full_s(self, tier: Tier) -> int:
        # The review tier's hourly floor stretches with the spending accounts'.
        k = self.spending if tier == "review" else self._k(tier)
        return self._round(self.base.full_s * k)

    def stats_s(self, tier: Tier) -> int:
        k = self.spending if tier == "review" else self._k(tier)
        return self._round(self.base.tier_stats_s(tier) * k)


def periods_from_settings(settings: Settings) -> Periods:
    return Periods(
        tick_s=settings.snapfleet_sync_period_s,
        review_s=settings.snapfleet_plan_review_period_s,
        spending_s=settings.snapfleet_plan_spending_period_s,
        full_s=settings.snapfleet_plan_full_period_s,
        stats_s=settings.snapfleet_stats_pull_period_s,
        idle_stats_s=settings.snapfleet_plan_idle_stats_period_s,
        status_s=settings.snapfleet_plan_status_period_s,
        written_window_s=settings.snapfleet_plan_written_window_s,
    )


# --- Tiers and due reads (pure) -------------------------------------------------------


def tier_of(row: polling.AccountRow, now: datetime, periods: Periods) -> Tier:
    """review > spending > idle, from what the fleet stores about the account."""
    written = row.last_written_at
    if written is not None and written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    if row.ads_in_review or (
        written is not None and now - written <= timedelta(seconds=periods.written_window_s)
    ):
        return "review"
    today = now.astimezone(snapstats.account_zone(row.time_zone)).date()
    recent = {today - timedelta(days=n) for n in range(SPEND_DAYS)}
    if row.spend_days & recent or row.deliverable_ads:
        return "spending"
    return "idle"


def phase_s(key: str) -> int:
    """A fixed offset in the day for `key`: spreads reads of many accounts over a period."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 86_400


def crossed(phase: int, period_s: int, since: float | None, until: float) -> bool:
    """Does a boundary of `period_s`, shifted by `phase`, fall in (since, until]?
    None for `since` (never read): yes."""
    if since is None:
        return True
    return (int(until) + phase) // period_s > (int(since) + phase) // period_s


def reads_due(
    account_id: str, tier: Tier, periods: StretchedPeriods, since: float | None, until: float
) -> tuple[str, ...]:
    """("entities",) for a full listing, ("ads",) for the ads listing, () for nothing."""
    phase = phase_s(account_id)
    if crossed(phase, periods.full_s(tier), since, until):
        return ("entities",)
    if crossed(phase, periods.ads_s(tier), since, until):
        return ("ads",)
    return ()


def stats_due(
    account_id: str, tier: Tier, periods: StretchedPeriods, since: float | None, until: float
) -> bool:
    return crossed(phase_s(account_id), periods.stats_s(tier), since, until)


# --- The budget (pure) ----------------------------------------------------------------


@dataclass(frozen=True)
class CallBudget:
    """The calls the plan needs per hour against the part of the app's quota polling has.

    `planned_per_h` is the plan before any stretch; `per_h` after it; `by_kind` splits
    `per_h` by what is read. `idle_stretch` / `spending_stretch` are the factors applied
    to those tiers' periods (1.0: none). `over` is True when even the stretched plan
    needs more than `polling_per_h`: detection then falls behind its periods.
    """

    quota_per_h: int
    polling_share: float
    polling_per_h: int
    planned_per_h: float
    per_h: float
    by_kind: dict[str, float]
    accounts: dict[str, int]
    organizations: int
    idle_stretch: float = 1.0
    spending_stretch: float = 1.0
    computed_at: str | None = None

    @property
    def stretched(self) -> bool:
        return self.idle_stretch > 1.0 or self.spending_stretch > 1.0

    @property
    def over(self) -> bool:
        return bool(self.polling_per_h) and self.per_h > self.polling_per_h

    @property
    def usage(self) -> float:
        """The plan's calls as a share of the polling budget (1.0 = all of it; 0 when the
        app scope is off and there is nothing to plan against)."""
        return self.per_h / self.polling_per_h if self.polling_per_h else 0.0

    @property
    def message(self) -> str:
        head = (
            f"polling plan: {self.per_h:,.0f} calls/h for {sum(self.accounts.values()):,} "
            f"accounts, {self.usage:.0%} of the polling budget ({self.polling_per_h:,}/h = "
            f"{self.polling_share:.0%} of {self.quota_per_h:,}/h)"
        )
        if self.over:
            return (
                f"{head}; OVER BUDGET even stretched (needs {self.planned_per_h:,.0f}/h "
                "unstretched): detection falls behind its periods; add an app (client id) "
                "or raise SNAPFLEET_SYNC_SHARE"
            )
        if self.stretched:
            return (
                f"{head}; stretched to fit (needs {self.planned_per_h:,.0f}/h unstretched): "
                f"idle accounts read every {self.idle_stretch:.1f}x their period, spending "
                f"ones every {self.spending_stretch:.1f}x"
            )
        return head

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "over": self.over, "stretched": self.stretched,
                "usage": self.usage, "message": self.message}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallBudget:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


def calls_per_hour(
    tiers: Counter[str], org_pages: int, periods: StretchedPeriods
) -> dict[str, float]:
    """Calls per hour by kind for `tiers` (accounts per tier) and the organizations' pages.

    One page per listing per account (accounts with over 1000 ads of a kind pay more).
    """
    hour = 3600.0
    kinds = {"ads": 0.0, "campaigns": 0.0, "adsquads": 0.0, "stats": 0.0, "status": 0.0}
    for tier in TIERS:
        n = tiers.get(tier, 0)
        full = hour / periods.full_s(tier)
        # Ads are listed by the full read too; the ads period divides the full one.
        kinds["ads"] += n * max(full, hour / periods.ads_s(tier))
        kinds["campaigns"] += n * full
        kinds["adsquads"] += n * full
        kinds["stats"] += n * hour / periods.stats_s(tier)
    kinds["status"] = org_pages * hour / periods.base.status_s
    return kinds


def budget(
    tiers: Counter[str],
    org_pages: int,
    periods: Periods,
    *,
    app_rps: int,
    sync_share: float,
    organizations: int = 0,
    now: datetime | None = None,
) -> tuple[CallBudget, StretchedPeriods]:
    """The plan's cost per hour and, if it exceeds polling's share, the stretched periods."""
    quota = app_rps * 3600
    allowed = int(quota * sync_share)
    plain = periods.stretched(1.0, 1.0)
    planned = sum(calls_per_hour(tiers, org_pages, plain).values())
    chosen = plain
    if quota and planned > allowed:
        chosen = _stretch(tiers, org_pages, periods, allowed)
    by_kind = calls_per_hour(tiers, org_pages, chosen)
    result = CallBudget(
        quota_per_h=quota,
        polling_share=sync_share,
        polling_per_h=allowed,
        planned_per_h=round(planned, 1),
        per_h=round(sum(by_kind.values()), 1),
        by_kind={k: round(v, 1) for k, v in by_kind.items()},
        accounts={t: tiers.get(t, 0) for t in TIERS},
        organizations=organizations,
        idle_stretch=chosen.idle,
        spending_stretch=chosen.spending,
        computed_at=now.isoformat() if now else None,
    )
    return result, chosen


def _stretch(
    tiers: Counter[str], org_pages: int, periods: Periods, allowed: int
) -> StretchedPeriods:
    """The smallest stretch (idle first, then spending) that fits `allowed` calls/h."""

    def cost(idle: float, spending: float) -> float:
        return sum(calls_per_hour(tiers, org_pages, periods.stretched(idle, spending)).values())

    idle = _solve(lambda k: cost(k, 1.0), allowed, MAX_IDLE_STRETCH)
    if cost(idle, 1.0) <= allowed:
        return periods.stretched(idle, 1.0)
    spending = _solve(lambda k: cost(MAX_IDLE_STRETCH, k), allowed, MAX_SPENDING_STRETCH)
    return periods.stretched(MAX_IDLE_STRETCH, spending)


def _solve(cost: Any, allowed: float, most: float) -> float:
    """The least factor in [1, most] (to 0.05) whose cost fits; `most` if none does."""
    if cost(most) > allowed:
        return most
    low, high = 1.0, most
    while high - low > 0.05:
        mid = (low + high) / 2
        low, high = (low, mid) if cost(mid) <= allowed else (mid, high)
    return round(high, 2)


# --- One tick against storage and Redis -------------------------------------------------


@dataclass
class PlannedTick:
    """What one tick of the plan enqueues, and the budget it planned against."""

    at: datetime
    since: datetime | None
    statuses: list[str] = field(default_factory=list)  # organization ids
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)  # account -> reads
    tiers: dict[str, Tier] = field(default_factory=dict)  # account -> tier
    budget: CallBudget | None = None


def plan_tick(
    rows: Sequence[polling.AccountRow],
    *,
    now: datetime,
    since: datetime | None,
    periods: Periods,
    app_rps: int,
    sync_share: float,
) -> PlannedTick:
    """The reads due in (since, now] for `rows` under the budget (pure)."""
    tiers = {row.ad_account_id: tier_of(row, now, periods) for row in rows}
    orgs = Counter(row.organization_id for row in rows)
    pages = sum(math.ceil(n / ACCOUNTS_PER_PAGE) for n in orgs.values())
    planned, stretched = budget(
        Counter(tiers.values()), pages, periods, app_rps=app_rps, sync_share=sync_share,
        organizations=len(orgs), now=now,
    )  # fmt: skip
    until, start = now.timestamp(), since.timestamp() if since else None
    tick = PlannedTick(at=now, since=since, tiers=tiers, budget=planned)
    tick.statuses = sorted(
        org for org in orgs if crossed(phase_s(f"org:{org}"), periods.status_s, start, until)
    )
    for account_id, tier in tiers.items():
        reads = reads_due(account_id, tier, stretched, start, until)
        if reads:
            tick.reads[account_id] = reads
    return tick


def stats_accounts(
    rows: Sequence[polling.AccountRow],
    *,
    now: datetime,
    since: datetime | None,
    periods: Periods,
    app_rps: int,
    sync_share: float,
) -> list[str]:
    """The accounts whose stats pull is due in (since, now], under the same budget."""
    tiers = {row.ad_account_id: tier_of(row, now, periods) for row in rows}
    orgs = Counter(row.organization_id for row in rows)
    pages = sum(math.ceil(n / ACCOUNTS_PER_PAGE) for n in orgs.values())
    _, stretched = budget(
        Counter(tiers.values()), pages, periods, app_rps=app_rps, sync_share=sync_share
    )
    until, start = now.timestamp(), since.timestamp() if since else None
    return [a for a, tier in tiers.items() if stats_due(a, tier, stretched, start, until)]


def load_rows(session: Any, now: datetime, periods: Periods) -> list[polling.AccountRow]:
    local_margin = timedelta(days=SPEND_DAYS + 1)  # any account-local today/yesterday
    return polling.account_rows(
        session,
        now=now,
        written_since=now - timedelta(seconds=periods.written_window_s),
        spend_since=(now - local_margin).date(),
    )


def run_tick(runtime: Any, redis: Any, now: datetime) -> PlannedTick:
    """Plan the reads due since the last tick, remember this tick, publish the budget."""
    tick = _since_last_run(runtime, redis, now, LAST_TICK_KEY, plan_tick)
    assert tick.budget is not None
    publish(redis, tick.budget)
    return tick


def run_stats(runtime: Any, redis: Any, now: datetime) -> list[str]:
    """The accounts `snap.stats.pull_all` (beat) pulls now, and remember this run."""
    return _since_last_run(runtime, redis, now, LAST_STATS_KEY, stats_accounts)


def _since_last_run(
    runtime: Any, redis: Any, now: datetime, key: str, planner: Callable[..., T]
) -> T:
    """`planner` over the fleet's accounts for the time since the run remembered at `key`,
    then remember this run there."""
    settings: Settings = runtime.settings
    periods = periods_from_settings(settings)
    with runtime.session() as session:
        rows = load_rows(session, now, periods)
    since = _read_time(redis, key)
    planned = planner(
        rows, now=now, since=since, periods=periods, app_rps=settings.snapchat_ads_app_rps,
        sync_share=settings.snapfleet_sync_share,
    )  # fmt: skip
    redis.set(key, now.isoformat())
    return planned


def publish(redis: Any, planned: CallBudget) -> None:
    """Keep the budget for `snapfleet status` and the exporter; warn when it bites."""
    redis.set(BUDGET_KEY, json.dumps(planned.as_dict(), default=str))
    if planned.over or planned.stretched:
        logger.warning("plan: %s", planned.message)


def last_budget(redis: Any) -> CallBudget | None:
    """The budget the last plan tick planned against (None before the first tick).

    For `snapfleet status` and the exporter: `.message`, `.usage`, `.over`,
    `.stretched`, `.per_h`, `.polling_per_h`, `.idle_stretch`, `.spending_stretch`.
    """
    raw = redis.get(BUDGET_KEY)
    if not raw:
        return None
    return CallBudget.from_dict(json.loads(raw))


def current_budget(runtime: Any, now: datetime | None = None) -> CallBudget:
    """The budget computed now from storage (no Redis needed): what the plan would need."""
    settings: Settings = runtime.settings
    now = now or datetime.now(UTC)
    periods = periods_from_settings(settings)
    with runtime.session() as session:
        rows = load_rows(session, now, periods)
    tick = plan_tick(
        rows, now=now, since=now, periods=periods, app_rps=settings.snapchat_ads_app_rps,
        sync_share=settings.snapfleet_sync_share,
    )  # fmt: skip
    assert tick.budget is not None
    return tick.budget


def _read_time(redis: Any, key: str) -> datetime | None:
    raw = redis.get(key)
    if not raw:
        return None
    return datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)


def tier_counts(tiers: Iterable[str]) -> dict[str, int]:
    found = Counter(tiers)
    return {t: found.get(t, 0) for t in TIERS}
