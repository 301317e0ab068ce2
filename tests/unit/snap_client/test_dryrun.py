"""The dry-run client: writes answered locally (no socket), reads from the real API."""

from __future__ import annotations

import io
import socket

import pytest

from snap.dryrun import DryRunClient, dry_run_id, is_dry_run_id
from snap.errors import Unauthorized, ValidationError

from . import items
from .wire import BASE_URL, CountingTokens, Wire, entities


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the dry-run client opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_writes_never_open_a_socket(no_network):
    client = DryRunClient("https://adsapi.snapchat.com/v1", CountingTokens())  # real transport
    campaigns = client.create_campaigns(
        "A", [items.campaign(n) for n in range(31)], idempotency_key="k"
    )
    squads = client.create_ad_squads("C", [items.ad_squad()], idempotency_key="k2")
    ads = client.create_ads("S", [items.ad()], idempotency_key="k3")
    media = client.create_media("A", [items.media()], idempotency_key="k4")
    creatives = client.create_creatives("A", [items.creative()], idempotency_key="k5")
    client.update_campaigns(
        "A", [{"id": campaigns[0].id, "name": "x", "status": "ACTIVE"}], idempotency_key="k6"
    )
    client.upload_media(
        media[0].id, io.BytesIO(b"x" * 100), file_name="a.mp4", idempotency_key="k7"
    )
    client.delete_ad(ads[0].id, idempotency_key="k8")
    client.delete_campaign("real-id", idempotency_key="k9")
    assert len(campaigns) == 31
    for entity in [*campaigns, *squads, *ads, *media, *creatives]:
        assert is_dry_run_id(entity.id) and entity.dry_run is True


def test_no_network_fixture_really_blocks(no_network):
    import httpx

    with pytest.raises(AssertionError, match="opened a connection"), httpx.Client() as http:
        http.get("https://adsapi.snapchat.com/v1/me")


def test_ids_are_stable_per_key_and_distinct_per_item():
    client = DryRunClient(BASE_URL)
    first = client.create_campaigns(
        "A", [items.campaign(0), items.campaign(1)], idempotency_key="k"
    )
    again = client.create_campaigns(
        "A", [items.campaign(0), items.campaign(1)], idempotency_key="k"
    )
    other = client.create_campaigns("A", [items.campaign(0)], idempotency_key="other")
    assert (
        [c.id for c in first] == [c.id for c in again] == [dry_run_id("k", 0), dry_run_id("k", 1)]
    )
    assert first[0].id != first[1].id != other[0].id
    assert first[0].id.startswith("dryrun-")


def test_dry_run_still_validates():
    client = DryRunClient(BASE_URL)
    with pytest.raises(ValidationError) as caught:
        client.create_campaigns("A", [items.campaign(status="LIVE")], idempotency_key="k")
    assert caught.value.field == "status"


def test_reads_go_to_the_real_api_with_a_token():
    wire = Wire(entities("campaigns", "campaign", [{"id": "real"}]))
    client = DryRunClient(BASE_URL, CountingTokens(), transport=wire.transport)
    assert client.get_campaign("real").id == "real"
    assert [(r.method, r.url.path) for r in wire.requests] == [("GET", "/v1/campaigns/real")]


def test_a_dry_run_entity_reads_back_without_a_request():
    wire = Wire()
    client = DryRunClient(BASE_URL, CountingTokens(), transport=wire.transport)
    (created,) = client.create_campaigns("A", [items.campaign()], idempotency_key="k")
    assert client.get_campaign(created.id).name == "Campaign 0"
    assert wire.requests == []


def test_reads_without_a_token_are_refused():
    client = DryRunClient(BASE_URL)
    with pytest.raises(Unauthorized):
        client.list_campaigns("A")
