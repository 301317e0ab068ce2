"""snap.campaign.{create,update,pause,resume,delete}: campaigns live under the ad account.

Thin, as the task base wants: build the item from the payload, one journaled write,
the result. Updates, pause and resume read the campaign first (Snap's PUT needs its
required fields, tasks/payloads/); pause and resume change only `status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import shared_task

from tasks.payloads import (
    CampaignCreate,
    CampaignDelete,
    CampaignPause,
    CampaignResume,
    CampaignUpdate,
)
from worker.mutations.reconcile import list_params, newest_first
from worker.mutations.task import Mutation, MutationTask
from worker.mutations.writes import Done

KIND = "campaigns"


@shared_task(
    bind=True, base=MutationTask, name="snap.campaign.create", payload_model=CampaignCreate
)
def create(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`POST /adaccounts/{id}/campaigns`; a lost answer is reconciled by listing them."""
    return m.succeeded(create_campaign(m, "create", m.payload.to_snap_item(m.to_micro)))


def create_campaign(m: Mutation, step: str, item: Mapping[str, Any]) -> Done:
    """One campaign under the task's ad account, as the journaled write `step`."""
    account_id = m.ad_account_id
    return m.create(
        step,
        KIND,
        item,
        parent_id=account_id,
        send=lambda key, sent: m.client.create_campaigns(account_id, [sent], idempotency_key=key)[
            0
        ],
        list_children=lambda: newest_first(
            m.client.list_campaigns(account_id, **list_params("adaccounts", KIND))
        ),
    )


def _put(m: Mutation, payload: Any) -> dict[str, Any]:
    """Read the campaign, lay the payload's changes on it, PUT it back."""
    done = m.read_modify_write(
        KIND,
        payload.campaign_id,
        get=m.client.get_campaign,
        build=lambda current: payload.to_snap_item(m.to_micro, current=current),
        send=lambda current, item, key: _update(m, item, key),
    )
    return m.succeeded(done)


def _update(m: Mutation, item: Mapping[str, Any], key: str) -> Any:
    return m.client.update_campaigns(m.ad_account_id, [item], idempotency_key=key)[0]


@shared_task(
    bind=True, base=MutationTask, name="snap.campaign.update", payload_model=CampaignUpdate
)
def update(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.campaign.pause", payload_model=CampaignPause)
def pause(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(
    bind=True, base=MutationTask, name="snap.campaign.resume", payload_model=CampaignResume
)
def resume(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(
    bind=True, base=MutationTask, name="snap.campaign.delete", payload_model=CampaignDelete
)
def delete(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`DELETE /campaigns/{id}`; a 404 on a retried key counts as done."""
    campaign_id = m.payload.campaign_id
    done = m.delete(
        "delete",
        KIND,
        campaign_id,
        send=lambda key: m.client.delete_campaign(campaign_id, idempotency_key=key),
    )
    return m.succeeded(done)
