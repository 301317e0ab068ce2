"""snap.creative.create: bind uploaded media into a creative (Snap docs: Creatives).

Seed 000 (Troubleshooting): upload media first (snap.media.upload), then create the
creative, then the ad. Every media the creative references (the top snap, and the app
icon of an app-install or deep-link creative) is read first and must be READY media of
the same ad account: a missing one fails as `not_found` naming its field, a media still
processing as `media_not_ready`, both before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from celery import shared_task

from snap.dryrun import is_dry_run_id
from snap.errors import NotFound
from tasks.payloads import CreativeCreate
from worker.errors import Code, TaskFailed
from worker.mutations.reconcile import list_params, newest_first
from worker.mutations.task import Mutation, MutationTask
from worker.results import failed

KIND = "creatives"
ORDER = "upload media (snap.media.upload) -> create creative -> create ad"


@shared_task(
    bind=True, base=MutationTask, name="snap.creative.create", payload_model=CreativeCreate
)
def create(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """`POST /adaccounts/{id}/creatives`; a lost answer is reconciled by listing them."""
    account_id = m.ad_account_id
    for field, media_id in media_references(m.payload):
        _check_media(m, field, media_id)
    done = m.create(
        "create",
        KIND,
        m.payload.to_snap_item(),
        parent_id=account_id,
        send=lambda key, item: m.client.create_creatives(account_id, [item], idempotency_key=key)[
            0
        ],
        list_children=lambda: newest_first(
            m.client.list_creatives(account_id, **list_params("adaccounts", KIND))
        ),
    )
    return m.succeeded(done)


def media_references(payload: CreativeCreate) -> Iterator[tuple[str, str]]:
    """(payload field, media id) of every media the creative binds."""
    yield "top_snap_media_id", payload.top_snap_media_id
    for name in ("app_install_properties", "deep_link_properties"):
        properties = getattr(payload, name)
        if properties is not None:
            yield f"{name}.icon_media_id", properties.icon_media_id


def _check_media(m: Mutation, field: str, media_id: str) -> None:
    """The media exists in this ad account and is READY, or the task ends before any write."""
    if m.dry_run and is_dry_run_id(media_id):
        return  # uploaded in this dry run: it never reached Snap, there is nothing to read
    try:
        media = m.client.get_media(media_id)
    except NotFound as exc:
        raise TaskFailed(_missing(m, field, media_id), cause=exc) from exc
    if getattr(media, "ad_account_id", m.ad_account_id) != m.ad_account_id:
        raise TaskFailed(_missing(m, field, media_id))
    status = getattr(media, "media_status", None)
    if status != "READY":
        raise TaskFailed(
            failed(
                Code.MEDIA_NOT_READY,
                f"{field}: media {media_id} is {status}, not READY: wait for snap.media.upload "
                "to finish",
                field=field,
            )
        )


def _missing(m: Mutation, field: str, media_id: str) -> dict[str, Any]:
    return failed(
        Code.NOT_FOUND,
        f"{field}: media {media_id} not found in ad account {m.ad_account_id}: "
        f"upload it first ({ORDER})",
        field=field,
    )
