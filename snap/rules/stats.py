"""Stats request rules of Snap docs: Measurement (Snap facts 7-8): granularities,
breakdowns per level, attribution windows and the longest range per granularity.
"""

from __future__ import annotations

# --- Stats (Snap docs: Measurement) -------------------------------------------------

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
