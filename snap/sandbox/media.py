"""Media file uploads: one request (`POST /media/{id}/upload`, multipart part `file`) or
chunked (`POST /media/{id}/multipart-upload-v2?action=INIT|ADD|FINALIZE`), per
Snap docs: Media. INIT/ADD/FINALIZE parameters are accepted as form fields or as
query parameters (clients do both). Answers carry the media object under `result`.

`GET /media/{id}/preview` and `GET /media/{id}/thumbnail` are listed by the API
reference's media section (seen in third-party clients); their answer's shape is
unconfirmed, so the sandbox answers the closest documented reading: the envelope with
the media's id and a link to the rendition (`preview_link` / `thumbnail_link`), and 400
while the media is not READY (there is nothing to render yet).
"""

from __future__ import annotations

import uuid
from typing import Any

from snap import rules
from snap.sandbox.call import Call
from snap.sandbox.envelope import bad_request, iso, new_request_id
from snap.sandbox.state import SandboxState
from snap.sandbox.store import Record


def upload(state: SandboxState, call: Call) -> tuple[int, dict]:
    """Single-request upload: the media turns READY with its file name and a link."""
    file = (call.form or {}).get("file")
    if not isinstance(file, tuple):
        raise bad_request("file: a multipart part named 'file' is required")
    filename, content = file
    if len(content) > min(state.config.max_upload_bytes, rules.MEDIA_SIMPLE_UPLOAD_MAX_BYTES):
        raise bad_request(
            "file: larger than the single-request upload limit (32 MB); use multipart-upload-v2"
        )
    with state.lock:
        record = state.store.get("media", call.path_params["id"])
        return 200, _ready(state, record, filename or "upload.bin", len(content))


def _ready(state: SandboxState, record: Record, filename: str, size: int) -> dict[str, Any]:
    now = state.now()
    record.entity.update(
        media_status="READY",
        file_name=filename,
        file_size_in_bytes=size,
        download_link=f"https://sandbox.invalid/media/{record.entity['id']}/{filename}",
        updated_at=iso(now),
    )
    return {
        "request_status": "SUCCESS",
        "request_id": new_request_id(),
        "result": dict(record.entity),
    }


def multipart(state: SandboxState, call: Call) -> tuple[int, dict]:
    action = (call.query.get("action") or "").upper()
    fields = {**call.query, **(call.form or {})}
    with state.lock:
        record = state.store.get("media", call.path_params["id"])
        if action == "INIT":
            return 200, _init(state, record, fields)
        if action == "ADD":
            return 200, _add(state, record, fields)
        if action == "FINALIZE":
            return 200, _finalize(state, record, fields)
    raise bad_request("action must be INIT, ADD or FINALIZE")


def _init(state: SandboxState, record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    try:
        size, parts = int(fields["file_size"]), int(fields["number_of_parts"])
        name = str(fields["file_name"])
    except (KeyError, ValueError):
        raise bad_request("file_name, file_size and number_of_parts are required") from None
    if size > rules.MEDIA_CHUNKED_UPLOAD_MAX_BYTES or parts < 1:
        raise bad_request("file_size: at most 1 GB, in at least one part")
    upload_id = str(uuid.uuid4())
    state.uploads[upload_id] = {
        "media_id": record.entity["id"],
        "file_name": name,
        "file_size": size,
        "number_of_parts": parts,
        "parts": {},
    }
    base = f"/v1/media/{record.entity['id']}/multipart-upload-v2"
    return {
        "request_status": "SUCCESS",
        "request_id": new_request_id(),
        "upload_id": upload_id,
        "add_path": f"{base}?action=ADD",
        "finalize_path": f"{base}?action=FINALIZE",
    }


def _session(state: SandboxState, record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    session = state.uploads.get(str(fields.get("upload_id")))
    if session is None or session["media_id"] != record.entity["id"]:
        raise bad_request(f"upload_id: unknown upload {fields.get('upload_id')}")
    return session


def _add(state: SandboxState, record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    session = _session(state, record, fields)
    chunk = fields.get("file")
    try:
        part = int(fields["part_number"])
    except (KeyError, ValueError):
        raise bad_request("part_number: required, 1-based") from None
    if not isinstance(chunk, tuple) or not 1 <= part <= session["number_of_parts"]:
        raise bad_request("file and a part_number within number_of_parts are required")
    session["parts"][part] = len(chunk[1])
    return {"request_status": "SUCCESS", "request_id": new_request_id()}


def _finalize(state: SandboxState, record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    session = _session(state, record, fields)
    missing = set(range(1, session["number_of_parts"] + 1)) - set(session["parts"])
    if missing:
        raise bad_request(f"parts missing: {sorted(missing)}")
    size = sum(session["parts"].values())
    if size != session["file_size"]:
        raise bad_request(f"file_size: announced {session['file_size']} bytes, received {size}")
    del state.uploads[str(fields["upload_id"])]
    return _ready(state, record, session["file_name"], size)


def rendition(kind: str):
    """GET /media/{id}/preview or /thumbnail: a link to the rendition of READY media."""

    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        with state.lock:
            record = state.store.get("media", call.path_params["id"])
            media = record.entity
            if media.get("media_status") != "READY":
                raise bad_request(
                    f"media {media['id']} is {media.get('media_status')}: upload it first"
                )
            name = "thumbnail.jpg" if kind == "thumbnail" else "preview.mp4"
            if kind == "preview" and media.get("type") == "IMAGE":
                name = "preview.jpg"
            return 200, {
                "request_status": "SUCCESS",
                "request_id": new_request_id(),
                "media_id": media["id"],
                f"{kind}_link": f"https://sandbox.invalid/media/{media['id']}/{name}",
            }

    return handler
