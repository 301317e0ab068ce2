"""snap.adsquad.{create,update,pause,resume,delete}: ad squads live under a campaign.

Created and updated under their campaign (seed 004: `POST|PUT /campaigns/{id}/adsquads`);
the account's currency goes to `snap.models.validate_write` so the currency-specific
minimums (daily budget, bid bounds) are checked before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import shared_task

from tasks.payloads import (
    AdSquadCreate,
    AdSquadDelete,
    AdSquadPause,
    AdSquadResume,
    AdSquadUpdate,
)
from worker.mutations.reconcile import list_params, newest_first
from worker.mutations.task import Mutation, MutationTask
from worker.mutations.writes import Done

KIND = "adsquads"


@shared_task(bind=True, base=MutationTask, name="snap.adsquad.create", payload_model=AdSquadCreate)
def create(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`POST /campaigns/{id}/adsquads`; a lost answer is reconciled by listing the campaign's."""
    item = m.payload.to_snap_item(m.to_micro)
    return m.succeeded(create_ad_squad(m, "create", item, m.payload.campaign_id))


def create_ad_squad(m: Mutation, step: str, item: Mapping[str, Any], campaign_id: str) -> Done:
    """One ad squad under its campaign, as the journaled write `step`."""
    return m.create(
        step,
        KIND,
        item,
        parent_id=campaign_id,
        send=lambda key, sent: m.client.create_ad_squads(
            campaign_id, [sent], idempotency_key=key, currency=m.account.currency
        )[0],
        list_children=lambda: newest_first(
            m.client.list_ad_squads(
                campaign_id, parent="campaigns", **list_params("campaigns", KIND)
            )
        ),
    )


def _put(m: Mutation, payload: Any) -> dict[str, Any]:
    """Read the ad squad, lay the payload's changes on it, PUT it under its campaign."""
    done = m.read_modify_write(
        KIND,
        payload.ad_squad_id,
        get=m.client.get_ad_squad,
        build=lambda current: payload.to_snap_item(m.to_micro, current=current),
        send=lambda current, item, key: _update(m, current, item, key),
    )
    return m.succeeded(done)


def _update(m: Mutation, current: Mapping[str, Any], item: Mapping[str, Any], key: str) -> Any:
    campaign_id = current["campaign_id"]
    return m.client.update_ad_squads(
        campaign_id, [item], idempotency_key=key, currency=m.account.currency
    )[0]


@shared_task(bind=True, base=MutationTask, name="snap.adsquad.update", payload_model=AdSquadUpdate)
def update(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.adsquad.pause", payload_model=AdSquadPause)
def pause(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.adsquad.resume", payload_model=AdSquadResume)
def resume(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.adsquad.delete", payload_model=AdSquadDelete)
def delete(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`DELETE /adsquads/{id}`; a 404 on a retried key counts as done."""
    ad_squad_id = m.payload.ad_squad_id
    done = m.delete(
        "delete",
        KIND,
        ad_squad_id,
        send=lambda key: m.client.delete_ad_squad(ad_squad_id, idempotency_key=key),
    )
    return m.succeeded(done)
