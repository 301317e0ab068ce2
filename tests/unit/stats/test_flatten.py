"""Flat rows from every stats answer shape, over samples shaped like Snap's (Snap facts 7-9)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from snap.errors import BadRequest
from snap.stats import StatsEndTimes, attribution_key, flatten_stats, stats_end_times

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_day_timeseries_gives_one_row_per_day_with_the_known_columns():
    rows = flatten_stats(sample("ad_day"))
    assert [r.day for r in rows] == [date(2022, 6, d) for d in (25, 26, 27, 28)]
    first = rows[0]
    assert (first.entity_type, first.entity_id) == ("ad", "0b1b5f32-6b5d-4e4f-9d0c-1b0c4a7f2e11")
    assert first.granularity == "DAY"
    assert first.start_time == t("2022-06-25T00:00:00.000-07:00")
    assert first.end_time == t("2022-06-26T00:00:00.000-07:00")
    assert first.spend_micro == 168048
    assert (first.impressions, first.swipes, first.view_completion) == (4211, 37, 512)
    assert first.conversion_purchases == Decimal(2)
    assert first.conversion_purchases_value_micro == 53980000
    assert first.extra == {"quartile_1": 2970, "screen_time_millis": 6231554}


def test_rows_echo_attribution_windows_and_end_times():
    row = flatten_stats(sample("ad_day"))[0]
    assert (row.swipe_up_attribution_window, row.view_attribution_window) == ("28_DAY", "1_DAY")
    assert row.finalized_data_end_time == t("2022-06-27T00:00:00.000-07:00")
    assert row.conversion_data_processed_end_time == t("2022-06-28T07:00:00.000Z")


def test_final_is_true_only_before_both_marks():
    rows = flatten_stats(sample("ad_day"))
    # Finalized up to Jun 27 00:00 -07:00; conversions up to Jun 28 00:00 -07:00.
    assert [r.final for r in rows] == [True, True, False, False]


def test_requested_attribution_fills_in_what_the_answer_does_not_echo():
    rows = flatten_stats(
        sample("account_spend_day"),
        swipe_up_attribution_window="7_DAY",
        view_attribution_window="none",
        action_report_time="impression",
    )
    assert {r.attribution for r in rows} == {"swipe_up=7_DAY,view=none,report=impression"}
    echoed = flatten_stats(sample("ad_day"), swipe_up_attribution_window="1_DAY")
    assert echoed[0].swipe_up_attribution_window == "28_DAY"


def test_attribution_key_uses_snap_defaults_for_what_was_not_sent():
    assert attribution_key(None, None, None) == "swipe_up=28_DAY,view=1_DAY,report=conversion"
    assert attribution_key("28_DAY", "1_DAY", "CONVERSION") == attribution_key(None, None, None)
    assert len(attribution_key("28_DAY", "28_DAY", "impression")) <= 64  # storage column


def test_total_with_lower_case_statuses_is_one_row_without_a_period():
    (row,) = flatten_stats(sample("campaign_total"))
    assert (row.entity_type, row.granularity) == ("campaign", "TOTAL")
    assert (row.start_time, row.end_time, row.day) == (None, None, None)
    assert row.spend_micro == 0
    # Not asked for, so not there: None, not zero.
    assert row.conversion_purchases is None and row.conversion_purchases_value_micro is None
    assert set(row.extra) == {"quartile_1", "quartile_2", "quartile_3", "screen_time_millis"}


def test_lifetime_row_keeps_its_own_range_and_marks():
    (row,) = flatten_stats(sample("ad_lifetime"))
    assert row.granularity == "LIFETIME"
    assert (row.start_time, row.end_time) == (
        t("2022-05-02T00:00:00.000-07:00"),
        t("2022-12-20T00:00:00.000-08:00"),
    )
    assert row.spend_micro == 3718811 and row.extra == {"uniques": 40233}
    assert row.finalized_data_end_time == t("2022-12-18T00:00:00.000-08:00")


def test_account_spend_only_day_rows_span_the_dst_change():
    rows = flatten_stats(sample("account_spend_day"))
    assert [(r.entity_type, r.day, r.spend_micro) for r in rows] == [
        ("ad_account", date(2022, 11, 5), 2380000),
        ("ad_account", date(2022, 11, 6), 2511000),
    ]
    assert rows[1].conversion_data_processed_end_time is None
    assert rows[1].impressions is None


def test_account_breakdown_by_campaign_gives_rows_per_campaign_and_day():
    rows = flatten_stats(sample("account_day_breakdown_campaign"))
    keyed = {(r.entity_id[:8], r.day): r for r in rows}
    assert set(keyed) == {
        ("6cf25572", date(2023, 11, 20)),
        ("6cf25572", date(2023, 11, 21)),
        ("f3b1c6a2", date(2023, 11, 20)),
        ("f3b1c6a2", date(2023, 11, 21)),
    }
    row = keyed[("6cf25572", date(2023, 11, 20))]
    assert (row.entity_type, row.breakdown) == ("campaign", "campaign")
    assert (row.parent_type, row.parent_id) == (
        "ad_account",
        "8adc3db7-8148-4fbf-999c-8d2266369d74",
    )
    assert row.spend_micro == 12500000 and row.conversion_purchases == 4
    assert row.extra == {"conversion_purchases_web": 3, "conversion_purchases_app": 1}
    assert row.finalized_data_end_time == t("2023-11-21T00:00:00.000+01:00")
    assert row.swipe_up_attribution_window == "28_DAY"


def test_total_breakdown_by_ad_squad_keeps_the_parent_row_and_fills_a_missing_type():
    rows = flatten_stats(sample("campaign_total_breakdown_adsquad"))
    assert [(r.entity_type, r.entity_id[-4:], r.spend_micro, r.breakdown) for r in rows] == [
        ("campaign", "4e11", 5200000, None),
        ("ad_squad", "1111", 3900000, "adsquad"),
        ("ad_squad", "2222", 1300000, "adsquad"),
    ]
    # TOTAL breakdown items have no range of their own: they take the query's.
    assert rows[2].start_time == t("2023-11-01T00:00:00.000-07:00")


def test_hour_rows_through_the_repeated_hour_of_fall_back():
    rows = flatten_stats(sample("campaign_hour"))
    assert [r.start_time for r in rows] == [
        t("2023-11-05T00:00:00.000-07:00"),
        t("2023-11-05T01:00:00.000-07:00"),
        t("2023-11-05T01:00:00.000-08:00"),
        t("2023-11-05T02:00:00.000-08:00"),
    ]
    assert len({r.start_time for r in rows}) == 4  # the two 01:00 are distinct instants
    assert {r.granularity for r in rows} == {"HOUR"}


def test_as_dict_is_plain_and_carries_the_storage_key():
    row = flatten_stats(sample("account_day_breakdown_campaign"))[0]
    data = row.as_dict()
    assert data["entity_type"] == "campaign" and data["day"] == date(2023, 11, 20)
    assert data["attribution"] == "swipe_up=28_DAY,view=1_DAY,report=conversion"
    assert data["spend_micro"] == 12500000 and data["conversion_purchases_value_micro"] == 119960000
    data["extra"]["mutated"] = 1
    assert "mutated" not in row.extra


def test_metrics_gives_every_metric_under_its_api_name():
    row = flatten_stats(sample("ad_day"))[0]
    assert row.metrics() == {
        "spend": 168048,
        "impressions": 4211,
        "swipes": 37,
        "view_completion": 512,
        "conversion_purchases": 2,
        "conversion_purchases_value": 53980000,
        "quartile_1": 2970,
        "screen_time_millis": 6231554,
    }


def test_fractional_conversions_stay_exact():
    body = sample("ad_day")
    point = body["timeseries_stats"][0]["timeseries_stat"]["timeseries"][0]
    point["stats"]["conversion_purchases"] = 1.7
    assert flatten_stats(body)[0].conversion_purchases == Decimal("1.7")


@pytest.mark.parametrize(("metric", "value"), [("spend", 12.5), ("impressions", "many")])
def test_a_malformed_known_metric_names_the_field(metric, value):
    body = sample("ad_day")
    body["timeseries_stats"][0]["timeseries_stat"]["timeseries"][0]["stats"][metric] = value
    with pytest.raises(ValueError, match=metric):
        flatten_stats(body)


def test_a_malformed_time_names_the_key():
    body = sample("ad_day")
    body["timeseries_stats"][0]["timeseries_stat"]["finalized_data_end_time"] = "yesterday"
    with pytest.raises(ValueError, match="finalized_data_end_time"):
        flatten_stats(body)


def test_a_refused_sub_request_raises_with_snaps_reason_and_request_id():
    with pytest.raises(BadRequest) as caught:
        flatten_stats(sample("account_breakdown_refused"))
    assert "only spend is supported" in caught.value.debug_message
    assert caught.value.request_id.startswith("655f22cd")
    assert caught.value.operation == "stats"


def test_a_failed_sub_request_in_a_successful_envelope_still_raises():
    body = sample("ad_day")
    body["timeseries_stats"].append(
        {"sub_request_status": "error", "sub_request_error_reason": "E1008: invalid field"}
    )
    with pytest.raises(BadRequest, match="E1008"):
        flatten_stats(body)


def test_an_empty_answer_is_no_rows():
    assert flatten_stats({"request_status": "SUCCESS", "timeseries_stats": []}) == []
    assert stats_end_times({"request_status": "SUCCESS"}) == StatsEndTimes(None, None)


def test_stats_end_times_reads_both_marks():
    assert stats_end_times(sample("ad_day")) == StatsEndTimes(
        t("2022-06-27T00:00:00.000-07:00"), t("2022-06-28T07:00:00.000Z")
    )
    spend_only = stats_end_times(sample("account_spend_day"))
    assert spend_only.conversion_data_processed_end_time is None


def test_stats_end_times_takes_the_earliest_over_several_stat_objects():
    body = sample("ad_day")
    other = json.loads(json.dumps(body["timeseries_stats"][0]))
    other["timeseries_stat"]["finalized_data_end_time"] = "2022-06-26T00:00:00.000-07:00"
    other["timeseries_stat"]["conversion_data_processed_end_time"] = "2022-06-30T07:00:00.000Z"
    body["timeseries_stats"].append(other)
    assert stats_end_times(body) == StatsEndTimes(
        t("2022-06-26T00:00:00.000-07:00"), t("2022-06-28T07:00:00.000Z")
    )


@pytest.mark.parametrize(
    "name",
    [
        "ad_day",
        "campaign_total",
        "ad_lifetime",
        "account_spend_day",
        "account_day_breakdown_campaign",
        "campaign_total_breakdown_adsquad",
        "campaign_hour",
    ],
)
def test_stat_objects_from_the_client_flatten_like_the_whole_body(name):
    # SnapClient.stats() returns the stat objects as snap.models.Stat, pages merged.
    from snap.models import Stat

    body = sample(name)
    (outer,) = (key for key in body if key.endswith("_stats"))
    inner = outer[:-1]
    stats = [Stat.model_validate(item[inner]) for item in body[outer]]
    assert flatten_stats(stats) == flatten_stats(body)
    assert flatten_stats([item[inner] for item in body[outer]]) == flatten_stats(body)
    assert stats_end_times(stats) == stats_end_times(body)
