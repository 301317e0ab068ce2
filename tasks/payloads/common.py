"""What every payload shares: the base classes, the field types, the helpers of `to_snap_item`.

Update, pause and resume are read-modify-write: Snap's update endpoints require fields
the runner does not send (seeds 001, 002, 004: an ad update requires `name` and `status`,
an ad squad update also `targeting`, `bid_strategy` and a budget). The task reads the
entity first and passes it as `current`; its updatable attributes and the identity the
seeds' update examples echo are carried over (`carried_fields(kind)`: never read-only or
deprecated fields, nor `start_time`), and only the runner's changes are laid on top.

A model-level check raises `field_error(field, message)`, so the refusal still names its
field (`worker.results.validation_failure` turns it into the documented `validation` result).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
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


def not_blank(value: str) -> str:
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
TenantId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^\S+$")]
Name = Annotated[str, StringConstraints(max_length=rules.NAME_MAX_LEN), AfterValidator(not_blank)]
# An absurd amount is refused here, not by Snap: a billion USD is 10**15 micro, and even
# in a currency worth 1/10,000 of a dollar its micro amount stays inside Snap's int64.
USD_AMOUNT_MAX = Decimal(1_000_000_000)
UsdAmount = Annotated[
    Decimal, Field(ge=0, le=USD_AMOUNT_MAX, decimal_places=6, allow_inf_nan=False)
]
"""A USD amount from 0 to a billion with at most 6 decimals (one micro); 0.1 stays
Decimal('0.1')."""
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


def optional_micro(to_micro: MicroConverter, amount_usd: Decimal | None) -> int | None:
    """An optional USD amount in the account's micro-currency (None stays None)."""
    return None if amount_usd is None else to_micro(amount_usd)


def optional_dump(model: BaseModel | None) -> dict[str, Any] | None:
    """A nested payload as its Snap object, unset fields left out (None stays None)."""
    return None if model is None else model.model_dump(exclude_none=True)


class Payload(BaseModel):
    """Base of every payload: strict (unknown fields are refused by name), immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    task_name: ClassVar[str]


class AccountPayload(Payload):
    """A payload scoped to one ad account: the task resolves the connection and gates on it.

    `tenant_id`, when given, must be the tenant whose connection owns the ad account:
    another tenant's account is refused before any request (`worker.tenancy`).
    """

    ad_account_id: EntityId
    tenant_id: TenantId | None = Field(
        default=None,
        description="the dashboard tenant asking; an ad account of another tenant is refused",
    )


class Change(AccountPayload):
    """An update: at least one field besides the ids must be given (null counts as not given)."""

    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id",)

    @model_validator(mode="after")
    def _something_to_change(self) -> Change:
        changed = self.model_fields_set - set(self.id_fields)
        if all(getattr(self, field) is None for field in changed):
            raise PydanticCustomError("payload_empty", "nothing to update: give at least one field")
        return self


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
