"""Experiment payloads: launch (one campaign, an ad squad and ad per variant), variant status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, model_validator

from tasks.payloads.adsquads import BidFields
from tasks.payloads.campaigns import ObjectiveV2Properties
from tasks.payloads.common import (
    AccountPayload,
    AdType,
    BidStrategy,
    EntityId,
    MicroConverter,
    Name,
    OptimizationGoal,
    Payload,
    Status,
    Targeting,
    UsdAmount,
    VariantRole,
    carried,
    check_window,
    compact,
    field_error,
    iso,
    not_blank,
    optional_dump,
    optional_micro,
)


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

    name: Annotated[str, StringConstraints(max_length=64), AfterValidator(not_blank)]
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
                "daily_budget_micro": optional_micro(to_micro, spec.daily_budget_usd),
                "lifetime_spend_cap_micro": optional_micro(to_micro, spec.lifetime_spend_cap_usd),
                "objective_v2_properties": optional_dump(spec.objective_v2_properties),
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


class ExperimentResults(AccountPayload):
    """snap.experiment.results: the variants side by side, each treatment against the control."""

    task_name: ClassVar[str] = "snap.experiment.results"
    experiment_id: EntityId
    start_date: date | None = Field(default=None, description="first day counted (default: all)")
    end_date: date | None = Field(default=None, description="last day counted (inclusive)")
    min_impressions: int = Field(
        1000, ge=1, description="below this per variant, no comparison is called"
    )
    min_swipes: int = Field(
        30, ge=1, description="below this per variant (control included), no winner is called"
    )
    confidence: Decimal = Field(
        Decimal("0.95"), gt=Decimal("0.5"), lt=Decimal("1"), description="two-sided level"
    )

    @model_validator(mode="after")
    def _window(self) -> ExperimentResults:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise field_error("end_date", "must not be before start_date")
        return self
