"""Dry run (SNAPCHAT_ADS_LIVE_MODE off): the media -> creative chain writes nothing to Snap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fleet import USD_AD_ACCOUNT_ID, Fleet


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapchat_ads_live_mode": False}


def test_a_dry_run_upload_and_creative_send_no_write(fleet_worker: Fleet, tmp_path: Path) -> None:
    fleet = fleet_worker
    image = tmp_path / "hero.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x02" * 128)
    before = len(fleet.sandbox.state.requests())

    media = fleet.call(
        "snap.media.upload",
        {"ad_account_id": USD_AD_ACCOUNT_ID, "name": "hero", "media_type": "IMAGE",
         "file_path": str(image)},
    )  # fmt: skip
    creative = fleet.call(
        "snap.creative.create",
        {"ad_account_id": USD_AD_ACCOUNT_ID, "name": "Hero", "type": "WEB_VIEW",
         "headline": "Spring", "brand_name": "Badger", "top_snap_media_id": media["media_id"],
         "web_view_properties": {"url": "https://shop.example.com/spring"}},
    )  # fmt: skip

    assert (media["status"], media["dry_run"], media["media_status"]) == (
        "succeeded",
        True,
        "READY",
    )
    assert media["media_id"].startswith("dryrun-")
    assert (creative["status"], creative["dry_run"]) == ("succeeded", True)
    assert creative["snap_id"].startswith("dryrun-")
    sent = fleet.sandbox.state.requests()[before:]
    assert [r for r in sent if r["method"] != "GET"] == []
