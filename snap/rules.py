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

from decimal import Decimal

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
# only when present; delivery_constraint likewise follows from the budget chosen.
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
