"""Window planning: whole hours, local midnights, range limits, DST."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from snap.stats import (
    DAY_MAX_DAYS,
    HOUR_MAX_SPAN,
    ceil_hour,
    check_window,
    floor_hour,
    local_midnight,
    plan_windows,
    render_time,
)

LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def elapsed(window) -> timedelta:
    """Real time between start and end (same-zone subtraction would be wall-clock time)."""
    return window.end.astimezone(UTC) - window.start.astimezone(UTC)


def spans(windows):
    return [(w.start_time, w.end_time) for w in windows]


def test_render_time_uses_the_account_offset_like_snap():
    # Given an instant, I expect Snap's rendering with the account's offset and milliseconds.
    assert render_time(utc(2022, 6, 25, 7), "America/Los_Angeles") == (
        "2022-06-25T00:00:00.000-07:00"
    )
    assert render_time(utc(2022, 12, 25, 8), LA) == "2022-12-25T00:00:00.000-08:00"


def test_day_window_starts_at_local_midnight_when_the_utc_day_differs():
    # 2026-06-10 03:00 UTC is still June 9 in Los Angeles: the window starts on June 9 local.
    windows = plan_windows("DAY", "America/Los_Angeles", utc(2026, 6, 10, 3), utc(2026, 6, 10, 5))
    assert spans(windows) == [("2026-06-09T00:00:00.000-07:00", "2026-06-10T00:00:00.000-07:00")]


def test_day_window_end_is_rounded_up_to_the_next_local_midnight():
    windows = plan_windows("DAY", LA, utc(2026, 6, 1, 7), utc(2026, 6, 3, 7, 0, 1))
    assert spans(windows) == [("2026-06-01T00:00:00.000-07:00", "2026-06-04T00:00:00.000-07:00")]


def test_day_window_end_exactly_at_local_midnight_is_kept():
    windows = plan_windows("DAY", LA, utc(2026, 6, 1, 7), utc(2026, 6, 3, 7))
    assert spans(windows) == [("2026-06-01T00:00:00.000-07:00", "2026-06-03T00:00:00.000-07:00")]


def test_day_chunks_exactly_31_days_fit_in_one_window():
    start = local_midnight(date(2026, 1, 1), LA)
    end = local_midnight(date(2026, 2, 1), LA)  # 31 days
    assert len(plan_windows("DAY", LA, start, end)) == 1


def test_day_chunks_32_days_split_at_day_31():
    start = local_midnight(date(2026, 1, 1), LA)
    end = local_midnight(date(2026, 2, 2), LA)  # 32 days
    assert spans(plan_windows("DAY", LA, start, end)) == [
        ("2026-01-01T00:00:00.000-08:00", "2026-02-01T00:00:00.000-08:00"),
        ("2026-02-01T00:00:00.000-08:00", "2026-02-02T00:00:00.000-08:00"),
    ]


def test_day_chunks_cover_a_long_range_without_gaps_or_overlap():
    start = local_midnight(date(2025, 12, 1), PARIS)
    end = local_midnight(date(2026, 6, 1), PARIS)
    windows = plan_windows("DAY", PARIS, start, end)
    assert windows[0].start == start and windows[-1].end == end
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start
    for window in windows:
        assert (window.end.date() - window.start.date()).days <= DAY_MAX_DAYS
        assert check_window("DAY", PARIS, window.start, window.end) == []


def test_day_windows_across_spring_forward_in_los_angeles():
    # March 8 2026 has 23 hours in Los Angeles; every boundary is still a local midnight.
    windows = plan_windows("DAY", LA, utc(2026, 3, 7, 8), utc(2026, 3, 10, 7))
    assert spans(windows) == [("2026-03-07T00:00:00.000-08:00", "2026-03-10T00:00:00.000-07:00")]
    assert elapsed(windows[0]) == timedelta(days=3, hours=-1)


def test_day_chunk_boundary_on_the_fall_back_day_is_local_midnight():
    # Nov 1 2026 is the fall-back day in Los Angeles: the chunk from Oct 2 (PDT) ends 31 local
    # days later at Nov 2 00:00 PST.
    start = local_midnight(date(2026, 10, 2), LA)
    end = local_midnight(date(2026, 11, 10), LA)
    windows = plan_windows("DAY", LA, start, end)
    assert spans(windows)[0] == ("2026-10-02T00:00:00.000-07:00", "2026-11-02T00:00:00.000-08:00")
    # 31 local days here are 31 days + 1 hour: still under Snap's 32-day limit.
    assert elapsed(windows[0]) == timedelta(days=31, hours=1)
    assert check_window("DAY", LA, windows[0].start, windows[0].end) == []


def test_day_windows_in_paris_across_both_dst_changes():
    spring = plan_windows("DAY", PARIS, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert spans(spring) == [("2026-03-28T00:00:00.000+01:00", "2026-03-31T00:00:00.000+02:00")]
    autumn = plan_windows("DAY", PARIS, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    assert spans(autumn) == [("2026-10-24T00:00:00.000+02:00", "2026-10-27T00:00:00.000+01:00")]


def test_local_midnight_inside_a_dst_gap_is_the_first_instant_of_the_day():
    # Santiago springs forward at 00:00 -> 01:00 on 2026-09-06.
    midnight = local_midnight(date(2026, 9, 6), "America/Santiago")
    assert midnight.isoformat() == "2026-09-06T01:00:00-03:00"
    next_day = local_midnight(date(2026, 9, 7), "America/Santiago")
    assert next_day.astimezone(UTC) - midnight.astimezone(UTC) == timedelta(hours=23)


def test_hour_windows_are_on_whole_hours():
    windows = plan_windows("HOUR", LA, utc(2026, 6, 1, 7, 42, 13), utc(2026, 6, 1, 10, 5))
    assert spans(windows) == [("2026-06-01T00:00:00.000-07:00", "2026-06-01T04:00:00.000-07:00")]


def test_hour_chunks_exactly_7_days_fit_in_one_window():
    start = utc(2026, 6, 1, 7)
    assert len(plan_windows("HOUR", LA, start, start + HOUR_MAX_SPAN)) == 1
    two = plan_windows("HOUR", LA, start, start + HOUR_MAX_SPAN + timedelta(hours=1))
    assert [elapsed(w) for w in two] == [HOUR_MAX_SPAN, timedelta(hours=1)]


def test_hour_chunks_across_fall_back_are_7_absolute_days():
    start = utc(2026, 10, 30, 7)
    windows = plan_windows("HOUR", LA, start, start + timedelta(days=10))
    assert [elapsed(w) for w in windows] == [HOUR_MAX_SPAN, timedelta(days=3)]
    assert spans(windows)[0] == ("2026-10-30T00:00:00.000-07:00", "2026-11-05T23:00:00.000-08:00")


def test_floor_hour_keeps_the_repeated_hour_of_fall_back():
    # 01:30 PST (the second 01:30 of Nov 1 2026) floors to 01:00 PST, not 01:00 PDT.
    second = utc(2026, 11, 1, 9, 30)
    assert floor_hour(second, LA).isoformat() == "2026-11-01T01:00:00-08:00"
    first = utc(2026, 11, 1, 8, 30)
    assert floor_hour(first, LA).isoformat() == "2026-11-01T01:00:00-07:00"
    assert ceil_hour(first, LA).isoformat() == "2026-11-01T01:00:00-08:00"


def test_whole_hours_are_local_hours_in_half_hour_zones():
    window = plan_windows("HOUR", "Asia/Kolkata", utc(2026, 6, 1, 0, 10), utc(2026, 6, 1, 0, 40))
    assert spans(window) == [("2026-06-01T05:00:00.000+05:30", "2026-06-01T07:00:00.000+05:30")]


def test_empty_range_plans_nothing_and_reversed_range_fails():
    assert plan_windows("DAY", LA, utc(2026, 6, 1, 7), utc(2026, 6, 1, 7)) == []
    with pytest.raises(ValueError, match="after end"):
        plan_windows("DAY", LA, utc(2026, 6, 2), utc(2026, 6, 1))


@pytest.mark.parametrize("granularity", ["TOTAL", "LIFETIME", "day"])
def test_only_day_and_hour_are_planned(granularity):
    with pytest.raises(ValueError, match="DAY or HOUR"):
        plan_windows(granularity, LA, utc(2026, 6, 1), utc(2026, 6, 2))


def test_naive_times_and_unknown_zones_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_windows("DAY", LA, datetime(2026, 6, 1), utc(2026, 6, 2))
    with pytest.raises(ValueError, match="Mars/Olympus"):
        plan_windows("DAY", "Mars/Olympus", utc(2026, 6, 1), utc(2026, 6, 2))


def test_window_params_are_what_the_stats_call_sends():
    (window,) = plan_windows("DAY", LA, utc(2022, 6, 25, 7), utc(2022, 6, 29, 7))
    assert window.params() == {
        "granularity": "DAY",
        "start_time": "2022-06-25T00:00:00.000-07:00",
        "end_time": "2022-06-29T00:00:00.000-07:00",
    }


def test_check_window_names_what_snap_refuses():
    midnight = local_midnight(date(2026, 6, 1), LA)
    assert "whole hours" in check_window("HOUR", LA, midnight + timedelta(minutes=5), midnight)[0]
    noon = midnight + timedelta(hours=12)
    assert any("start of day" in p for p in check_window("DAY", LA, noon, noon + timedelta(1)))
    too_long = check_window("DAY", LA, midnight, midnight + timedelta(days=33))
    assert any("32 days" in p for p in too_long)
    assert check_window("HOUR", LA, midnight, midnight + timedelta(days=7, hours=1))
    assert check_window("DAY", LA, midnight, midnight + timedelta(days=32)) == []
