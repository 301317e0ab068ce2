"""Read tasks: what the runner may ask the fleet about, answered from its mirrors.

    snap.organizations.list    a connection's organizations
    snap.adaccounts.list       its ad accounts: currency, time zone, status, last sync
    snap.campaign.list         an ad account's campaigns       (status filter)
    snap.adsquad.list          ... ad squads                   (campaign_id, status)
    snap.ad.list               ... ads                         (ad_squad_id, status)
    snap.experiment.results    an experiment's variants side by side

Thin: the payload is validated by the task base (`worker.runner_task.RunnerTask`), the
answer comes from `worker.reads`. `fresh: true` reads through to Snap (gated, in the
mutation lane) before answering; a page's `next_cursor` asks for the next page.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from tasks.payloads import (
    AdAccountsList,
    AdList,
    AdSquadList,
    CampaignList,
    EntityList,
    ExperimentResults,
    OrganizationsList,
)
from worker.reads import accounts, entities, experiments
from worker.runner_task import RunnerTask


@shared_task(
    bind=True, base=RunnerTask, name=OrganizationsList.task_name, payload_model=OrganizationsList
)
def organizations(self: RunnerTask, payload: OrganizationsList) -> dict[str, Any]:
    """The organizations a connection may act on."""
    rt = self.runtime
    connection_id, state = _connection(rt, payload)
    items, cursor = accounts.organizations(
        rt, connection_id, limit=payload.limit, cursor=payload.cursor
    )
    return _page(connection_id, state, items, cursor, payload.fresh)


@shared_task(
    bind=True, base=RunnerTask, name=AdAccountsList.task_name, payload_model=AdAccountsList
)
def ad_accounts(self: RunnerTask, payload: AdAccountsList) -> dict[str, Any]:
    """A connection's ad accounts with currency, time zone, status and last successful sync."""
    rt = self.runtime
    connection_id, state = _connection(rt, payload)
    items, cursor = accounts.ad_accounts(
        rt, connection_id, organization_id=payload.organization_id, statuses=payload.statuses,
        limit=payload.limit, cursor=payload.cursor,
    )  # fmt: skip
    return _page(connection_id, state, items, cursor, payload.fresh)


def _connection(rt: Any, payload: OrganizationsList | AdAccountsList) -> tuple[int, str]:
    """The payload's connection and its state, refreshed from Snap first when asked."""
    connection_id, state = accounts.resolve_connection(
        rt, connection_id=payload.connection_id, tenant_id=payload.tenant_id
    )
    if payload.fresh:
        accounts.refresh_from_snap(rt, connection_id, state)
    return connection_id, state


def _page(
    connection_id: int, state: str, items: list[Any], cursor: str | None, fresh: bool
) -> dict[str, Any]:
    return {
        "status": "succeeded",
        "connection_id": connection_id,
        "connection_state": state,
        "source": "snap" if fresh else "mirror",
        "items": items,
        "count": len(items),
        "next_cursor": cursor,
        "dry_run": False,
    }


def _entities(task: RunnerTask, p: EntityList) -> dict[str, Any]:
    if p.fresh:
        return entities.from_snap(
            task.runtime, p.kind, p.ad_account_id, parent_id=p.parent_id,
            statuses=p.statuses, limit=p.limit, cursor=p.cursor,
        )  # fmt: skip
    return entities.from_mirror(
        task.runtime, p.kind, p.ad_account_id, parent_id=p.parent_id, statuses=p.statuses,
        include_deleted=p.include_deleted, limit=p.limit, cursor=p.cursor,
    )  # fmt: skip


@shared_task(bind=True, base=RunnerTask, name=CampaignList.task_name, payload_model=CampaignList)
def campaigns(self: RunnerTask, payload: CampaignList) -> dict[str, Any]:
    """An ad account's campaigns."""
    return _entities(self, payload)


@shared_task(bind=True, base=RunnerTask, name=AdSquadList.task_name, payload_model=AdSquadList)
def ad_squads(self: RunnerTask, payload: AdSquadList) -> dict[str, Any]:
    """An ad account's ad squads, optionally of one campaign."""
    return _entities(self, payload)


@shared_task(bind=True, base=RunnerTask, name=AdList.task_name, payload_model=AdList)
def ads(self: RunnerTask, payload: AdList) -> dict[str, Any]:
    """An ad account's ads, optionally of one ad squad."""
    return _entities(self, payload)


@shared_task(
    bind=True, base=RunnerTask, name=ExperimentResults.task_name, payload_model=ExperimentResults
)
def experiment_results(self: RunnerTask, payload: ExperimentResults) -> dict[str, Any]:
    """An experiment's variants side by side, each treatment tested against the control."""
    return experiments.results(
        self.runtime,
        payload.ad_account_id,
        payload.experiment_id,
        thresholds=experiments.Thresholds(
            payload.min_impressions, payload.min_swipes, payload.confidence
        ),
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
