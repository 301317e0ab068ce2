"""The runner-facing payloads of every task: one strict pydantic model per task name.

The autonomous-growth runner speaks the dashboard's language: USD amounts (`*_usd`),
ratios, aware ISO datetimes. A payload is validated before anything else happens
(before the connection is resolved, the gate is taken or Snap is called), so a typo or
a bad value fails at once with a message naming the field path, and never reaches Snap.

What a payload cannot know is left to the task: the ad account's currency and FX rate
(so currency-specific minimums such as the 5-unit daily budget or the bid bounds are
checked by `snap.rules` once the currency is known), and the current state of the entity.
The mapping from payload fields to Snap attributes lives here, once per payload, in
`to_snap_item(to_micro, ...)`: the task injects `to_micro` (USD -> the account's
micro-currency, FX included), so the conversion stays in `snap.money`.

Update, pause and resume are read-modify-write: Snap's update endpoints require fields
the runner does not send (seeds 001, 002, 004: an ad update requires `name` and `status`,
an ad squad update also `targeting`, `bid_strategy` and a budget). The task reads the
entity first and passes it as `current`; its updatable attributes and the identity the
seeds' update examples echo are carried over (`carried_fields(kind)`: never read-only or
deprecated fields, nor `start_time`), and only the runner's changes are laid on top.

Registry: `TASK_PAYLOADS` (task name -> model), `EXAMPLES` (task name -> a valid
payload; the README's "Task catalog" shows the same ones), `validate_payload()` and
`worker.results.validation_failure()` (a pydantic error -> the documented `validation`
result) reports a refused payload; it lives in worker, which must not import tasks.
This module imports only pydantic and snap: `snapfleet schema` loads it without Celery.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    HttpUrl,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from snap import rules

MicroConverter = Callable[[Decimal], int]
"""USD amount -> integer micro-units of the ad account's currency (FX included)."""

MICRO_PER_UNIT = Decimal(1_000_000)
# seed 004: roas_value_micro 10,000..100,000,000, i.e. a ratio of 0.01..100.
ROAS_MIN, ROAS_MAX = (Decimal(bound) / MICRO_PER_UNIT for bound in rules.ROAS_VALUE_MICRO_RANGE)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


@dataclass(frozen=True)
class OneOf:
    """Annotation: a string checked against a `snap.rules` table, an `enum` in the schema."""

    values: frozenset[str]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(schema), "enum": sorted(self.values)}

    def _check(self, value: str) -> str:
        if value not in self.values:
            allowed = ", ".join(sorted(self.values))
            raise PydanticCustomError(
                "one_of", "Input should be one of: {allowed}", {"allowed": allowed}
            )
        return value


EntityId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Name = Annotated[str, StringConstraints(max_length=rules.NAME_MAX_LEN), AfterValidator(_not_blank)]
UsdAmount = Annotated[Decimal, Field(ge=0, decimal_places=6, allow_inf_nan=False)]
"""A non-negative USD amount with at most 6 decimals (one micro); 0.1 stays Decimal('0.1')."""
Targeting = dict[str, Any]

Status = Literal["ACTIVE", "PAUSED"]
CampaignObjective = Annotated[str, OneOf(rules.CAMPAIGN_OBJECTIVES)]
ObjectiveV2Type = Annotated[str, OneOf(rules.OBJECTIVE_V2_TYPES)]
PromotionType = Annotated[str, OneOf(rules.PROMOTION_TYPES)]
AdSquadType = Annotated[str, OneOf(rules.AD_SQUAD_TYPES)]
BidStrategy = Annotated[str, OneOf(rules.BID_STRATEGIES)]
OptimizationGoal = Annotated[str, OneOf(rules.OPTIMIZATION_GOALS)]
PacingType = Annotated[str, OneOf(rules.PACING_TYPES)]
AdType = Annotated[str, OneOf(rules.AD_TYPES)]
CreativeType = Annotated[str, OneOf(rules.CREATIVE_TYPES)]
CallToAction = Annotated[str, OneOf(rules.CALL_TO_ACTIONS)]
CropPosition = Annotated[str, OneOf(rules.TOP_SNAP_CROP_POSITIONS)]
Granularity = Annotated[str, OneOf(rules.STATS_GRANULARITIES)]
MediaType = Literal["IMAGE", "VIDEO"]  # the two the fleet uploads (of rules.MEDIA_TYPES)
VariantRole = Literal["control", "treatment"]

# Read-modify-write of an update: what is carried over from the current entity. Every
# updatable attribute (an update endpoint may replace the whole entity, so an attribute
# left out could be cleared) plus the identity the seed's update example echoes; never
# start_time (seed 004: not updatable once running; only sent when the runner changes it)
# nor the deprecated fields Snap rejects on updates.
UPDATE_ECHO_FIELDS: dict[str, frozenset[str]] = {
    "campaigns": rules.CAMPAIGN_UPDATE_ECHO_FIELDS - {"id"},  # seed 002 update example
    "adsquads": frozenset(  # seed 004 "Update an Ad Squad" example
        {"campaign_id", "type", "placement_v2", "optimization_goal", "billing_event"}
    ),
    "ads": frozenset({"ad_squad_id", "creative_id", "type"}),  # seed 001 "Update an Ad" example
}
UPDATABLE_FIELDS: dict[str, frozenset[str]] = {
    "campaigns": rules.CAMPAIGN_UPDATABLE_FIELDS,
    "adsquads": rules.AD_SQUAD_UPDATABLE_FIELDS,
    "ads": rules.AD_UPDATABLE_FIELDS,
}


def carried_fields(kind: str) -> frozenset[str]:
    """The attributes of `kind` ("campaigns", "adsquads", "ads") an update carries over."""
    dropped = {"start_time", *rules.DEPRECATED_UPDATE_FIELDS.get(kind, ())}
    return (UPDATABLE_FIELDS[kind] | UPDATE_ECHO_FIELDS[kind]) - dropped


def field_error(field: str, message: str) -> PydanticCustomError:
    """A model-level error that still names its field (`worker.results.validation_failure`)."""
    return PydanticCustomError(
        "payload_field", "{field}: {message}", {"field": field, "message": message}
    )


def iso(value: datetime | None) -> str | None:
    """An aware datetime as Snap's ISO-8601 text (None stays None)."""
    return value.isoformat() if value is not None else None


def ratio_to_micro(value: Decimal) -> int:
    """A unitless ratio (ROAS) in micro units: 1.5 -> 1_500_000; no FX, it is not money."""
    return int((value * MICRO_PER_UNIT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compact(item: dict[str, Any]) -> dict[str, Any]:
    """Drop unset (None) attributes so Snap sees only what the payload says."""
    return {key: value for key, value in item.items() if value is not None}


def carried(kind: str, current: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes an update of `kind` carries over from the current entity."""
    keep = carried_fields(kind)
    return {key: value for key, value in current.items() if key in keep}


def check_window(start: datetime | date | None, end: datetime | date | None, field: str) -> None:
    """Refuse an end that is not after its start (both known)."""
    if start is not None and end is not None and end <= start:
        raise field_error(field, "must be after the start")


class Payload(BaseModel):
    """Base of every payload: strict (unknown fields are refused by name), immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    task_name: ClassVar[str]


class AccountPayload(Payload):
    """A payload scoped to one ad account: the task resolves the connection and gates on it."""

    ad_account_id: EntityId


# --- Campaigns ---------------------------------------------------------------------------


class MeasurementSpec(Payload):
    """The apps a campaign tracks installs for (seed 002 `measurement_spec`)."""

    ios_app_id: str | None = None
    android_app_url: str | None = None


class ObjectiveV2Properties(Payload):
    """Seed 002 `objective_v2_properties`."""

    objective_v2_type: ObjectiveV2Type | None = None
    promotion_type: PromotionType | None = None


class CampaignCreate(AccountPayload):
    """snap.campaign.create: a new campaign (PAUSED unless the runner says ACTIVE)."""

    task_name: ClassVar[str] = "snap.campaign.create"
    name: Name
    status: Status = "PAUSED"
    start_time: AwareDatetime
    end_time: AwareDatetime | None = None
    daily_budget_usd: UsdAmount | None = None
    lifetime_spend_cap_usd: UsdAmount | None = None
    objective: CampaignObjective | None = None
    objective_v2_properties: ObjectiveV2Properties | None = None
    measurement_spec: MeasurementSpec | None = None

    @model_validator(mode="after")
    def _window(self) -> CampaignCreate:
        check_window(self.start_time, self.end_time, "end_time")
        return self

    def to_snap_item(self, to_micro: MicroConverter) -> dict[str, Any]:
        """The `campaigns[]` item of the create request."""
        return compact(
            {
                "ad_account_id": self.ad_account_id,
                "name": self.name,
                "status": self.status,
                "start_time": iso(self.start_time),
                "end_time": iso(self.end_time),
                "daily_budget_micro": _micro(to_micro, self.daily_budget_usd),
                "lifetime_spend_cap_micro": _micro(to_micro, self.lifetime_spend_cap_usd),
                "objective": self.objective,
                "objective_v2_properties": _dump(self.objective_v2_properties),
                "measurement_spec": _dump(self.measurement_spec),
            }
        )


def _micro(to_micro: MicroConverter, amount_usd: Decimal | None) -> int | None:
    return None if amount_usd is None else to_micro(amount_usd)


def _dump(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(exclude_none=True)


class Change(AccountPayload):
    """An update: at least one field besides the ids must be given (null counts as not given)."""

    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id",)

    @model_validator(mode="after")
    def _something_to_change(self) -> Change:
        changed = self.model_fields_set - set(self.id_fields)
        if all(getattr(self, field) is None for field in changed):
            raise PydanticCustomError("payload_empty", "nothing to update: give at least one field")
        return self


class CampaignUpdate(Change):
    """snap.campaign.update: change a campaign's name, status, schedule or caps."""

    task_name: ClassVar[str] = "snap.campaign.update"
    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id", "campaign_id")
    campaign_id: EntityId
    name: Name | None = None
    status: Status | None = None
    start_time: AwareDatetime | None = None
    end_time: AwareDatetime | None = None
    daily_budget_usd: UsdAmount | None = None
    lifetime_spend_cap_usd: UsdAmount | None = None

    @model_validator(mode="after")
    def _window(self) -> CampaignUpdate:
        check_window(self.start_time, self.end_time, "end_time")
        return self

    def to_snap_item(
        self, to_micro: MicroConverter, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The `campaigns[]` item of the PUT: the current campaign with the changes on top."""
        changes = {
            "name": self.name,
            "status": self.status,
            "start_time": iso(self.start_time),
            "end_time": iso(self.end_time),
            "daily_budget_micro": _micro(to_micro, self.daily_budget_usd),
            "lifetime_spend_cap_micro": _micro(to_micro, self.lifetime_spend_cap_usd),
        }
        return {**carried("campaigns", current), "id": self.campaign_id, **compact(changes)}


class StatusChange(AccountPayload):
    """Pause or resume: the PUT sends the entity's required fields with only `status` changed."""

    kind: ClassVar[str]
    target_status: ClassVar[Status]
    id_field: ClassVar[str]

    @property
    def entity_id(self) -> str:
        return getattr(self, self.id_field)

    def to_snap_item(
        self, to_micro: MicroConverter | None = None, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`{id, status}` plus what the update endpoint requires, carried from `current`."""
        return {**carried(self.kind, current), "id": self.entity_id, "status": self.target_status}


class CampaignPause(StatusChange):
    """snap.campaign.pause: set the campaign PAUSED."""

    task_name: ClassVar[str] = "snap.campaign.pause"
    kind: ClassVar[str] = "campaigns"
    target_status: ClassVar[Status] = "PAUSED"
    id_field: ClassVar[str] = "campaign_id"
    campaign_id: EntityId


class CampaignResume(CampaignPause):
    """snap.campaign.resume: set the campaign ACTIVE."""

    task_name: ClassVar[str] = "snap.campaign.resume"
    target_status: ClassVar[Status] = "ACTIVE"


class CampaignDelete(AccountPayload):
    """snap.campaign.delete: `DELETE /campaigns/{id}`; no body."""

    task_name: ClassVar[str] = "snap.campaign.delete"
    campaign_id: EntityId


# --- Ad squads ---------------------------------------------------------------------------


class BidFields(AccountPayload):
    """Bid strategy, bid and ROAS, checked together (seed 004 "bid_strategy")."""

    bid_strategy: BidStrategy | None = None
    bid_usd: UsdAmount | None = None
    roas_value: Decimal | None = Field(
        default=None,
        ge=ROAS_MIN,
        le=ROAS_MAX,
        decimal_places=6,
        description="minimum return on ad spend as a ratio (1.5 = 1.5x); MIN_ROAS only",
    )

    def _check_bid(self, strategy: str | None, goal: str | None = None) -> None:
        """The bid, ROAS and optimization goal the strategy needs (seed 004 "Bid Strategy")."""
        if strategy in rules.BID_MICRO_REQUIRED_STRATEGIES and self.bid_usd is None:
            raise field_error("bid_usd", f"is required with bid_strategy {strategy}")
        roas = rules.ROAS_STRATEGY
        if strategy == roas and self.roas_value is None:
            raise field_error("roas_value", f"is required with bid_strategy {roas}")
        if self.roas_value is not None and strategy not in (None, roas):
            raise field_error("roas_value", f"is only used with bid_strategy {roas}")
        goals = rules.BID_STRATEGY_OPTIMIZATION_GOALS.get(strategy or "")
        if goal is not None and goals is not None and goal not in goals:
            allowed = ", ".join(sorted(goals))
            raise field_error(
                "optimization_goal", f"with bid_strategy {strategy}: one of {allowed}"
            )

    def _bid_attributes(self, to_micro: MicroConverter) -> dict[str, Any]:
        return {
            "bid_strategy": self.bid_strategy,
            "bid_micro": _micro(to_micro, self.bid_usd),
            "roas_value_micro": None
            if self.roas_value is None
            else ratio_to_micro(self.roas_value),
        }


class AdSquadCreate(BidFields):
    """snap.adsquad.create: a new ad squad under a campaign (PAUSED unless said ACTIVE)."""

    task_name: ClassVar[str] = "snap.adsquad.create"
    campaign_id: EntityId
    name: Name
    status: Status = "PAUSED"
    type: AdSquadType = "SNAP_ADS"
    targeting: Targeting
    optimization_goal: OptimizationGoal
    bid_strategy: BidStrategy = "AUTO_BID"
    daily_budget_usd: UsdAmount | None = None
    lifetime_budget_usd: UsdAmount | None = None
    start_time: AwareDatetime | None = None
    end_time: AwareDatetime | None = None
    placement_v2: dict[str, Any] = Field(default_factory=lambda: {"config": "AUTOMATIC"})
    pacing_type: PacingType | None = None
    pixel_id: EntityId | None = None

    @model_validator(mode="after")
    def _rules(self) -> AdSquadCreate:
        if (self.daily_budget_usd is None) == (self.lifetime_budget_usd is None):
            raise field_error(
                "daily_budget_usd", "give exactly one of daily_budget_usd, lifetime_budget_usd"
            )
        self._check_bid(self.bid_strategy, self.optimization_goal)
        check_window(self.start_time, self.end_time, "end_time")
        return self

    def to_snap_item(self, to_micro: MicroConverter) -> dict[str, Any]:
        """The `adsquads[]` item of `POST /campaigns/{campaign_id}/adsquads`."""
        return compact(
            {
                "campaign_id": self.campaign_id,
                "name": self.name,
                "status": self.status,
                "type": self.type,
                "targeting": self.targeting,
                "placement_v2": self.placement_v2,
                "billing_event": "IMPRESSION",  # seed 004: the only value
                "optimization_goal": self.optimization_goal,
                **self._bid_attributes(to_micro),
                "daily_budget_micro": _micro(to_micro, self.daily_budget_usd),
                "lifetime_budget_micro": _micro(to_micro, self.lifetime_budget_usd),
                "start_time": iso(self.start_time),
                "end_time": iso(self.end_time),
                "pacing_type": self.pacing_type,
                "pixel_id": self.pixel_id,
            }
        )


class AdSquadUpdate(Change, BidFields):
    """snap.adsquad.update: change an ad squad (seed 004 "Attributes that can be updated")."""

    task_name: ClassVar[str] = "snap.adsquad.update"
    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id", "ad_squad_id")
    ad_squad_id: EntityId
    name: Name | None = None
    status: Status | None = None
    targeting: Targeting | None = None
    daily_budget_usd: UsdAmount | None = None
    lifetime_budget_usd: UsdAmount | None = None
    start_time: AwareDatetime | None = None
    end_time: AwareDatetime | None = None
    pacing_type: PacingType | None = None
    pixel_id: EntityId | None = None

    @model_validator(mode="after")
    def _rules(self) -> AdSquadUpdate:
        if self.daily_budget_usd is not None and self.lifetime_budget_usd is not None:
            raise field_error(
                "lifetime_budget_usd", "give only one of daily_budget_usd, lifetime_budget_usd"
            )
        if self.bid_strategy is not None:
            self._check_bid(self.bid_strategy)
        check_window(self.start_time, self.end_time, "end_time")
        return self

    def to_snap_item(
        self, to_micro: MicroConverter, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The `adsquads[]` item of the PUT: the current ad squad with the changes on top."""
        item = {**carried("adsquads", current), "id": self.ad_squad_id}
        _drop_replaced(item, self)
        changes = {
            "name": self.name,
            "status": self.status,
            "targeting": self.targeting,
            **self._bid_attributes(to_micro),
            "daily_budget_micro": _micro(to_micro, self.daily_budget_usd),
            "lifetime_budget_micro": _micro(to_micro, self.lifetime_budget_usd),
            "start_time": iso(self.start_time),
            "end_time": iso(self.end_time),
            "pacing_type": self.pacing_type,
            "pixel_id": self.pixel_id,
        }
        return {**item, **compact(changes)}


def _drop_replaced(item: dict[str, Any], update: AdSquadUpdate) -> None:
    """Remove carried attributes the update makes meaningless (the other budget, a stale bid)."""
    if update.daily_budget_usd is not None:
        item.pop("lifetime_budget_micro", None)
    if update.lifetime_budget_usd is not None:
        item.pop("daily_budget_micro", None)
    if update.bid_strategy is not None:
        if update.bid_strategy not in rules.BID_MICRO_REQUIRED_STRATEGIES:
            item.pop("bid_micro", None)
        if update.bid_strategy != rules.ROAS_STRATEGY:
            item.pop("roas_value_micro", None)


class AdSquadPause(StatusChange):
    """snap.adsquad.pause: set the ad squad PAUSED."""

    task_name: ClassVar[str] = "snap.adsquad.pause"
    kind: ClassVar[str] = "adsquads"
    target_status: ClassVar[Status] = "PAUSED"
    id_field: ClassVar[str] = "ad_squad_id"
    ad_squad_id: EntityId


class AdSquadResume(AdSquadPause):
    """snap.adsquad.resume: set the ad squad ACTIVE."""

    task_name: ClassVar[str] = "snap.adsquad.resume"
    target_status: ClassVar[Status] = "ACTIVE"


class AdSquadDelete(AccountPayload):
    """snap.adsquad.delete: `DELETE /adsquads/{id}`; no body."""

    task_name: ClassVar[str] = "snap.adsquad.delete"
    ad_squad_id: EntityId


# --- Ads ---------------------------------------------------------------------------------


class AdCreate(AccountPayload):
    """snap.ad.create: bind a creative into an ad squad (seed 001 "Create an Ad")."""

    task_name: ClassVar[str] = "snap.ad.create"
    ad_squad_id: EntityId
    creative_id: EntityId
    name: Name
    type: AdType
    status: Status = "PAUSED"

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `ads[]` item of `POST /adsquads/{ad_squad_id}/ads` (no money in an ad)."""
        return {
            "ad_squad_id": self.ad_squad_id,
            "creative_id": self.creative_id,
            "name": self.name,
            "type": self.type,
            "status": self.status,
        }


class AdUpdate(Change):
    """snap.ad.update: rename an ad or change its status (seed 001 updatable attributes)."""

    task_name: ClassVar[str] = "snap.ad.update"
    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id", "ad_id")
    ad_id: EntityId
    name: Name | None = None
    status: Status | None = None

    def to_snap_item(
        self, to_micro: MicroConverter | None = None, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The `ads[]` item of the PUT: the current ad with the changes on top."""
        changes = compact({"name": self.name, "status": self.status})
        return {**carried("ads", current), "id": self.ad_id, **changes}


class AdPause(StatusChange):
    """snap.ad.pause: set the ad PAUSED."""

    task_name: ClassVar[str] = "snap.ad.pause"
    kind: ClassVar[str] = "ads"
    target_status: ClassVar[Status] = "PAUSED"
    id_field: ClassVar[str] = "ad_id"
    ad_id: EntityId


class AdResume(AdPause):
    """snap.ad.resume: set the ad ACTIVE."""

    task_name: ClassVar[str] = "snap.ad.resume"
    target_status: ClassVar[Status] = "ACTIVE"


class AdDelete(AccountPayload):
    """snap.ad.delete: `DELETE /ads/{id}`; no body."""

    task_name: ClassVar[str] = "snap.ad.delete"
    ad_id: EntityId


# --- Media and creatives -----------------------------------------------------------------


class MediaUpload(AccountPayload):
    """snap.media.upload: create a media entity, upload the file, wait until READY."""

    task_name: ClassVar[str] = "snap.media.upload"
    name: Name
    media_type: MediaType
    source_url: HttpUrl | None = None
    file_path: Annotated[str, StringConstraints(min_length=1)] | None = None
    wait_ready_timeout_s: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _one_source(self) -> MediaUpload:
        if (self.source_url is None) == (self.file_path is None):
            raise field_error("source_url", "give exactly one of source_url, file_path")
        return self

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `media[]` item of `POST /adaccounts/{id}/media` (the file goes up afterwards)."""
        return {"name": self.name, "type": self.media_type, "ad_account_id": self.ad_account_id}


class WebViewProperties(Payload):
    """snap-api.md, Creatives: `web_view_properties` (WEB_VIEW)."""

    url: HttpUrl
    allow_snap_javascript_sdk: bool | None = None
    block_preload: bool | None = None


class AppProperties(Payload):
    """The app a creative installs or opens: at least one store id."""

    app_name: Annotated[
        str, StringConstraints(max_length=rules.APP_NAME_MAX_LEN), AfterValidator(_not_blank)
    ]
    ios_app_id: str | None = None
    android_app_url: str | None = None
    icon_media_id: EntityId

    @model_validator(mode="after")
    def _one_store(self) -> AppProperties:
        if self.ios_app_id is None and self.android_app_url is None:
            raise field_error("ios_app_id", "give ios_app_id, android_app_url or both")
        return self


class DeepLinkProperties(AppProperties):
    """snap-api.md, Creatives: `deep_link_properties` (DEEP_LINK)."""

    deep_link_uri: Annotated[str, StringConstraints(min_length=1)]
    fallback_type: str | None = None
    web_view_fallback_url: HttpUrl | None = None


class CreativeCreate(AccountPayload):
    """snap.creative.create: bind uploaded media into a creative (snap-api.md, Creatives)."""

    task_name: ClassVar[str] = "snap.creative.create"
    name: Name
    type: CreativeType
    headline: Annotated[
        str,
        StringConstraints(max_length=rules.CREATIVE_HEADLINE_MAX_LEN),
        AfterValidator(_not_blank),
    ]
    brand_name: (
        Annotated[str, StringConstraints(max_length=rules.CREATIVE_BRAND_NAME_MAX_LEN)] | None
    ) = None
    profile_id: EntityId | None = None
    top_snap_media_id: EntityId
    top_snap_crop_position: CropPosition | None = None
    shareable: bool | None = None
    call_to_action: CallToAction | None = None
    web_view_properties: WebViewProperties | None = None
    app_install_properties: AppProperties | None = None
    deep_link_properties: DeepLinkProperties | None = None

    @model_validator(mode="after")
    def _properties_match_type(self) -> CreativeCreate:
        if self.brand_name is None and self.profile_id is None:
            raise field_error("brand_name", "is required unless profile_id is given")
        for creative_type, field in rules.CREATIVE_TYPE_PROPERTIES.items():
            given = getattr(self, field) is not None
            if given != (self.type == creative_type):
                verb = "is required for" if not given else "is only for"
                raise field_error(field, f"{verb} {creative_type} creatives")
        return self

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `creatives[]` item of `POST /adaccounts/{id}/creatives`."""
        item = self.model_dump(mode="json", exclude_none=True, exclude={"profile_id"})
        if self.profile_id is not None:
            item["profile_properties"] = {"profile_id": self.profile_id}
        return item


# --- Experiments -------------------------------------------------------------------------


class ExperimentCampaign(Payload):
    """The campaign an experiment creates when it is not given an existing one (ships ACTIVE)."""

    name: Name
    start_time: AwareDatetime
    end_time: AwareDatetime | None = None
    daily_budget_usd: UsdAmount | None = None
    lifetime_spend_cap_usd: UsdAmount | None = None
    objective_v2_properties: ObjectiveV2Properties | None = None

    @model_validator(mode="after")
    def _window(self) -> ExperimentCampaign:
        check_window(self.start_time, self.end_time, "end_time")
        return self


class Variant(Payload):
    """One arm of an experiment: one ad squad with its own targeting and creative."""

    name: Annotated[str, StringConstraints(max_length=64), AfterValidator(_not_blank)]
    role: VariantRole
    targeting: Targeting
    creative_id: EntityId
    daily_budget_usd: UsdAmount

    @property
    def status(self) -> Status:
        """The control ships ACTIVE; treatments ship PAUSED until the runner toggles them."""
        return "ACTIVE" if self.role == "control" else "PAUSED"


class ExperimentLaunch(BidFields):
    """snap.experiment.launch: one campaign, one ad squad + ad per variant.

    The variants share the optimization goal and bid settings (a fair test varies only
    targeting, creative and budget); the control ships ACTIVE, treatments PAUSED.
    """

    task_name: ClassVar[str] = "snap.experiment.launch"
    experiment_id: EntityId = Field(description="the dashboard's id of the experiment")
    campaign_id: EntityId | None = None
    campaign: ExperimentCampaign | None = None
    optimization_goal: OptimizationGoal
    bid_strategy: BidStrategy = "AUTO_BID"
    ad_type: AdType = "SNAP_AD"
    variants: list[Variant] = Field(min_length=2)

    @model_validator(mode="after")
    def _rules(self) -> ExperimentLaunch:
        if (self.campaign_id is None) == (self.campaign is None):
            raise field_error("campaign_id", "give exactly one of campaign_id, campaign")
        self._check_bid(self.bid_strategy, self.optimization_goal)
        _check_variants(self.variants)
        return self

    def campaign_item(self, to_micro: MicroConverter) -> dict[str, Any]:
        """The `campaigns[]` item when the experiment creates its campaign."""
        if self.campaign is None:
            raise ValueError("the experiment uses the existing campaign_id")
        spec = self.campaign
        return compact(
            {
                "ad_account_id": self.ad_account_id,
                "name": spec.name,
                "status": "ACTIVE",
                "start_time": iso(spec.start_time),
                "end_time": iso(spec.end_time),
                "daily_budget_micro": _micro(to_micro, spec.daily_budget_usd),
                "lifetime_spend_cap_micro": _micro(to_micro, spec.lifetime_spend_cap_usd),
                "objective_v2_properties": _dump(spec.objective_v2_properties),
            }
        )

    def ad_squad_item(
        self, variant: Variant, *, campaign_id: str, to_micro: MicroConverter
    ) -> dict[str, Any]:
        """The variant's `adsquads[]` item, named `<experiment>:<variant>` for reconcile."""
        return compact(
            {
                "campaign_id": campaign_id,
                "name": f"{self.experiment_id}:{variant.name}",
                "status": variant.status,
                "type": "SNAP_ADS",
                "targeting": variant.targeting,
                "placement_v2": {"config": "AUTOMATIC"},
                "billing_event": "IMPRESSION",
                "optimization_goal": self.optimization_goal,
                **self._bid_attributes(to_micro),
                "daily_budget_micro": to_micro(variant.daily_budget_usd),
            }
        )

    def ad_item(self, variant: Variant, *, ad_squad_id: str) -> dict[str, Any]:
        """The variant's `ads[]` item: its creative in its ad squad, always ACTIVE.

        The ad squad's status is the variant's one switch: an ACTIVE ad under a PAUSED
        ad squad does not deliver, so set_variant_status toggles one entity, not two.
        """
        return {
            "ad_squad_id": ad_squad_id,
            "creative_id": variant.creative_id,
            "name": f"{self.experiment_id}:{variant.name}",
            "type": self.ad_type,
            "status": "ACTIVE",
        }


def _check_variants(variants: list[Variant]) -> None:
    """Exactly one control, unique names."""
    controls = [v for v in variants if v.role == "control"]
    if len(controls) != 1:
        raise field_error("variants", f"need exactly one control variant, got {len(controls)}")
    names = [v.name for v in variants]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise field_error("variants", f"variant names must be unique: {', '.join(duplicates)}")


class ExperimentSetVariantStatus(AccountPayload):
    """snap.experiment.set_variant_status: turn one variant's ad squad ACTIVE or PAUSED."""

    task_name: ClassVar[str] = "snap.experiment.set_variant_status"
    experiment_id: EntityId
    variant_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    status: Status

    def to_snap_item(
        self, to_micro: MicroConverter | None = None, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The variant's ad squad (`current`, found by the task) with only `status` changed."""
        return {**carried("adsquads", current), "id": current["id"], "status": self.status}


# --- Stats, detection, connections -------------------------------------------------------


class StatsPull(AccountPayload):
    """snap.stats.pull: one ad account's stats (optionally one campaign, one date range)."""

    task_name: ClassVar[str] = "snap.stats.pull"
    campaign_id: EntityId | None = None
    start_date: date | None = Field(default=None, description="first day, account time zone")
    end_date: date | None = Field(default=None, description="last day (inclusive)")
    granularity: Granularity = "DAY"

    @model_validator(mode="after")
    def _window(self) -> StatsPull:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise field_error("end_date", "must not be before start_date")
        return self


class AccountFilter(Payload):
    """Optional filters of the fleet-wide tasks; empty means every active ad account."""

    ad_account_ids: list[EntityId] | None = Field(default=None, min_length=1)
    connection_id: EntityId | None = None


class StatsPullAll(AccountFilter):
    """snap.stats.pull_all: fan out one snap.stats.pull per active ad account (beat, hourly)."""

    task_name: ClassVar[str] = "snap.stats.pull_all"


class DetectRun(AccountFilter):
    """snap.detect.run: compare fresh state to stored state and emit each transition once."""

    task_name: ClassVar[str] = "snap.detect.run"


class ConnectionRefresh(Payload):
    """snap.connection.refresh: refresh one connection's access token ahead of expiry."""

    task_name: ClassVar[str] = "snap.connection.refresh"
    connection_id: EntityId


# --- Registry ----------------------------------------------------------------------------

TASK_PAYLOADS: dict[str, type[Payload]] = {
    model.task_name: model
    for model in (
        CampaignCreate, CampaignUpdate, CampaignPause, CampaignResume, CampaignDelete,
        AdSquadCreate, AdSquadUpdate, AdSquadPause, AdSquadResume, AdSquadDelete,
        AdCreate, AdUpdate, AdPause, AdResume, AdDelete,
        MediaUpload, CreativeCreate, ExperimentLaunch, ExperimentSetVariantStatus,
        StatsPull, StatsPullAll, DetectRun, ConnectionRefresh,
    )
}  # fmt: skip


class UnknownTask(LookupError):
    """A task name that is not in the catalog."""

    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, TASK_PAYLOADS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"unknown task {name!r}{hint} (`snapfleet schema` lists them)")
        self.name = name


def payload_model(task_name: str) -> type[Payload]:
    """The payload model of a task, or UnknownTask naming the closest known name."""
    try:
        return TASK_PAYLOADS[task_name]
    except KeyError:
        raise UnknownTask(task_name) from None


def task_summaries() -> dict[str, str]:
    """Task name -> the first line of its payload's docstring (after the task name)."""
    return {
        name: (model.__doc__ or "").strip().splitlines()[0].removeprefix(f"{name}: ")
        for name, model in TASK_PAYLOADS.items()
    }


def validate_payload(task_name: str, payload: Mapping[str, Any]) -> Payload:
    """Validate a runner payload; raises pydantic's ValidationError or UnknownTask.

    Report a ValidationError with `worker.results.validation_failure()`, never
    `str(exc)`: pydantic's text echoes the input values.
    """
    return payload_model(task_name).model_validate(dict(payload))


# --- Examples (the README's "Task catalog" shows exactly these) --------------------------

_ACCOUNT = "22225ba6-7559-4000-9663-bace8adff5f2"
_CAMPAIGN = "7c074b60-3ae7-4975-bc1d-5785cc0be2c8"
_AD_SQUAD = "23995202-bfbc-45a0-9702-dd6841af52fe"
_AD = "e8d6217f-32ab-400f-9e54-39a86a7963e4"
_CREATIVE = "c1e6e929-acec-466f-b023-852b8cacc18f"
_MEDIA = "a9a2dfc4-2cd6-4bb5-8f3c-2cf4d0a0a0b1"
_TARGETING = {"geos": [{"country_code": "us"}], "demographics": [{"min_age": "18"}]}

EXAMPLES: dict[str, dict[str, Any]] = {
    "snap.campaign.create": {
        "ad_account_id": _ACCOUNT,
        "name": "Spring launch",
        "status": "PAUSED",
        "start_time": "2026-03-01T00:00:00-08:00",
        "end_time": "2026-03-31T00:00:00-07:00",
        "daily_budget_usd": "150.00",
        "lifetime_spend_cap_usd": "4000",
        "objective_v2_properties": {"objective_v2_type": "SALES"},
    },
    "snap.campaign.update": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "daily_budget_usd": "200.5",
    },
    "snap.campaign.pause": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.campaign.resume": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.campaign.delete": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.adsquad.create": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "name": "US 18+",
        "targeting": _TARGETING,
        "optimization_goal": "SWIPES",
        "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
        "bid_usd": "1.25",
        "daily_budget_usd": "50",
    },
    "snap.adsquad.update": {
        "ad_account_id": _ACCOUNT,
        "ad_squad_id": _AD_SQUAD,
        "bid_usd": "2.5",
        "daily_budget_usd": "80",
    },
    "snap.adsquad.pause": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.adsquad.resume": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.adsquad.delete": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.ad.create": {
        "ad_account_id": _ACCOUNT,
        "ad_squad_id": _AD_SQUAD,
        "creative_id": _CREATIVE,
        "name": "Ad One",
        "type": "REMOTE_WEBPAGE",
        "status": "ACTIVE",
    },
    "snap.ad.update": {"ad_account_id": _ACCOUNT, "ad_id": _AD, "name": "Ad One (v2)"},
    "snap.ad.pause": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.ad.resume": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.ad.delete": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.media.upload": {
        "ad_account_id": _ACCOUNT,
        "name": "spring-hero.mp4",
        "media_type": "VIDEO",
        "source_url": "https://cdn.example.com/creatives/spring-hero.mp4",
        "wait_ready_timeout_s": 600,
    },
    "snap.creative.create": {
        "ad_account_id": _ACCOUNT,
        "name": "Spring hero",
        "type": "WEB_VIEW",
        "headline": "New spring collection",
        "brand_name": "Badger Supplies",
        "top_snap_media_id": _MEDIA,
        "call_to_action": "SHOP_NOW",
        "web_view_properties": {"url": "https://shop.example.com/spring"},
    },
    "snap.experiment.launch": {
        "ad_account_id": _ACCOUNT,
        "experiment_id": "exp-42",
        "campaign": {
            "name": "Spring hero test",
            "start_time": "2026-03-01T00:00:00Z",
            "daily_budget_usd": "300",
        },
        "optimization_goal": "SWIPES",
        "variants": [
            {
                "name": "control",
                "role": "control",
                "targeting": _TARGETING,
                "creative_id": _CREATIVE,
                "daily_budget_usd": "100",
            },
            {
                "name": "hero-b",
                "role": "treatment",
                "targeting": _TARGETING,
                "creative_id": "0f4c2d4e-5a8b-4c61-9a57-1d2e3f4a5b6c",
                "daily_budget_usd": "100",
            },
        ],
    },
    "snap.experiment.set_variant_status": {
        "ad_account_id": _ACCOUNT,
        "experiment_id": "exp-42",
        "variant_name": "hero-b",
        "status": "ACTIVE",
    },
    "snap.stats.pull": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "start_date": "2026-03-01",
        "end_date": "2026-03-07",
        "granularity": "DAY",
    },
    "snap.stats.pull_all": {},
    "snap.detect.run": {"ad_account_ids": [_ACCOUNT]},
    "snap.connection.refresh": {"connection_id": "3"},
}

# What each task returns to the runner (DESIGN.md, Mutation: the result backend holds
# JSON). The shape is owned by the task base (worker/base.py) and the task modules; these
# documented examples are what the README shows, so its tests can hold the tasks to them.


def _ok(**fields: Any) -> dict[str, Any]:
    return {"status": "succeeded", **fields, "dry_run": False}


RESULT_EXAMPLES: dict[str, dict[str, Any]] = {
    **{
        f"snap.{entity}.{verb}": _ok(snap_id=snap_id)
        for entity, snap_id in (("campaign", _CAMPAIGN), ("adsquad", _AD_SQUAD), ("ad", _AD))
        for verb in ("create", "update", "pause", "resume", "delete")
    },
    "snap.media.upload": _ok(snap_id=_MEDIA, media_status="READY"),
    "snap.creative.create": _ok(snap_id=_CREATIVE),
    "snap.experiment.launch": _ok(
        experiment_id="exp-42",
        campaign_id=_CAMPAIGN,
        variants={
            "control": {"ad_squad_id": _AD_SQUAD, "ad_id": _AD, "status": "ACTIVE"},
            "hero-b": {
                "ad_squad_id": "5f1a9c3e-7b2d-4e8f-a6c4-0d9e8f7a6b5c",
                "ad_id": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "status": "PAUSED",
            },
        },
    ),
    "snap.experiment.set_variant_status": _ok(snap_id=_AD_SQUAD, variant_status="ACTIVE"),
    "snap.stats.pull": _ok(ad_account_id=_ACCOUNT, rows_upserted=14, api_calls=1),
    "snap.stats.pull_all": _ok(enqueued=3),
    "snap.detect.run": _ok(events=1),
    "snap.connection.refresh": _ok(connection_id="3", expires_in_s=1800),
}
VALIDATION_FAILURE_EXAMPLE: dict[str, Any] = {
    "status": "failed",
    "code": "validation",
    "message": "daily_budget_usd: Decimal input should have no more than 6 decimal places",
    "errors": [
        {
            "field": "daily_budget_usd",
            "message": "Decimal input should have no more than 6 decimal places",
        }
    ],
}
