"""Campaign payloads: create, update, pause, resume, delete (seed 002)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import AwareDatetime, model_validator

from tasks.payloads.common import (
    AccountPayload,
    CampaignObjective,
    Change,
    EntityId,
    MicroConverter,
    Name,
    ObjectiveV2Type,
    Payload,
    PromotionType,
    Status,
    StatusChange,
    UsdAmount,
    carried,
    check_window,
    compact,
    iso,
    optional_dump,
    optional_micro,
)


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
                "daily_budget_micro": optional_micro(to_micro, self.daily_budget_usd),
                "lifetime_spend_cap_micro": optional_micro(to_micro, self.lifetime_spend_cap_usd),
                "objective": self.objective,
                "objective_v2_properties": optional_dump(self.objective_v2_properties),
                "measurement_spec": optional_dump(self.measurement_spec),
            }
        )


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
            "daily_budget_micro": optional_micro(to_micro, self.daily_budget_usd),
            "lifetime_spend_cap_micro": optional_micro(to_micro, self.lifetime_spend_cap_usd),
        }
        return {**carried("campaigns", current), "id": self.campaign_id, **compact(changes)}


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
