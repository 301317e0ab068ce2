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
