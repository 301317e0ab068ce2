"""Ads (seed 001), list parameters (seed 003), media and creatives (Snap docs)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.unit.sandbox.conftest import (
    EUR,
    USD,
    campaign,
    created,
    error,
    make_ad,
    make_campaign,
    make_creative,
    make_media,
    make_squad,
    post,
)


def test_ad_type_must_match_the_creative_type(api):
    squad_id = make_squad(api, make_campaign(api))
    web = make_creative(api, type="WEB_VIEW", web_view_properties={"url": "https://example.com"})
    item = {
        "ad_squad_id": squad_id,
        "creative_id": web,
        "name": "a",
        "type": "SNAP_AD",
        "status": "ACTIVE",
    }
    body = error(post(api, f"/adsquads/{squad_id}/ads", "ads", item), 400)
    assert "type" in body["debug_message"] or "creative" in body["debug_message"]
    assert make_ad(api, squad_id, web, type="REMOTE_WEBPAGE")


def test_creative_and_ad_squad_must_share_the_ad_account(api):
    squad_id = make_squad(api, make_campaign(api, USD))
    eur_creative = make_creative(api, EUR)
    item = {
        "ad_squad_id": squad_id,
        "creative_id": eur_creative,
        "name": "a",
        "type": "SNAP_AD",
        "status": "ACTIVE",
    }
    body = error(post(api, f"/adsquads/{squad_id}/ads", "ads", item), 400)
    assert "creative_id" in body["debug_message"] and "ad account" in body["debug_message"]


def test_ad_with_an_unknown_creative_is_e3003(api):
    squad_id = make_squad(api, make_campaign(api))
    item = {
        "ad_squad_id": squad_id,
        "creative_id": "00000000-0000-4000-8000-000000000000",
        "name": "a",
        "type": "SNAP_AD",
        "status": "ACTIVE",
    }
    assert error(post(api, f"/adsquads/{squad_id}/ads", "ads", item), 400)["error_code"] == "E3003"


def test_review_status_rejected_with_reasons_and_back(sb, api):
    ad_id = make_ad(api, make_squad(api, make_campaign(api)), make_creative(api))
    sb.state.set_review_status(ad_id, "REJECTED", ["Misleading claims"])
    ad = api.get(f"/ads/{ad_id}").json()["ads"][0]["ad"]
    assert ad["review_status"] == "REJECTED" and ad["review_status_reasons"] == [
        "Misleading claims"
    ]
    assert "INVALID_NOT_APPROVED_REVIEW_STATUS" in ad["delivery_status"]
    sb.state.set_review_status(ad_id, "APPROVED")
    ad = api.get(f"/ads/{ad_id}").json()["ads"][0]["ad"]
    assert ad["review_status"] == "APPROVED" and "review_status_reasons" not in ad


@pytest.mark.parametrize("limit", ["49", "1001", "abc"])
def test_limit_must_be_50_to_1000(api, limit):
    body = error(api.get(f"/adaccounts/{USD}/campaigns", params={"limit": limit}), 400)
    assert "limit" in body["debug_message"]


def test_pagination_by_created_at_with_a_working_next_link(sb, api):
    ids = []
    for n in range(120):
        ids.append(make_campaign(api, name=f"c{n}"))
        sb.clock.advance(1)
    seen, url = [], f"/adaccounts/{USD}/campaigns?limit=50"
    while url:
        body = api.get(url).json()
        seen += [c["campaign"]["id"] for c in body["campaigns"]]
        url = body.get("paging", {}).get("next_link")
        if url:
            parsed = urlparse(url)
            assert parsed.scheme == "http" and parsed.netloc == "sandbox.invalid"  # absolute
            assert parse_qs(parsed.query)["limit"] == ["50"] and "cursor" in parse_qs(parsed.query)
    assert seen == ids


def test_sort_where_documented(sb, api):
    squad_id = make_squad(api, make_campaign(api))
    first = make_ad(api, squad_id, make_creative(api), name="first")
    sb.clock.advance(10)
    second = make_ad(api, squad_id, make_creative(api), name="second")
    body = api.get(f"/adsquads/{squad_id}/ads", params={"sort": "created_at-desc"}).json()
    assert [a["ad"]["id"] for a in body["ads"]] == [second, first]
    error(api.get(f"/adsquads/{squad_id}/ads", params={"sort": "name-asc"}), 400)


@pytest.mark.parametrize(
    "other", [{"read_deleted_entities": "true"}, {"type": "SNAP_AD"}, {"review_status": "APPROVED"}]
)
def test_sort_is_refused_with_incompatible_params(api, other):
    squad_id = make_squad(api, make_campaign(api))
    body = error(
        api.get(f"/adsquads/{squad_id}/ads", params={"sort": "updated_at-desc", **other}), 400
    )
    assert "sort" in body["debug_message"]


def test_media_create_upload_and_get(api):
    media_id = make_media(api, upload=False)
    got = api.get(f"/media/{media_id}").json()["media"][0]["media"]
    assert got["media_status"] == "PENDING_UPLOAD"
    response = api.post(f"/media/{media_id}/upload", files={"file": ("MOV_1808.mov", b"x" * 10)})
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["media_status"] == "READY" and result["file_name"] == "MOV_1808.mov"
    listed = api.get(f"/adaccounts/{USD}/media").json()["media"]
    assert [m["media"]["id"] for m in listed] == [media_id]


def test_chunked_upload_init_add_finalize(api):
    media_id = make_media(api, upload=False)
    init = api.post(
        f"/media/{media_id}/multipart-upload-v2",
        params={"action": "INIT"},
        files={
            "file_name": (None, "big.mp4"),
            "file_size": (None, "10"),
            "number_of_parts": (None, "2"),
        },
    )
    assert init.status_code == 200, init.text
    upload_id, add_path = init.json()["upload_id"], init.json()["add_path"]
    for part, chunk in ((1, b"a" * 6), (2, b"b" * 4)):
        added = api.post(
            add_path.removeprefix("/v1"),
            files={"file": ("big.mp4", chunk)},
            data={"part_number": str(part), "upload_id": upload_id},
        )
        assert added.status_code == 200, added.text
    final = api.post(
        init.json()["finalize_path"].removeprefix("/v1"), data={"upload_id": upload_id}
    )
    assert final.status_code == 200, final.text
    assert final.json()["result"]["media_status"] == "READY"


def test_finalize_with_missing_parts_is_refused(api):
    media_id = make_media(api, upload=False)
    init = api.post(
        f"/media/{media_id}/multipart-upload-v2?action=INIT",
        data={"file_name": "f", "file_size": "4", "number_of_parts": "2"},
    ).json()
    final = api.post(
        f"/media/{media_id}/multipart-upload-v2?action=FINALIZE",
        data={"upload_id": init["upload_id"]},
    )
    assert "missing" in error(final, 400)["debug_message"]


def test_media_and_creative_bulk_limit_is_10(api):
    media = [{"name": f"m{n}", "type": "IMAGE", "ad_account_id": USD} for n in range(11)]
    assert post(api, f"/adaccounts/{USD}/media", "media", *media[:10]).status_code == 200
    assert (
        "10" in error(post(api, f"/adaccounts/{USD}/media", "media", *media), 400)["debug_message"]
    )
    media_id = make_media(api)
    creative = {
        "name": "c",
        "ad_account_id": USD,
        "type": "SNAP_AD",
        "headline": "h",
        "brand_name": "b",
        "top_snap_media_id": media_id,
    }
    assert error(post(api, f"/adaccounts/{USD}/creatives", "creatives", *[creative] * 11), 400)


def test_creative_needs_ready_media_of_its_account(api):
    pending = make_media(api, upload=False)
    creative = {
        "name": "c",
        "ad_account_id": USD,
        "type": "SNAP_AD",
        "headline": "h",
        "brand_name": "b",
        "top_snap_media_id": pending,
    }
    assert (
        "READY"
        in error(post(api, f"/adaccounts/{USD}/creatives", "creatives", creative), 400)[
            "debug_message"
        ]
    )
    creative["top_snap_media_id"] = make_media(api, EUR)
    assert (
        error(post(api, f"/adaccounts/{USD}/creatives", "creatives", creative), 400)["error_code"]
        == "E3003"
    )


def test_creative_update_and_list(api):
    creative_id = make_creative(api)
    got = api.get(f"/creatives/{creative_id}").json()["creatives"][0]["creative"]
    got["headline"] = "New headline"
    response = api.put(f"/adaccounts/{USD}/creatives", json={"creatives": [got]})
    assert created(response, "creatives", "creative")["headline"] == "New headline"
    listed = api.get(f"/adaccounts/{USD}/creatives").json()["creatives"]
    assert [c["creative"]["id"] for c in listed] == [creative_id]


def test_suspended_account_shows_and_refuses_writes(sb, api):
    sb.state.suspend_ad_account(USD)
    account = api.get(f"/adaccounts/{USD}").json()["adaccounts"][0]["adaccount"]
    assert account["status"] == "DISABLED" and "INVALID_NOT_ACTIVE" in account["delivery_status"]
    error(post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign()), 403)
    sb.state.reinstate_ad_account(USD)
    assert post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign()).status_code == 200


def test_client_is_a_plain_httpx_client(sb):
    assert isinstance(sb.transport, httpx.BaseTransport)


def test_ad_update_and_campaign_list_with_limit_and_sort(sb, api):
    squad_id = make_squad(api, make_campaign(api))
    ad_id = make_ad(api, squad_id, make_creative(api))
    ad = api.get(f"/ads/{ad_id}").json()["ads"][0]["ad"]
    item = {k: ad[k] for k in ("id", "ad_squad_id", "creative_id", "name", "type")} | {
        "status": "PAUSED"
    }
    updated = api.put(f"/adsquads/{squad_id}/ads", json={"ads": [item]})
    assert created(updated, "ads", "ad")["status"] == "PAUSED"
    sb.clock.advance(5)
    newer = make_campaign(api, name="newer")
    # seed 002: GET .../campaigns?limit=100&sort=updated_at-desc
    body = api.get(
        f"/adaccounts/{USD}/campaigns", params={"limit": 100, "sort": "updated_at-desc"}
    ).json()
    assert body["campaigns"][0]["campaign"]["id"] == newer
