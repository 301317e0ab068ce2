"""The sandbox controls a soak needs: a fleet-sized seed, a share of writes dropped after
commit, and the list of every token issued (for the secrets scan)."""

from __future__ import annotations

import httpx

from snap.sandbox import Sandbox
from tests.unit.sandbox.conftest import START, TOKEN, USD, campaign


def test_the_fleet_seed_holds_twelve_ad_accounts_in_five_currencies():
    with Sandbox(token=TOKEN, start_time=START, seed="fleet") as sb:
        accounts = [r.entity for r in sb.state.store.records.values() if r.kind == "adaccounts"]
    assert len(accounts) == 12
    assert {a["currency"] for a in accounts} == {"USD", "EUR", "GBP", "CAD", "AUD", "JPY"}


def test_a_drop_with_a_probability_drops_about_that_share_of_writes_and_no_reads():
    with Sandbox(token=TOKEN, start_time=START, app_rps=None, token_rps=None) as sb:
        sb.state.inject_fault("drop", times=None, probability=0.25)
        api = httpx.Client(
            base_url=sb.base_url,
            transport=sb.transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        dropped = 0
        for n in range(200):
            try:
                api.post(
                    f"/adaccounts/{USD}/campaigns", json={"campaigns": [campaign(name=f"c{n}")]}
                )
            except httpx.RemoteProtocolError:
                dropped += 1
        reads = {api.get(f"/adaccounts/{USD}/campaigns").status_code for _ in range(20)}
    assert 20 <= dropped <= 80  # 50 expected; binomial, so far outside this is a bug
    assert reads == {200}
    assert len([r for r in sb.state.store.records.values() if r.kind == "campaigns"]) == 200


def test_every_issued_token_is_listed_even_after_revocation():
    with Sandbox(start_time=START, client_id="cid", client_secret="s") as sb:
        http = httpx.Client(base_url="http://sandbox.invalid", transport=sb.transport)
        code = sb.state.tokens.authorize("cid", "https://dash.example/cb")
        answer = http.post(
            "/login/oauth2/access_token",
            data={"grant_type": "authorization_code", "client_id": "cid", "client_secret": "s",
                  "code": code, "redirect_uri": "https://dash.example/cb"},
        ).json()  # fmt: skip
        sb.state.revoke_token(answer["refresh_token"])
        issued = http.get("/_sandbox/tokens/issued").json()["tokens"]
    assert set(issued) == {answer["access_token"], answer["refresh_token"]}


def test_the_entities_listing_shows_every_entity_deleted_ones_included():
    with Sandbox(token=TOKEN, start_time=START, app_rps=None, token_rps=None) as sb:
        api = httpx.Client(
            base_url=sb.base_url,
            transport=sb.transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        made = api.post(f"/adaccounts/{USD}/campaigns", json={"campaigns": [campaign()]}).json()
        campaign_id = made["campaigns"][0]["campaign"]["id"]
        api.delete(f"/campaigns/{campaign_id}")
        admin = httpx.Client(base_url="http://sandbox.invalid", transport=sb.transport)
        listed = {e["id"]: e for e in admin.get("/_sandbox/entities").json()["entities"]}
    assert listed[campaign_id]["kind"] == "campaigns" and listed[campaign_id]["deleted"] is True
    assert listed[USD]["kind"] == "adaccounts" and listed[USD]["deleted"] is False
