"""snap.creative.create: media checked (exists, same account, READY) before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fleet import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Fleet


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "hero.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 512)
    return path


def _upload(fleet: Fleet, image: Path, account: str = USD_AD_ACCOUNT_ID) -> str:
    result = fleet.call(
        "snap.media.upload",
        {"ad_account_id": account, "name": "hero", "media_type": "IMAGE", "file_path": str(image)},
    )
    assert result["status"] == "succeeded", result
    return str(result["media_id"])


def _creative(media_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "name": "Spring hero",
        "type": "WEB_VIEW",
        "headline": "New spring collection",
        "brand_name": "Badger Supplies",
        "top_snap_media_id": media_id,
        "call_to_action": "SHOP_NOW",
        "web_view_properties": {"url": "https://shop.example.com/spring"},
        **extra,
    }


def _writes(fleet: Fleet) -> int:
    return sum(
        r["method"] in ("POST", "PUT", "DELETE") and r["path"].startswith("/v1/")
        for r in fleet.sandbox.state.requests()
    )


def test_a_creative_binds_uploaded_media(fleet_worker: Fleet, image: Path) -> None:
    fleet = fleet_worker
    media_id = _upload(fleet, image)

    result = fleet.call("snap.creative.create", _creative(media_id))

    assert result["status"] == "succeeded", result
    creative = fleet.sandbox.state.store.find(result["snap_id"]).entity
    assert creative["top_snap_media_id"] == media_id
    assert creative["web_view_properties"]["url"] == "https://shop.example.com/spring"


def test_a_missing_media_is_not_found_naming_the_field_with_no_write(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    before = _writes(fleet)

    result = fleet.call("snap.creative.create", _creative("5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e"))

    assert (result["status"], result["code"]) == ("failed", "not_found")
    assert result["field"] == "top_snap_media_id"
    assert result["message"].startswith("top_snap_media_id: media 5b4c3d2e")
    assert "upload it first" in result["message"]
    assert _writes(fleet) == before


def test_media_of_another_ad_account_is_not_found(fleet_worker: Fleet, image: Path) -> None:
    fleet = fleet_worker
    eur_media = _upload(fleet, image, account=EUR_AD_ACCOUNT_ID)
    before = _writes(fleet)

    result = fleet.call("snap.creative.create", _creative(eur_media))

    assert (result["code"], result["field"]) == ("not_found", "top_snap_media_id")
    assert _writes(fleet) == before


def test_media_still_pending_upload_is_refused_before_writing(fleet_worker: Fleet) -> None:
    fleet = fleet_worker
    runtime = fleet.runtime
    account = runtime.account(USD_AD_ACCOUNT_ID)
    with runtime.account_gate_scope(account):
        pending = runtime.client(account.connection_id).create_media(
            USD_AD_ACCOUNT_ID,
            [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": "never uploaded", "type": "IMAGE"}],
            idempotency_key="test-pending-media",
        )[0]
    before = _writes(fleet)

    result = fleet.call("snap.creative.create", _creative(pending.id))

    assert (result["code"], result["field"]) == ("media_not_ready", "top_snap_media_id")
    assert "PENDING_UPLOAD" in result["message"]
    assert _writes(fleet) == before
