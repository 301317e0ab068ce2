"""Campaign rules of seed 002 (docs/architecture.md, Sources), smart budgets included.

The ad squad side of a smart budget (mirroring shared_properties) is checked in
`adsquads`, which reads the campaign tables here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from snap.rules.common import (
    CAMPAIGN_STATUSES,
    CONVERSION_WINDOWS,
    READ_ONLY_FIELDS,
    Item,
    Violation,
    _check_op,
    _enums,
    _flagged,
    _identity,
    _name,
    _nested,
    _non_negative_micros,
    _present,
)

# seed 002 (Campaign Attributes: lifetime_spend_cap_micro): "Reducing the limit is allowed
# as long as the new limit is 1.1 times the amount already spent." Needs the spend so far:
# checked by the server (sandbox), not before sending.
LIFETIME_CAP_MIN_FACTOR = Decimal("1.1")

# seed 002 Campaign Attributes: objective.
CAMPAIGN_OBJECTIVES: frozenset[str] = frozenset(
    {
        "BRAND_AWARENESS",
        "APP_CONVERSION",
        "APP_INSTALL",
        "CATALOG_SALES",
        "ENGAGEMENT",
        "LEAD_GENERATION",
        "VIDEO_VIEW",
        "WEB_CONVERSION",
        "PROMOTE_STORIES",
        "PROMOTE_PLACES",
        # seed 002 "objective_v2 - API Campaign creation default behaviour" and
        # "Business logic" tables also name these objectives.
        "APP_REENGAGEMENT",
        "WEB_VIEW",
    }
)
# seed 002 Campaign Objective V2 properties.
OBJECTIVE_V2_TYPES: frozenset[str] = frozenset(
    {"AWARENESS_AND_ENGAGEMENT", "SALES", "TRAFFIC", "APP_PROMOTION", "LEADS"}
)
PROMOTION_TYPES: frozenset[str] = frozenset(
    {"PROMOTE_PLACES", "PROMOTE_SHOWS", "APP_INSTALL", "APP_REENGAGEMENT"}
)
# seed 002 Campaign Attributes: buy_model.
BUY_MODELS: frozenset[str] = frozenset({"AUCTION", "RESERVED"})

# seed 002 Campaign Attributes (R column) for a create.
CAMPAIGN_REQUIRED_FIELDS: tuple[str, ...] = ("ad_account_id", "name", "start_time", "status")

# seed 002 "Update a Campaign / Attributes that can be updated".
CAMPAIGN_UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {"end_time", "name", "daily_budget_micro", "lifetime_spend_cap_micro", "start_time", "status"}
)
# seed 002 "Update a Campaign" (R column): name and status are required on an update.
CAMPAIGN_UPDATE_REQUIRED_FIELDS: tuple[str, ...] = ("name", "status")
# seed 002 "Example - Update a Campaign": the body also carries the identity and these
# attributes unchanged. They may be sent, but not changed.
CAMPAIGN_UPDATE_ECHO_FIELDS: frozenset[str] = frozenset(
    {"id", "ad_account_id", "objective", "buy_model", "objective_v2_properties"}
)

# seed 002 "Smart Budget - Campaign level settings".
SMART_BUDGET_PACING_LEVEL = "CAMPAIGN"
PACING_LEVELS: frozenset[str] = frozenset({SMART_BUDGET_PACING_LEVEL})
# seed 002 shared_properties: shared_ad_squad_bid_strategy "AUTOBID, , LOWEST_COST_WITH_MAX_BID".
# The seed's own Example 2 writes AUTO_BID, so both spellings are accepted and compared
# as the same strategy.
SHARED_BID_STRATEGIES: frozenset[str] = frozenset(
    {"AUTOBID", "AUTO_BID", "LOWEST_COST_WITH_MAX_BID"}
)
BID_STRATEGY_ALIASES: dict[str, str] = {"AUTOBID": "AUTO_BID"}
# seed 002 shared_properties: shared_conversion_location.
SHARED_CONVERSION_LOCATIONS: frozenset[str] = frozenset({"APP", "WEB", "CALL", "TEXT", "LEAD_FORM"})
# seed 002 "Validations" (smart budgets): allowed shared_optimization_goal, and whether a
# shared_conversion_window goes with it ("-" = none, else "as per mapping").
SMART_BUDGET_OPTIMIZATION_GOALS: dict[str, bool] = {"IMPRESSIONS": False, "PIXEL_PURCHASE": True}
# seed 002 "shared_pixel_id: Required if shared_optimization_goal is PIXEL_PURCHASE".
SMART_BUDGET_PIXEL_GOALS: frozenset[str] = frozenset({"PIXEL_PURCHASE"})
# seed 002 "Smart Budgets - Ad Squad level Attributes": type SNAP_ADS, pacing not ACCELERATED.
SMART_BUDGET_AD_SQUAD_TYPE = "SNAP_ADS"


def check_campaign(item: Item, *, op: str, current: Item | None = None) -> list[Violation]:
    """Campaign rules of seed 002. `current` (the stored campaign) lets an update echo
    non-updatable attributes unchanged, as a read-modify-write does."""
    _check_op(op)
    found = _identity(item, op, CAMPAIGN_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, _CAMPAIGN_ENUMS)
    found += _non_negative_micros(item, ("daily_budget_micro", "lifetime_spend_cap_micro"))
    found += _objective_v2(item)
    found += _smart_budget_campaign(item, op)
    if op == "update":
        found += _campaign_update_fields(item, current)
    return found


_CAMPAIGN_ENUMS: dict[str, frozenset[str]] = {
    "status": CAMPAIGN_STATUSES,
    # seed 002's smart budget examples return objective_v2 values ("APP_PROMOTION",
    # "SALES") in `objective`; a read-modify-write echoes them back, so they pass.
    "objective": CAMPAIGN_OBJECTIVES | OBJECTIVE_V2_TYPES,
    "buy_model": BUY_MODELS,
    "pacing_level": PACING_LEVELS,
}


def _objective_v2(item: Item) -> list[Violation]:
    props = item.get("objective_v2_properties")
    if props is None:
        return []
    if not isinstance(props, Mapping):
        return [Violation("objective_v2_properties", "objective_v2_properties must be an object")]
    table = {"objective_v2_type": OBJECTIVE_V2_TYPES, "promotion_type": PROMOTION_TYPES}
    return _nested(_enums(props, table), "objective_v2_properties")


def _smart_budget_campaign(item: Item, op: str) -> list[Violation]:
    """seed 002 "Smart Budget - Campaign level settings"."""
    if item.get("pacing_level") != SMART_BUDGET_PACING_LEVEL:
        return []
    when = "when pacing_level is CAMPAIGN"
    shared = item.get("shared_properties")
    found = _flagged(
        (
            op == "create" and not _present(item, "daily_budget_micro"),
            "daily_budget_micro",
            f"daily_budget_micro is required {when}",
        ),
        (
            _present(item, "lifetime_budget_micro"),
            "lifetime_budget_micro",
            f"lifetime_budget_micro is not allowed {when}",
        ),
        (
            (item.get("buy_model") or "AUCTION") != "AUCTION",
            "buy_model",
            f"buy_model must be AUCTION {when}",
        ),
        # a partial update keeps the stored shared_properties
        (
            not isinstance(shared, Mapping) and (op == "create" or shared is not None),
            "shared_properties",
            f"shared_properties is required {when}",
        ),
    )
    if isinstance(shared, Mapping):
        found += _nested(_shared_properties(shared), "shared_properties")
    return found


def _shared_properties(shared: Item) -> list[Violation]:
    """seed 002 shared_properties table and its "Validations" table."""
    goal = str(shared.get("shared_optimization_goal"))
    window_unused = SMART_BUDGET_OPTIMIZATION_GOALS.get(goal) is False
    return _enums(shared, _SHARED_PROPERTY_ENUMS) + _flagged(
        *((not _present(shared, f), f, f"{f} is required") for f in _SHARED_PROPERTY_REQUIRED),
        (
            goal in SMART_BUDGET_PIXEL_GOALS and not _present(shared, "shared_pixel_id"),
            "shared_pixel_id",
            f"shared_pixel_id is required for {goal}",
        ),
        (
            window_unused and _present(shared, "shared_conversion_window"),
            "shared_conversion_window",
            f"shared_conversion_window is not used with {goal}",
        ),
    )


_SHARED_PROPERTY_ENUMS: dict[str, frozenset[str]] = {
    "shared_optimization_goal": frozenset(SMART_BUDGET_OPTIMIZATION_GOALS),
    "shared_ad_squad_bid_strategy": SHARED_BID_STRATEGIES,
    "shared_conversion_window": CONVERSION_WINDOWS,
    "shared_conversion_location": SHARED_CONVERSION_LOCATIONS,
}
_SHARED_PROPERTY_REQUIRED = ("shared_optimization_goal", "shared_ad_squad_bid_strategy")


def _campaign_update_fields(item: Item, current: Item | None) -> list[Violation]:
    """seed 002 "Attributes that can be updated". Echoes of the stored value are fine."""
    allowed = (
        CAMPAIGN_UPDATABLE_FIELDS | CAMPAIGN_UPDATE_ECHO_FIELDS | READ_ONLY_FIELDS["campaigns"]
    )
    found = []
    for field, value in item.items():
        if field in allowed or (current is not None and current.get(field) == value):
            continue
        found.append(Violation(field, f"{field} cannot be updated on a campaign"))
    return found
