"""Capacity: one app's quota against many ad accounts, in simulated hours.

    python -m bench.scale [--accounts 10000] [--hours 2] [--campaigns 2]

A sandbox holds A ad accounts in organizations of 50 (30% spending, 5% with ads in
review, the rest idle: paused or empty), connected through one OAuth app as a tenant
would be. The fleet's own code runs in this process against it: the polling plan's
ticks (`worker.sync.plan`), its reads and detection (`worker.sync.planned`), the stats
pulls (`worker.sync.stats`), against a fresh PostgreSQL database. The sandbox's clock
moves a minute per tick; nothing waits for real time. After a warm-up hour (the first
tick reads everything), events are injected at random minutes of the measured hours:
rejections (on accounts in review and on spending ones), daily and lifetime caps,
suspensions, ads and campaigns deleted outside the fleet; the last hour injects nothing,
so every injected event has time to be seen.

Printed, one figure a line, each ending with a ratio against its goal or baseline:
calls per account-hour (the first line) and by kind, the share of one app's quota,
detection latency per event kind (p50, max) against its bound, events missed or
reported twice, worker CPU per account-hour, stats rows upserted per second, and the
call plans of the open-source syncs at the same A and campaigns per account (one stats
call per campaign per window; Singer's tap: five per campaign).

`--accounts 1000` takes a few minutes on two cores; the default 10,000 about ten times
that. PostgreSQL from BENCH_DATABASE_URL, else DATABASE_URL, else the local `test` server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

APP_RPS = 20  # Snap's documented average per app
SYNC_SHARE = 0.7
QUOTA_PER_H = APP_RPS * 3600
START = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # a Monday morning
CLIENT_ID, CLIENT_SECRET = "bench-scale-app", "bench-scale-secret"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
BIG_BUDGET_MICRO = 10**12  # natural delivery never reaches it: every cap is an injected one
SINGER_CALLS_PER_CAMPAIGN = 5
# Detection latency bounds of the plan (minutes), per event kind and account tier.
BOUNDS_MIN = {
    ("ad_disapproved", "review"): 5,
    ("ad_disapproved", "spending"): 15,
    ("daily_cap_hit", "spending"): 15,
    ("lifetime_cap_hit", "spending"): 15,
    ("account_suspended", "idle"): 15,
    ("account_suspended", "spending"): 15,
    ("entity_deleted", "idle"): 60,
}


# --- Counting the calls ------------------------------------------------------------------


class CountingTransport(httpx.BaseTransport):
    """Counts every request the fleet sends to the API, by what it reads."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self.counting = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.counting:
            self.counts[kind_of(request.url.path)] += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def kind_of(path: str) -> str:
    if path.endswith("/stats"):
        return "stats"
    if "/organizations/" in path and path.endswith("/adaccounts"):
        return "status"
    for kind in ("ads", "adsquads", "campaigns"):
        if path.endswith(f"/{kind}"):
            return kind
    return "other"


# --- The world ----------------------------------------------------------------------------


@dataclass
class World:
    tier: dict[str, str] = field(default_factory=dict)  # account -> spending/review/idle
    campaigns: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    squads: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ads: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    campaign_count: int = 0


def build_world(
    state: Any, accounts: int, campaigns: int, per_org: int, rng: random.Random
) -> World:
    """Organizations, accounts and their campaigns, ad squads and ads, straight into the store."""
    from snap.sandbox.envelope import iso

    store, now = state.store, state.now()
    long_ago = now - timedelta(days=60)
    stamp = {"created_at": iso(long_ago), "updated_at": iso(long_ago)}
    tiers = ["spending"] * round(accounts * 0.30) + ["review"] * round(accounts * 0.05)
    tiers += ["idle"] * (accounts - len(tiers))
    rng.shuffle(tiers)
    world = World(campaign_count=campaigns)
    with state.lock:
        state.settle()
        for n, tier in enumerate(tiers):
            org = f"org-{n // per_org:05d}"
            if n % per_org == 0:
                store.add("organizations", {"id": org, "name": org, "type": "ENTERPRISE", **stamp},
                          ad_account_id=None, now=long_ago)  # fmt: skip
            account = str(uuid.UUID(int=rng.getrandbits(128)))
            world.tier[account] = tier
            store.add("adaccounts", {
                "id": account, "name": f"acct {n}", "type": "DIRECT", "status": "ACTIVE",
                "organization_id": org, "currency": "USD",
                "timezone": rng.choice(["UTC", "America/Los_Angeles", "Europe/Paris"]),
                "billing_type": "REVOLVING", "funding_source_ids": [], "test": False, **stamp,
            }, ad_account_id=account, now=long_ago)  # fmt: skip
            # Idle: paused campaigns (delivering nothing), a few accounts empty.
            live = tier != "idle"
            for c in range(campaigns if (live or n % 10) else 0):
                _campaign(state, world, account, c, live, tier == "review", stamp, long_ago, now)
    return world


def _campaign(
    state: Any, world: World, account: str, c: int, live: bool, review: bool,
    stamp: dict[str, str], long_ago: datetime, now: datetime,
) -> None:  # fmt: skip
    from snap.sandbox.envelope import iso

    store = state.store
    status = "ACTIVE" if live else "PAUSED"
    campaign = store.add("campaigns", {
        "name": f"c{c}", "ad_account_id": account, "status": status, "objective": "WEB_CONVERSION",
        "start_time": iso(long_ago), "lifetime_spend_cap_micro": BIG_BUDGET_MICRO, **stamp,
    }, ad_account_id=account, now=long_ago).entity["id"]  # fmt: skip
    squad = store.add("adsquads", {
        "name": f"s{c}", "campaign_id": campaign, "status": status, "type": "SNAP_ADS",
        "optimization_goal": "SWIPES", "bid_strategy": "AUTO_BID", "billing_event": "IMPRESSION",
        "daily_budget_micro": BIG_BUDGET_MICRO, "start_time": iso(long_ago), **stamp,
    }, ad_account_id=account, now=long_ago).entity["id"]  # fmt: skip
    created = now if review and c == 0 else long_ago
    ad_stamp = {"created_at": iso(created), "updated_at": iso(created)}
    ad = store.add("ads", {
        "name": f"a{c}", "ad_squad_id": squad, "creative_id": str(uuid.uuid4()),
        "type": "SNAP_AD", "status": status, **ad_stamp,
    }, ad_account_id=account, now=created)  # fmt: skip
    if review and c == 0:
        ad.review_history.append((now, "PENDING"))  # in review until the bench decides
    world.campaigns[account].append(campaign)
    world.squads[account].append(squad)
    world.ads[account].append(ad.entity["id"])


# --- Events ------------------------------------------------------------------------------


@dataclass
class Injected:
    kind: str
    entity_id: str
    tier: str
    at: datetime
    seen: list[datetime] = field(default_factory=list)


def schedule_events(
    world: World, hours: int, start: datetime, rng: random.Random, per_kind: int
) -> list[tuple[datetime, str, str]]:
    """(when, what, account) for the injecting hours, each account used once."""
    by_tier: dict[str, list[str]] = defaultdict(list)
    for account, tier in world.tier.items():
        if world.ads[account] or tier != "idle":
            by_tier[tier].append(account)
    for accounts in by_tier.values():
        rng.shuffle(accounts)
    wanted = [("reject", "review"), ("reject", "spending"), ("daily_cap", "spending"),
              ("lifetime_cap", "spending"), ("suspend", "spending"), ("suspend", "idle"),
              ("delete_ad", "idle"), ("delete_campaign", "idle")]  # fmt: skip
    plan: list[tuple[datetime, str, str]] = []
    for _hour in range(hours):
        for what, tier in wanted:
            for _ in range(per_kind):
                if not by_tier[tier]:
                    break
                when = start + timedelta(seconds=rng.randrange(0, 3600 * hours))
                plan.append((when, what, by_tier[tier].pop()))
    return sorted(plan)


def inject(state: Any, world: World, what: str, account: str, now: datetime) -> Injected:
    tier = world.tier[account]
    if what == "reject":
        ad = world.ads[account][0]
        state.set_review_status(ad, "REJECTED", ["Misleading claims"])
        return Injected("ad_disapproved", ad, tier, now)
    if what == "daily_cap":
        squad = world.squads[account][0]
        state.store.get("adsquads", squad).entity["daily_budget_micro"] = 5_000_000
        state.exhaust_cap(squad, "daily")
        return Injected("daily_cap_hit", squad, tier, now)
    if what == "lifetime_cap":
        campaign = world.campaigns[account][0]
        record = state.store.get("campaigns", campaign)
        record.entity["lifetime_spend_cap_micro"] = state.spent_micro(campaign) + 1_000_000
        state.exhaust_cap(campaign, "lifetime")
        return Injected("lifetime_cap_hit", campaign, tier, now)
    if what == "suspend":
        state.suspend_ad_account(account)
        return Injected("account_suspended", account, tier, now)
    if what == "delete_ad":
        ad = world.ads[account][-1]
        state.store.get("ads", ad).deleted_at = now
        return Injected("entity_deleted", ad, tier, now)
    campaign = world.campaigns[account][-1]
    state.store.get("campaigns", campaign).deleted_at = now
    return Injected("entity_deleted", campaign, tier, now)


# --- The run --------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    from storage.migrate import upgrade

    base = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"snapfleet_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(target)
        yield target
    finally:
        for attempt in range(10):  # a busy server may refuse a connection for a while
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(2 + attempt)


@dataclass
class Meter:
    cpu_s: float = 0.0
    stats_rows: int = 0
    stats_wall_s: float = 0.0


def run(
    accounts: int = 10_000,
    hours: int = 2,
    campaigns: int = 2,
    per_org: int = 50,
    seed: int = 7,
    quiet: bool = False,
) -> dict[str, Any]:
    from snap.sandbox import Sandbox
    from storage.models.events import Event
    from worker.app import create_app
    from worker.connections.capture import connect_code
    from worker.runtime import install_runtime
    from worker.settings import Settings
    from worker.sync import plan, planned
    from worker.sync import stats as statsync

    rng = random.Random(seed)
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    with bench_database() as database, Sandbox(
        seed="empty", start_time=START, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        app_rps=None, token_rps=None,
    ) as sandbox:  # fmt: skip
        state = sandbox.state
        built = time.perf_counter()
        world = build_world(state, accounts, campaigns, per_org, rng)
        home = os.path.join(os.path.expanduser("~"), ".snapfleet-bench")
        settings = Settings(
            database_url=database, snapfleet_encryption_key=Fernet.generate_key().decode(),
            snapchat_ads_client_id=CLIENT_ID, snapchat_ads_client_secret=CLIENT_SECRET,
            snapchat_ads_live_mode=True, snapchat_ads_api_base_url=Sandbox.base_url,
            snapchat_ads_oauth_url=Sandbox.oauth_url, snapfleet_home=home,
            # Simulated time: the gate's windows are real time, so its shared scopes are off
            # here; the plan still budgets against Snap's 20/s (APP_RPS below).
            snapchat_ads_app_rps=0, snapchat_ads_token_rps=0, snapchat_ads_rate_limit_rps=10_000,
            snapfleet_stats_lookback_days=2, snapfleet_fx_rates='{"EUR": 1.08}',
        )  # fmt: skip
        app = create_app(settings)
        counting = CountingTransport(sandbox.transport)
        runtime = install_runtime(app, transport=counting, oauth_transport=sandbox.transport)
        code = state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
        connect_code(runtime, tenant_id="bench", code=code, redirect_uri=REDIRECT_URI)
        # The two accounts of the sandbox's own seed are not part of the world.
        say(f"# built {accounts} accounts in {time.perf_counter() - built:.0f}s; simulating")
        periods = plan.periods_from_settings(settings)
        meter, injected = Meter(), []
        last_event_id = 0
        since: datetime | None = None
        stats_since: datetime | None = None
        total_ticks = (hours + 1) * 60
        events = iter(schedule_events(world, max(1, hours - 1), START + timedelta(hours=1), rng,
                                      per_kind=max(3, min(25, accounts // 100))))  # fmt: skip
        upcoming = next(events, None)
        tiers_seen: Counter[str] = Counter()
        wall = time.perf_counter()
        for tick in range(1, total_ticks + 1):
            now = state.advance(60)
            counting.counting = tick > 60  # the warm-up hour is not measured
            while upcoming is not None and upcoming[0] <= now:
                injected.append(inject(state, world, upcoming[1], upcoming[2], now))
                upcoming = next(events, None)
            cpu = time.thread_time()
            with runtime.session() as session:
                rows = plan.load_rows(session, now, periods)
            due = plan.plan_tick(rows, now=now, since=since, periods=periods,
                                 app_rps=APP_RPS, sync_share=SYNC_SHARE)  # fmt: skip
            since = now
            for org in due.statuses:
                planned.detect_statuses(runtime, org, now=now)
            for account, reads in due.reads.items():
                planned.detect_planned(runtime, account, reads, now=now)
            if tick % 60 == 0 or tick == 1:
                tiers_seen = Counter(due.tiers[a] for a in world.tier if a in due.tiers)
                pulled = time.perf_counter()
                for account in plan.stats_accounts(rows, now=now, since=stats_since,
                                                   periods=periods, app_rps=APP_RPS,
                                                   sync_share=SYNC_SHARE):  # fmt: skip
                    meter.stats_rows += statsync.pull(runtime, account, now=now)["rows_upserted"]
                meter.stats_wall_s += time.perf_counter() - pulled
                stats_since = now
            if tick > 60:
                meter.cpu_s += time.thread_time() - cpu
            with runtime.session() as session:
                fresh = session.execute(
                    select(Event.id, Event.kind, Event.entity_id).where(Event.id > last_event_id)
                ).all()
            for event_id, kind, entity_id in fresh:
                last_event_id = max(last_event_id, event_id)
                for item in injected:
                    if item.kind == kind and item.entity_id == entity_id:
                        item.seen.append(now)
            if tick % 60 == 0:
                say(f"# hour {tick // 60}: {time.perf_counter() - wall:.0f}s, "
                    f"{sum(counting.counts.values())} calls so far")  # fmt: skip
        budget = due.budget
        runtime.close()
    return report(accounts, hours, campaigns, world, counting.counts, injected, meter,
                  tiers_seen, budget, say)  # fmt: skip


def report(
    accounts: int, hours: int, campaigns: int, world: World, counts: Counter[str],
    injected: list[Injected], meter: Meter, tiers: Counter[str], budget: Any, say: Any,
) -> dict[str, Any]:  # fmt: skip
    account_hours = accounts * hours
    total = sum(counts.values())
    per = total / account_hours
    share = total / hours / QUOTA_PER_H
    say(f"scale: {accounts} accounts, {per:.2f} calls per account-hour, {share:.1%} of one "
        f"app's quota (goal <= 70%: {share / 0.7:.2f}x of the goal)")  # fmt: skip
    serves = 0.7 * QUOTA_PER_H / per if per else 0
    say(
        f"capacity: at this mix 70% of one app's quota serves {serves:,.0f} accounts "
        f"(goal 10,000: {serves / 10_000:.2f}x)"
    )
    say(f"  tiers at the end: {dict(tiers)}; the plan's own estimate "
        f"{budget.per_h / accounts:.2f}/account-hour (measured/planned "
        f"{per / (budget.per_h / accounts):.2f}x)")  # fmt: skip
    for kind in ("ads", "campaigns", "adsquads", "status", "stats", "other"):
        value = counts.get(kind, 0) / account_hours
        part = value / per if per else 0.0
        say(f"  calls per account-hour, {kind}: {value:.3f} ({part:.2f}x of all)")
    latencies: dict[tuple[str, str], list[float]] = defaultdict(list)
    missed, twice = Counter(), Counter()
    for item in injected:
        if not item.seen:
            missed[item.kind] += 1
            continue
        if len(item.seen) > 1:
            twice[item.kind] += 1
        latencies[(item.kind, item.tier)].append((item.seen[0] - item.at).total_seconds() / 60)
    for (kind, tier), values in sorted(latencies.items()):
        bound = BOUNDS_MIN.get((kind, tier), 60)
        worst = max(values)
        say(f"detection {kind} ({tier}, n={len(values)}): p50 {statistics.median(values):.1f} min, "
            f"max {worst:.1f} min (max / {bound} min bound: {worst / bound:.2f}x)")  # fmt: skip
    say(f"events injected {len(injected)}, missed {sum(missed.values())} {dict(missed)}, "
        f"reported twice {sum(twice.values())} (missed/injected: "
        f"{sum(missed.values()) / max(1, len(injected)):.2f}x)")  # fmt: skip
    cpu_per = meter.cpu_s / account_hours
    say(
        f"worker CPU: {cpu_per * 1000:.2f} ms per account-hour; {accounts} accounts need "
        f"{cpu_per * accounts / 3600:.3f} cores (of one core: {cpu_per * accounts / 3600:.3f}x)"
    )
    rate = meter.stats_rows / meter.stats_wall_s if meter.stats_wall_s else 0.0
    ours_stats = counts.get("stats", 0) / hours
    say(f"stats rows upserted into PostgreSQL: {rate:,.0f} rows/s over the pulls "
        f"({meter.stats_rows} rows; rows per stats call: "
        f"{meter.stats_rows / max(1, counts.get('stats', 0)):.1f}x)")  # fmt: skip
    per_campaign = accounts * campaigns  # one stats call per campaign per hourly window
    singer = per_campaign * SINGER_CALLS_PER_CAMPAIGN
    say(f"open-source stats plan (1 call per campaign per window): {per_campaign:,} calls/h, "
        f"{per_campaign / QUOTA_PER_H:.0%} of the quota, beside ours {ours_stats:,.0f}/h "
        f"({per_campaign / max(1.0, ours_stats):.1f}x ours)")  # fmt: skip
    say(
        f"Singer tap plan (5 calls per campaign per window): {singer:,} calls/h, "
        f"{singer / QUOTA_PER_H:.0%} of the quota ({singer / max(1.0, ours_stats):.1f}x ours)"
    )
    every_15 = accounts * 4 * 4  # account + 3 full listings every 15 minutes
    say(f"previous plan (account + 3 listings every 15 min + hourly stats): "
        f"{(every_15 + accounts) / accounts:.0f} calls per account-hour "
        f"({(every_15 + accounts) / max(1, total / hours):.1f}x ours)")  # fmt: skip
    return {
        "calls_per_account_hour": per,
        "quota_share": share,
        "counts": dict(counts),
        "missed": dict(missed),
        "twice": dict(twice),
        "latency_max_min": {f"{k}/{t}": max(v) for (k, t), v in latencies.items()},
        "injected": len(injected),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--hours", type=int, default=2, help="measured hours (after a warm-up)")
    parser.add_argument("--campaigns", type=int, default=2, help="per spending/review account")
    parser.add_argument("--per-org", type=int, default=50, help="accounts per organization")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.accounts < 20 or args.hours < 1:
        parser.error("--accounts >= 20 and --hours >= 1")
    run(args.accounts, args.hours, args.campaigns, args.per_org, args.seed)


if __name__ == "__main__":
    main()
