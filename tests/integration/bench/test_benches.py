"""The benchmarks run, and what they count (not how fast) holds: calls are deterministic."""

from __future__ import annotations

import pytest

from bench import stats_bench


def test_the_stats_bench_counts_one_call_per_account_against_one_per_campaign(
    clean_settings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = stats_bench.run(campaigns=3)
    (ours, _), (baseline, _) = outcome["first"]
    assert (ours, baseline) == (len(stats_bench.ACCOUNTS), 3 * len(stats_bench.ACCOUNTS))
    (ours, _), (baseline, _) = outcome["hourly"]
    assert (ours, baseline) == (len(stats_bench.ACCOUNTS), 3 * len(stats_bench.ACCOUNTS))
    assert "calls" in capsys.readouterr().out


@pytest.mark.slow
def test_the_scale_bench_misses_no_event_and_reports_none_twice(clean_settings: None) -> None:
    # Given a small world simulated for a warm-up hour and two measured hours, with
    # rejections, caps, suspensions and deletions injected at random minutes,
    from bench import scale

    outcome = scale.run(accounts=40, hours=2, campaigns=1, per_org=10, quiet=True)
    # I expect every injected event reported once, each within its tier's bound,
    assert outcome["injected"] >= 10
    assert outcome["missed"] == {} and outcome["twice"] == {}
    for key, worst in outcome["latency_max_min"].items():
        kind, tier = key.split("/")
        assert worst <= scale.BOUNDS_MIN.get((kind, tier), 60), key
    # and the plan's calls near its estimate (about 5 per account-hour at this mix).
    assert outcome["calls_per_account_hour"] < 6.5
