"""Campaign / ad squad / ad writes and reads: envelopes, required attributes, path ids,
bulk limits, updates, deletes (seeds 001-004)."""

from __future__ import annotations

import pytest

from tests.unit.sandbox.conftest import (
    EUR,
    USD,
    ad_squad,
    campaign,
    created,
    error,
    make_ad,
    make_campaign,
    make_creative,
    make_squad,
    post,
    put,
)


def test_me_organizations_and_accounts(api):
    assert api.get("/me").json()["me"]["id"]
    body = api.get("/me/organizations", params={"with_ad_accounts": "true"}).json()
    org = body["organizations"][0]
    assert org["sub_request_status"] == "SUCCESS"
    accounts = {a["id"]: a for a in org["organization"]["ad_accounts"]}
    assert accounts[USD]["currency"] == "USD" and accounts[USD]["timezone"] == "America/Los_Angeles"
    assert accounts[EUR]["currency"] == "EUR" and accounts[EUR]["timezone"] == "Europe/Paris"
    listed = api.get(f"/organizations/{org['organization']['id']}/adaccounts").json()
    assert {a["adaccount"]["id"] for a in listed["adaccounts"]} == {USD, EUR}
    one = api.get(f"/adaccounts/{EUR}").json()
    assert one["adaccounts"][0]["adaccount"]["currency"] == "EUR"


def test_create_campaign_as_the_seed_curl_does(api):
    response = post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign())
    entity = created(response, "campaigns", "campaign")
    assert entity["id"] and entity["created_at"].endswith("Z") and entity["status"] == "ACTIVE"
    got = api.get(f"/campaigns/{entity['id']}").json()
    assert got["campaigns"][0]["campaign"]["name"] == "Badger Tunneling Campaign"


def test_unknown_entity_is_404_e3003(api):
    body = error(api.get("/campaigns/00000000-0000-4000-8000-000000000000"), 404)
    assert body["error_code"] == "E3003"


def test_missing_token_and_unknown_token_are_401(sb, api):
    import httpx

    with httpx.Client(base_url=sb.base_url, transport=sb.transport) as anonymous:
        error(anonymous.get("/me"), 401)
        error(anonymous.get("/me", headers={"Authorization": "Bearer nope"}), 401)


@pytest.mark.parametrize("field", ["name", "status", "start_time", "ad_account_id"])
def test_campaign_required_attributes(api, field):
    item = campaign()
    del item[field]
    body = error(post(api, f"/adaccounts/{USD}/campaigns", "campaigns", item), 400)
    assert field in body["debug_message"]
    assert body["campaigns"][0]["sub_request_status"] == "ERROR"


def test_name_longer_than_375_is_refused(api):
    ok = post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(name="n" * 375))
    assert ok.status_code == 200
    body = error(
        post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(name="n" * 376)), 400
    )
    assert "name" in body["debug_message"]


def test_status_enum(api):
    body = error(
        post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(status="RUNNING")), 400
    )
    assert "status" in body["debug_message"]


def test_body_id_contradicting_the_path_is_refused(api):
    body = error(post(api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(EUR)), 400)
    assert "ad_account_id" in body["debug_message"]
    campaign_id = make_campaign(api)
    other = make_campaign(api)
    item = ad_squad(other)
    body = error(post(api, f"/campaigns/{campaign_id}/adsquads", "adsquads", item), 400)
    assert "campaign_id" in body["debug_message"]


def test_partial_batch_commits_the_good_items(api):
    response = post(
        api, f"/adaccounts/{USD}/campaigns", "campaigns", campaign(name="ok"), campaign(status="X")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["request_status"] == "PARTIAL"
    assert [i["sub_request_status"] for i in body["campaigns"]] == ["SUCCESS", "ERROR"]
    names = [
        c["campaign"]["name"] for c in api.get(f"/adaccounts/{USD}/campaigns").json()["campaigns"]
    ]
    assert names == ["ok"]


@pytest.mark.parametrize(("kind", "limit"), [("campaigns", 30), ("adsquads", 30), ("ads", 30)])
def test_bulk_limits(api, kind, limit):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id)
    creative_id = make_creative(api)
    path, item = {
        "campaigns": (f"/adaccounts/{USD}/campaigns", campaign()),
        "adsquads": (f"/campaigns/{campaign_id}/adsquads", ad_squad(campaign_id)),
        "ads": (
            f"/adsquads/{squad_id}/ads",
            {
                "ad_squad_id": squad_id,
                "creative_id": creative_id,
                "name": "a",
                "type": "SNAP_AD",
                "status": "PAUSED",
            },
        ),
    }[kind]
    assert post(api, path, kind, *[item] * limit).status_code == 200
    body = error(post(api, path, kind, *[item] * (limit + 1)), 400)
    assert str(limit) in body["debug_message"]


def test_campaign_update_only_updatable_attributes(api):
    campaign_id = make_campaign(api)
    echo = campaign(id=campaign_id, status="PAUSED")  # seed 002 PUT: echoes objective etc.
    updated = created(
        put(api, f"/adaccounts/{USD}/campaigns", "campaigns", echo), "campaigns", "campaign"
    )
    assert updated["status"] == "PAUSED"
    changed = campaign(id=campaign_id, buy_model="RESERVED")
    body = error(put(api, f"/adaccounts/{USD}/campaigns", "campaigns", changed), 400)
    assert "buy_model" in body["debug_message"]


def test_update_of_an_unknown_id_is_e3003(api):
    item = campaign(id="00000000-0000-4000-8000-000000000000")
    body = error(put(api, f"/adaccounts/{USD}/campaigns", "campaigns", item), 400)
    assert body["error_code"] == "E3003"


def test_delete_then_read_deleted_entities(api):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id)
    response = api.delete(f"/adsquads/{squad_id}")
    assert response.status_code == 200 and response.json()["adsquads"] == []
    assert error(api.get(f"/adsquads/{squad_id}"), 404)["error_code"] == "E3003"
    assert api.get(f"/campaigns/{campaign_id}/adsquads").json()["adsquads"] == []
    shown = api.get(
        f"/campaigns/{campaign_id}/adsquads", params={"read_deleted_entities": "true"}
    ).json()
    assert shown["adsquads"][0]["adsquad"]["deleted"] is True
    assert error(api.delete(f"/adsquads/{squad_id}"), 404)["error_code"] == "E3003"


def test_lists_under_every_documented_parent(api):
    campaign_id = make_campaign(api)
    squad_id = make_squad(api, campaign_id)
    ad_id = make_ad(api, squad_id, make_creative(api))
    for path in (
        f"/adaccounts/{USD}/ads",
        f"/campaigns/{campaign_id}/ads",
        f"/adsquads/{squad_id}/ads",
    ):
        assert [a["ad"]["id"] for a in api.get(path).json()["ads"]] == [ad_id]
    assert [
        s["adsquad"]["id"] for s in api.get(f"/adaccounts/{USD}/adsquads").json()["adsquads"]
    ] == [squad_id]
