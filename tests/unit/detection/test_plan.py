"""The pull plan: re-pull from the first day not final, windows and fields per granularity."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from snap.errors import ValidationError
from worker.settings import Settings
from worker.sync.periodlock import period_index
from worker.sync.stats import plan_pull

NOW = datetime(2026, 11, 16, 15, 30, tzinfo=UTC)


def plan(**kw):
    settings = Settings(**kw.pop("settings", {}))
    defaults = dict(
        time_zone="America/Los_Angeles",
        now=NOW,
        finalized_data_end_time=None,
        conversion_data_processed_end_time=None,
    )
    return plan_pull(settings, **{**defaults, **kw})


def test_without_marks_the_lookback_is_pulled_in_one_window() -> None:
    p = plan(settings={"snapfleet_stats_lookback_days": 28})
    assert [w.start_time for w in p.windows] == ["2026-10-19T00:00:00.000-07:00"]
    assert p.windows[-1].end_time == "2026-11-17T00:00:00.000-08:00"


def test_marks_move_the_start_to_the_first_day_not_final() -> None:
    p = plan(
        finalized_data_end_time=datetime(2026, 11, 14, 8, tzinfo=UTC),
        conversion_data_processed_end_time=datetime(2026, 11, 15, 3, tzinfo=UTC),
    )
    assert p.windows[0].start_time == "2026-11-14T00:00:00.000-08:00"


def test_a_long_range_is_chunked_under_snaps_day_limit() -> None:
    p = plan(start_date=date(2026, 8, 1), end_date=date(2026, 11, 15))
    assert len(p.windows) == 4 and all(w.granularity == "DAY" for w in p.windows)


def test_hour_plans_seven_day_windows_and_drops_fields_hour_cannot_serve() -> None:
    p = plan(granularity="HOUR", settings={"snapfleet_stats_fields": "spend,uniques"})
    assert p.granularity == "HOUR" and p.fields == ["spend", "uniques"]
    from snap.stats import fields_for

    assert fields_for("campaign", "HOUR", None, p.fields) == ["spend"]


def test_total_is_not_a_stored_granularity() -> None:
    with pytest.raises(ValidationError, match="DAY or HOUR"):
        plan(granularity="TOTAL")


def test_periods_are_aligned_and_distinct() -> None:
    assert period_index(NOW, 3600) == period_index(NOW.replace(minute=59), 3600)
    assert period_index(NOW.replace(hour=16, minute=0), 3600) == period_index(NOW, 3600) + 1
