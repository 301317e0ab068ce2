"""snap.media.upload through a real worker against the sandbox: file, URL, chunked, replay."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import tasks.mutations.media
from tasks.payloads import RESULT_EXAMPLES
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 10  # 2572 bytes


class _Cdn(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/creatives/hero.mp4" else 404)
        self.send_header("Content-Length", str(len(VIDEO)))
        self.end_headers()
        self.wfile.write(VIDEO)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def cdn() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Cdn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    path = tmp_path / "spring-hero.mp4"
    path.write_bytes(VIDEO)
    return path


def _payload(**source: Any) -> dict[str, Any]:
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "name": "Spring hero",
        "media_type": "VIDEO",
        **source,
    }


def _media(fleet: Fleet, media_id: str) -> dict[str, Any]:
    return dict(fleet.sandbox.state.store.find(media_id).entity)


def _writes(fleet: Fleet) -> list[dict[str, Any]]:
    """Write requests to the Ads API (the token endpoint's POSTs are not writes)."""
    return [
        r
        for r in fleet.sandbox.state.requests()
        if r["method"] in ("POST", "PUT", "DELETE") and r["path"].startswith("/v1/")
    ]


def test_upload_from_a_file_creates_uploads_and_reports_ready(
    fleet_worker: Fleet, video_file: Path
) -> None:
    fleet = fleet_worker
    result = fleet.call("snap.media.upload", _payload(file_path=str(video_file)))

    assert result["status"] == "succeeded", result
    assert result["media_status"] == "READY" and result["dry_run"] is False
    assert result["media_id"] == result["snap_id"]
    assert set(RESULT_EXAMPLES["snap.media.upload"]) <= set(result)  # the documented shape
    media = _media(fleet, result["media_id"])
    assert (media["media_status"], media["file_size_in_bytes"]) == ("READY", len(VIDEO))
    assert media["file_name"] == "spring-hero.mp4"
    paths = [r["path"] for r in _writes(fleet)]
    assert paths == [f"/v1/adaccounts/{USD_AD_ACCOUNT_ID}/media", f"/v1/media/{media['id']}/upload"]


def test_upload_from_a_url_downloads_then_uploads(fleet_worker: Fleet, cdn: str) -> None:
    fleet = fleet_worker
    result = fleet.call("snap.media.upload", _payload(source_url=f"{cdn}/creatives/hero.mp4"))

    assert result["status"] == "succeeded", result
    media = _media(fleet, result["media_id"])
    assert (media["file_name"], media["file_size_in_bytes"]) == ("hero.mp4", len(VIDEO))


def test_a_file_over_the_simple_limit_goes_up_in_parts(
    fleet_worker: Fleet, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = fleet_worker
    monkeypatch.setattr(tasks.mutations.media, "SIMPLE_UPLOAD_MAX_BYTES", 1000)
    monkeypatch.setattr(tasks.mutations.media, "UPLOAD_PART_BYTES", 1000)

    result = fleet.call("snap.media.upload", _payload(file_path=str(video_file)))

    assert result["status"] == "succeeded", result
    actions = [
        r["query"].get("action") or r["path"].rsplit("/", 1)[-1]
        for r in _writes(fleet)
        if "multipart-upload-v2" in r["path"]
    ]
    assert actions == ["INIT", "ADD", "ADD", "ADD", "FINALIZE"]
    assert _media(fleet, result["media_id"])["file_size_in_bytes"] == len(VIDEO)


def test_a_rerun_of_the_same_task_replays_without_sending_anything(
    fleet_worker: Fleet, video_file: Path
) -> None:
    fleet = fleet_worker
    task_id = str(uuid.uuid4())
    first = fleet.call("snap.media.upload", _payload(file_path=str(video_file)), task_id=task_id)
    sent = len(_writes(fleet))

    again = fleet.call("snap.media.upload", _payload(file_path=str(video_file)), task_id=task_id)

    assert again["media_id"] == first["media_id"] and again["media_status"] == "READY"
    assert len(_writes(fleet)) == sent


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"file_path": "/nonexistent/clip.mp4"}, "file_path"),
        ({"source_url": "http://127.0.0.1:9/unreachable.mp4"}, "source_url"),
    ],
)
def test_an_unreadable_source_fails_naming_the_field_and_sends_nothing(
    fleet_worker: Fleet, source: dict[str, str], field: str
) -> None:
    fleet = fleet_worker
    before = len(fleet.sandbox.state.requests())

    result = fleet.call("snap.media.upload", _payload(**source))

    assert (result["status"], result["code"]) == ("failed", "validation")
    assert result["errors"][0]["field"] == field
    assert len(fleet.sandbox.state.requests()) == before
