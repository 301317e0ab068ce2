"""Ad squad payloads: create, update, pause, resume, delete (seed 004), and their bidding."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import AwareDatetime, Field, model_validator

from snap import rules
from tasks.payloads.common import (
    ROAS_MAX,
    ROAS_MIN,
    AccountPayload,
    AdSquadType,
    BidStrategy,
    Change,
    EntityId,
    MicroConverter,
    Name,
    OptimizationGoal,
    PacingType,
    Status,
    StatusChange,
    Targeting,
    UsdAmount,
    carried,
    check_window,
    compact,
    field_error,
    iso,
    optional_micro,
    ratio_to_micro,
)


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
            "bid_micro": optional_micro(to_micro, self.bid_usd),
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
                "daily_budget_micro": optional_micro(to_micro, self.daily_budget_usd),
                "lifetime_budget_micro": optional_micro(to_micro, self.lifetime_budget_usd),
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
            "daily_budget_micro": optional_micro(to_micro, self.daily_budget_usd),
            "lifetime_budget_micro": optional_micro(to_micro, self.lifetime_budget_usd),
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
