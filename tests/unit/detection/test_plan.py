"""The polling plan, pure: tiers, due reads, intervals, spread, the budget and its stretch."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from storage.polling import AccountRow
from worker.sync import plan
from worker.sync.plan import Periods, budget, crossed, reads_due, tier_of
from worker.sync.planned import structure_changed

NOW = datetime(2026, 11, 16, 15, 30, tzinfo=UTC)
DAY = 86_400


def row(**kw: object) -> AccountRow:
    values: dict[str, object] = dict(
        ad_account_id="acct", organization_id="org", time_zone="America/Los_Angeles",
        status="ACTIVE", spend_days=frozenset(), ads_in_review=0, last_written_at=None,
        deliverable_ads=0,
    )  # fmt: skip
    values.update(kw)
    return AccountRow(**values)  # type: ignore[arg-type]


def test_tiers_come_from_what_the_fleet_stores() -> None:
    p = Periods()
    local_today = date(2026, 11, 16)  # 07:30 in Los Angeles
    assert tier_of(row(ads_in_review=2), NOW, p) == "review"
    assert tier_of(row(last_written_at=NOW - timedelta(minutes=10)), NOW, p) == "review"
    assert tier_of(row(last_written_at=NOW - timedelta(hours=2)), NOW, p) == "idle"
    assert tier_of(row(spend_days=frozenset({local_today})), NOW, p) == "spending"
    # Yesterday's spender stays watched: its daily cap resets at local midnight.
    assert tier_of(row(spend_days=frozenset({local_today - timedelta(days=1)})), NOW, p) == (
        "spending"
    )
    assert tier_of(row(spend_days=frozenset({local_today - timedelta(days=3)})), NOW, p) == "idle"
    assert tier_of(row(deliverable_ads=1), NOW, p) == "spending"


def read_times(account: str, tier: plan.Tier, kind: str, hours: int = 24) -> list[int]:
    stretched = Periods().stretched(1.0, 1.0)
    start = int(NOW.timestamp()) // 60 * 60
    times = []
    for t in range(start + 60, start + hours * 3600 + 1, 60):
        reads = reads_due(account, tier, stretched, t - 60, t)
        if kind in reads or (kind == "ads" and "entities" in reads):
            times.append(t)
    return times


def test_each_tier_reads_at_exactly_its_period() -> None:
    for tier, ads_s in (("review", 300), ("spending", 900), ("idle", 3600)):
        for account in ("a", "b", "c"):
            ads = read_times(account, tier, "ads")  # type: ignore[arg-type]
            full = read_times(account, tier, "entities")  # type: ignore[arg-type]
            assert {b - a for a, b in itertools.pairwise(ads)} == {ads_s}, tier
            assert {b - a for a, b in itertools.pairwise(full)} == {3600}, tier


def test_a_first_tick_reads_everything_and_a_missed_tick_is_caught_up() -> None:
    assert crossed(123, 900, None, 1000.0)
    # Ticks at 0 and 180 (the one at 60 and 120 missed): a boundary at 100 is still crossed.
    assert crossed(800, 900, 0, 180) and not crossed(800, 900, 180, 240)


def test_reads_of_many_accounts_are_spread_over_the_hour() -> None:
    stretched = Periods().stretched(1.0, 1.0)
    start = int(NOW.timestamp()) // 3600 * 3600
    per_tick = Counter()
    for n in range(10_000):
        for t in range(start + 60, start + 3601, 60):
            if reads_due(f"acct-{n}", "idle", stretched, t - 60, t):
                per_tick[t] += 1
    assert sum(per_tick.values()) == 10_000  # each idle account once an hour
    assert max(per_tick.values()) < 2 * 10_000 / 60  # no tick holds twice its share


def test_ten_thousand_accounts_fit_in_seventy_percent_of_one_app() -> None:
    mix = Counter(review=500, spending=3000, idle=6500)
    found, _ = budget(mix, 200, Periods(), app_rps=20, sync_share=0.7)
    assert not found.stretched and not found.over
    assert found.per_h / 10_000 <= 5.0
    assert found.per_h <= 0.7 * 72_000


def test_over_budget_stretches_idle_first_then_spending_and_says_so() -> None:
    p = Periods()
    idle_heavy, _ = budget(Counter(spending=3000, idle=20_000), 100, p, app_rps=20, sync_share=0.7)
    assert idle_heavy.idle_stretch > 1.0 and idle_heavy.spending_stretch == 1.0
    assert not idle_heavy.over and idle_heavy.per_h <= idle_heavy.polling_per_h
    assert "stretched" in idle_heavy.message
    busy, stretched = budget(Counter(spending=7000, idle=8000), 100, p, app_rps=20, sync_share=0.7)
    assert busy.idle_stretch == plan.MAX_IDLE_STRETCH and busy.spending_stretch > 1.0
    assert stretched.ads_s("review") == 300  # the review tier keeps its five minutes
    hopeless, _ = budget(Counter(review=9000, spending=9000), 100, p, app_rps=20, sync_share=0.7)
    assert hopeless.over and "OVER BUDGET" in hopeless.message


def test_the_budget_round_trips_through_its_stored_form() -> None:
    found, _ = budget(Counter(spending=10), 1, Periods(), app_rps=20, sync_share=0.7)
    assert plan.CallBudget.from_dict(found.as_dict()) == found


class Row:
    def __init__(self, codes: list[str]) -> None:
        self.delivery_status = codes


def test_the_ads_listing_widens_on_a_change_above_the_ads_only() -> None:
    stored = {"a": Row(["VALID"]), "b": Row(["INVALID_PENDING_REVIEW_STATUS"])}
    same = [{"id": "a", "delivery_status": ["VALID"]}, {"id": "b", "delivery_status": ["VALID"]}]
    assert not structure_changed(stored, same)  # a review verdict is the ads' own news
    capped = [
        {"id": "a", "delivery_status": ["INVALID_NOT_EFFECTIVE_ACTIVE"]},
        {"id": "b", "delivery_status": ["VALID"]},
    ]
    assert structure_changed(stored, capped)
    assert structure_changed(stored, same[:1])  # an ad gone
    assert structure_changed(stored, [*same, {"id": "c", "delivery_status": ["VALID"]}])
