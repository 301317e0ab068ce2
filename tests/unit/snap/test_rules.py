"""One test per documented rule: a valid item passes, a breaking one fails naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from snap import rules
from snap.rules import (
    check_ad,
    check_ad_squad,
    check_bulk,
    check_campaign,
    check_creative,
    check_list_params,
    check_media,
    strip_deprecated_for_update,
)

SAMPLES = Path(__file__).parent / "samples"
DROP = object()


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`base` with `changes` applied; a value of DROP removes the key."""
    item = {**base, **changes}
    return {k: v for k, v in item.items() if v is not DROP}


def fields(violations: list[rules.Violation]) -> list[str]:
    return [v.field for v in violations]


# seed 002 "Example - Create a Campaign" (request body).
CAMPAIGN = {
    "name": "Badger Tunneling Campaign",
    "ad_account_id": "22225ba6-7559-4000-9663-bace8adff5f2",
    "status": "ACTIVE",
    "start_time": "2025-11-22T21:42:02.392Z",
    "buy_model": "AUCTION",
    "creation_state": "PUBLISHED",
    "objective_v2_properties": {"objective_v2_type": "AWARENESS_AND_ENGAGEMENT"},
}
# seed 004 "Create an Ad Squad" (request body).
AD_SQUAD = {
    "campaign_id": "6cf25572-048b-4447-95d1-eb48231751be",
    "name": "Ad Squad Uno",
    "type": "SNAP_ADS",
    "placement_v2": {"config": "AUTOMATIC"},
    "optimization_goal": "IMPRESSIONS",
    "bid_micro": 1000000,
    "daily_budget_micro": 1000000000,
    "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
    "billing_event": "IMPRESSION",
    "targeting": {"geos": [{"country_code": "us"}]},
    "start_time": "2016-08-11T22:03:58.869Z",
}
# seed 001 "Create an Ad" (request body).
AD = {
    "ad_squad_id": "23995202-bfbc-45a0-9702-dd6841af52fe",
    "creative_id": "c1e6e929-acec-466f-b023-852b8cacc18f",
    "name": "Ad One",
    "type": "SNAP_AD",
    "status": "PAUSED",
}
CREATIVE = {
    "ad_account_id": "8adc3db7-8148-4fbf-999c-8d2266369d74",
    "name": "Spring sale",
    "type": "WEB_VIEW",
    "headline": "Fur coats, half price",
    "brand_name": "Badger Supplies",
    "top_snap_media_id": "a1b2",
    "call_to_action": "SHOP_NOW",
    "web_view_properties": {"url": "https://example.com/sale"},
}
MEDIA = {"ad_account_id": "8adc3db7", "name": "spring.mp4", "type": "VIDEO"}


def smart_budgets() -> dict[str, Any]:
    return json.loads((SAMPLES / "seed002_smart_budgets.json").read_text())


# --- op --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check", [check_campaign, check_ad_squad, check_ad, check_creative, check_media]
)
def test_an_unknown_op_is_a_programming_error(check: Any) -> None:
    with pytest.raises(ValueError, match="op must be"):
        check({}, op="upsert")


@pytest.mark.parametrize(
    ("check", "item"),
    [
        (check_campaign, CAMPAIGN),
        (check_ad_squad, AD_SQUAD),
        (check_ad, AD),
        (check_creative, CREATIVE),
        (check_media, MEDIA),
    ],
)
def test_the_seed_examples_pass(check: Any, item: dict[str, Any]) -> None:
    assert check(item, op="create") == []


@pytest.mark.parametrize(
    ("check", "item", "required"),
    [
        (check_campaign, CAMPAIGN, rules.CAMPAIGN_REQUIRED_FIELDS),
        (check_ad_squad, AD_SQUAD, rules.AD_SQUAD_REQUIRED_FIELDS),
        (check_ad, AD, rules.AD_REQUIRED_FIELDS),
        (check_creative, CREATIVE, rules.CREATIVE_REQUIRED_FIELDS),
        (check_media, MEDIA, rules.MEDIA_REQUIRED_FIELDS),
    ],
)
def test_a_create_missing_a_required_field_names_it(
    check: Any, item: dict[str, Any], required: tuple[str, ...]
) -> None:
    for field in required:
        found = check(changed(item, **{field: DROP}), op="create")
        assert field in fields(found), field
        assert any("required" in v.message for v in found)


@pytest.mark.parametrize("check", [check_campaign, check_ad_squad, check_ad, check_creative])
def test_an_update_needs_the_id_and_nothing_else(check: Any) -> None:
    assert fields(check({"name": "x"}, op="update")) == ["id"]
    assert check({"id": "e8d6", "status": "PAUSED"}, op="update") == []


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "item"),
    [
        (check_campaign, CAMPAIGN),
        (check_ad_squad, AD_SQUAD),
        (check_ad, AD),
        (check_creative, CREATIVE),
    ],
)
def test_name_is_at_most_375_characters(check: Any, item: dict[str, Any]) -> None:
    assert check(changed(item, name="n" * 375), op="create") == []
    found = check(changed(item, name="n" * 376), op="create")
    assert fields(found) == ["name"]
    assert "375" in found[0].message


@pytest.mark.parametrize("name", ["", "   ", 42])
def test_name_must_be_a_non_empty_string(name: Any) -> None:
    assert fields(check_campaign(changed(CAMPAIGN, name=name), op="create")) == ["name"]


# --- enums -----------------------------------------------------------------------------

ENUM_CASES = [
    (check_campaign, CAMPAIGN, "status", rules.CAMPAIGN_STATUSES),
    (check_campaign, CAMPAIGN, "buy_model", rules.BUY_MODELS),
    (check_campaign, CAMPAIGN, "objective", rules.CAMPAIGN_OBJECTIVES),
    (check_ad_squad, AD_SQUAD, "status", rules.AD_SQUAD_STATUSES),
    (check_ad_squad, AD_SQUAD, "type", rules.AD_SQUAD_TYPES),
    (check_ad_squad, AD_SQUAD, "billing_event", rules.BILLING_EVENTS),
    (check_ad_squad, AD_SQUAD, "optimization_goal", rules.OPTIMIZATION_GOALS),
    (check_ad_squad, AD_SQUAD, "conversion_window", rules.CONVERSION_WINDOWS),
    (check_ad_squad, AD_SQUAD, "child_ad_type", rules.CHILD_AD_TYPES),
    (check_ad_squad, AD_SQUAD, "forced_view_setting", rules.FORCED_VIEW_SETTINGS),
    (check_ad, AD, "status", rules.AD_STATUSES),
    (check_ad, AD, "type", rules.AD_TYPES),
    (
        check_creative,
        CREATIVE,
        "top_snap_crop_position",
        rules.TOP_SNAP_CROP_POSITIONS,
    ),
    (check_creative, CREATIVE, "forced_view_eligibility", rules.FORCED_VIEW_ELIGIBILITY),
    (check_creative, CREATIVE, "call_to_action", rules.CALL_TO_ACTIONS),
    (check_creative, CREATIVE, "favorite_display_mode", rules.FAVORITE_DISPLAY_MODES),
    (check_media, MEDIA, "type", rules.MEDIA_TYPES),
]


@pytest.mark.parametrize(("check", "item", "field", "allowed"), ENUM_CASES)
def test_every_documented_enum_value_passes_and_others_fail(
    check: Any, item: dict[str, Any], field: str, allowed: frozenset[str]
) -> None:
    for value in sorted(allowed):
        assert check(changed(item, **{field: value}), op="create") == [], value
    for bad in ("NOT_A_VALUE", value.lower(), 1):
        found = check(changed(item, **{field: bad}), op="create")
        assert field in fields(found), bad


def test_every_creative_type_passes_with_its_properties() -> None:
    every_property = changed(
        CREATIVE,
        preview_creative_id="p1",
        app_install_properties={"app_name": "B", "ios_app_id": "1", "icon_media_id": "m"},
        deep_link_properties={
            "deep_link_uri": "b://x",
            "app_name": "B",
            "ios_app_id": "1",
            "icon_media_id": "m",
        },
    )
    for creative_type in sorted(rules.CREATIVE_TYPES):
        item = changed(every_property, type=creative_type)
        assert check_creative(item, op="create") == [], creative_type
    assert fields(check_creative(changed(CREATIVE, type="BANNER"), op="create")) == ["type"]


def test_objective_v2_properties_enums_are_checked_inside() -> None:
    bad = changed(CAMPAIGN, objective_v2_properties={"objective_v2_type": "FAME"})
    assert fields(check_campaign(bad, op="create")) == ["objective_v2_properties.objective_v2_type"]
    bad = changed(CAMPAIGN, objective_v2_properties={"promotion_type": "SHOUTING"})
    assert fields(check_campaign(bad, op="create")) == ["objective_v2_properties.promotion_type"]
    ok = {"objective_v2_type": "APP_PROMOTION", "promotion_type": "APP_INSTALL", "x": True}
    assert check_campaign(changed(CAMPAIGN, objective_v2_properties=ok), op="create") == []


def test_campaign_budgets_must_be_non_negative_integers() -> None:
    for field in ("daily_budget_micro", "lifetime_spend_cap_micro"):
        for ok in (0, 20_000_000, "20000000"):
            assert check_campaign(changed(CAMPAIGN, **{field: ok}), op="create") == []
        for bad in (-1, 1.5, "lots"):
            assert fields(check_campaign(changed(CAMPAIGN, **{field: bad}), op="create")) == [field]


# --- campaign updates (seed 002 "Attributes that can be updated") ----------------------

# seed 002 "Example - Update a Campaign".
CAMPAIGN_UPDATE = {
    "id": "7c074b60-3ae7-4975-bc1d-5785cc0be2c8",
    "name": "Badger Tunneling Campaign",
    "ad_account_id": "22225ba6-7559-4000-9663-bace8adff5f2",
    "status": "PAUSED",
    "objective": "BRAND_AWARENESS",
    "start_time": "2025-11-20T21:45:00",
    "end_time": "2025-11-25T21:45:00",
    "buy_model": "AUCTION",
    "objective_v2_properties": {"objective_v2_type": "AWARENESS_AND_ENGAGEMENT"},
}


def test_the_seed_campaign_update_passes() -> None:
    assert check_campaign(CAMPAIGN_UPDATE, op="update") == []


@pytest.mark.parametrize("field", sorted(rules.CAMPAIGN_UPDATABLE_FIELDS))
def test_each_updatable_campaign_field_may_change(field: str) -> None:
    value = 1_000_000 if field.endswith("_micro") else "PAUSED" if field == "status" else "x"
    assert check_campaign({"id": "c1", field: value}, op="update") == []


def test_a_non_updatable_campaign_field_is_refused_unless_echoed_unchanged() -> None:
    item = {"id": "c1", "measurement_spec": {"ios_app_id": "1234"}}
    assert fields(check_campaign(item, op="update")) == ["measurement_spec"]
    current = {"id": "c1", "measurement_spec": {"ios_app_id": "1234"}}
    assert check_campaign(item, op="update", current=current) == []
    changed_spec = {"id": "c1", "measurement_spec": {"ios_app_id": "999"}}
    assert fields(check_campaign(changed_spec, op="update", current=current)) == [
        "measurement_spec"
    ]


def test_read_only_campaign_fields_are_not_update_violations() -> None:
    item = {"id": "c1", "pacing_properties_version": 0, "delivery_status": ["VALID"]}
    assert check_campaign(item, op="update") == []


# --- smart budgets (seed 002) -----------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1])
def test_the_seed_smart_budget_campaigns_pass(index: int) -> None:
    campaign = smart_budgets()["campaigns"][index]
    assert check_campaign(campaign, op="create") == []


def smart_campaign(**shared_changes: Any) -> dict[str, Any]:
    campaign = smart_budgets()["campaigns"][1]
    campaign["shared_properties"] = changed(campaign["shared_properties"], **shared_changes)
    return campaign


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shared_properties": DROP}, "shared_properties"),
        ({"daily_budget_micro": DROP}, "daily_budget_micro"),
        ({"lifetime_budget_micro": 100_000_000}, "lifetime_budget_micro"),
        ({"buy_model": "RESERVED"}, "buy_model"),
        ({"pacing_level": "AD_SQUAD"}, "pacing_level"),
    ],
)
def test_smart_budget_campaign_settings(changes: dict[str, Any], field: str) -> None:
    bad = changed(smart_campaign(), **changes)
    assert field in fields(check_campaign(bad, op="create"))


@pytest.mark.parametrize(
    ("shared", "field"),
    [
        ({"shared_pixel_id": DROP}, "shared_properties.shared_pixel_id"),
        ({"shared_optimization_goal": "SWIPES"}, "shared_properties.shared_optimization_goal"),
        ({"shared_optimization_goal": DROP}, "shared_properties.shared_optimization_goal"),
        (
            {"shared_ad_squad_bid_strategy": "MIN_ROAS"},
            "shared_properties.shared_ad_squad_bid_strategy",
        ),
        ({"shared_ad_squad_bid_strategy": DROP}, "shared_properties.shared_ad_squad_bid_strategy"),
        ({"shared_conversion_window": "SWIPE_1DAY"}, "shared_properties.shared_conversion_window"),
        ({"shared_conversion_location": "MOON"}, "shared_properties.shared_conversion_location"),
        (
            {"shared_optimization_goal": "IMPRESSIONS", "shared_pixel_id": DROP},
            "shared_properties.shared_conversion_window",
        ),
    ],
)
def test_smart_budget_shared_properties(shared: dict[str, Any], field: str) -> None:
    assert fields(check_campaign(smart_campaign(**shared), op="create")) == [field]


def test_the_seeds_autobid_spelling_is_accepted() -> None:
    assert check_campaign(smart_campaign(shared_ad_squad_bid_strategy="AUTOBID"), op="create") == []


@pytest.mark.parametrize("index", [0, 1])
def test_seed_smart_budget_ad_squads_mirror_their_campaign(index: int) -> None:
    data = smart_budgets()
    campaign, squad = data["campaigns"][index], data["adsquads"][index]
    assert check_ad_squad(squad, op="create", currency="GBP", campaign=campaign) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"optimization_goal": "IMPRESSIONS"}, "optimization_goal"),
        ({"bid_strategy": "LOWEST_COST_WITH_MAX_BID", "bid_micro": 1_000_000}, "bid_strategy"),
        ({"conversion_window": "SWIPE_7DAY"}, "conversion_window"),
        ({"pixel_id": "another-pixel"}, "pixel_id"),
        (
            {"daily_budget_micro": DROP, "lifetime_budget_micro": 100_000_000},
            "lifetime_budget_micro",
        ),
        ({"pacing_type": "ACCELERATED"}, "pacing_type"),
        ({"type": "LENS"}, "type"),
    ],
)
def test_smart_budget_ad_squad_must_mirror(changes: dict[str, Any], field: str) -> None:
    data = smart_budgets()
    squad = changed(data["adsquads"][1], **changes)
    found = check_ad_squad(squad, op="create", campaign=data["campaigns"][1])
    assert field in fields(found)


def test_smart_budget_mirror_treats_autobid_as_auto_bid() -> None:
    data = smart_budgets()
    campaign = smart_campaign(shared_ad_squad_bid_strategy="AUTOBID")
    assert check_ad_squad(data["adsquads"][1], op="create", campaign=campaign) == []


def test_smart_budget_rules_need_the_campaign() -> None:
    squad = changed(smart_budgets()["adsquads"][1], optimization_goal="SWIPES")
    assert check_ad_squad(squad, op="create") == []


# --- HCE (seed 004) --------------------------------------------------------------------

HCE_CAMPAIGN = {"id": "c1", "regulations": {"restricted_delivery_signals": True}}


@pytest.mark.parametrize("goal", sorted(rules.OPTIMIZATION_GOALS))
def test_hce_campaigns_allow_only_their_goals(goal: str) -> None:
    squad = changed(AD_SQUAD, optimization_goal=goal)
    found = check_ad_squad(squad, op="create", campaign=HCE_CAMPAIGN)
    assert ("optimization_goal" in fields(found)) == (goal not in rules.HCE_OPTIMIZATION_GOALS)
    open_campaign = {"id": "c2", "regulations": {"restricted_delivery_signals": False}}
    assert check_ad_squad(squad, op="create", campaign=open_campaign) == []


# --- ad squad budgets (seed 004) -------------------------------------------------------


def test_one_of_daily_or_lifetime_budget_is_required_on_create() -> None:
    neither = changed(AD_SQUAD, daily_budget_micro=DROP)
    assert fields(check_ad_squad(neither, op="create")) == ["daily_budget_micro"]
    both = changed(AD_SQUAD, lifetime_budget_micro=100_000_000)
    assert fields(check_ad_squad(both, op="create")) == ["lifetime_budget_micro"]
    lifetime_only = changed(neither, lifetime_budget_micro=100_000_000)
    assert check_ad_squad(lifetime_only, op="create") == []
    assert check_ad_squad({"id": "s1", "name": "renamed"}, op="update") == []


def test_daily_budget_minimum_is_5_000_000_micro() -> None:
    minimum = rules.AD_SQUAD_DAILY_BUDGET_MIN_MICRO
    assert minimum == 5_000_000
    assert check_ad_squad(changed(AD_SQUAD, daily_budget_micro=minimum), op="create") == []
    found = check_ad_squad(changed(AD_SQUAD, daily_budget_micro=minimum - 1), op="create")
    assert fields(found) == ["daily_budget_micro"]
    assert fields(check_ad_squad({"id": "s1", "daily_budget_micro": 1}, op="update")) == [
        "daily_budget_micro"
    ]


@pytest.mark.parametrize("bad", [0, -5, "many"])
def test_lifetime_budget_must_be_positive(bad: Any) -> None:
    found = check_ad_squad({"id": "s1", "lifetime_budget_micro": bad}, op="update")
    assert fields(found) == ["lifetime_budget_micro"]


def test_delivery_constraint_matches_the_budget() -> None:
    ok = changed(AD_SQUAD, delivery_constraint="DAILY_BUDGET")
    assert check_ad_squad(ok, op="create") == []
    bad = changed(AD_SQUAD, delivery_constraint="LIFETIME_BUDGET")
    assert fields(check_ad_squad(bad, op="create")) == ["delivery_constraint"]


# --- bids (seed 004) -------------------------------------------------------------------


@pytest.mark.parametrize(("currency", "bounds"), sorted(rules.BID_MICRO_BOUNDS.items()))
def test_bid_micro_bounds_per_currency(currency: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    for bid in (low, high):
        assert (
            check_ad_squad(changed(AD_SQUAD, bid_micro=bid), op="create", currency=currency) == []
        )
    for bid in (low - 1, high + 1):
        found = check_ad_squad(changed(AD_SQUAD, bid_micro=bid), op="create", currency=currency)
        assert fields(found) == ["bid_micro"]
        assert currency in found[0].message


def test_bid_bounds_table_matches_seed_004() -> None:
    assert len(rules.BID_MICRO_BOUNDS) == 18
    assert rules.BID_MICRO_BOUNDS["USD"] == (10_000, 500_000_000)
    assert rules.BID_MICRO_BOUNDS["EUR"] == (10_000, 100_000_000)


def test_bid_bounds_need_a_known_currency() -> None:
    tiny = changed(AD_SQUAD, bid_micro=1)
    assert check_ad_squad(tiny, op="create") == []
    assert check_ad_squad(tiny, op="create", currency="XYZ") == []
    assert check_ad_squad(tiny, op="create", currency="usd") != []


def test_bid_micro_digit_strings_count_as_integers() -> None:
    # seed 004's SKAdNetwork create examples send "bid_micro": "200000000".
    assert (
        check_ad_squad(changed(AD_SQUAD, bid_micro="200000000"), op="create", currency="USD") == []
    )
    assert fields(check_ad_squad(changed(AD_SQUAD, bid_micro="2e8"), op="create")) == ["bid_micro"]


@pytest.mark.parametrize("strategy", sorted(rules.BID_STRATEGIES))
def test_bid_micro_is_required_for_max_bid_and_target_cost(strategy: str) -> None:
    goal = "APP_PURCHASE"
    squad = changed(AD_SQUAD, bid_strategy=strategy, bid_micro=DROP, optimization_goal=goal)
    squad = changed(squad, roas_value_micro=1_000_000) if strategy == "MIN_ROAS" else squad
    found = check_ad_squad(squad, op="create")
    assert ("bid_micro" in fields(found)) == (strategy in rules.BID_MICRO_REQUIRED_STRATEGIES)


@pytest.mark.parametrize("strategy", sorted(rules.BID_STRATEGIES))
@pytest.mark.parametrize("goal", sorted(rules.OPTIMIZATION_GOALS))
def test_bid_strategy_allows_the_documented_goals(strategy: str, goal: str) -> None:
    item = {"id": "s1", "bid_strategy": strategy, "optimization_goal": goal}
    item |= {"bid_micro": 1_000_000, "roas_value_micro": 1_000_000}
    allowed = rules.BID_STRATEGY_OPTIMIZATION_GOALS[strategy]
    expected = [] if allowed is None or goal in allowed else ["optimization_goal"]
    assert fields(check_ad_squad(item, op="update")) == expected


def test_roas_value_micro_is_required_for_min_roas_and_bounded() -> None:
    squad = changed(AD_SQUAD, bid_strategy="MIN_ROAS", optimization_goal="APP_PURCHASE")
    assert fields(check_ad_squad(squad, op="create")) == ["roas_value_micro"]
    low, high = rules.ROAS_VALUE_MICRO_RANGE
    assert (low, high) == (10_000, 100_000_000)
    for ok in (low, high):
        assert check_ad_squad(changed(squad, roas_value_micro=ok), op="create") == []
    for bad in (low - 1, high + 1, "x"):
        found = check_ad_squad(changed(squad, roas_value_micro=bad), op="create")
        assert fields(found) == ["roas_value_micro"]


# --- pacing (seed 004 "Pacing Types") --------------------------------------------------


def test_accelerated_pacing_with_its_requirements_passes() -> None:
    squad = changed(AD_SQUAD, pacing_type="ACCELERATED")
    assert check_ad_squad(squad, op="create") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bid_strategy": "AUTO_BID"}, "bid_strategy"),
        ({"bid_micro": DROP}, "bid_micro"),
        ({"optimization_goal": "APP_INSTALLS"}, "optimization_goal"),
    ],
)
def test_accelerated_pacing_rules(changes: dict[str, Any], field: str) -> None:
    squad = changed(AD_SQUAD, pacing_type="ACCELERATED", **changes)
    assert field in fields(check_ad_squad(squad, op="create"))


@pytest.mark.parametrize("goal", sorted(rules.ACCELERATED_OPTIMIZATION_GOALS))
def test_accelerated_goals(goal: str) -> None:
    squad = changed(AD_SQUAD, pacing_type="ACCELERATED", optimization_goal=goal)
    assert check_ad_squad(squad, op="create") == []


# --- scheduling, frequency caps, options (seed 004) ------------------------------------

SCHEDULE = {
    "monday": {"hour_of_day": [1, 2, 3, 8, 9, 10]},
    "tuesday": {"hour_of_day": [11, 12, 13]},
}


def test_ad_scheduling_needs_a_lifetime_budget() -> None:
    lifetime = changed(AD_SQUAD, daily_budget_micro=DROP, lifetime_budget_micro=500_000_000)
    assert check_ad_squad(changed(lifetime, ad_scheduling_config=SCHEDULE), op="create") == []
    daily = changed(AD_SQUAD, ad_scheduling_config=SCHEDULE)
    assert fields(check_ad_squad(daily, op="create")) == ["ad_scheduling_config"]


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ({"someday": {"hour_of_day": [1]}}, "ad_scheduling_config.someday"),
        ({"monday": {"hour_of_day": [24]}}, "ad_scheduling_config.monday.hour_of_day"),
        ({"monday": {"hour_of_day": []}}, "ad_scheduling_config.monday.hour_of_day"),
        ({"monday": [1, 2]}, "ad_scheduling_config.monday.hour_of_day"),
    ],
)
def test_ad_scheduling_days_and_hours(schedule: dict[str, Any], field: str) -> None:
    item = {"id": "s1", "lifetime_budget_micro": 500_000_000, "ad_scheduling_config": schedule}
    assert fields(check_ad_squad(item, op="update")) == [field]


# seed 004 "Frequency Cap Spec" example (lower-case enums, as the seed writes them).
FREQUENCY_CAP = {
    "frequency_cap_count": 4,
    "frequency_cap_type": "impressions",
    "time_interval": 48,
    "frequency_cap_interval": "hours",
}


def cap_config(**changes: Any) -> dict[str, Any]:
    return {
        "cap_and_exclusion_config": {"frequency_cap_config": [changed(FREQUENCY_CAP, **changes)]}
    }


def test_the_seed_frequency_cap_passes() -> None:
    assert check_ad_squad({"id": "s1", **cap_config()}, op="update") == []
    assert check_ad_squad({"id": "s1", **cap_config(time_interval=720)}, op="update") == []
    days = cap_config(time_interval=30, frequency_cap_interval="DAYS")
    assert check_ad_squad({"id": "s1", **days}, op="update") == []


@pytest.mark.parametrize(
    ("changes", "leaf"),
    [
        ({"time_interval": 721}, "time_interval"),
        ({"time_interval": 31, "frequency_cap_interval": "days"}, "time_interval"),
        ({"frequency_cap_interval": "weeks"}, "frequency_cap_interval"),
        ({"frequency_cap_type": "PIXEL_PURCHASE"}, "frequency_cap_type"),
        ({"frequency_cap_count": 0}, "frequency_cap_count"),
    ],
)
def test_frequency_cap_limits(changes: dict[str, Any], leaf: str) -> None:
    found = check_ad_squad({"id": "s1", **cap_config(**changes)}, op="update")
    assert fields(found) == [f"cap_and_exclusion_config.frequency_cap_config[0].{leaf}"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"brand_safety_config": {"inventory_option": "SOME"}},
            "brand_safety_config.inventory_option",
        ),
        ({"measurement_provider_names": ["MOAT"]}, "measurement_provider_names"),
        ({"placement_v2": {"config": "EVERYWHERE"}}, "placement_v2.config"),
    ],
)
def test_ad_squad_options(changes: dict[str, Any], field: str) -> None:
    assert fields(check_ad_squad(changed(AD_SQUAD, **changes), op="create")) == [field]
    ok = {
        "brand_safety_config": {"inventory_option": "LIMITED_INVENTORY"},
        "measurement_provider_names": ["DOUBLEVERIFY"],
        "placement_v2": {"config": "CUSTOM", "platforms": ["SNAPCHAT"]},
    }
    assert check_ad_squad(changed(AD_SQUAD, **ok), op="create") == []


# --- deprecated fields on update (seed 004 Bid Strategy, seed 001 tracking) ------------


@pytest.mark.parametrize(
    ("kind", "field"), [("adsquads", f) for f in ("auto_bid", "target_bid", "placement")]
)
def test_deprecated_ad_squad_fields_are_refused_on_update_and_stripped(
    kind: str, field: str
) -> None:
    item = {"id": "s1", "name": "x", field: False}
    assert fields(check_ad_squad(item, op="update")) == [field]
    assert check_ad_squad(changed(AD_SQUAD, **{field: False}), op="create") == []
    stripped = strip_deprecated_for_update(kind, item)
    assert stripped == {"id": "s1", "name": "x"}
    assert check_ad_squad(stripped, op="update") == []
    assert field in item  # the caller's dict is left alone


@pytest.mark.parametrize("field", ["on_swipe_tracking_urls", "third_party_tracking_urls"])
def test_sunset_ad_tracking_fields_are_refused_on_update(field: str) -> None:
    item = {"id": "a1", "status": "ACTIVE", field: []}
    assert fields(check_ad(item, op="update")) == [field]
    assert strip_deprecated_for_update("ads", item) == {"id": "a1", "status": "ACTIVE"}


def test_strip_leaves_other_kinds_alone() -> None:
    item = {"id": "c1", "placement": "x"}
    assert strip_deprecated_for_update("campaigns", item) == item


# --- ads (seed 001) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ad_type", "creative_type"), sorted(rules.AD_TYPE_TO_CREATIVE_TYPE.items())
)
def test_ad_type_to_creative_type_mapping(ad_type: str, creative_type: str) -> None:
    ad = changed(AD, type=ad_type)
    assert check_ad(ad, op="create", creative_type=creative_type) == []
    wrong = "SNAP_AD" if creative_type != "SNAP_AD" else "WEB_VIEW"
    found = check_ad(ad, op="create", creative_type=wrong)
    assert fields(found) == ["type"]
    assert creative_type in found[0].message


def test_the_mapping_matches_seed_001() -> None:
    assert rules.AD_TYPE_TO_CREATIVE_TYPE["REMOTE_WEBPAGE"] == "WEB_VIEW"
    assert rules.AD_TYPE_TO_CREATIVE_TYPE["STORY"] == "COMPOSITE"
    assert "FILTER" not in rules.AD_TYPE_TO_CREATIVE_TYPE


def test_the_mapping_is_skipped_without_the_creative_type_or_a_row() -> None:
    assert check_ad(changed(AD, type="REMOTE_WEBPAGE"), op="create") == []
    assert check_ad(changed(AD, type="FILTER"), op="create", creative_type="WEB_VIEW") == []


# seed 001 "Third-Party Tracking Tags" example tag.
DCM_TAG = "https://ad.doubleclick.net/ddm/trackimp/N0000.1111111SNAPCHAT.COM/B22222222.222222222;ord=~.~TIMESTAMP~.~"


@pytest.mark.parametrize("field", rules.TRACKING_URL_FIELDS)
def test_tracking_urls_must_be_https_on_approved_domains(field: str) -> None:
    assert check_ad(changed(AD, **{field: [DCM_TAG]}), op="create") == []
    assert check_ad(changed(AD, **{field: [{"tracking_url": DCM_TAG}]}), op="create") == []
    for bad in ("http://ad.doubleclick.net/x", "https://tracker.example.com/x", 7):
        assert fields(check_ad(changed(AD, **{field: [DCM_TAG, bad]}), op="create")) == [
            f"{field}[1]"
        ]
    assert fields(check_ad(changed(AD, **{field: DCM_TAG}), op="create")) == [field]


# --- creatives (Snap docs: Creatives) --------------------------------------------------


def test_headline_and_brand_name_lengths() -> None:
    assert (
        check_creative(changed(CREATIVE, headline="h" * 34, brand_name="b" * 32), op="create") == []
    )
    assert fields(check_creative(changed(CREATIVE, headline="h" * 35), op="create")) == ["headline"]
    assert fields(check_creative(changed(CREATIVE, brand_name="b" * 33), op="create")) == [
        "brand_name"
    ]


def test_brand_name_is_required_unless_a_public_profile_is_set() -> None:
    anonymous = changed(CREATIVE, brand_name=DROP)
    assert fields(check_creative(anonymous, op="create")) == ["brand_name"]
    profile = changed(anonymous, profile_properties={"profile_id": "p1"})
    assert check_creative(profile, op="create") == []


def test_web_view_creatives_need_a_url() -> None:
    assert fields(check_creative(changed(CREATIVE, web_view_properties=DROP), op="create")) == [
        "web_view_properties"
    ]
    no_url = changed(CREATIVE, web_view_properties={"block_preload": True})
    assert fields(check_creative(no_url, op="create")) == ["web_view_properties.url"]


APP_INSTALL = changed(
    CREATIVE,
    type="APP_INSTALL",
    call_to_action="INSTALL_NOW",
    web_view_properties=DROP,
    app_install_properties={"app_name": "Badger", "ios_app_id": "1234", "icon_media_id": "m1"},
)


def test_app_install_creatives() -> None:
    assert check_creative(APP_INSTALL, op="create") == []
    props = APP_INSTALL["app_install_properties"]
    no_ids = changed(APP_INSTALL, app_install_properties=changed(props, ios_app_id=DROP))
    assert fields(check_creative(no_ids, op="create")) == ["app_install_properties.ios_app_id"]
    android = changed(props, ios_app_id=DROP, android_app_url="com.badger")
    assert check_creative(changed(APP_INSTALL, app_install_properties=android), op="create") == []
    long_name = changed(APP_INSTALL, app_install_properties=changed(props, app_name="a" * 31))
    assert fields(check_creative(long_name, op="create")) == ["app_install_properties.app_name"]
    no_icon = changed(APP_INSTALL, app_install_properties=changed(props, icon_media_id=DROP))
    assert fields(check_creative(no_icon, op="create")) == ["app_install_properties.icon_media_id"]


def test_deep_link_creatives_need_their_uri() -> None:
    props = {"app_name": "Badger", "android_app_url": "com.badger", "icon_media_id": "m1"}
    item = changed(CREATIVE, type="DEEP_LINK", web_view_properties=DROP, deep_link_properties=props)
    assert fields(check_creative(item, op="create")) == ["deep_link_properties.deep_link_uri"]
    props["deep_link_uri"] = "badger://sale"
    assert check_creative(item, op="create") == []


def test_story_creatives_need_a_preview() -> None:
    story = changed(CREATIVE, type="COMPOSITE", web_view_properties=DROP)
    assert fields(check_creative(story, op="create")) == ["preview_creative_id"]
    assert check_creative(changed(story, preview_creative_id="p1"), op="create") == []


def test_shareable_is_a_boolean() -> None:
    assert fields(check_creative(changed(CREATIVE, shareable="yes"), op="create")) == ["shareable"]


def test_creative_update_checks_only_what_is_sent() -> None:
    assert check_creative({"id": "cr1", "type": "WEB_VIEW", "name": "renamed"}, op="update") == []
    bad = {"id": "cr1", "type": "WEB_VIEW", "web_view_properties": {}}
    assert fields(check_creative(bad, op="update")) == ["web_view_properties.url"]


# --- bulk and list parameters (seed 003) -----------------------------------------------


@pytest.mark.parametrize(("kind", "limit"), sorted(rules.BULK_LIMITS.items()))
def test_bulk_limits(kind: str, limit: int) -> None:
    assert check_bulk(kind, [{}] * limit) == []
    found = check_bulk(kind, [{}] * (limit + 1))
    assert fields(found) == [kind]
    assert str(limit) in found[0].message
    assert fields(check_bulk(kind, [])) == [kind]


def test_bulk_limits_match_seed_003() -> None:
    expected = {"campaigns": 30, "adsquads": 30, "ads": 30, "creatives": 10, "media": 10}
    assert {k: rules.BULK_LIMITS[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("limit", "ok"), [(49, False), (50, True), (1000, True), (1001, False), ("x", False)]
)
def test_page_limit(limit: Any, ok: bool) -> None:
    found = check_list_params("adaccounts", "ads", {"limit": limit})
    assert (found == []) == ok


@pytest.mark.parametrize(("parent", "child"), sorted(rules.SORT_SUPPORTED))
def test_sort_on_supported_endpoints(parent: str, child: str) -> None:
    for sort in rules.SORT_VALUES:
        assert check_list_params(parent, child, {"sort": sort, "limit": 50}) == []
    assert fields(check_list_params(parent, child, {"sort": "name-asc"})) == ["sort"]


def test_sort_elsewhere_and_with_incompatible_params() -> None:
    assert fields(
        check_list_params("organizations", "adaccounts", {"sort": "created_at-desc"})
    ) == ["sort"]
    for param in rules.SORT_INCOMPATIBLE_PARAMS:
        params = {"sort": "updated_at-desc", param: "true"}
        assert fields(check_list_params("adaccounts", "ads", params)) == [param]


def test_lifetime_cap_factor_is_exposed_for_the_server() -> None:
    assert str(rules.LIFETIME_CAP_MIN_FACTOR) == "1.1"


def test_violations_carry_a_short_message() -> None:
    found = check_ad_squad(changed(AD_SQUAD, daily_budget_micro=10), op="create")
    assert found == [
        rules.Violation(
            "daily_budget_micro", "daily_budget_micro must be an integer of at least 5000000"
        )
    ]


def test_a_smart_campaign_update_checks_only_the_shared_properties_sent() -> None:
    current = {"id": "c1", "pacing_level": "CAMPAIGN", "shared_properties": {}}
    echo = {"id": "c1", "pacing_level": "CAMPAIGN"}
    assert check_campaign(echo, op="update", current=current) == []
    bad = {"id": "c1", "shared_properties": {"shared_optimization_goal": "SWIPES"}}
    assert "shared_properties" in fields(check_campaign(bad, op="update"))
    broken = {"id": "c1", "pacing_level": "CAMPAIGN", "shared_properties": "yes"}
    assert "shared_properties" in fields(check_campaign(broken, op="update"))


def test_null_counts_as_absent() -> None:
    # An update may send null to clear an optional field; no rule fires on a null.
    nulls = dict.fromkeys(
        ["bid_strategy", "optimization_goal", "buy_model", "type", "status", "daily_budget_micro"]
    )
    assert check_ad_squad({"id": "s1", "pacing_type": "ACCELERATED", **nulls}, op="update") == []
    smart = {"pacing_level": "CAMPAIGN", "shared_properties": {}}
    assert check_ad_squad({"id": "s1", **nulls}, op="update", campaign=smart) == []
    assert (
        check_campaign({"id": "c1", "end_time": None, "daily_budget_micro": None}, op="update")
        == []
    )
