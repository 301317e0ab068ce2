"""What the payloads build passes snap.rules: the client would send it, the sandbox accept it.

The payloads validate what the runner can get wrong; snap.rules holds Snap's documented
rules for the wire item. An item a valid payload builds must never break one of them.
"""

from __future__ import annotations

import pytest

from snap import rules
from snap.money import usd_to_micro
from tasks.payloads import ExperimentLaunch, validate_payload

from .support import example
from .test_snap_items import AD_NOW, AD_SQUAD_NOW, CAMPAIGN_NOW

CREATES = {
    "snap.campaign.create": "campaigns",
    "snap.adsquad.create": "adsquads",
    "snap.ad.create": "ads",
    "snap.creative.create": "creatives",
    "snap.media.upload": "media",
}
UPDATES = {
    "snap.campaign.update": ("campaigns", CAMPAIGN_NOW),
    "snap.campaign.pause": ("campaigns", CAMPAIGN_NOW),
    "snap.campaign.resume": ("campaigns", CAMPAIGN_NOW),
    "snap.adsquad.update": ("adsquads", AD_SQUAD_NOW),
    "snap.adsquad.pause": ("adsquads", AD_SQUAD_NOW),
    "snap.adsquad.resume": ("adsquads", AD_SQUAD_NOW),
    "snap.ad.update": ("ads", AD_NOW),
    "snap.ad.pause": ("ads", AD_NOW),
    "snap.ad.resume": ("ads", AD_NOW),
    "snap.experiment.set_variant_status": ("adsquads", AD_SQUAD_NOW),
}


def violations(kind: str, item: dict, op: str, **context) -> list[rules.Violation]:
    if kind == "campaigns" and op == "update":
        context.setdefault("current", CAMPAIGN_NOW)
    return rules.CHECKS[kind](item, op=op, **context)


@pytest.mark.parametrize("task", sorted(CREATES))
def test_a_create_item_passes_the_rules(task):
    item = validate_payload(task, example(task)).to_snap_item(usd_to_micro)
    context = {"currency": "USD"} if CREATES[task] == "adsquads" else {}
    assert violations(CREATES[task], item, "create", **context) == []


@pytest.mark.parametrize("task", sorted(UPDATES))
def test_an_update_item_passes_the_rules(task):
    kind, current = UPDATES[task]
    item = validate_payload(task, example(task)).to_snap_item(usd_to_micro, current=current)
    context = {"currency": "USD"} if kind == "adsquads" else {}
    assert violations(kind, item, "update", **context) == []


def test_an_experiments_items_pass_the_rules():
    launch = ExperimentLaunch.model_validate(example("snap.experiment.launch"))
    assert violations("campaigns", launch.campaign_item(usd_to_micro), "create") == []
    for variant in launch.variants:
        squad = launch.ad_squad_item(variant, campaign_id="c", to_micro=usd_to_micro)
        assert violations("adsquads", squad, "create", currency="USD") == []
        assert violations("ads", launch.ad_item(variant, ad_squad_id="s"), "create") == []
