"""snap.ad.{create,update,pause,resume,delete}: ads bind a creative into an ad squad.

The documented order is upload media -> create creative -> create ad; an ad naming a
creative that does not exist is refused before the write (`not_found`, naming the
creative), and the creative's type feeds the ad-type check of `snap.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import shared_task

from snap.dryrun import is_dry_run_id
from snap.errors import NotFound
from tasks.payloads import AdCreate, AdDelete, AdPause, AdResume, AdUpdate
from worker.errors import Code, TaskFailed
from worker.mutations.reconcile import list_params, newest_first
from worker.mutations.task import Mutation, MutationTask
from worker.mutations.writes import Done
from worker.results import failed

KIND = "ads"
# Seed 000, Troubleshooting: the guide's words for an ad naming a creative that is not there.
MISSING_CREATIVE = (
    "creative_id references a missing creative — Snap's ad references creatives by id. "
    "Make sure to upload media first (upload_media), then create the creative "
    "(create_creative), and finally create the ad with the resulting creative_id bound on it"
)


@shared_task(bind=True, base=MutationTask, name="snap.ad.create", payload_model=AdCreate)
def create(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`POST /adsquads/{id}/ads`; a lost answer is reconciled by listing the ad squad's ads."""
    creative_type = _creative_type(m, m.payload.creative_id)
    item = m.payload.to_snap_item()
    return m.succeeded(create_ad(m, "create", item, m.payload.ad_squad_id, creative_type))


def create_ad(
    m: Mutation, step: str, item: Mapping[str, Any], ad_squad_id: str, creative_type: str | None
) -> Done:
    """One ad under its ad squad, as the journaled write `step`."""
    return m.create(
        step,
        KIND,
        item,
        parent_id=ad_squad_id,
        send=lambda key, sent: m.client.create_ads(
            ad_squad_id, [sent], idempotency_key=key, creative_type=creative_type
        )[0],
        list_children=lambda: newest_first(
            m.client.list_ads(ad_squad_id, parent="adsquads", **list_params("adsquads", KIND))
        ),
    )


def _creative_type(m: Mutation, creative_id: str) -> str | None:
    """The creative's type, or `not_found` naming it and the documented order."""
    if m.dry_run and is_dry_run_id(creative_id):
        return None  # made by a dry run (maybe in another process): Snap never saw it
    try:
        creative = m.client.get_creative(creative_id)
    except NotFound as exc:
        raise TaskFailed(
            failed(
                Code.NOT_FOUND,
                f"{MISSING_CREATIVE} (creative {creative_id}, ad account {m.ad_account_id}; "
                "the tasks: snap.media.upload, snap.creative.create, snap.ad.create)",
                field="creative_id",
            ),
            cause=exc,
        ) from exc
    return getattr(creative, "type", None)


def _put(m: Mutation, payload: Any) -> dict[str, Any]:
    """Read the ad, lay the payload's changes on it, PUT it under its ad squad."""
    done = m.read_modify_write(
        KIND,
        payload.ad_id,
        get=m.client.get_ad,
        build=lambda current: payload.to_snap_item(current=current),
        send=lambda current, item, key: _update(m, current, item, key),
    )
    return m.succeeded(done)


def _update(m: Mutation, current: Mapping[str, Any], item: Mapping[str, Any], key: str) -> Any:
    return m.client.update_ads(current["ad_squad_id"], [item], idempotency_key=key)[0]


@shared_task(bind=True, base=MutationTask, name="snap.ad.update", payload_model=AdUpdate)
def update(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.ad.pause", payload_model=AdPause)
def pause(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.ad.resume", payload_model=AdResume)
def resume(self: MutationTask, m: Mutation) -> dict[str, Any]:
    return _put(m, m.payload)


@shared_task(bind=True, base=MutationTask, name="snap.ad.delete", payload_model=AdDelete)
def delete(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`DELETE /ads/{id}`; a 404 on a retried key counts as done."""
    ad_id = m.payload.ad_id
    done = m.delete(
        "delete", KIND, ad_id, send=lambda key: m.client.delete_ad(ad_id, idempotency_key=key)
    )
    return m.succeeded(done)
