"""The event message the fleet sends the runner, one per state transition it detected.

Not a payload the fleet accepts: the other direction. Each stored event is sent as the
kwargs `{"event": <EventMessage>}` of a task named `SNAPFLEET_EVENTS_TASK` (default
`growth.snap_event`) on the queue `SNAPFLEET_EVENTS_QUEUE` (default `growth`), under the
task id `snap-event-<first 32 characters of transition_key>`. Delivery is at least once:
an event is marked delivered after the broker took it, so a worker that dies in between
sends it again, with the same task id and the same `transition_key`; the runner drops a
repeat by either. `snapfleet schema --events` prints this model's JSON Schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

EVENT_KINDS = (
    "ad_disapproved",
    "ad_approved",
    "daily_cap_hit",
    "lifetime_cap_hit",
    "account_suspended",
    "account_reinstated",
    "entity_deleted",
)


class EventMessage(BaseModel):
    """One detected transition, as the runner receives it in `kwargs["event"]`."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="snapfleet event")

    event_id: int = Field(description="the fleet's id of the stored event (increasing)")
    transition_key: str = Field(
        description="SHA-256 of the transition (kind, entity, after, observed_at), hex: "
        "stable across re-sends; drop a message whose key was seen"
    )
    kind: Literal[
        "ad_disapproved",
        "ad_approved",
        "daily_cap_hit",
        "lifetime_cap_hit",
        "account_suspended",
        "account_reinstated",
        "entity_deleted",
    ] = Field(
        description="ad_disapproved: review_status became REJECTED (reasons in `after`); "
        "ad_approved: REJECTED -> APPROVED; daily_cap_hit / lifetime_cap_hit: an "
        "INVALID_OVER_BUDGET_* delivery code appeared while status stays ACTIVE; "
        "account_suspended / account_reinstated: the ad account's status left / came back "
        "to ACTIVE; entity_deleted: a stored entity is missing from Snap's full listing"
    )
    entity_type: Literal["ad_account", "campaign", "ad_squad", "ad"] = Field(
        description="what changed"
    )
    entity_id: str = Field(description="its Snap id")
    ad_account_id: str | None = Field(description="the ad account it belongs to")
    before: dict[str, Any] | None = Field(
        description="the stored state compared (status, delivery_status, review_status...)"
    )
    after: dict[str, Any] | None = Field(
        description="the state Snap answers now (null for entity_deleted); cap hits add "
        "daily_budget_micro, spend_today_micro and confirmed_by_spend"
    )
    observed_at: AwareDatetime | None = Field(description="when Snap's answer was read")
    detected_at: AwareDatetime = Field(description="when the fleet stored the transition")
    source: Literal["snapchat_ads"] = Field(description="always snapchat_ads")


def event_schema() -> dict[str, Any]:
    """The JSON Schema of the event message (`snapfleet schema --events`)."""
    return EventMessage.model_json_schema()
