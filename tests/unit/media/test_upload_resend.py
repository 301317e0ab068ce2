"""A re-sent upload (the task's retry) is the same request: a key-honouring server replays it."""

from __future__ import annotations

import httpx

from snap.client import SnapClient
from snap.oauth import StaticTokenProvider
from snap.sandbox import USD_AD_ACCOUNT_ID, Sandbox

DATA = b"v" * 2500


def test_a_resent_chunked_upload_replays_instead_of_conflicting() -> None:
    with (
        Sandbox(token="t", app_rps=None, token_rps=None) as sb,  # a bare client, no gate
        SnapClient(sb.base_url, StaticTokenProvider("t"), transport=sb.transport) as client,
    ):
        media = client.create_media(
            USD_AD_ACCOUNT_ID,
            [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": "clip", "type": "VIDEO"}],
            idempotency_key="k-media",
        )[0]
        sizes = dict(part_bytes=1000, simple_max_bytes=1000)
        first = client.upload_media(media.id, DATA, file_name="c.mp4", idempotency_key="k", **sizes)
        again = client.upload_media(media.id, DATA, file_name="c.mp4", idempotency_key="k", **sizes)
    assert first.media_status == again.media_status == "READY"
    statuses = [r["status"] for r in sb.state.requests() if "multipart" in r["path"]]
    assert statuses == [200] * 10


def test_the_multipart_boundary_follows_the_key() -> None:
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return httpx.Response(200, json={"request_status": "SUCCESS", "result": {"id": "m"}})

    with SnapClient("http://x/v1", None, transport=httpx.MockTransport(answer)) as client:
        for key in ("k1", "k1", "k2"):
            client.upload_media("m", b"abc", file_name="a.png", idempotency_key=key)
    assert seen[0] == seen[1] != seen[2]
