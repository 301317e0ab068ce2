"""Pydantic models of Snap Marketing API entities and stats, and the write gate.

Reading is lenient: every field is optional, enum-like fields are plain strings (Snap adds
values without notice), and unknown fields are kept (``extra="allow"``) so a
read-modify-write sends back everything it was given. Timestamps stay the strings Snap
sent; ``time_of()`` parses one when a caller needs a datetime.

Writing is strict: ``validate_write`` runs the documented rules of ``snap.rules`` and
raises ``ValidationError`` naming the first bad field before anything reaches Snap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from snap import rules
from snap.errors import ValidationError

# --- Base ----------------------------------------------------------------------------


class SnapModel(BaseModel):
    """Any object Snap returns: unknown fields survive, nothing is required."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_api(self) -> dict[str, Any]:
        """The fields as Snap sent them (unknown ones included), ready to send back."""
        return self.model_dump(mode="json", exclude_unset=True)


class Entity(SnapModel):
    """Fields every entity carries (Snap docs: API patterns, seed 003)."""

    id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted: bool | None = None


class Delivering(Entity):
    """Entities whose caps and suspension show up in `delivery_status` (Snap facts 11)."""

    delivery_status: list[str] | None = None

    def caps_hit(self) -> list[str]:
        """The over-budget codes present, daily or lifetime, in Snap's order."""
        codes = rules.OVER_BUDGET_DAILY_CODES | rules.OVER_BUDGET_LIFETIME_CODES
        return [code for code in self.delivery_status or [] if code in codes]


def time_of(value: str | None) -> datetime | None:
    """Parse one of Snap's ISO-8601 strings ("...Z", "...-07:00"); None stays None."""
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- Accounts (Snap docs: Organizations, Ad accounts) --------------------------------


class Me(SnapModel):
    id: str | None = None
    email: str | None = None
    display_name: str | None = None
    organization_id: str | None = None


class AdAccount(Delivering):
    name: str | None = None
    type: str | None = None
    status: str | None = None
    organization_id: str | None = None
    advertiser: str | None = None
    currency: str | None = None
    timezone: str | None = None
    funding_source_ids: list[str] | None = None
    billing_type: str | None = None
    test: bool | None = None
    lifetime_spend_cap_micro: int | None = None
    paying_advertiser_name: str | None = None
    regulations: dict[str, Any] | None = None


class Organization(Entity):
    name: str | None = None
    type: str | None = None
    country: str | None = None
    state: str | None = None
    # `with_ad_accounts=true`; the nested key name is unconfirmed (Snap docs: Organizations).
    ad_accounts: list[AdAccount] | None = None


# --- Campaigns, ad squads, ads (seeds 001, 002, 004) ---------------------------------


class Campaign(Delivering):
    ad_account_id: str | None = None
    name: str | None = None
    status: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    daily_budget_micro: int | None = None
    lifetime_spend_cap_micro: int | None = None
    objective: str | None = None
    objective_v2_properties: dict[str, Any] | None = None
    buy_model: str | None = None
    measurement_spec: dict[str, Any] | None = None
    regulations: dict[str, Any] | None = None
    pacing_level: str | None = None
    shared_properties: dict[str, Any] | None = None
    creation_state: str | None = None

    @property
    def smart_budget(self) -> bool:
        """seed 002: budget set at the campaign (`pacing_level: CAMPAIGN`)."""
        return self.pacing_level == rules.SMART_BUDGET_PACING_LEVEL


class AdSquad(Delivering):
    campaign_id: str | None = None
    name: str | None = None
    status: str | None = None
    type: str | None = None
    targeting: dict[str, Any] | None = None
    placement_v2: dict[str, Any] | None = None
    billing_event: str | None = None
    bid_strategy: str | None = None
    bid_micro: int | None = None
    roas_value_micro: int | None = None
    daily_budget_micro: int | None = None
    lifetime_budget_micro: int | None = None
    start_time: str | None = None
    end_time: str | None = None
    optimization_goal: str | None = None
    conversion_window: str | None = None
    pixel_id: str | None = None
    pacing_type: str | None = None
    delivery_constraint: str | None = None
    child_ad_type: str | None = None
    ad_scheduling_config: dict[str, Any] | None = None
    cap_and_exclusion_config: dict[str, Any] | None = None
    brand_safety_config: dict[str, Any] | None = None
    measurement_provider_names: list[str] | None = None
    event_sources: dict[str, Any] | None = None
    skadnetwork_properties: dict[str, Any] | None = None


class Ad(Delivering):
    ad_squad_id: str | None = None
    creative_id: str | None = None
    name: str | None = None
    status: str | None = None
    type: str | None = None
    review_status: str | None = None
    review_status_reasons: list[Any] | None = None
    render_type: str | None = None
    paying_advertiser_name: str | None = None
    third_party_on_swipe_tracking_urls: list[Any] | None = None
    third_party_paid_impression_tracking_urls: list[Any] | None = None

    @property
    def rejected(self) -> bool:
        return self.review_status == "REJECTED"


# --- Creatives and media (Snap docs: Media, Creatives) -------------------------------


class Creative(Entity):
    ad_account_id: str | None = None
    name: str | None = None
    type: str | None = None
    headline: str | None = None
    brand_name: str | None = None
    top_snap_media_id: str | None = None
    top_snap_crop_position: str | None = None
    shareable: bool | None = None
    call_to_action: str | None = None
    profile_properties: dict[str, Any] | None = None
    web_view_properties: dict[str, Any] | None = None
    app_install_properties: dict[str, Any] | None = None
    deep_link_properties: dict[str, Any] | None = None
    preview_creative_id: str | None = None
    forced_view_eligibility: str | None = None
    review_status: str | None = None
    packaging_status: str | None = None


class Media(Entity):
    ad_account_id: str | None = None
    name: str | None = None
    type: str | None = None
    media_status: str | None = None
    download_link: str | None = None
    file_name: str | None = None
    media_usages: list[str] | None = None

    @property
    def ready(self) -> bool:
        return self.media_status == "READY"


# --- Stats (Snap docs: Measurement, response shapes) ---------------------------------


class TimeseriesEntry(SnapModel):
    """One bucket of a DAY/HOUR timeseries."""

    start_time: str | None = None
    end_time: str | None = None
    stats: dict[str, Any] = Field(default_factory=dict)


class BreakdownEntry(SnapModel):
    """One entity inside `breakdown_stats`: `stats` for TOTAL, `timeseries` for DAY/HOUR."""

    id: str | None = None
    type: str | None = None
    stats: dict[str, Any] | None = None
    timeseries: list[TimeseriesEntry] | None = None


class Stat(SnapModel):
    """A `total_stat`, `timeseries_stat` or `lifetime_stat` of one entity."""

    id: str | None = None
    type: str | None = None
    granularity: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    finalized_data_end_time: str | None = None
    conversion_data_processed_end_time: str | None = None
    swipe_up_attribution_window: str | None = None
    view_attribution_window: str | None = None
    stats: dict[str, Any] | None = None
    timeseries: list[TimeseriesEntry] | None = None
    breakdown_stats: dict[str, list[BreakdownEntry]] | None = None


# --- The write gate ------------------------------------------------------------------

# Plural API key -> model, for callers that parse by key.
MODELS: dict[str, type[SnapModel]] = {
    "campaigns": Campaign,
    "adsquads": AdSquad,
    "ads": Ad,
    "creatives": Creative,
    "media": Media,
    "organizations": Organization,
    "adaccounts": AdAccount,
}


def clean_for_write(kind: str, item: Mapping[str, Any], *, op: str) -> dict[str, Any]:
    """Drop what Snap owns (read-only fields) and, on an update, the deprecated fields
    Snap still returns but refuses (seed 004 Bid Strategy, seed 001 tracking tags)."""
    cleaned = {k: v for k, v in item.items() if k not in rules.READ_ONLY_FIELDS.get(kind, ())}
    return rules.strip_deprecated_for_update(kind, cleaned) if op == "update" else cleaned


def validate_write(
    kind: str, item: Mapping[str, Any] | BaseModel, *, op: str, **context: Any
) -> dict[str, Any]:
    """The cleaned item, or ValidationError naming the first bad field (all listed).

    `kind` is the plural API key; `context` goes to the rule check: `currency=` and
    `campaign=` for ad squads, `creative_type=` for ads, `current=` for campaigns.
    """
    check = rules.CHECKS.get(kind)
    if check is None:
        raise ValueError(f"no write rules for {kind!r}; expected one of {sorted(rules.CHECKS)}")
    if isinstance(item, BaseModel):
        item = item.model_dump(mode="json", exclude_unset=True)
    cleaned = clean_for_write(kind, item, op=op)
    violations = check(cleaned, op=op, **context)
    if violations:
        listed = "; ".join(f"{v.field}: {v.message}" for v in violations)
        raise ValidationError(f"invalid {kind} {op}: {listed}", field=violations[0].field)
    return cleaned
