"""The sandbox answers as the API reference says, checked with the real client over it.

Read parameters on the list and the single-entity routes (`read_deleted_entities`,
`return_placement_v2`), ads sent back to review when their ad squad's targeting or their
creative changes (seed 004), and the media preview and thumbnail routes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from snap.client import SnapClient
from snap.errors import BadRequest, NotFound
from snap.oauth import StaticTokenProvider
from snap.sandbox import USD_AD_ACCOUNT_ID, Sandbox
from tests.contract.test_client_vs_sandbox import ad_squad, campaign

TOKEN = "fidelity-token"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
REVIEW_DELAY_S = 900


@pytest.fixture
def sandbox():
    with Sandbox(token=TOKEN, start_time=START, app_rps=None, token_rps=None) as sb:
        yield sb


@pytest.fixture
def client(sandbox):
    with SnapClient(
        sandbox.base_url, StaticTokenProvider(TOKEN), transport=sandbox.transport,
        sleep=lambda _s: None,
    ) as snap:  # fmt: skip
        yield snap


def _raw(sandbox: Sandbox, path: str, **params: str) -> dict[str, Any]:
    """A GET as any other client would send it, without the fleet client's defaults."""
    http = httpx.Client(transport=sandbox.transport)  # closing it would close the transport
    answer = http.get(
        f"{sandbox.base_url}{path}", params=params, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _chain(client: SnapClient, n: int = 0) -> dict[str, Any]:
    """campaign -> ad squad -> media (READY) -> two creatives -> one ad."""
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign(n)], idempotency_key=f"c{n}")
    (squad,) = client.create_ad_squads(camp.id, [ad_squad(camp.id)], idempotency_key=f"s{n}")
    (media,) = client.create_media(
        USD_AD_ACCOUNT_ID,
        [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": "still", "type": "IMAGE"}],
        idempotency_key=f"m{n}",
    )
    client.upload_media(media.id, io.BytesIO(b"i" * 300), file_name="still.png",
                        idempotency_key=f"u{n}")  # fmt: skip
    creatives = client.create_creatives(
        USD_AD_ACCOUNT_ID,
        [
            {"ad_account_id": USD_AD_ACCOUNT_ID, "name": f"cr{i}", "type": "SNAP_AD",
             "headline": "Hi", "brand_name": "Brand", "top_snap_media_id": media.id}
            for i in (1, 2)
        ],
        idempotency_key=f"cr{n}",
    )  # fmt: skip
    (ad,) = client.create_ads(
        squad.id,
        [{"ad_squad_id": squad.id, "creative_id": creatives[0].id, "name": "ad",
          "type": "SNAP_AD", "status": "ACTIVE"}],
        idempotency_key=f"a{n}",
    )  # fmt: skip
    return {"campaign": camp, "squad": squad, "media": media, "creatives": creatives, "ad": ad}


def test_a_deleted_entity_reads_back_only_when_asked(sandbox: Sandbox, client: SnapClient) -> None:
    made = _chain(client)
    camp, ad = made["campaign"], made["ad"]
    client.delete_ad(ad.id, idempotency_key="d-ad")
    client.delete_campaign(camp.id, idempotency_key="d-camp")
    # Without the parameter, a deleted entity is a 404, as one that never was
    with pytest.raises(NotFound):
        client.get_campaign(camp.id)
    with pytest.raises(NotFound):
        client.get_ad(ad.id)
    # With it (seeds 001, 002: "Get a specific Ad/Campaign"), it answers, marked deleted
    assert client.get_campaign(camp.id, read_deleted_entities=True).deleted is True
    assert client.get_ad(ad.id, read_deleted_entities=True).deleted is True
    listed = client.list_campaigns(USD_AD_ACCOUNT_ID, read_deleted_entities=True)
    assert {c.id: c.deleted for c in listed}[camp.id] is True
    assert camp.id not in {c.id for c in client.list_campaigns(USD_AD_ACCOUNT_ID)}


def test_placement_v2_comes_back_only_with_return_placement_v2(
    sandbox: Sandbox, client: SnapClient
) -> None:
    squad = _chain(client)["squad"]
    bare = _raw(sandbox, f"/adsquads/{squad.id}")["adsquads"][0]["adsquad"]
    asked = _raw(sandbox, f"/adsquads/{squad.id}", return_placement_v2="true")
    listed = _raw(sandbox, f"/adaccounts/{USD_AD_ACCOUNT_ID}/adsquads")["adsquads"]
    assert "placement_v2" not in bare and all("placement_v2" not in i["adsquad"] for i in listed)
    assert asked["adsquads"][0]["adsquad"]["placement_v2"] == {"config": "AUTOMATIC"}
    # The fleet's client asks for it, so an update that carries the ad squad keeps it
    assert client.get_ad_squad(squad.id).placement_v2 is not None
    assert all(s.placement_v2 is not None for s in client.list_ad_squads(squad.campaign_id))


def _review(client: SnapClient, ad_id: str) -> str:
    return str(client.get_ad(ad_id).review_status)


def test_a_targeting_change_sends_the_ads_back_to_review(
    sandbox: Sandbox, client: SnapClient
) -> None:
    made = _chain(client)
    squad, ad = made["squad"], made["ad"]
    sandbox.state.advance(REVIEW_DELAY_S + 60)
    assert _review(client, ad.id) == "APPROVED"
    current = client.get_ad_squad(squad.id).model_dump(mode="json", exclude_none=True)
    # When the ad squad's budget alone changes, the ad keeps its approval
    carried = ("id", "campaign_id", "name", "type", "targeting", "placement_v2",
               "optimization_goal", "bid_strategy", "billing_event", "status")  # fmt: skip
    keep = {k: current[k] for k in carried}
    client.update_ad_squads(squad.campaign_id, [{**keep, "daily_budget_micro": 30_000_000}],
                            idempotency_key="u1")  # fmt: skip
    assert _review(client, ad.id) == "APPROVED"
    # When its targeting changes, the ad is reviewed again, then approved again
    retargeted = {**keep, "daily_budget_micro": 30_000_000,
                  "targeting": {"geos": [{"country_code": "ca"}]}}  # fmt: skip
    client.update_ad_squads(squad.campaign_id, [retargeted], idempotency_key="u2")
    assert _review(client, ad.id) == "PENDING"
    assert "INVALID_PENDING_REVIEW_STATUS" in (client.get_ad(ad.id).delivery_status or [])
    sandbox.state.advance(REVIEW_DELAY_S + 60)
    assert _review(client, ad.id) == "APPROVED"


def test_a_new_creative_sends_the_ad_back_to_review(sandbox: Sandbox, client: SnapClient) -> None:
    made = _chain(client)
    ad, creatives = made["ad"], made["creatives"]
    sandbox.state.set_review_status(ad.id, "REJECTED", ["bad creative"])
    assert _review(client, ad.id) == "REJECTED"
    item = {"id": ad.id, "ad_squad_id": ad.ad_squad_id, "creative_id": creatives[1].id,
            "name": "ad", "type": "SNAP_AD", "status": "ACTIVE"}  # fmt: skip
    client.update_ads(ad.ad_squad_id, [item], idempotency_key="swap")
    assert _review(client, ad.id) == "PENDING"
    sandbox.state.advance(REVIEW_DELAY_S + 60)
    assert _review(client, ad.id) == "APPROVED"


def test_media_preview_and_thumbnail_are_served(sandbox: Sandbox, client: SnapClient) -> None:
    media = _chain(client)["media"]
    preview = client.media_preview(media.id)
    thumbnail = client.media_thumbnail(media.id)
    assert preview["media_id"] == media.id and preview["preview_link"].startswith("https://")
    assert thumbnail["thumbnail_link"].endswith("thumbnail.jpg")
    (pending,) = client.create_media(
        USD_AD_ACCOUNT_ID,
        [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": "later", "type": "VIDEO"}],
        idempotency_key="pending",
    )
    with pytest.raises(BadRequest):
        client.media_preview(pending.id)
    with pytest.raises(NotFound):
        client.media_thumbnail("no-such-media")
