"""The runner's work: one chain of mutations per ad account per round.

A chain touches every mutation of the catalog: campaign, ad squad, media upload,
creative, ad; updates; pause/resume pairs; an experiment launch and a variant toggle;
and on half the accounts the deletes. Each step needs the one before (ids), so a chain
runs step by step; the chains of the twelve accounts run side by side.

`expected_states` reads the runner's records back and says what each entity must look
like at Snap afterwards: the last write that succeeded decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Send = Callable[[str, dict[str, Any]], dict[str, Any]]

TARGETING = {"geos": [{"country_code": "us"}]}
START = "2026-01-01T00:00:00Z"


class ChainStopped(Exception):
    """A step the rest of the chain needs did not succeed (e.g. the tenant was revoked)."""


def _ok(result: dict[str, Any], step: str) -> dict[str, Any]:
    if result.get("status") != "succeeded":
        raise ChainStopped(f"{step}: {result.get('code')}")
    return result


def run_chain(send: Send, account: str, tag: str, media_path: str, *, deletes: bool) -> None:
    """One round on one account; `tag` makes the names unique (run, account, round)."""
    a = {"ad_account_id": account}
    campaign = _ok(
        send(
            "snap.campaign.create",
            {**a, "name": f"soak {tag} campaign", "status": "ACTIVE", "start_time": START,
             "daily_budget_usd": "100", "objective_v2_properties": {"objective_v2_type": "SALES"}},
        ),
        "campaign",
    )["snap_id"]  # fmt: skip
    squad = _ok(
        send(
            "snap.adsquad.create",
            {**a, "campaign_id": campaign, "name": f"soak {tag} squad", "targeting": TARGETING,
             "optimization_goal": "SWIPES", "bid_strategy": "AUTO_BID",
             "daily_budget_usd": "50", "status": "ACTIVE"},
        ),
        "adsquad",
    )["snap_id"]  # fmt: skip
    media = _ok(
        send(
            "snap.media.upload",
            {**a, "name": f"soak {tag} media", "media_type": "VIDEO", "file_path": media_path,
             "wait_ready_timeout_s": 60},
        ),
        "media",
    )["snap_id"]  # fmt: skip
    creative = _ok(
        send(
            "snap.creative.create",
            {**a, "name": f"soak {tag} creative", "type": "SNAP_AD", "headline": "Soak",
             "brand_name": "Soak", "top_snap_media_id": media, "shareable": True},
        ),
        "creative",
    )["snap_id"]  # fmt: skip
    ad = _ok(
        send(
            "snap.ad.create",
            {**a, "ad_squad_id": squad, "creative_id": creative, "name": f"soak {tag} ad",
             "type": "SNAP_AD", "status": "ACTIVE"},
        ),
        "ad",
    )["snap_id"]  # fmt: skip
    send("snap.campaign.update", {**a, "campaign_id": campaign, "daily_budget_usd": "120"})
    send("snap.adsquad.update", {**a, "ad_squad_id": squad, "daily_budget_usd": "60"})
    send("snap.ad.update", {**a, "ad_id": ad, "name": f"soak {tag} ad v2"})
    for kind, key, entity in (("ad", "ad_id", ad), ("adsquad", "ad_squad_id", squad),
                              ("campaign", "campaign_id", campaign)):  # fmt: skip
        send(f"snap.{kind}.pause", {**a, key: entity})
        send(f"snap.{kind}.resume", {**a, key: entity})
    experiment = f"soak-{tag}".replace(" ", "-")
    variants = [
        {"name": "control", "role": "control", "targeting": TARGETING, "creative_id": creative,
         "daily_budget_usd": "40"},
        {"name": "treatment", "role": "treatment", "targeting": TARGETING,
         "creative_id": creative, "daily_budget_usd": "40"},
    ]  # fmt: skip
    launched = send(
        "snap.experiment.launch",
        {**a, "experiment_id": experiment, "optimization_goal": "SWIPES", "variants": variants,
         "campaign": {"name": f"soak {tag} experiment", "start_time": START,
                      "daily_budget_usd": "100"}},
    )  # fmt: skip
    if launched.get("status") == "succeeded":
        send(
            "snap.experiment.set_variant_status",
            {**a, "experiment_id": experiment, "variant_name": "treatment", "status": "ACTIVE"},
        )
    if deletes:
        send("snap.ad.delete", {**a, "ad_id": ad})
        send("snap.adsquad.delete", {**a, "ad_squad_id": squad})
        send("snap.campaign.delete", {**a, "campaign_id": campaign})


# What a succeeded write leaves at Snap: (task name suffix) -> expected (status, deleted).
_EFFECT = {"pause": ("PAUSED", False), "resume": ("ACTIVE", False), "delete": (None, True)}
_ID_KEY = {"campaign": "campaign_id", "adsquad": "ad_squad_id", "ad": "ad_id"}


def expected_states(
    records: list[dict[str, Any]],
) -> dict[str, list[tuple[str | None, bool]]]:
    """entity id -> the (status, deleted) it may show: what the last succeeded write of the
    runner left, or what a later write that failed may have done (a write whose answer
    was lost, then refused on retry, e.g. after its tenant's token was revoked, may have
    landed: updates are absolute, so either state is the truth of one accepted write)."""
    expected: dict[str, list[tuple[str | None, bool]]] = {}
    for record in sorted(records, key=lambda r: r.get("done_at") or 0):
        result = record.get("result") or {}
        kind, _, verb = record["name"].removeprefix("snap.").partition(".")
        if result.get("status") != "succeeded":
            entity = (record.get("payload") or {}).get(_ID_KEY.get(kind, ""), "")
            if verb in _EFFECT and entity in expected:
                status, deleted = _EFFECT[verb]
                before = expected[entity][0][0]
                expected[entity].append((status or before, deleted))
            continue
        if kind not in _ID_KEY:
            continue
        if verb == "create":
            expected[str(result["snap_id"])] = [(record["payload"].get("status", "PAUSED"), False)]
        elif verb in _EFFECT:
            entity = record["payload"][_ID_KEY[kind]]
            status, deleted = _EFFECT[verb]
            before = expected.get(entity, [(None, False)])[0][0]
            expected[entity] = [(status or before, deleted)]
    return expected
