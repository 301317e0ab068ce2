"""USD amounts stay exact Decimals from the runner's JSON to the injected converter."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from snap.money import convert_usd_to_micro
from tasks.payloads import CampaignCreate, ExperimentLaunch, ratio_to_micro, validate_payload

from .support import example, usd_as_micro


@pytest.mark.parametrize("raw", [0.1, "0.1", "0.10"])
def test_a_tenth_stays_a_tenth(raw):
    # Given 0.1 sent as a JSON number or a string (a float would be 0.1000000000000000055...)
    payload = json.loads(json.dumps(example("snap.campaign.create", daily_budget_usd=raw)))
    model = validate_payload("snap.campaign.create", payload)
    assert model.daily_budget_usd == Decimal("0.1")
    assert isinstance(model.daily_budget_usd, Decimal)


@pytest.mark.parametrize("raw", ["0.000001", "123456.123456", 0, "0"])
def test_six_decimals_and_zero_are_accepted(raw):
    payload = example("snap.campaign.create", daily_budget_usd=raw)
    model = validate_payload("snap.campaign.create", payload)
    assert model.daily_budget_usd == Decimal(str(raw))


def test_the_converter_receives_the_exact_decimal():
    seen: list[Decimal] = []

    def to_micro(amount_usd: Decimal) -> int:
        seen.append(amount_usd)
        return usd_as_micro(amount_usd)

    payload = example(
        "snap.campaign.create", daily_budget_usd=0.29, lifetime_spend_cap_usd="1000.000001"
    )
    model = validate_payload("snap.campaign.create", payload)
    item = model.to_snap_item(to_micro)
    assert seen == [Decimal("0.29"), Decimal("1000.000001")]
    assert item["daily_budget_micro"] == 290_000
    assert item["lifetime_spend_cap_micro"] == 1_000_000_001


def test_the_converter_decides_the_micro_amount_fx_included():
    # Given a EUR account at 0.5 EUR per USD, the task injects the FX-aware converter
    model = CampaignCreate.model_validate(example("snap.campaign.create"))
    item = model.to_snap_item(lambda usd: int(usd * Decimal("0.5") * 1_000_000))
    assert item["daily_budget_micro"] == 75_000_000  # 150 USD -> 75 EUR


def test_a_roas_ratio_is_micro_units_without_fx():
    # seed 004: roas_value_micro 1500000 means 1.5x in any currency; it is not money
    assert ratio_to_micro(Decimal("1.5")) == 1_500_000
    assert ratio_to_micro(Decimal("0.0000005")) == 1  # half-up
    model = validate_payload("snap.adsquad.create", example("snap.adsquad.create",
                             bid_strategy="MIN_ROAS", bid_usd=None, roas_value="2.25",
                             optimization_goal="APP_PURCHASE"))  # fmt: skip
    item = model.to_snap_item(lambda usd: 0)
    assert item["roas_value_micro"] == 2_250_000


def test_experiment_variant_budgets_go_through_the_converter():
    model = ExperimentLaunch.model_validate(example("snap.experiment.launch"))
    squads = [
        model.ad_squad_item(v, campaign_id="c", to_micro=lambda usd: int(usd * 2))
        for v in model.variants
    ]
    assert [s["daily_budget_micro"] for s in squads] == [200, 200]


def test_the_real_fx_converter_plugs_in():
    # Given a EUR account where 1 EUR = 1.08 USD, 108 USD of daily budget is 100 EUR
    model = validate_payload(
        "snap.adsquad.create", example("snap.adsquad.create", daily_budget_usd="108")
    )
    item = model.to_snap_item(lambda usd: convert_usd_to_micro(usd, "EUR", "1.08"))
    assert item["daily_budget_micro"] == 100_000_000
    assert item["bid_micro"] == 1_157_407  # 1.25 USD / 1.08, rounded half-up
