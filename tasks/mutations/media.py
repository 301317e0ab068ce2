"""snap.media.upload: create a media entity, upload its file, wait until Snap says READY.

Seed 000 (Troubleshooting): upload media first, then create the creative, then the ad.

Two journaled steps, keyed separately: `media` (the entity create, reconciled by
listing the account's media if its answer was lost) and `upload` (the bytes into that
media id: re-sending them is harmless, so it is journaled as an update). A retry of the
task replays whichever step already succeeded and resumes at the next one. The bytes are
fetched before anything is sent, so an unreadable or oversized source never reaches Snap.
Files over SIMPLE_UPLOAD_MAX_BYTES go up in parts (multipart-upload-v2).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from celery import shared_task

from snap.client import SIMPLE_UPLOAD_MAX_BYTES as CLIENT_SIMPLE_MAX_BYTES
from snap.client import UPLOAD_PART_BYTES as CLIENT_PART_BYTES
from tasks.payloads import MediaUpload
from worker.errors import Code, MediaSourceError, TaskFailed
from worker.mutations.media_ready import (
    DEFAULT_WAIT_S,
    ERROR,
    MediaState,
    status_of,
    wait_until_ready,
)
from worker.mutations.media_source import MediaFile, media_file
from worker.mutations.reconcile import list_params, newest_first
from worker.mutations.task import Mutation, MutationTask
from worker.results import failed
from worker.settings import Settings

# Snap docs: Media: one request up to 32 MB, else multipart-upload-v2 in parts.
SIMPLE_UPLOAD_MAX_BYTES = CLIENT_SIMPLE_MAX_BYTES
UPLOAD_PART_BYTES = CLIENT_PART_BYTES
# The wait for READY ends this long before the task's hard time limit.
WAIT_MARGIN_S = 60.0


@shared_task(bind=True, base=MutationTask, name="snap.media.upload", payload_model=MediaUpload)
def upload(self: MutationTask, m: Mutation) -> dict[str, Any]:
    payload: MediaUpload = m.payload
    with _source(payload, m.runtime.settings) as file:
        media_id = _create(m, payload)
        uploaded = _upload(m, media_id, file)
    state = _wait(self, m, media_id, status_of(uploaded))
    return m.succeeded(media_id, media_id=media_id, media_status=state.media_status)


@contextlib.contextmanager
def _source(payload: MediaUpload, settings: Settings) -> Iterator[MediaFile]:
    """The media bytes as a local file; a bad source fails as `validation` naming the field."""
    try:
        with media_file(
            source_url=str(payload.source_url) if payload.source_url else None,
            file_path=payload.file_path,
            fallback_name=payload.name,
            roots=settings.media_roots,
            allow_private_urls=settings.snapfleet_media_allow_private_urls,
        ) as file:
            yield file
    except MediaSourceError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: MediaSourceError) -> TaskFailed:
    return TaskFailed(
        failed(exc.code, str(exc), errors=[{"field": exc.field, "message": str(exc)}]),
        cause=exc,
    )


def _create(m: Mutation, payload: MediaUpload) -> str:
    account_id = m.ad_account_id
    done = m.create(
        "media",
        "media",
        payload.to_snap_item(),
        parent_id=account_id,
        send=lambda key, item: m.client.create_media(account_id, [item], idempotency_key=key)[0],
        list_children=lambda: newest_first(
            m.client.list_media(account_id, **list_params("adaccounts", "media"))
        ),
    )
    assert done.snap_id is not None
    return done.snap_id


def _upload(m: Mutation, media_id: str, file: MediaFile) -> dict[str, Any]:
    def send(key: str, _item: Any) -> Any:
        with file.path.open("rb") as stream:
            return m.client.upload_media(
                media_id,
                stream,
                file_name=file.file_name,
                idempotency_key=key,
                part_bytes=UPLOAD_PART_BYTES,
                simple_max_bytes=SIMPLE_UPLOAD_MAX_BYTES,
            )

    item = {"id": media_id, "file_name": file.file_name, "file_size_in_bytes": file.size_bytes}
    return m.update("upload", "media", media_id, item, send=send).entity


def _wait(task: MutationTask, m: Mutation, media_id: str, status: str | None) -> MediaState:
    """Poll until READY (bounded); ERROR is `rejected`, a timeout `media_not_ready`."""
    limit_s = task.settings.snapfleet_task_time_limit_s - WAIT_MARGIN_S
    timeout_s = min(m.payload.wait_ready_timeout_s or DEFAULT_WAIT_S, max(limit_s, 1.0))
    state = wait_until_ready(m.client.get_media, media_id, first_status=status, timeout_s=timeout_s)
    if state.media_status == ERROR:
        raise TaskFailed(
            failed(
                Code.REJECTED,
                f"Snapchat Ads upload_media: media {media_id} failed processing (ERROR)",
                media_id=media_id,
                media_status=ERROR,
            )
        )
    if not state.ready:
        raise TaskFailed(
            failed(
                Code.MEDIA_NOT_READY,
                f"media {media_id} is still {state.media_status} after {timeout_s:g}s; "
                "send the task again with the same task id to keep waiting (nothing is "
                "created or uploaded twice)",
                media_id=media_id,
                media_status=state.media_status,
            )
        )
    return state
