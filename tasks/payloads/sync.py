"""The fleet's upkeep payloads: stats pulls and backfills, detection, event delivery, token
refresh, the journal's housekeeping, and the webhook request Snap cannot serve."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from tasks.payloads.common import AccountPayload, EntityId, Granularity, Payload, field_error


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
    """snap.detect.run: compare fresh state to stored state and emit each transition once.

    Empty (beat): one tick of the polling plan. One ad account: its full read, or only
    `reads` (the plan's "ads" or "entities" listings). `organization_id`: the status of
    every connected account of that organization, from one listing.
    """

    task_name: ClassVar[str] = "snap.detect.run"
    reads: list[Literal["ads", "entities"]] | None = Field(default=None, min_length=1)
    organization_id: EntityId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> DetectRun:
        if self.reads and not (self.ad_account_ids and len(self.ad_account_ids) == 1):
            raise field_error("reads", "needs exactly one ad account in ad_account_ids")
        if self.organization_id and (self.ad_account_ids or self.connection_id or self.reads):
            raise field_error("organization_id", "is a target of its own: no other filter")
        return self


class ConnectionRefresh(Payload):
    """snap.connection.refresh: refresh one connection's access token ahead of expiry."""

    task_name: ClassVar[str] = "snap.connection.refresh"
    connection_id: EntityId


BackfillLevel = Literal["campaign", "adsquad", "ad"]


class StatsBackfill(AccountPayload):
    """snap.stats.backfill: an ad account's whole stats history since a day, resumable."""

    task_name: ClassVar[str] = "snap.stats.backfill"
    since: date = Field(description="first day to pull, in the account's time zone")
    until: date | None = Field(default=None, description="last day (default: yesterday)")
    levels: list[BackfillLevel] | None = Field(
        default=None,
        min_length=1,
        description="breakdown levels (default: SNAPFLEET_STATS_BREAKDOWN_LEVELS)",
    )

    @model_validator(mode="after")
    def _window(self) -> StatsBackfill:
        if self.until is not None and self.until < self.since:
            raise field_error("until", "must not be before since")
        if self.since > date.today():
            raise field_error("since", "must not be in the future")
        return self


class Upkeep(Payload):
    """A periodic job beat sends with no payload (the runner may send it too)."""


class ConnectionRefreshDue(Upkeep):
    """snap.connection.refresh_due: enqueue a refresh for every connection due (beat)."""

    task_name: ClassVar[str] = "snap.connection.refresh_due"


class DetectDeliver(Upkeep):
    """snap.detect.deliver: hand undelivered events to the runner again (beat sweep)."""

    task_name: ClassVar[str] = "snap.detect.deliver"


class JournalComplete(Upkeep):
    """snap.journal.complete: send again every mutation whose journal rows were left unfinished."""

    task_name: ClassVar[str] = "snap.journal.complete"


class JournalReap(Upkeep):
    """snap.journal.reap: delete finished journal rows past SNAPFLEET_JOURNAL_RETENTION_DAYS."""

    task_name: ClassVar[str] = "snap.journal.reap"


class WebhookRegister(Payload):
    """snap.webhook.register: always `webhooks not supported on snapchat_ads` (Snap has none).

    The fields a webhook request would carry are accepted, so the caller gets the guide's
    answer rather than a refused payload; the task answers the same for any payload.
    """

    task_name: ClassVar[str] = "snap.webhook.register"
    url: str | None = Field(default=None, description="where the caller wanted pushes")
    events: list[str] | None = Field(default=None, description="which changes it wanted")
