"""The documented Snap Marketing API rules, as data, plus pure checks over them.

Every table names the seed (``../shared/seeds/``) or the ``snap-api.md`` section it
comes from, so a reader can hold the number against its source. The client refuses a
write that breaks one of these rules before it is sent, and the sandbox answers the same
write with a 400 built from the same violations, so the two can never disagree.

Seeds: 001 = Ads, 002 = Campaigns, 003 = API patterns, 004 = Ad Squads.
Rules that need server state (what was already spent, whether an ad squad is running)
are left to the server; their constants still live here so the sandbox uses the same
numbers (``LIFETIME_CAP_MIN_FACTOR``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

# --- Shared limits -------------------------------------------------------------------

# seed 001 (Ads: name), 002 (Campaign Attributes: name), 004 (Attributes: name),
# snap-api.md "Creative attributes": "max length: 375 characters".
NAME_MAX_LEN = 375

# seed 003 "Entity Request Limits": create/update limit per request, by plural API key.
BULK_LIMITS: dict[str, int] = {
    "campaigns": 30,
    "adsquads": 30,
    "ads": 30,
    "creatives": 10,
    "media": 10,
    "organizations": 15,
    "adaccounts": 15,
    "segments": 15,
}

# seed 003 "Pagination": "limit | O | integer, min 50, max 1000".
PAGE_LIMIT_MIN = 50
PAGE_LIMIT_MAX = 1000

# seed 003 "Sorting parameter": "sort=updated_at-desc , sort=created_at-desc".
SORT_VALUES: tuple[str, ...] = ("updated_at-desc", "created_at-desc")

# seed 003 "Sorting parameter / Endpoint availability": (parent plural, child plural).
# seed 002 "Fetch all Campaigns under an Ad Account" documents `sort` for campaigns too,
# although seed 003 lists only Ad Squads, Ads, Creatives and Media; the campaign page is
# the more specific reference, so it is included.
SORT_SUPPORTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("adaccounts", "adsquads"),
        ("campaigns", "adsquads"),
        ("adaccounts", "ads"),
        ("campaigns", "ads"),
        ("adsquads", "ads"),
        ("adaccounts", "media"),
        ("adaccounts", "creatives"),
        ("adaccounts", "campaigns"),
    }
)

# seed 003 "Sorting parameter": "cannot be used with ... type, review_status or
# read_deleted_entities".
SORT_INCOMPATIBLE_PARAMS: tuple[str, ...] = ("type", "review_status", "read_deleted_entities")

# seed 002 (Campaign Attributes: lifetime_spend_cap_micro): "Reducing the limit is allowed
# as long as the new limit is 1.1 times the amount already spent." Needs the spend so far:
# checked by the server (sandbox), not before sending.
LIFETIME_CAP_MIN_FACTOR = Decimal("1.1")

# --- Statuses and common enums -------------------------------------------------------

# seed 001 Ads (status), 002 Campaign Attributes (status), 004 Attributes (status).
CAMPAIGN_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})
AD_SQUAD_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})
AD_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED"})

# seed 001 Ads (review_status), snap-api.md §3 "Ad entity".
REVIEW_STATUSES: frozenset[str] = frozenset({"PENDING", "APPROVED", "REJECTED"})

# snap-api.md §2 "Ad account object" (status: third-party schema, unconfirmed beyond these).
AD_ACCOUNT_STATUSES: frozenset[str] = frozenset({"ACTIVE", "PAUSED", "DISABLED"})

# snap-api.md §3 "delivery_status codes" (official Delivery Status page + the 3p rows).
DELIVERY_STATUS_CODES: frozenset[str] = frozenset(
    {
        "PENDING",
        "VALID",
        "DELIVERING",  # seed 002 "Get a specific Campaign" example
        "INVALID_UNKNOWN",  # seed 002 "Fetch all Campaigns" example
        "INVALID_NOT_ACTIVE",
        "INVALID_NOT_EFFECTIVE_ACTIVE",
        "INVALID_START_TIME",
        "INVALID_END_TIME",
        "INVALID_EFFECTIVE_START_TIME",
        "INVALID_EFFECTIVE_END_TIME",
        "INVALID_EFFECTIVE_DELETED",
        "INVALID_EFFECTIVE_INVALID",
        "INVALID_START_TIME_AFTER_END_TIME",
        "NOT_ACTIVE_ORGANIZATION",
        "NOT_ENTERPRISE_ORGANIZATION",
        "TEST_AD_ACCOUNT",
        "INVALID_REMAINING_AD_ACCOUNT_BUDGET",
        "INVALID_AD_ACCOUNT_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_ACCOUNT_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_AD_ACCOUNT_REALTIME_LIFETIME_SPEND",
        "INVALID_CAMPAIGN_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_CAMPAIGN_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND",
        "NO_VALID_AD_SQUAD",
        "INVALID_RF_FOR_RESERVED_BUY",
        "INVALID_CAMPAIGN_HAS_NO_ACTIVE_AD_SQUAD",
        "INVALID_TARGETING_REACH_STATUS",
        "INVALID_PENDING_TARGETING_REACH_STATUS",
        "INVALID_AD_SQUAD_HAS_NO_ACTIVE_ADS",
        "INVALID_AD_SQUAD_WIREOBJECT",
        "INVALID_INTERNAL_PLACEMENT",
        "INVALID_AD_SQUAD_HAS_UNSUPPORTED_AD_TYPE",
        "INVALID_UNSUPPORTED_AD_SQUAD_TYPE",
        "INVALID_AD_SQUAD_LIFETIME_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_SQUAD_FINALIZED_LIFETIME_SPEND",
        "INVALID_OVER_BUDGET_AD_SQUAD_REALTIME_LIFETIME_SPEND",
        "INVALID_AD_SQUAD_DAILY_SPEND_CAP",
        "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND",
        "INVALID_AD_SQUAD_RESERVED_STATUS_NOT_ACTIVE",
        "NOT_DELIVERING_AD_CONTAINS_INVALID_AUDIENCE",
        "LEARNING_PHASE",
        "NOT_APPROVED_AD",
        "INVALID_NOT_APPROVED_REVIEW_STATUS",
        "INVALID_PENDING_REVIEW_STATUS",
        "INVALID_DYNAMIC_CONTENT_MARKUP",
        "INVALID_UNSUPPORTED_AD_TYPE",
        "INVALID_NO_CREATIVE_EFFECTIVE_ACTIVE",
        "INVALID_DYNAMIC_FILTER",
        "INVALID_CREATIVE_PACKAGING_STATUS",
        "INVALID_SKOV_REQUIRES_SKAN",
    }
)

# snap-api.md §3 "How caps / suspension surface": the codes that mean a cap was hit.
OVER_BUDGET_DAILY_CODES: frozenset[str] = frozenset(
    {"INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND", "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND"}
)
OVER_BUDGET_LIFETIME_CODES: frozenset[str] = frozenset(
    code for code in DELIVERY_STATUS_CODES if "OVER_BUDGET" in code and "LIFETIME" in code
)

# --- Campaigns (seed 002) ------------------------------------------------------------

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

# --- Ad squads (seed 004) ------------------------------------------------------------

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
# seed 004 Attributes: conversion_window (the table in "Optimization Goal and Conversion
# Window combinations" spells it SWIPE_28_DAY_VIEW_1DAY; the attribute and the examples
# use SWIPE_28DAY_VIEW_1DAY, which is what is sent).
CONVERSION_WINDOWS: frozenset[str] = frozenset({"SWIPE_28DAY_VIEW_1DAY", "SWIPE_7DAY"})
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
# seed 004 Attributes: forced_view_setting; snap-api.md "Creative attributes" adds NONE.
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

# seed 004 "Bid Strategy" (auto_bid/target_bid: "should be stripped out for any update
# AdSquad requests ... or the API will reject your requests") and "placement_v2"
# (placement deprecated). seed 001 "Third-Party Tracking Tags": an Ad cannot be updated
# while the sunset fields on_swipe_tracking_urls / third_party_tracking_urls are set.
DEPRECATED_UPDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "adsquads": ("auto_bid", "target_bid", "placement"),
    "ads": ("on_swipe_tracking_urls", "third_party_tracking_urls"),
}

# --- Ads (seed 001) ------------------------------------------------------------------

# seed 001 Attributes: type. seed 001's mapping table and seed 004's goal tables spell the
# lens web view ad LENS_REMOTE_WEBPAGE, so both spellings are accepted.
AD_TYPES: frozenset[str] = frozenset(
    {
        "SNAP_AD",
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
        "LENS_REMOTE_WEBPAGE",
        "LENS_APP_INSTALL",
        "LENS_DEEP_LINK",
        "COLLECTION",
        "LEAD_GENERATION",
    }
)
# seed 001 "Ad Type <-> Creative Type Mapping". FILTER has no row: not checked.
AD_TYPE_TO_CREATIVE_TYPE: dict[str, str] = {
    "APP_INSTALL": "APP_INSTALL",
    "SNAP_AD": "SNAP_AD",
    "REMOTE_WEBPAGE": "WEB_VIEW",
    "DEEP_LINK": "DEEP_LINK",
    "STORY": "COMPOSITE",
    "AD_TO_LENS": "AD_TO_LENS",
    "AD_TO_CALL": "AD_TO_CALL",
    "AD_TO_MESSAGE": "AD_TO_MESSAGE",
    "LENS": "LENS",
    "LENS_REMOTE_WEBPAGE": "LENS_WEB_VIEW",
    "LENS_WEB_VIEW": "LENS_WEB_VIEW",  # the type enum's spelling of the row above
    "LENS_APP_INSTALL": "LENS_APP_INSTALL",
    "LENS_DEEP_LINK": "LENS_DEEP_LINK",
    "COLLECTION": "COLLECTION",
    "LEAD_GENERATION": "LEAD_GENERATION",
}
# seed 001 Attributes (R column) for a create.
AD_REQUIRED_FIELDS: tuple[str, ...] = ("ad_squad_id", "creative_id", "name", "status", "type")
# seed 001 "Update an Ad / Attributes that can be updated".
AD_UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {"name", "status", "on_swipe_tracking_urls", "third_party_tracking_urls"}
)
AD_UPDATE_REQUIRED_FIELDS: tuple[str, ...] = ("name", "status")
# seed 001 "Approved Third Party Tracking URL domains" and "Notes: Ensure all tags are
# secure and use https".
TRACKING_URL_FIELDS: tuple[str, ...] = (
    "third_party_on_swipe_tracking_urls",
    "third_party_paid_impression_tracking_urls",
)
TRACKING_URL_DOMAINS: frozenset[str] = frozenset(
    {"secure-gl.imrworldwide.com", "ad.doubleclick.net", "pixel.adsafeprotected.com"}
)

# --- Creatives (snap-api.md "2. Creatives") ------------------------------------------

CREATIVE_TYPES: frozenset[str] = frozenset(
    {
        "SNAP_AD",
        "APP_INSTALL",
        "WEB_VIEW",
        "DEEP_LINK",
        "AD_TO_LENS",
        "AD_TO_CALL",
        "AD_TO_MESSAGE",
        "PREVIEW",
        "COMPOSITE",
        "LENS",
        "LENS_WEB_VIEW",
        "LENS_APP_INSTALL",
        "LENS_DEEP_LINK",
        "COLLECTION",
        "LEAD_GENERATION",
        # "older revisions/clients also know" these; Snap still returns them on old entities.
        "LONGFORM_VIDEO",
        "LENS_LONGFORM_VIDEO",
        "DYNAMIC",
    }
)
# snap-api.md "Creative attributes": ad_account_id, name, type, headline and
# top_snap_media_id are R; brand_name is R unless profile_properties is set (newer
# revision). profile_properties is R on the current page only; it is not required here so
# accounts without a public profile keep working (closest documented reading).
CREATIVE_REQUIRED_FIELDS: tuple[str, ...] = (
    "ad_account_id",
    "name",
    "type",
    "headline",
    "top_snap_media_id",
)
CREATIVE_HEADLINE_MAX_LEN = 34
CREATIVE_BRAND_NAME_MAX_LEN = 32
APP_NAME_MAX_LEN = 30  # app_install_properties.app_name
TOP_SNAP_CROP_POSITIONS: frozenset[str] = frozenset({"OPTIMIZED", "MIDDLE", "TOP", "BOTTOM"})
FORCED_VIEW_ELIGIBILITY: frozenset[str] = frozenset({"FULL_DURATION", "SIX_SECONDS", "NONE"})
FAVORITE_DISPLAY_MODES: frozenset[str] = frozenset({"SHOW", "HIDE"})
# snap-api.md "Call-to-action values" (union; the per-type mapping is unconfirmed).
CALL_TO_ACTIONS: frozenset[str] = frozenset(
    {
        "BLANK",
        "INSTALL_NOW",
        "WATCH",
        "VIEW_MORE",
        "WATCH_EPISODE",
        "DOWNLOAD",
        "PLAY",
        "SHOP_NOW",
        "SIGN_UP",
        "USE_APP",
        "APPLY_NOW",
        "BOOK_NOW",
        "BUY_TICKETS",
        "GET_NOW",
        "LISTEN",
        "MORE",
        "ORDER_NOW",
        "READ",
        "SHOW",
        "SHOWTIMES",
        "VIEW",
        "OPEN_APP",
        "TRY",
    }
)
# snap-api.md "Creative attributes": the properties object each creative type needs.
CREATIVE_TYPE_PROPERTIES: dict[str, str] = {
    "WEB_VIEW": "web_view_properties",
    "APP_INSTALL": "app_install_properties",
    "DEEP_LINK": "deep_link_properties",
}
# snap-api.md "Sub-objects": required inner fields (ios_app_id / android_app_url: one of).
CREATIVE_PROPERTIES_REQUIRED: dict[str, tuple[str, ...]] = {
    "web_view_properties": ("url",),
    "app_install_properties": ("app_name", "icon_media_id"),
    "deep_link_properties": ("deep_link_uri", "app_name", "icon_media_id"),
}
APP_ID_FIELDS: tuple[str, ...] = ("ios_app_id", "android_app_url")
# snap-api.md "preview_creative_id: R for Story ads" (Story ads use COMPOSITE creatives).
CREATIVE_PREVIEW_REQUIRED_TYPES: frozenset[str] = frozenset({"COMPOSITE"})

# --- Media (snap-api.md "1. Media") --------------------------------------------------

MEDIA_TYPES: frozenset[str] = frozenset({"VIDEO", "IMAGE", "LENS_PACKAGE", "PLAYABLE"})
MEDIA_STATUSES: frozenset[str] = frozenset({"PENDING_UPLOAD", "READY", "ERROR"})
MEDIA_REQUIRED_FIELDS: tuple[str, ...] = ("ad_account_id", "name", "type")
# snap-api.md "Size / format limits": simple upload up to 32 MB, chunked up to 1 GB.
MEDIA_SIMPLE_UPLOAD_MAX_BYTES = 32_000_000
MEDIA_CHUNKED_UPLOAD_MAX_BYTES = 1_000_000_000

# --- Stats (snap-api.md "1. Measurement / stats") ------------------------------------

STATS_GRANULARITIES: frozenset[str] = frozenset({"TOTAL", "DAY", "HOUR", "LIFETIME"})
# breakdown values allowed per stats level (plural entity key of the endpoint).
STATS_BREAKDOWNS: dict[str, frozenset[str]] = {
    "adaccounts": frozenset({"campaign", "adsquad", "ad"}),
    "campaigns": frozenset({"adsquad", "ad"}),
    "adsquads": frozenset({"ad"}),
    "ads": frozenset(),
}
SWIPE_UP_ATTRIBUTION_WINDOWS: frozenset[str] = frozenset({"1_DAY", "7_DAY", "28_DAY"})
VIEW_ATTRIBUTION_WINDOWS: frozenset[str] = frozenset(
    {"none", "1_HOUR", "3_HOUR", "6_HOUR", "1_DAY", "7_DAY", "28_DAY"}
)
# "DAY range max ... 32 days"; HOUR: clients chunk at 7 days.
STATS_MAX_RANGE_DAYS: dict[str, int] = {"DAY": 32, "HOUR": 7}

# --- Fields the server owns ----------------------------------------------------------

# snap-api.md §0 "Every entity carries ..." and the READ ONLY rows of seeds 001/002/004 and
# snap-api.md §1-§3. A read-modify-write drops these before sending (models.validate_write).
COMMON_READ_ONLY_FIELDS: frozenset[str] = frozenset(
    {
        "created_at",
        "updated_at",
        "delivery_status",
        "deleted",
        "created_by_app_id",
        "created_by_user",
        "last_updated_by_app_id",
        "last_updated_by_user",
    }
)
READ_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "campaigns": COMMON_READ_ONLY_FIELDS | {"pacing_properties_version"},
    "adsquads": COMMON_READ_ONLY_FIELDS | {"separated_types"},
    "ads": COMMON_READ_ONLY_FIELDS | {"review_status", "review_status_reasons"},
    "creatives": COMMON_READ_ONLY_FIELDS
    | {"review_status", "review_status_reasons", "packaging_status"},
    "media": COMMON_READ_ONLY_FIELDS
    | {"media_status", "download_link", "file_name", "lens_package_metadata", "media_usages"},
}

# === Checks ==========================================================================
#
# Each check takes one item (a dict as it would be sent) and returns every violation it
# finds, empty when the item is fine. On an update only what is present is checked, plus
# the cross-field rules whose fields are all present. Context that is unknown (currency,
# the parent campaign, the creative's type) skips the rules that need it. None counts as
# absent: an update may send null to clear an optional field.

OPS: frozenset[str] = frozenset({"create", "update"})


@dataclass(frozen=True)
class Violation:
    """One broken rule: the dotted path of the field and a short Snap-like message."""

    field: str
    message: str


Item = Mapping[str, Any]


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


def check_ad(item: Item, *, op: str, creative_type: str | None = None) -> list[Violation]:
    """Ad rules of seed 001; the ad type to creative type mapping when `creative_type`
    (the type of the creative the ad points at) is known."""
    _check_op(op)
    found = _identity(item, op, AD_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, _AD_ENUMS)
    found += _deprecated(item, op, "ads")
    found += _tracking_urls(item)
    found += _ad_creative_type(item, creative_type)
    return found


def check_creative(item: Item, *, op: str) -> list[Violation]:
    """Creative rules of snap-api.md "2. Creatives"."""
    _check_op(op)
    found = _identity(item, op, CREATIVE_REQUIRED_FIELDS)
    found += _name(item)
    found += _max_len(item, "headline", CREATIVE_HEADLINE_MAX_LEN)
    found += _max_len(item, "brand_name", CREATIVE_BRAND_NAME_MAX_LEN)
    found += _enums(item, _CREATIVE_ENUMS)
    found += _bool(item, "shareable")
    found += _brand_name_required(item, op)
    found += _creative_properties(item, op)
    return found


def check_media(item: Item, *, op: str) -> list[Violation]:
    """Media rules of snap-api.md "1. Media"."""
    _check_op(op)
    found = _identity(item, op, MEDIA_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, {"type": MEDIA_TYPES})
    return found


CHECKS: dict[str, Callable[..., list[Violation]]] = {
    "campaigns": check_campaign,
    "adsquads": check_ad_squad,
    "ads": check_ad,
    "creatives": check_creative,
    "media": check_media,
}


def strip_deprecated_for_update(kind: str, item: Item) -> dict[str, Any]:
    """A copy of `item` without the fields Snap refuses on an update (seed 004 Bid
    Strategy: auto_bid/target_bid, placement; seed 001: the sunset tracking fields).
    The API still returns them on reads, so a read-modify-write must drop them."""
    dropped = DEPRECATED_UPDATE_FIELDS.get(kind, ())
    return {key: value for key, value in item.items() if key not in dropped}


def check_bulk(kind: str, items: Sequence[Item]) -> list[Violation]:
    """seed 003 "Entity Request Limits": at most BULK_LIMITS[kind] items per request."""
    limit = BULK_LIMITS.get(kind)
    if not items:
        return [Violation(kind, f"{kind} must contain at least one item")]
    if limit is not None and len(items) > limit:
        return [Violation(kind, f"at most {limit} {kind} per request, got {len(items)}")]
    return []


def check_list_params(parent: str, child: str, params: Item) -> list[Violation]:
    """seed 003 "Pagination" and "Sorting parameter" rules for a list request."""
    found: list[Violation] = []
    if params.get("limit") is not None:
        limit = _as_int(params["limit"])
        if limit is None or not PAGE_LIMIT_MIN <= limit <= PAGE_LIMIT_MAX:
            found.append(_between("limit", PAGE_LIMIT_MIN, PAGE_LIMIT_MAX))
    if params.get("sort") is not None:
        found += _sort(parent, child, params)
    return found


# --- Generic pieces ------------------------------------------------------------------


def _check_op(op: str) -> None:
    if op not in OPS:
        raise ValueError(f"op must be 'create' or 'update', not {op!r}")


def _present(item: Item, field: str) -> bool:
    return item.get(field) is not None


def _as_int(value: Any) -> int | None:
    """An integer micro value; digit strings count (seed 004's SKAdNetwork examples send
    "bid_micro": "200000000"), bools and fractions do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _canonical_strategy(value: Any) -> Any:
    """AUTOBID (seed 002's spelling) and AUTO_BID are the same strategy."""
    return BID_STRATEGY_ALIASES.get(value, value) if isinstance(value, str) else value


def _flagged(*checks: tuple[bool, str, str]) -> list[Violation]:
    """A Violation(field, message) for each (broken, field, message) whose rule is broken."""
    return [Violation(field, message) for broken, field, message in checks if broken]


def _between(field: str, low: int, high: int) -> Violation:
    return Violation(field, f"{field} must be an integer between {low} and {high}")


def _identity(item: Item, op: str, required: Sequence[str]) -> list[Violation]:
    """Create: every required attribute. Update: the id of the entity to change."""
    fields = required if op == "create" else ("id",)
    return [Violation(f, f"{f} is required") for f in fields if not _present(item, f)]


def _name(item: Item) -> list[Violation]:
    return _max_len(item, "name", NAME_MAX_LEN)


def _max_len(item: Item, field: str, max_len: int) -> list[Violation]:
    if not _present(item, field):
        return []
    value = item[field]
    if not isinstance(value, str) or not value.strip():
        return [Violation(field, f"{field} must be a non-empty string")]
    if len(value) > max_len:
        return [Violation(field, f"{field} must be at most {max_len} characters")]
    return []


def _enums(item: Item, table: Mapping[str, frozenset[str]]) -> list[Violation]:
    return [v for field, allowed in table.items() for v in _enum(item, field, allowed)]


def _enum(item: Item, field: str, allowed: frozenset[str]) -> list[Violation]:
    value = item.get(field)
    if value is None or (isinstance(value, str) and value in allowed):
        return []
    return [Violation(field, f"{field} must be one of {', '.join(sorted(allowed))}")]


def _bool(item: Item, field: str) -> list[Violation]:
    if not _present(item, field) or isinstance(item[field], bool):
        return []
    return [Violation(field, f"{field} must be true or false")]


def _non_negative_micros(item: Item, fields: Sequence[str]) -> list[Violation]:
    found = []
    for field in fields:
        value = _as_int(item[field]) if _present(item, field) else 0
        if value is None or value < 0:
            found.append(Violation(field, f"{field} must be a non-negative integer"))
    return found


def _deprecated(item: Item, op: str, kind: str) -> list[Violation]:
    if op != "update":
        return []
    return [
        Violation(f, f"{f} is deprecated and must not be sent on an update")
        for f in DEPRECATED_UPDATE_FIELDS.get(kind, ())
        if f in item
    ]


def _sort(parent: str, child: str, params: Item) -> list[Violation]:
    if params["sort"] not in SORT_VALUES:
        return [Violation("sort", f"sort must be one of {', '.join(SORT_VALUES)}")]
    if (parent, child) not in SORT_SUPPORTED:
        return [Violation("sort", f"sort is not supported when listing {child} of {parent}")]
    clash = [p for p in SORT_INCOMPATIBLE_PARAMS if params.get(p) is not None]
    return [Violation(p, f"sort cannot be combined with {p}") for p in clash]


# --- Campaign rules (seed 002) -------------------------------------------------------

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


def _nested(found: list[Violation], prefix: str) -> list[Violation]:
    return [Violation(f"{prefix}.{v.field}", f"{prefix}.{v.message}") for v in found]


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


# --- Ad squad rules (seed 004) -------------------------------------------------------

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


# --- Ad rules (seed 001) -------------------------------------------------------------

_AD_ENUMS: dict[str, frozenset[str]] = {"status": AD_STATUSES, "type": AD_TYPES}


def _ad_creative_type(item: Item, creative_type: str | None) -> list[Violation]:
    """seed 001 "Ad Type <-> Creative Type Mapping"."""
    expected = AD_TYPE_TO_CREATIVE_TYPE.get(item.get("type") or "")
    if creative_type is None or expected is None or creative_type == expected:
        return []
    return [
        Violation(
            "type", f"ad type {item['type']} requires a {expected} creative, not {creative_type}"
        )
    ]


def _tracking_urls(item: Item) -> list[Violation]:
    """seed 001 "Approved Third Party Tracking URL domains" and "use https"."""
    found = []
    for field in TRACKING_URL_FIELDS:
        urls = item.get(field)
        if urls is None:
            continue
        if not isinstance(urls, list):
            found.append(Violation(field, f"{field} must be a list of URLs"))
            continue
        found += [v for i, url in enumerate(urls) for v in _tracking_url(f"{field}[{i}]", url)]
    return found


def _tracking_url(path: str, url: Any) -> list[Violation]:
    if isinstance(url, Mapping):  # the API answers with {"tracking_url": ..., ...}
        url = url.get("tracking_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https":
        return [Violation(path, "tracking URL must be an https URL")]
    if parts.hostname not in TRACKING_URL_DOMAINS:
        return [
            Violation(
                path,
                f"tracking URL domain must be one of {', '.join(sorted(TRACKING_URL_DOMAINS))}",
            )
        ]
    return []


# --- Creative rules (snap-api.md "2. Creatives") ------------------------------------

_CREATIVE_ENUMS: dict[str, frozenset[str]] = {
    "type": CREATIVE_TYPES,
    "top_snap_crop_position": TOP_SNAP_CROP_POSITIONS,
    "forced_view_eligibility": FORCED_VIEW_ELIGIBILITY,
    "favorite_display_mode": FAVORITE_DISPLAY_MODES,
    "call_to_action": CALL_TO_ACTIONS,
}


def _brand_name_required(item: Item, op: str) -> list[Violation]:
    if (
        op == "create"
        and not _present(item, "brand_name")
        and not _present(item, "profile_properties")
    ):
        return [Violation("brand_name", "brand_name is required unless profile_properties is set")]
    return []


def _creative_properties(item: Item, op: str) -> list[Violation]:
    """The properties object the creative type needs, and its required inner fields."""
    kind = item.get("type")
    found = []
    if (
        kind in CREATIVE_PREVIEW_REQUIRED_TYPES
        and op == "create"
        and not _present(item, "preview_creative_id")
    ):
        found.append(
            Violation(
                "preview_creative_id", f"preview_creative_id is required for {kind} creatives"
            )
        )
    field = CREATIVE_TYPE_PROPERTIES.get(kind or "")
    if field is None or (op == "update" and not _present(item, field)):
        return found
    props = item.get(field)
    if not isinstance(props, Mapping):
        return [*found, Violation(field, f"{field} is required for {kind} creatives")]
    return found + _nested(_properties_fields(field, props), field)


def _properties_fields(field: str, props: Item) -> list[Violation]:
    found = [
        Violation(f, f"{f} is required")
        for f in CREATIVE_PROPERTIES_REQUIRED[field]
        if not _present(props, f)
    ]
    found += _max_len(props, "app_name", APP_NAME_MAX_LEN)
    if field != "web_view_properties" and not any(_present(props, f) for f in APP_ID_FIELDS):
        found.append(Violation("ios_app_id", "one of ios_app_id or android_app_url is required"))
    return found
