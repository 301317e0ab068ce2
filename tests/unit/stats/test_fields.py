"""Which fields a stats query may ask for: disallowed ones are left out, never a failure."""

from __future__ import annotations

import pytest

from snap.stats import HOUR_UNAVAILABLE_FIELDS, fields_for, normalize_level
from worker.settings import DEFAULT_STATS_FIELDS

WANTED = ["spend", "impressions", "uniques", "frequency", "total_reach", "conversion_purchases"]


def test_day_keeps_everything_wanted():
    assert fields_for("campaign", "DAY", None, WANTED) == WANTED


def test_hour_drops_uniques_and_reach():
    assert fields_for("campaign", "HOUR", None, WANTED) == [
        "spend",
        "impressions",
        "conversion_purchases",
    ]
    everything = [*sorted(HOUR_UNAVAILABLE_FIELDS), "swipes"]
    assert fields_for("ad", "HOUR", None, everything) == ["swipes"]


def test_ad_account_without_breakdown_keeps_only_spend():
    assert fields_for("adaccount", "DAY", None, WANTED) == ["spend"]
    assert fields_for("adaccounts", "DAY", None, ["impressions"]) == []


def test_ad_account_with_a_breakdown_keeps_the_full_set():
    assert fields_for("adaccount", "DAY", "campaign", DEFAULT_STATS_FIELDS) == (
        DEFAULT_STATS_FIELDS.split(",")
    )


def test_hour_rule_and_account_rule_combine():
    assert fields_for("adaccount", "HOUR", "campaign", WANTED) == [
        "spend",
        "impressions",
        "conversion_purchases",
    ]


def test_comma_string_is_split_trimmed_and_deduplicated_in_order():
    assert fields_for("ad", "DAY", None, " spend, swipes,,spend ,impressions") == [
        "spend",
        "swipes",
        "impressions",
    ]


@pytest.mark.parametrize(
    ("level", "breakdown"),
    [("campaign", "campaign"), ("adsquad", "adsquad"), ("ad", "ad"), ("campaign", "adgroup")],
)
def test_a_breakdown_the_level_does_not_take_is_a_programming_error(level, breakdown):
    with pytest.raises(ValueError, match="breakdown"):
        fields_for(level, "DAY", breakdown, WANTED)


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("adaccounts", "adaccount"),
        ("Campaigns", "campaign"),
        ("ad_squad", "adsquad"),
        ("ads", "ad"),
    ],
)
def test_level_names_singular_or_plural(name, level):
    assert normalize_level(name) == level


def test_unknown_level_names_the_choices():
    with pytest.raises(ValueError, match="adaccount, campaign, adsquad, ad"):
        fields_for("organization", "DAY", None, WANTED)
