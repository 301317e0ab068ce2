"""The real SnapClient against the sandbox, in-process over `SandboxTransport`.

Given a sandbox with an organization and a USD ad account, when the client walks the
fleet's flows (connect, create chain, lists, bulk writes, faults, tokens), I expect the
wire to carry what the unit tests assert and the sandbox's state to agree.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snap import client as client_module
from snap.client import SnapClient
from snap.errors import NotFound, OutcomeUnknown, PartialFailure, ServerError, Unauthorized
from snap.oauth import OAuthTokenProvider, StaticTokenProvider, authorization_url, exchange_code
from snap.sandbox import ORGANIZATION_ID, USD_AD_ACCOUNT_ID, Sandbox

TOKEN = "contract-token"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def sandbox():
    # The bare client has no gate (the fleet's gate keeps to Snap's per-app and per-token
    # limits): with the sandbox's limits on, its back-to-back calls would meet 429s.
    with Sandbox(token=TOKEN, start_time=START, app_rps=None, token_rps=None) as sb:
        yield sb


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sandbox, sleeps):
    with SnapClient(
        sandbox.base_url,
        StaticTokenProvider(TOKEN),
        transport=sandbox.transport,
        sleep=sleeps.append,
    ) as snap:
        yield snap


def campaign(n=0, **extra):
    return {
        "ad_account_id": USD_AD_ACCOUNT_ID,
        "name": f"Contract campaign {n}",
        "start_time": "2026-12-01T00:00:00.000Z",
        "status": "PAUSED",
        **extra,
    }


def ad_squad(campaign_id):
    return {
        "campaign_id": campaign_id,
        "name": "Contract squad",
        "type": "SNAP_ADS",
        "targeting": {"geos": [{"country_code": "us"}]},
        "placement_v2": {"config": "AUTOMATIC"},
        "optimization_goal": "SWIPES",
        "bid_strategy": "AUTO_BID",
        "billing_event": "IMPRESSION",
        "daily_budget_micro": 20_000_000,
        "status": "PAUSED",
    }


def logged(sandbox, method, path_part):
    return [r for r in sandbox.state.requests() if r["method"] == method and path_part in r["path"]]


def test_connect_probe_finds_the_accounts(client):
    me = client.me()
    orgs = client.organizations()
    accounts = client.ad_accounts(ORGANIZATION_ID)
    assert me.id
    assert ORGANIZATION_ID in {o.id for o in orgs}
    assert USD_AD_ACCOUNT_ID in {a.id for a in accounts}
    assert client.ad_account(USD_AD_ACCOUNT_ID).currency == "USD"


def test_the_create_chain_and_reads(sandbox, client, monkeypatch):
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="k-camp")
    (squad,) = client.create_ad_squads(camp.id, [ad_squad(camp.id)], idempotency_key="k-sq")
    (media,) = client.create_media(
        USD_AD_ACCOUNT_ID,
        [{"ad_account_id": USD_AD_ACCOUNT_ID, "name": "clip", "type": "VIDEO"}],
        idempotency_key="k-media",
    )
    monkeypatch.setattr(client_module, "SIMPLE_UPLOAD_MAX_BYTES", 1000)
    uploaded = client.upload_media(
        media.id,
        io.BytesIO(b"v" * 2500),
        file_name="clip.mp4",
        idempotency_key="k-up",
        part_bytes=1000,
    )
    assert uploaded.media_status == "READY"
    (creative,) = client.create_creatives(
        USD_AD_ACCOUNT_ID,
        [
            {
                "ad_account_id": USD_AD_ACCOUNT_ID,
                "name": "cr",
                "type": "SNAP_AD",
                "headline": "Hi",
                "brand_name": "Brand",
                "top_snap_media_id": media.id,
            }
        ],
        idempotency_key="k-cr",
    )
    (ad,) = client.create_ads(
        squad.id,
        [
            {
                "ad_squad_id": squad.id,
                "creative_id": creative.id,
                "name": "ad",
                "type": "SNAP_AD",
                "status": "PAUSED",
            }
        ],
        idempotency_key="k-ad",
    )
    assert client.get_campaign(camp.id).name == "Contract campaign 0"
    assert client.get_ad_squad(squad.id).campaign_id == camp.id
    assert client.get_creative(creative.id).top_snap_media_id == media.id
    assert client.get_ad(ad.id).review_status == "PENDING"
    assert [a.id for a in client.list_ads(squad.id)] == [ad.id]
    assert [a.id for a in client.list_ads(camp.id, parent="campaigns")] == [ad.id]
    assert ad.id in {a.id for a in client.list_ads(USD_AD_ACCOUNT_ID, parent="adaccounts")}
    assert media.id in {m.id for m in client.list_media(USD_AD_ACCOUNT_ID)}
    actions = [r["query"].get("action") for r in logged(sandbox, "POST", "multipart-upload-v2")]
    assert actions == ["INIT", "ADD", "ADD", "ADD", "FINALIZE"]


def test_update_then_delete_then_delete_again(client):
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="k1")
    (updated,) = client.update_campaigns(
        USD_AD_ACCOUNT_ID,
        [{"id": camp.id, "name": "Renamed", "status": "ACTIVE"}],
        idempotency_key="k2",
    )
    assert (updated.name, updated.status) == ("Renamed", "ACTIVE")
    client.delete_campaign(camp.id, idempotency_key="k3")
    assert camp.id not in {c.id for c in client.list_campaigns(USD_AD_ACCOUNT_ID)}
    deleted = client.list_campaigns(USD_AD_ACCOUNT_ID, read_deleted_entities=True)
    assert camp.id in {c.id for c in deleted}
    with pytest.raises(NotFound):
        client.delete_campaign(camp.id, idempotency_key="k4")


def test_bulk_create_is_chunked_and_lists_page_through(sandbox, client):
    made = client.create_campaigns(
        USD_AD_ACCOUNT_ID, [campaign(n) for n in range(65)], idempotency_key="bulk"
    )
    assert len(made) == 65 and len({c.id for c in made}) == 65
    posts = logged(sandbox, "POST", "/campaigns")
    assert [r["headers"]["idempotency-key"] for r in posts] == ["bulk:0", "bulk:1", "bulk:2"]
    listed = client.list_campaigns(USD_AD_ACCOUNT_ID, limit=50)
    assert {c.id for c in made} <= {c.id for c in listed}
    assert len(logged(sandbox, "GET", "/campaigns")) >= 2  # followed next_link


def test_partial_failure_from_the_sandbox(client):
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="p1")
    items = [
        {"id": camp.id, "name": "ok", "status": "PAUSED"},
        {"id": "00000000-0000-0000-0000-000000000000", "name": "ghost", "status": "PAUSED"},
    ]
    with pytest.raises(PartialFailure) as caught:
        client.update_campaigns(USD_AD_ACCOUNT_ID, items, idempotency_key="p2")
    assert [c.id for c in caught.value.succeeded] == [camp.id]
    assert [f["index"] for f in caught.value.failed] == [1]


def test_sort_by_created_at_desc(client):
    made = client.create_campaigns(
        USD_AD_ACCOUNT_ID, [campaign(n) for n in range(3)], idempotency_key="s"
    )
    listed = client.list_campaigns(USD_AD_ACCOUNT_ID, sort="created_at-desc")
    assert {c.id for c in made} <= {c.id for c in listed}


def test_429_is_retried_with_the_same_key(sandbox, client, sleeps):
    sandbox.state.inject_fault("status", status=429, times=1, method="POST", retry_after_s=1)
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="r429")
    posts = logged(sandbox, "POST", "/campaigns")
    assert [r["headers"]["idempotency-key"] for r in posts] == ["r429", "r429"]
    assert [r["status"] for r in posts] == [429, 200]
    assert sleeps == [1.0]
    assert client.get_campaign(camp.id).id == camp.id


def test_5xx_on_a_create_is_not_resent(sandbox, client):
    sandbox.state.inject_fault("status", status=503, times=1, method="POST")
    with pytest.raises(ServerError):
        client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="r5")
    assert len(logged(sandbox, "POST", "/campaigns")) == 1


def test_dropped_create_is_outcome_unknown_and_committed_once():
    with Sandbox(token=TOKEN, start_time=START, ignore_idempotency_key=True) as sb:
        sb.state.inject_fault("drop", times=1, method="POST")
        snap = SnapClient(
            sb.base_url, StaticTokenProvider(TOKEN), transport=sb.transport, sleep=lambda s: None
        )
        with pytest.raises(OutcomeUnknown):
            snap.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="drop")
        names = [c.name for c in snap.list_campaigns(USD_AD_ACCOUNT_ID)]
        assert names.count("Contract campaign 0") == 1  # sent once, not re-sent


def test_dropped_update_is_resent(sandbox, client):
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="u1")
    sandbox.state.inject_fault("drop", times=1, method="PUT")
    (updated,) = client.update_campaigns(
        USD_AD_ACCOUNT_ID,
        [{"id": camp.id, "name": "Again", "status": "PAUSED"}],
        idempotency_key="u2",
    )
    assert updated.name == "Again"
    assert len(logged(sandbox, "PUT", "/campaigns")) == 2


def test_oauth_code_exchange_refresh_and_401_recovery():
    redirect = "https://dashboard.test/callback"
    with (
        Sandbox(start_time=START, client_id="cid", client_secret="csecret") as sb,
        httpx.Client(transport=sb.transport) as http,
    ):
        url = authorization_url(sb.oauth_url, client_id="cid", redirect_uri=redirect, state="st")
        location = http.get(url).headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        tokens = exchange_code(
            sb.oauth_url,
            client_id="cid",
            client_secret="csecret",
            code=code,
            redirect_uri=redirect,
            http=http,
        )
        provider = OAuthTokenProvider(
            sb.oauth_url,
            client_id="cid",
            client_secret="csecret",
            refresh_token=tokens.refresh_token,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            http=http,
        )
        snap = SnapClient(sb.base_url, provider, transport=sb.transport, sleep=lambda s: None)
        assert snap.me().id
        sb.state.revoke_token(tokens.access_token)  # the next call answers 401
        assert snap.me().id  # refreshed once, retried once
        sb.state.revoke_token(tokens.refresh_token)  # now the refresh is refused too
        sb.state.revoke_token(provider.access_token())
        with pytest.raises(Unauthorized) as caught:
            snap.me()
        assert caught.value.message == "Snapchat Ads /me returned 401"


def test_total_stats_with_a_breakdown(client):
    (camp,) = client.create_campaigns(USD_AD_ACCOUNT_ID, [campaign()], idempotency_key="st")
    stats = client.stats(
        "campaign",
        camp.id,
        granularity="TOTAL",
        fields=["spend", "impressions"],
        breakdown="adsquad",
    )
    assert [s.id for s in stats] == [camp.id]
