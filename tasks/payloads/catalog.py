"""The task catalog: task name -> payload model, and the validation every task starts with.

`TASK_PAYLOADS` maps each task name to its model, `validate_payload()` checks a runner
payload against it. `worker.results.validation_failure()` (a pydantic error -> the
documented `validation` result) reports a refused payload; it lives in worker, which must
not import tasks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from tasks.payloads.ads import AdCreate, AdDelete, AdPause, AdResume, AdUpdate
from tasks.payloads.adsquads import (
    AdSquadCreate,
    AdSquadDelete,
    AdSquadPause,
    AdSquadResume,
    AdSquadUpdate,
)
from tasks.payloads.campaigns import (
    CampaignCreate,
    CampaignDelete,
    CampaignPause,
    CampaignResume,
    CampaignUpdate,
)
from tasks.payloads.common import Payload
from tasks.payloads.connections import (
    ConnectionAuthorize,
    ConnectionComplete,
    ConnectionDisconnect,
)
from tasks.payloads.creatives import CreativeCreate
from tasks.payloads.experiments import (
    ExperimentLaunch,
    ExperimentResults,
    ExperimentSetVariantStatus,
)
from tasks.payloads.media import MediaUpload
from tasks.payloads.reads import (
    AdAccountsList,
    AdList,
    AdSquadList,
    CampaignList,
    OrganizationsList,
)
from tasks.payloads.sync import (
    ConnectionRefresh,
    ConnectionRefreshDue,
    DetectDeliver,
    DetectRun,
    JournalComplete,
    JournalReap,
    StatsBackfill,
    StatsPull,
    StatsPullAll,
    WebhookRegister,
)

TASK_PAYLOADS: dict[str, type[Payload]] = {
    model.task_name: model
    for model in (
        CampaignCreate, CampaignUpdate, CampaignPause, CampaignResume, CampaignDelete,
        AdSquadCreate, AdSquadUpdate, AdSquadPause, AdSquadResume, AdSquadDelete,
        AdCreate, AdUpdate, AdPause, AdResume, AdDelete,
        MediaUpload, CreativeCreate, ExperimentLaunch, ExperimentSetVariantStatus,
        ExperimentResults,
        StatsPull, StatsPullAll, StatsBackfill, DetectRun, DetectDeliver, WebhookRegister,
        ConnectionAuthorize, ConnectionComplete, ConnectionDisconnect, ConnectionRefresh,
        ConnectionRefreshDue, JournalComplete, JournalReap,
        OrganizationsList, AdAccountsList, CampaignList, AdSquadList, AdList,
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
