"""The runner-facing payloads of every task: one strict pydantic model per task name.

    from tasks.payloads import validate_payload
    payload = validate_payload("snap.campaign.create", body)  # ValidationError names the field
    item = payload.to_snap_item(to_micro)                      # its `campaigns[]` item

The runner speaks the dashboard's language: USD amounts (`*_usd`), ratios, aware ISO
datetimes. A payload is validated before anything else happens (before the connection is
resolved, the gate is taken or Snap is called), so a bad value never reaches Snap. What a
payload cannot know is left to the task: the ad account's currency and FX rate (so
currency minimums such as the 5-unit daily budget or the bid bounds are checked by
`snap.rules` once it is known), and the entity's current state. `to_snap_item(to_micro,
...)` maps a payload to Snap attributes; the task injects `to_micro` (USD -> the account's
micro-currency, FX included), so the conversion stays in `snap.money`.

Module map: `common` bases, field types and helpers (the read-modify-write of updates),
`campaigns`, `adsquads` (and bidding), `ads`, `media`, `creatives`, `experiments` (launch,
variant status, results), `sync` (stats, backfill, detection, token refresh),
`connections` (authorize, complete, disconnect), `reads` (organizations, ad accounts,
campaign/ad squad/ad lists), `events` (the event message sent to the runner, and its
schema), `catalog` (task name -> model, `validate_payload`), `examples` (the README's
"Task catalog"). An entity module imports `common` (experiments
also reuse the campaign and ad squad parts) and `catalog` imports them all, so nothing
cycles. The package imports only pydantic and snap: `snapfleet schema` loads it without
Celery. Callers import from `tasks.payloads`, which re-exports the public names.
"""

from __future__ import annotations

from tasks.payloads.ads import AdCreate, AdDelete, AdPause, AdResume, AdUpdate
from tasks.payloads.adsquads import (
    AdSquadCreate,
    AdSquadDelete,
    AdSquadPause,
    AdSquadResume,
    AdSquadUpdate,
    BidFields,
)
from tasks.payloads.campaigns import (
    CampaignCreate,
    CampaignDelete,
    CampaignPause,
    CampaignResume,
    CampaignUpdate,
    MeasurementSpec,
    ObjectiveV2Properties,
)
from tasks.payloads.catalog import (
    TASK_PAYLOADS,
    UnknownTask,
    payload_model,
    task_summaries,
    validate_payload,
)
from tasks.payloads.common import (
    AccountPayload,
    Change,
    MicroConverter,
    Payload,
    StatusChange,
    carried_fields,
    field_error,
    ratio_to_micro,
)
from tasks.payloads.connections import (
    ConnectionAuthorize,
    ConnectionComplete,
    ConnectionDisconnect,
)
from tasks.payloads.creatives import (
    AppProperties,
    CreativeCreate,
    DeepLinkProperties,
    WebViewProperties,
)
from tasks.payloads.events import EVENT_KINDS, EventMessage, event_schema
from tasks.payloads.examples import EXAMPLES, RESULT_EXAMPLES, VALIDATION_FAILURE_EXAMPLE
from tasks.payloads.experiments import (
    ExperimentCampaign,
    ExperimentLaunch,
    ExperimentResults,
    ExperimentSetVariantStatus,
    Variant,
)
from tasks.payloads.media import MediaUpload
from tasks.payloads.reads import (
    AdAccountsList,
    AdList,
    AdSquadList,
    CampaignList,
    EntityList,
    OrganizationsList,
)
from tasks.payloads.sync import (
    AccountFilter,
    ConnectionRefresh,
    DetectRun,
    StatsBackfill,
    StatsPull,
    StatsPullAll,
)

__all__ = [
    "EVENT_KINDS",
    "EXAMPLES",
    "RESULT_EXAMPLES",
    "TASK_PAYLOADS",
    "VALIDATION_FAILURE_EXAMPLE",
    "AccountFilter",
    "AccountPayload",
    "AdAccountsList",
    "AdCreate",
    "AdDelete",
    "AdList",
    "AdPause",
    "AdResume",
    "AdSquadCreate",
    "AdSquadDelete",
    "AdSquadList",
    "AdSquadPause",
    "AdSquadResume",
    "AdSquadUpdate",
    "AdUpdate",
    "AppProperties",
    "BidFields",
    "CampaignCreate",
    "CampaignDelete",
    "CampaignList",
    "CampaignPause",
    "CampaignResume",
    "CampaignUpdate",
    "Change",
    "ConnectionAuthorize",
    "ConnectionComplete",
    "ConnectionDisconnect",
    "ConnectionRefresh",
    "CreativeCreate",
    "DeepLinkProperties",
    "DetectRun",
    "EntityList",
    "EventMessage",
    "ExperimentCampaign",
    "ExperimentLaunch",
    "ExperimentResults",
    "ExperimentSetVariantStatus",
    "MeasurementSpec",
    "MediaUpload",
    "MicroConverter",
    "ObjectiveV2Properties",
    "OrganizationsList",
    "Payload",
    "StatsBackfill",
    "StatsPull",
    "StatsPullAll",
    "StatusChange",
    "UnknownTask",
    "Variant",
    "WebViewProperties",
    "carried_fields",
    "event_schema",
    "field_error",
    "payload_model",
    "ratio_to_micro",
    "task_summaries",
    "validate_payload",
]
