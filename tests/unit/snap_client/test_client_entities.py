"""Entity methods: the documented paths, envelopes, chunks, per-item results and paging."""

from __future__ import annotations

import json

import httpx
import pytest

from snap.errors import BadRequest, PartialFailure, ValidationError
from snap.models import AdAccount, Campaign, Me, Organization

from . import items
from .wire import BASE_URL, Wire, entities, error, make_client

KEY = "key-9"


def echo(kind: str, singular: str, fail: set[int] = frozenset()):
    """Answer a write with its items, ids added; items at `fail` indexes are refused."""

    def answer(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)[kind]
        wrappers = []
        for item in sent:
            if item["name"].endswith(tuple(f" {n}" for n in fail)):
                wrappers.append({"sub_request_status": "ERROR", "sub_request_error_reason": "no"})
            else:
                wrappers.append(
                    {
                        "sub_request_status": "SUCCESS",
                        singular: {**item, "id": f"id-{item['name']}"},
                    }
                )
        return httpx.Response(
            200, json={"request_status": "SUCCESS", "request_id": "r", kind: wrappers}
        )

    return answer


def paths(wire: Wire) -> list[tuple[str, str]]:
    return [(r.method, r.url.path) for r in wire.requests]


@pytest.mark.parametrize(
    ("call", "method", "path"),
    [
        (
            lambda c: c.create_campaigns("A", [items.campaign()], idempotency_key=KEY),
            "POST",
            "/v1/adaccounts/A/campaigns",
        ),
        (
            lambda c: c.update_campaigns(
                "A", [{"id": "x", "name": "n", "status": "PAUSED"}], idempotency_key=KEY
            ),
            "PUT",
            "/v1/adaccounts/A/campaigns",
        ),
        (
            lambda c: c.create_ad_squads("C", [items.ad_squad()], idempotency_key=KEY),
            "POST",
            "/v1/campaigns/C/adsquads",
        ),
        (
            lambda c: c.update_ad_squads("C", [{"id": "x", "name": "n"}], idempotency_key=KEY),
            "PUT",
            "/v1/campaigns/C/adsquads",
        ),
        (
            lambda c: c.create_ads("S", [items.ad()], idempotency_key=KEY),
            "POST",
            "/v1/adsquads/S/ads",
        ),
        (
            lambda c: c.update_ads(
                "S", [{"id": "x", "name": "n", "status": "ACTIVE"}], idempotency_key=KEY
            ),
            "PUT",
            "/v1/adsquads/S/ads",
        ),
        (
            lambda c: c.create_media("A", [items.media()], idempotency_key=KEY),
            "POST",
            "/v1/adaccounts/A/media",
        ),
        (
            lambda c: c.create_creatives("A", [items.creative()], idempotency_key=KEY),
            "POST",
            "/v1/adaccounts/A/creatives",
        ),
        (
            lambda c: c.update_creatives(
                "A", [{"id": "x", **items.creative()}], idempotency_key=KEY
            ),
            "PUT",
            "/v1/adaccounts/A/creatives",
        ),
    ],
)
def test_writes_use_the_api_reference_paths_and_wrap_the_body(call, method, path):
    kind = path.rsplit("/", 1)[-1]
    singular = {
        "campaigns": "campaign",
        "adsquads": "adsquad",
        "ads": "ad",
        "media": "media",
        "creatives": "creative",
    }[kind]
    wire = Wire(default=echo(kind, singular))
    client, _ = make_client(wire)
    (result,) = call(client)
    assert paths(wire) == [(method, path)]
    assert list(wire.bodies()[0]) == [kind]
    assert wire.header("Idempotency-Key") == [KEY]
    assert result.id.startswith("id-")


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.get_campaign("X"), "/v1/campaigns/X"),
        (lambda c: c.get_ad_squad("X"), "/v1/adsquads/X"),
        (lambda c: c.get_ad("X"), "/v1/ads/X"),
        (lambda c: c.get_media("X"), "/v1/media/X"),
        (lambda c: c.get_creative("X"), "/v1/creatives/X"),
        (lambda c: c.ad_account("X"), "/v1/adaccounts/X"),
    ],
)
def test_gets_use_the_single_entity_path(call, path):
    kind = path.split("/")[2]
    singular = {
        "campaigns": "campaign",
        "adsquads": "adsquad",
        "ads": "ad",
        "media": "media",
        "creatives": "creative",
        "adaccounts": "adaccount",
    }[kind]
    wire = Wire(entities(kind, singular, [{"id": "X", "name": "n"}]))
    client, _ = make_client(wire)
    assert call(client).id == "X"
    assert paths(wire) == [("GET", path)]


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.list_campaigns("P"), "/v1/adaccounts/P/campaigns"),
        (lambda c: c.list_ad_squads("P"), "/v1/campaigns/P/adsquads"),
        (lambda c: c.list_ad_squads("P", parent="adaccounts"), "/v1/adaccounts/P/adsquads"),
        (lambda c: c.list_ads("P"), "/v1/adsquads/P/ads"),
        (lambda c: c.list_ads("P", parent="campaigns"), "/v1/campaigns/P/ads"),
        (lambda c: c.list_ads("P", parent="adaccounts"), "/v1/adaccounts/P/ads"),
        (lambda c: c.list_media("P"), "/v1/adaccounts/P/media"),
        (lambda c: c.list_creatives("P"), "/v1/adaccounts/P/creatives"),
        (lambda c: c.ad_accounts("P"), "/v1/organizations/P/adaccounts"),
    ],
)
def test_lists_use_each_documented_parent(call, path):
    kind = path.rsplit("/", 1)[-1]
    singular = {
        "campaigns": "campaign",
        "adsquads": "adsquad",
        "ads": "ad",
        "media": "media",
        "creatives": "creative",
        "adaccounts": "adaccount",
    }[kind]
    wire = Wire(entities(kind, singular, [{"id": "1"}, {"id": "2"}]))
    client, _ = make_client(wire)
    assert [e.id for e in call(client)] == ["1", "2"]
    assert paths(wire) == [("GET", path)]
    assert wire.requests[0].url.params["limit"] == "1000"


def test_me_and_organizations_parse_into_models():
    wire = Wire(
        httpx.Response(200, json={"request_status": "SUCCESS", "me": {"id": "u1", "email": "a@b"}}),
        entities("organizations", "organization", [{"id": "o1", "name": "Org", "new_field": 1}]),
        entities("adaccounts", "adaccount", [{"id": "a1", "currency": "EUR"}]),
    )
    client, _ = make_client(wire)
    me = client.me()
    (org,) = client.organizations()
    (account,) = client.ad_accounts("o1")
    assert isinstance(me, Me) and me.id == "u1"
    assert isinstance(org, Organization) and org.new_field == 1  # unknown fields survive
    assert isinstance(account, AdAccount) and account.currency == "EUR"
    assert paths(wire) == [
        ("GET", "/v1/me"),
        ("GET", "/v1/me/organizations"),
        ("GET", "/v1/organizations/o1/adaccounts"),
    ]


def test_list_follows_next_link_to_the_end_on_our_own_host():
    page1 = entities(
        "campaigns",
        "campaign",
        [{"id": "1"}],
        paging={
            "next_link": "https://adsapi.snapchat.com/v1/adaccounts/A/campaigns?cursor=abc&limit=50"
        },
    )
    page2 = entities(
        "campaigns",
        "campaign",
        [{"id": "2"}],
        paging={"next_link": f"{BASE_URL}/adaccounts/A/campaigns?cursor=def&limit=50"},
    )
    page3 = entities("campaigns", "campaign", [{"id": "3"}], paging={})
    wire = Wire(page1, page2, page3)
    client, _ = make_client(wire)
    found = client.list_campaigns("A", limit=50)
    assert [c.id for c in found] == ["1", "2", "3"] and all(isinstance(c, Campaign) for c in found)
    assert [r.url.host for r in wire.requests] == ["adsapi.test"] * 3  # never another host
    assert [r.url.params.get("cursor") for r in wire.requests] == [None, "abc", "def"]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in wire.requests)


@pytest.mark.parametrize("limit", [49, 1001, "lots"])
def test_list_limit_outside_50_1000_is_refused(limit):
    wire = Wire()
    client, _ = make_client(wire)
    with pytest.raises(ValidationError) as caught:
        client.list_campaigns("A", limit=limit)
    assert caught.value.field == "limit" and wire.requests == []


@pytest.mark.parametrize("clash", ["type", "review_status", "read_deleted_entities"])
def test_sort_with_an_incompatible_param_is_refused_naming_it(clash):
    wire = Wire()
    client, _ = make_client(wire)
    with pytest.raises(ValidationError) as caught:
        client.list_ads(
            "S",
            sort="created_at-desc",
            **{clash: True if clash == "read_deleted_entities" else "X"},
        )
    assert caught.value.field == clash and wire.requests == []


def test_sort_and_read_deleted_entities_are_sent_where_documented():
    wire = Wire(entities("ads", "ad", []), entities("campaigns", "campaign", []))
    client, _ = make_client(wire)
    client.list_ads("S", sort="updated_at-desc")
    client.list_campaigns("A", read_deleted_entities=True)
    assert wire.requests[0].url.params["sort"] == "updated_at-desc"
    assert wire.requests[1].url.params["read_deleted_entities"] == "true"


def test_bad_sort_value_is_refused():
    client, _ = make_client(Wire())
    with pytest.raises(ValidationError) as caught:
        client.list_media("A", sort="name-asc")
    assert caught.value.field == "sort"


def test_invalid_item_is_refused_before_sending_naming_the_field():
    wire = Wire()
    client, _ = make_client(wire)
    with pytest.raises(ValidationError) as caught:
        client.create_campaigns(
            "A", [items.campaign(), items.campaign(1, status="RUNNING")], idempotency_key=KEY
        )
    assert caught.value.field == "status"
    assert caught.value.message.startswith("item 1: ")
    assert wire.requests == []


def test_bulk_write_is_split_by_the_per_entity_limit_with_a_key_per_chunk():
    wire = Wire(default=echo("campaigns", "campaign"))
    client, _ = make_client(wire)
    result = client.create_campaigns(
        "A", [items.campaign(n) for n in range(65)], idempotency_key=KEY
    )
    assert [len(b["campaigns"]) for b in wire.bodies()] == [30, 30, 5]
    assert wire.header("Idempotency-Key") == [f"{KEY}:0", f"{KEY}:1", f"{KEY}:2"]
    assert [c.name for c in result] == [f"Campaign {n}" for n in range(65)]


def test_media_and_creatives_go_ten_per_request():
    wire = Wire(default=echo("creatives", "creative"))
    client, _ = make_client(wire)
    client.create_creatives("A", [items.creative(n) for n in range(11)], idempotency_key=KEY)
    assert [len(b["creatives"]) for b in wire.bodies()] == [10, 1]


def test_a_single_chunk_carries_the_key_itself():
    wire = Wire(default=echo("ads", "ad"))
    client, _ = make_client(wire)
    client.create_ads("S", [items.ad(n) for n in range(30)], idempotency_key=KEY)
    assert wire.header("Idempotency-Key") == [KEY]


def test_partial_failure_carries_both_halves():
    wire = Wire(default=echo("campaigns", "campaign", fail={1, 32}))
    client, _ = make_client(wire)
    sent = [items.campaign(n) for n in range(35)]
    with pytest.raises(PartialFailure) as caught:
        client.create_campaigns("A", sent, idempotency_key=KEY)
    err = caught.value
    assert [f["index"] for f in err.failed] == [1, 32]
    assert [f["item"]["name"] for f in err.failed] == ["Campaign 1", "Campaign 32"]
    assert all(f["message"] == "no" for f in err.failed)
    assert len(err.succeeded) == 33 and "Campaign 1" not in {c.name for c in err.succeeded}
    assert err.message == "Snapchat Ads create_campaign: 2 of 35 items failed — item 1: no"
    assert err.to_result()["failed"][0] == {
        "index": 1,
        "message": "no",
        "error_code": None,
        "code": "rejected",
    }


def test_a_chunk_refused_after_others_succeeded_reports_it_and_the_unsent_ones():
    wire = Wire(echo("campaigns", "campaign"), error(400, "bad chunk"))
    client, _ = make_client(wire)
    with pytest.raises(PartialFailure) as caught:
        client.create_campaigns("A", [items.campaign(n) for n in range(70)], idempotency_key=KEY)
    err = caught.value
    assert len(wire.requests) == 2  # the third chunk is not sent
    assert len(err.succeeded) == 30
    assert [f["index"] for f in err.failed] == list(range(30, 70))
    assert {f["code"] for f in err.failed[:30]} == {"rejected"}
    assert {f["message"] for f in err.failed[:30]} == {
        "Snapchat Ads create_campaign: 400 — bad chunk"
    }
    assert {f["code"] for f in err.failed[30:]} == {"not_sent"}  # safe to send again


def test_a_first_chunk_refused_raises_the_error_itself():
    wire = Wire(error(400, "bad"))
    client, _ = make_client(wire)
    with pytest.raises(BadRequest) as caught:
        client.create_campaigns("A", [items.campaign(n) for n in range(40)], idempotency_key=KEY)
    assert not isinstance(caught.value, PartialFailure) and len(wire.requests) == 1


def test_200_with_an_error_envelope_is_an_error():
    wire = Wire(
        httpx.Response(
            200, json={"request_status": "error", "request_id": "r9", "debug_message": "nope"}
        )
    )
    client, _ = make_client(wire)
    with pytest.raises(BadRequest) as caught:
        client.get_campaign("X")
    assert caught.value.request_id == "r9" and caught.value.debug_message == "nope"


def test_partial_request_status_leaves_the_verdict_to_the_items():
    body = {
        "request_status": "PARTIAL",
        "request_id": "r",
        "campaigns": [
            {"sub_request_status": "SUCCESS", "campaign": {"id": "c0", "name": "Campaign 0"}},
            {"sub_request_status": "ERROR", "sub_request_error_reason": "unknown id"},
        ],
    }
    wire = Wire(httpx.Response(200, json=body))
    client, _ = make_client(wire)
    with pytest.raises(PartialFailure) as caught:
        client.create_campaigns("A", [items.campaign(0), items.campaign(1)], idempotency_key=KEY)
    assert [c.id for c in caught.value.succeeded] == ["c0"]
    assert caught.value.failed[0]["message"] == "unknown id"
