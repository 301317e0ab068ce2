"""What to re-pull: the earliest local day that is not final, bounded by lookback and today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from snap.stats import repull_start_day, repull_windows

LA = "America/Los_Angeles"
# 2026-11-23 16:00 UTC is 08:00 on Nov 23 in Los Angeles.
NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


def start_day(**kwargs) -> date:
    return repull_start_day(**{"time_zone": LA, "now": NOW, "lookback_days": 28, **kwargs})


def test_first_run_goes_back_the_lookback():
    assert start_day() == date(2026, 10, 26)


def test_earlier_of_the_two_end_times_wins():
    day = start_day(
        finalized_data_end_time=datetime.fromisoformat("2026-11-21T00:00:00.000-08:00"),
        conversion_data_processed_end_time=datetime.fromisoformat("2026-11-19T15:00:00Z"),
    )
    # 2026-11-19T15:00Z is 07:00 on Nov 19 in Los Angeles: Nov 19 is partly open.
    assert day == date(2026, 11, 19)


def test_end_time_exactly_at_local_midnight_makes_that_day_the_first_open_one():
    day = start_day(
        finalized_data_end_time=datetime.fromisoformat("2026-11-21T00:00:00.000-08:00"),
        conversion_data_processed_end_time=datetime.fromisoformat("2026-11-22T00:00:00.000-08:00"),
    )
    assert day == date(2026, 11, 21)


def test_end_time_floors_to_the_account_day_not_the_utc_day():
    # 2026-11-21T03:00Z is still Nov 20 in Los Angeles.
    day = start_day(finalized_data_end_time=datetime.fromisoformat("2026-11-21T03:00:00Z"))
    assert day == date(2026, 11, 20)
    paris = start_day(
        time_zone="Europe/Paris",
        finalized_data_end_time=datetime.fromisoformat("2026-11-20T23:30:00Z"),
    )
    assert paris == date(2026, 11, 21)


def test_a_missing_end_time_is_ignored_when_the_other_is_known():
    # Ad-account spend-only answers carry no conversion_data_processed_end_time.
    day = start_day(
        finalized_data_end_time=datetime.fromisoformat("2026-11-21T00:00:00.000-08:00"),
        conversion_data_processed_end_time=None,
    )
    assert day == date(2026, 11, 21)


def test_never_earlier_than_the_lookback():
    ancient = datetime.fromisoformat("2025-01-01T00:00:00.000-08:00")
    assert start_day(finalized_data_end_time=ancient) == date(2026, 10, 26)
    assert start_day(finalized_data_end_time=ancient, lookback_days=3) == date(2026, 11, 20)


def test_never_later_than_today():
    future = datetime.fromisoformat("2026-12-05T00:00:00.000-08:00")
    assert start_day(finalized_data_end_time=future) == date(2026, 11, 23)


def test_today_is_the_account_day_of_now():
    # 2026-11-24 05:00 UTC is still Nov 23 in Los Angeles but Nov 24 in Paris.
    late = datetime(2026, 11, 24, 5, tzinfo=UTC)
    assert start_day(now=late, lookback_days=0) == date(2026, 11, 23)
    assert start_day(now=late, lookback_days=0, time_zone="Europe/Paris") == date(2026, 11, 24)


def test_negative_lookback_and_naive_times_are_refused():
    with pytest.raises(ValueError, match="lookback_days"):
        start_day(lookback_days=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        start_day(finalized_data_end_time=datetime(2026, 11, 20))


def test_repull_windows_run_from_the_first_open_day_through_today():
    windows = repull_windows(
        time_zone=LA,
        now=NOW,
        lookback_days=28,
        finalized_data_end_time=datetime.fromisoformat("2026-11-21T00:00:00.000-08:00"),
    )
    assert [(w.start_time, w.end_time) for w in windows] == [
        ("2026-11-21T00:00:00.000-08:00", "2026-11-24T00:00:00.000-08:00")
    ]


def test_repull_windows_of_a_first_run_are_chunked_and_cross_dst():
    windows = repull_windows(time_zone=LA, now=NOW, lookback_days=60)
    assert [(w.start_time, w.end_time) for w in windows] == [
        ("2026-09-24T00:00:00.000-07:00", "2026-10-25T00:00:00.000-07:00"),
        ("2026-10-25T00:00:00.000-07:00", "2026-11-24T00:00:00.000-08:00"),
    ]
