"""Ad squad rules of seed 004 (docs/architecture.md, Sources), plus seed 002's smart budget and
HCE rules that apply to an ad squad once its parent campaign is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from snap.rules.campaigns import (
    BID_STRATEGY_ALIASES,
    SMART_BUDGET_AD_SQUAD_TYPE,
    SMART_BUDGET_PACING_LEVEL,
)
from snap.rules.common import (
    AD_SQUAD_STATUSES,
    CONVERSION_WINDOWS,
    Item,
    Violation,
    _as_int,
    _between,
    _check_op,
    _deprecated,
    _enums,
    _flagged,
    _identity,
    _name,
    _present,
)

# seed 004 Attributes: type.
AD_SQUAD_TYPES: frozenset[str] = frozenset({"SNAP_ADS", "LENS", "FILTER"})
# seed 004 Attributes: billing_event.
BILLING_EVENTS: frozenset[str] = frozenset({"IMPRESSION"})
# seed 004 Attributes: pacing_type.
PACING_TYPES: frozenset[str] = frozenset({"STANDARD", "ACCELERATED"})
# seed 004 Attributes: delivery_constraint, and which budget field each one needs.
DELIVERY_CONSTRAINT_BUDGET_FIELD: dict[str, str | None] = {
    "DAILY_BUDGET": "daily_budget_micro",
    "LIFETIME_BUDGET": "lifetime_budget_micro",
    "REACH_AND_FREQUENCY": None,
}
DELIVERY_CONSTRAINTS: frozenset[str] = frozenset(DELIVERY_CONSTRAINT_BUDGET_FIELD)
# seed 004 Attributes: child_ad_type.
CHILD_AD_TYPES: frozenset[str] = frozenset(
    {
        "SNAP_AD",
        "LONGFORM_VIDEO",
        "APP_INSTALL",
        "REMOTE_WEBPAGE",
        "DEEP_LINK",
        "STORY",
        "AD_TO_LENS",
        "AD_TO_CALL",
        "AD_TO_MESSAGE",
        "FILTER",
        "LENS",
        "LENS_WEB_VIEW",
        "LENS_APP_INSTALL",
        "LENS_DEEP_LINK",
        "LENS_LONGFORM_VIDEO",
        "COLLECTION",
    }
)
# seed 004 Attributes: forced_view_setting; Snap docs: Creatives adds NONE.
FORCED_VIEW_SETTINGS: frozenset[str] = frozenset({"FULL_DURATION", "SIX_SECONDS"})
# seed 004 "Brand Safety Config".
BRAND_SAFETY_INVENTORY_OPTIONS: frozenset[str] = frozenset({"FULL_INVENTORY", "LIMITED_INVENTORY"})
# seed 004 "Third-Party Tracking Tags": measurement_provider_names.
MEASUREMENT_PROVIDER_NAMES: frozenset[str] = frozenset({"DOUBLEVERIFY"})
# seed 004 "placement_v2": config values (examples use AUTOMATIC and CUSTOM).
PLACEMENT_V2_CONFIGS: frozenset[str] = frozenset({"AUTOMATIC", "CUSTOM"})

# seed 004 Attributes: optimization_goal, plus the goals named in "Squad Optimization
# Goals" and "Optimization goals allowed per Bid Strategy".
OPTIMIZATION_GOALS: frozenset[str] = frozenset(
    {
        "IMPRESSIONS",
        "SWIPES",
        "APP_INSTALLS",
        "VIDEO_VIEWS",
        "VIDEO_VIEWS_15_SEC",
        "USES",
        "STORY_OPENS",
        "PIXEL_PAGE_VIEW",
        "PIXEL_ADD_TO_CART",
        "LANDING_PAGE_VIEW",
        "PIXEL_PURCHASE",
        "PIXEL_SIGNUP",
        "APP_ADD_TO_CART",
        "APP_PURCHASE",
        "APP_SIGNUP",
        "APP_REENGAGE_OPEN",
        "APP_REENGAGE_PURCHASE",
        "LEAD_FORM_SUBMISSIONS",
        # seed 004 "Optimization goals allowed per Bid Strategy" (AUTO_BID row).
        "APP_LEVEL_COMPLETE",
        "APP_ACHIEVEMENT_UNLOCKED",
        "APP_AD_VIEW",
    }
)

# seed 004 Attributes: bid_strategy.
BID_STRATEGIES: frozenset[str] = frozenset(
    {"AUTO_BID", "LOWEST_COST_WITH_MAX_BID", "MIN_ROAS", "TARGET_COST"}
)
# seed 004 "Optimization goals allowed per Bid Strategy". None = "No restrictions".
BID_STRATEGY_OPTIMIZATION_GOALS: dict[str, frozenset[str] | None] = {
    "AUTO_BID": frozenset(
        {
            "APP_INSTALLS",
            "IMPRESSIONS",
            "STORY_OPENS",
            "SWIPES",
            "USES",
            "VIDEO_VIEWS",
            "VIDEO_VIEWS_15_SEC",
            "PIXEL_PURCHASE",
            "PIXEL_SIGNUP",
            "PIXEL_PAGE_VIEW",
            "PIXEL_ADD_TO_CART",
            "APP_PURCHASE",
            "APP_SIGNUP",
            "APP_ADD_TO_CART",
            "APP_REENGAGE_PURCHASE",
            "APP_REENGAGE_OPEN",
            "LANDING_PAGE_VIEW",
        }
    ),
    "LOWEST_COST_WITH_MAX_BID": None,
    "MIN_ROAS": frozenset({"APP_PURCHASE"}),
    "TARGET_COST": frozenset(
        {
            "APP_INSTALLS",
            "SWIPES",
            "USES",
            "VIDEO_VIEWS_15_SEC",
            "PIXEL_PURCHASE",
            "PIXEL_SIGNUP",
            "PIXEL_PAGE_VIEW",
            "PIXEL_ADD_TO_CART",
            "APP_PURCHASE",
            "APP_SIGNUP",
            "APP_ADD_TO_CART",
            "APP_REENGAGE_PURCHASE",
            "APP_REENGAGE_OPEN",
            "STORY_OPENS",
            "LANDING_PAGE_VIEW",
        }
    ),
}
# seed 004 "Update an Ad Squad": "bid_micro R if BidStrategy = LOWEST_COST_WITH_MAX_BID or
# TARGET_COST"; "Bid Strategy" table: "use bid_micro to set bid" for the same two.
BID_MICRO_REQUIRED_STRATEGIES: frozenset[str] = frozenset(
    {"LOWEST_COST_WITH_MAX_BID", "TARGET_COST"}
)
# seed 004 Attributes (roas_value_micro) and "Bid Strategy" (MIN_ROAS): 10,000..100,000,000.
ROAS_VALUE_MICRO_RANGE: tuple[int, int] = (10_000, 100_000_000)
ROAS_STRATEGY = "MIN_ROAS"

# seed 004 Attributes (daily_budget_micro): "Minimum value 5000000 across all supported
# currencies".
AD_SQUAD_DAILY_BUDGET_MIN_MICRO = 5_000_000

# seed 004 "Currency specific bids": ISO code -> (min, max) bid_micro in micro-currency.
BID_MICRO_BOUNDS: dict[str, tuple[int, int]] = {
    "AED": (10_000, 500_000_000),
    "AUD": (10_000, 100_000_000),
    "BAM": (10_000, 100_000_000),
    "CAD": (10_000, 100_000_000),
    "CHF": (10_000, 100_000_000),
    "CNY": (10_000, 500_000_000),
    "DKK": (10_000, 500_000_000),
    "EUR": (10_000, 100_000_000),
    "GBP": (10_000, 100_000_000),
    "HKD": (10_000, 500_000_000),
    "ILS": (10_000, 500_000_000),
    "INR": (10_000, 500_000_000),
    "KWD": (10_000, 100_000_000),
    "NOK": (10_000, 500_000_000),
    "QAR": (10_000, 500_000_000),
    "SAR": (10_000, 500_000_000),
    "SEK": (10_000, 500_000_000),
    "USD": (10_000, 500_000_000),
}

# seed 004 "Pacing Types / Validations": what ACCELERATED pacing requires.
ACCELERATED_PACING = "ACCELERATED"
ACCELERATED_BID_STRATEGY = "LOWEST_COST_WITH_MAX_BID"
ACCELERATED_OPTIMIZATION_GOALS: frozenset[str] = frozenset(
    {"IMPRESSIONS", "USES", "SWIPES", "VIDEO_VIEWS", "VIDEO_VIEWS_15_SEC", "STORY_OPENS"}
)

# seed 004 "Squad Optimization Goal for Housing Credit Employment (HCE)": campaigns with
# "regulations": {"restricted_delivery_signals": true} allow only these goals.
HCE_OPTIMIZATION_GOALS: frozenset[str] = frozenset(
    {"IMPRESSIONS", "SWIPES", "APP_INSTALLS", "PIXEL_PAGE_VIEW", "PIXEL_SIGNUP"}
)

# seed 004 "Ad Scheduling": day keys and hour_of_day values 0-23; needs a lifetime budget.
AD_SCHEDULING_DAYS: frozenset[str] = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)
AD_SCHEDULING_HOURS: range = range(24)

# seed 004 "Frequency Cap Spec" (cap_and_exclusion_config.frequency_cap_config[]). The
# seed's own example writes the enums in lower case, so they are compared case-insensitively.
FREQUENCY_CAP_TYPES: frozenset[str] = frozenset(
    {"IMPRESSIONS", "SWIPES", "VIDEO_VIEWS_15_SEC", "VIDEO_VIEWS", "STORY_OPENS", "USES"}
)
FREQUENCY_CAP_INTERVALS: dict[str, int] = {"HOURS": 720, "DAYS": 30}  # max time_interval

# seed 004 "Update an Ad Squad / Attributes that can be updated".
AD_SQUAD_UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {
        "bid_strategy",
        "bid_micro",
        "roas_value_micro",
        "daily_budget_micro",
        "lifetime_budget_micro",
        "start_time",
        "end_time",
        "name",
        "status",
        "targeting",
        "pixel_id",
        "cap_and_exclusion_config",
        "included_content_types",
        "excluded_content_types",
        "pacing_type",
    }
)
# seed 004 Attributes (R column) for a create. billing_event is R in the table but has a
# single value and the seed's own create examples (SKAdNetwork) omit it, so it is checked
# only when present; delivery_constraint likewise follows from the budget chosen. `type`
# follows the table although those SKAdNetwork examples omit it too.
AD_SQUAD_REQUIRED_FIELDS: tuple[str, ...] = (
    "campaign_id",
    "name",
    "type",
    "targeting",
    "placement_v2",
    "optimization_goal",
    "bid_strategy",
)


def check_ad_squad(
    item: Item, *, op: str, currency: str | None = None, campaign: Item | None = None
) -> list[Violation]:
    """Ad squad rules of seed 004 (and seed 002's smart budgets and HCE when the parent
    `campaign` is known; the bid bounds when the account `currency` is known)."""
    _check_op(op)
    found = _identity(item, op, AD_SQUAD_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, _AD_SQUAD_ENUMS)
    for rule in _AD_SQUAD_RULES:
        found += rule(item, op)
    found += _bid_micro_bounds(item, currency)
    if campaign is not None:
        found += _smart_budget_ad_squad(item, campaign)
        found += _hce_goal(item, campaign)
    return found


def _canonical_strategy(value: Any) -> Any:
    """AUTOBID (seed 002's spelling) and AUTO_BID are the same strategy."""
    return BID_STRATEGY_ALIASES.get(value, value) if isinstance(value, str) else value


_AD_SQUAD_ENUMS: dict[str, frozenset[str]] = {
    "status": AD_SQUAD_STATUSES,
    "type": AD_SQUAD_TYPES,
    "billing_event": BILLING_EVENTS,
    "pacing_type": PACING_TYPES,
    "conversion_window": CONVERSION_WINDOWS,
    "delivery_constraint": DELIVERY_CONSTRAINTS,
    "optimization_goal": OPTIMIZATION_GOALS,
    "bid_strategy": BID_STRATEGIES,
    "child_ad_type": CHILD_AD_TYPES,
    "forced_view_setting": FORCED_VIEW_SETTINGS,
}


def _budget_choice(item: Item, op: str) -> list[Violation]:
    """seed 004: "one of daily_budget_micro or lifetime_budget_micro must be set"."""
    daily, lifetime = _present(item, "daily_budget_micro"), _present(item, "lifetime_budget_micro")
    if daily and lifetime:
        return [
            Violation(
                "lifetime_budget_micro",
                "only one of daily_budget_micro or lifetime_budget_micro may be set",
            )
        ]
    if op == "create" and not (daily or lifetime):
        return [
            Violation(
                "daily_budget_micro",
                "one of daily_budget_micro or lifetime_budget_micro must be set",
            )
        ]
    return []


def _budget_amounts(item: Item, op: str) -> list[Violation]:
    """seed 004: daily_budget_micro "Minimum value 5000000 across all supported currencies"."""
    found = []
    if _present(item, "daily_budget_micro"):
        daily = _as_int(item["daily_budget_micro"])
        if daily is None or daily < AD_SQUAD_DAILY_BUDGET_MIN_MICRO:
            found.append(
                Violation(
                    "daily_budget_micro",
                    "daily_budget_micro must be an integer of at least "
                    f"{AD_SQUAD_DAILY_BUDGET_MIN_MICRO}",
                )
            )
    if (
        _present(item, "lifetime_budget_micro")
        and (_as_int(item["lifetime_budget_micro"]) or 0) <= 0
    ):
        found.append(
            Violation("lifetime_budget_micro", "lifetime_budget_micro must be a positive integer")
        )
    return found


def _delivery_constraint(item: Item, op: str) -> list[Violation]:
    """seed 004: DAILY_BUDGET goes with daily_budget_micro, LIFETIME_BUDGET with lifetime."""
    needed = DELIVERY_CONSTRAINT_BUDGET_FIELD.get(item.get("delivery_constraint") or "")
    other = {
        "daily_budget_micro": "lifetime_budget_micro",
        "lifetime_budget_micro": "daily_budget_micro",
    }
    if needed is None or not _present(item, other[needed]):
        return []
    constraint = item["delivery_constraint"]
    return [
        Violation(
            "delivery_constraint",
            f"delivery_constraint {constraint} requires {needed}, not {other[needed]}",
        )
    ]


def _bid_micro(item: Item, op: str) -> list[Violation]:
    """seed 004: bid_micro is required for LOWEST_COST_WITH_MAX_BID and TARGET_COST."""
    if _present(item, "bid_micro"):
        if (_as_int(item["bid_micro"]) or 0) <= 0:
            return [Violation("bid_micro", "bid_micro must be a positive integer")]
        return []
    strategy = item.get("bid_strategy")
    if strategy in BID_MICRO_REQUIRED_STRATEGIES:
        return [Violation("bid_micro", f"bid_micro is required when bid_strategy is {strategy}")]
    return []


def _bid_micro_bounds(item: Item, currency: str | None) -> list[Violation]:
    """seed 004 "Currency specific bids": bounds set by the ad account's currency."""
    bounds = BID_MICRO_BOUNDS.get((currency or "").upper())
    bid = _as_int(item.get("bid_micro"))
    if bounds is None or bid is None or bid <= 0 or bounds[0] <= bid <= bounds[1]:
        return []
    low, high = bounds
    return [
        Violation(
            "bid_micro", f"bid_micro must be between {low} and {high} for currency {currency}"
        )
    ]


def _strategy_goal(item: Item, op: str) -> list[Violation]:
    """seed 004 "Optimization goals allowed per Bid Strategy"."""
    strategy = _canonical_strategy(item.get("bid_strategy"))
    goal = item.get("optimization_goal")
    allowed = BID_STRATEGY_OPTIMIZATION_GOALS.get(strategy) if goal is not None else None
    if allowed is None or goal in allowed:
        return []
    return [
        Violation(
            "optimization_goal",
            f"optimization_goal {goal} is not allowed with bid_strategy {strategy}",
        )
    ]


def _roas(item: Item, op: str) -> list[Violation]:
    """seed 004: roas_value_micro "R if BidStrategy = MIN_ROAS", 10000..100000000."""
    low, high = ROAS_VALUE_MICRO_RANGE
    if _present(item, "roas_value_micro"):
        roas = _as_int(item["roas_value_micro"])
        return (
            []
            if roas is not None and low <= roas <= high
            else [_between("roas_value_micro", low, high)]
        )
    if item.get("bid_strategy") == ROAS_STRATEGY:
        return [
            Violation(
                "roas_value_micro", "roas_value_micro is required when bid_strategy is MIN_ROAS"
            )
        ]
    return []


def _accelerated(item: Item, op: str) -> list[Violation]:
    """seed 004 "Pacing Types / Validations" for ACCELERATED pacing."""
    if item.get("pacing_type") != ACCELERATED_PACING:
        return []
    when = "when pacing_type is ACCELERATED"
    goals = ", ".join(sorted(ACCELERATED_OPTIMIZATION_GOALS))
    strategy = item.get("bid_strategy") or ACCELERATED_BID_STRATEGY
    goal = item.get("optimization_goal") or "IMPRESSIONS"  # absent: nothing to check
    return _flagged(
        (
            strategy != ACCELERATED_BID_STRATEGY,
            "bid_strategy",
            f"bid_strategy must be {ACCELERATED_BID_STRATEGY} {when}",
        ),
        (
            op == "create" and not _present(item, "bid_micro"),
            "bid_micro",
            f"bid_micro is required {when}",
        ),
        (
            goal not in ACCELERATED_OPTIMIZATION_GOALS,
            "optimization_goal",
            f"optimization_goal must be one of {goals} {when}",
        ),
    )


def _ad_scheduling(item: Item, op: str) -> list[Violation]:
    """seed 004 "Ad Scheduling": needs lifetime_budget_micro, days monday..sunday, hours 0-23."""
    config = item.get("ad_scheduling_config")
    if config is None:
        return []
    found = []
    if _present(item, "daily_budget_micro") or (
        op == "create" and not _present(item, "lifetime_budget_micro")
    ):
        found.append(
            Violation(
                "ad_scheduling_config",
                "ad_scheduling_config requires lifetime_budget_micro instead of daily_budget_micro",
            )
        )
    if not isinstance(config, Mapping):
        return [*found, Violation("ad_scheduling_config", "ad_scheduling_config must be an object")]
    for day, spec in config.items():
        found += _schedule_day(day, spec)
    return found


def _schedule_day(day: str, spec: Any) -> list[Violation]:
    path = f"ad_scheduling_config.{day}"
    if day not in AD_SCHEDULING_DAYS:
        return [Violation(path, f"{day} is not a day of the week (monday..sunday)")]
    hours = spec.get("hour_of_day") if isinstance(spec, Mapping) else None
    valid = (
        isinstance(hours, list)
        and hours
        and all(
            isinstance(h, int) and not isinstance(h, bool) and h in AD_SCHEDULING_HOURS
            for h in hours
        )
    )
    return (
        []
        if valid
        else [Violation(f"{path}.hour_of_day", "hour_of_day must be a list of hours 0-23")]
    )


def _frequency_caps(item: Item, op: str) -> list[Violation]:
    """seed 004 "Frequency Cap Spec" (max 30 days or 720 hours)."""
    config = item.get("cap_and_exclusion_config")
    caps = config.get("frequency_cap_config") if isinstance(config, Mapping) else None
    if not isinstance(caps, list):
        return []
    return [v for i, cap in enumerate(caps) for v in _frequency_cap(i, cap)]


def _frequency_cap(index: int, cap: Any) -> list[Violation]:
    path = f"cap_and_exclusion_config.frequency_cap_config[{index}]"
    if not isinstance(cap, Mapping):
        return [Violation(path, "frequency cap must be an object")]
    kinds = ", ".join(sorted(FREQUENCY_CAP_TYPES))
    max_interval = FREQUENCY_CAP_INTERVALS.get(str(cap.get("frequency_cap_interval", "")).upper())
    interval = _as_int(cap.get("time_interval"))
    found = _flagged(
        (
            str(cap.get("frequency_cap_type", "")).upper() not in FREQUENCY_CAP_TYPES,
            f"{path}.frequency_cap_type",
            f"frequency_cap_type must be one of {kinds}",
        ),
        (
            max_interval is None,
            f"{path}.frequency_cap_interval",
            "frequency_cap_interval must be HOURS or DAYS",
        ),
        (
            (_as_int(cap.get("frequency_cap_count")) or 0) < 1,
            f"{path}.frequency_cap_count",
            "frequency_cap_count must be a positive integer",
        ),
    )
    if max_interval is not None and (interval is None or not 1 <= interval <= max_interval):
        found.insert(1, _between(f"{path}.time_interval", 1, max_interval))
    return found


def _ad_squad_options(item: Item, op: str) -> list[Violation]:
    """seed 004 Brand Safety Config, measurement_provider_names and placement_v2.config."""
    safety = item.get("brand_safety_config")
    inventory = safety.get("inventory_option") if isinstance(safety, Mapping) else None
    providers = item.get("measurement_provider_names")
    placement = item.get("placement_v2")
    config = placement.get("config") if isinstance(placement, Mapping) else None
    options = ", ".join(sorted(BRAND_SAFETY_INVENTORY_OPTIONS))
    return _flagged(
        (
            inventory is not None and inventory not in BRAND_SAFETY_INVENTORY_OPTIONS,
            "brand_safety_config.inventory_option",
            f"brand_safety_config.inventory_option must be one of {options}",
        ),
        (
            providers is not None
            and (
                not isinstance(providers, list) or not set(providers) <= MEASUREMENT_PROVIDER_NAMES
            ),
            "measurement_provider_names",
            "measurement_provider_names must be a list of DOUBLEVERIFY",
        ),
        (
            config is not None and str(config).upper() not in PLACEMENT_V2_CONFIGS,
            "placement_v2.config",
            "placement_v2.config must be AUTOMATIC or CUSTOM",
        ),
    )


def _ad_squad_deprecated(item: Item, op: str) -> list[Violation]:
    return _deprecated(item, op, "adsquads")


_AD_SQUAD_RULES: tuple[Callable[[Item, str], list[Violation]], ...] = (
    _budget_choice,
    _budget_amounts,
    _delivery_constraint,
    _bid_micro,
    _strategy_goal,
    _roas,
    _accelerated,
    _ad_scheduling,
    _frequency_caps,
    _ad_squad_options,
    _ad_squad_deprecated,
)

# seed 002 "Smart Budgets - Ad Squad level Attributes": ad squad field -> campaign
# shared_properties field it must mirror.
SMART_BUDGET_MIRRORED_FIELDS: dict[str, str] = {
    "optimization_goal": "shared_optimization_goal",
    "bid_strategy": "shared_ad_squad_bid_strategy",
    "conversion_window": "shared_conversion_window",
    "pixel_id": "shared_pixel_id",
}


def _smart_budget_ad_squad(item: Item, campaign: Item) -> list[Violation]:
    """seed 002: ad squads of a pacing_level CAMPAIGN campaign mirror its shared_properties,
    have no lifetime budget, no ACCELERATED pacing and type SNAP_ADS."""
    if campaign.get("pacing_level") != SMART_BUDGET_PACING_LEVEL:
        return []
    under = "under a smart budget campaign"
    return _mirrors(item, campaign.get("shared_properties") or {}) + _flagged(
        (
            _present(item, "lifetime_budget_micro"),
            "lifetime_budget_micro",
            f"lifetime_budget_micro is not allowed {under}",
        ),
        (
            item.get("pacing_type") == ACCELERATED_PACING,
            "pacing_type",
            f"pacing_type cannot be ACCELERATED {under}",
        ),
        (
            (item.get("type") or SMART_BUDGET_AD_SQUAD_TYPE) != SMART_BUDGET_AD_SQUAD_TYPE,
            "type",
            f"type must be {SMART_BUDGET_AD_SQUAD_TYPE} {under}",
        ),
    )


def _mirrors(item: Item, shared: Item) -> list[Violation]:
    found = []
    for field, shared_field in SMART_BUDGET_MIRRORED_FIELDS.items():
        want = _canonical_strategy(shared.get(shared_field))
        got = _canonical_strategy(item.get(field))
        if want is not None and got is not None and got != want:
            found.append(
                Violation(field, f"{field} must match the campaign's {shared_field} ({want})")
            )
    return found


def _hce_goal(item: Item, campaign: Item) -> list[Violation]:
    """seed 004 "Squad Optimization Goal for Housing Credit Employment (HCE)"."""
    regulations = campaign.get("regulations")
    restricted = (
        isinstance(regulations, Mapping) and regulations.get("restricted_delivery_signals") is True
    )
    goal = item.get("optimization_goal")
    if not restricted or goal is None or goal in HCE_OPTIMIZATION_GOALS:
        return []
    allowed = ", ".join(sorted(HCE_OPTIMIZATION_GOALS))
    return [
        Violation(
            "optimization_goal",
            f"optimization_goal must be one of {allowed} "
            "for a campaign with restricted_delivery_signals",
        )
    ]
