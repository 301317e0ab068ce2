"""The OAuth token endpoint (Snap facts 15) and token expiry / revocation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from snap.sandbox import Sandbox
from tests.unit.sandbox.conftest import START


@pytest.fixture
def oauth_sb():
    with Sandbox(
        start_time=START, client_id="cid", client_secret="secret", access_token_lifetime_s=1800
    ) as sb:
        yield sb


@pytest.fixture
def http(oauth_sb):
    with httpx.Client(base_url="http://sandbox.invalid", transport=oauth_sb.transport) as client:
        yield client


def authorize(http: httpx.Client) -> str:
    response = http.get(
        "/login/oauth2/authorize",
        params={
            "client_id": "cid",
            "redirect_uri": "https://dash.example/cb",
            "response_type": "code",
            "scope": "snapchat-marketing-api",
            "state": "xyz",
        },
    )
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    assert location.netloc == "dash.example" and parse_qs(location.query)["state"] == ["xyz"]
    return parse_qs(location.query)["code"][0]


def exchange(http: httpx.Client, **form) -> httpx.Response:
    return http.post(
        "/login/oauth2/access_token", data={"client_id": "cid", "client_secret": "secret", **form}
    )


def test_code_exchange_then_api_call_then_expiry(oauth_sb, http):
    code = authorize(http)
    tokens = exchange(
        http, grant_type="authorization_code", code=code, redirect_uri="https://dash.example/cb"
    ).json()
    assert (
        tokens["token_type"] == "Bearer"
        and tokens["expires_in"] == 1800
        and tokens["refresh_token"]
    )
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get("/v1/me", headers=auth).status_code == 200
    oauth_sb.clock.advance(1800)
    assert http.get("/v1/me", headers=auth).status_code == 401
    refreshed = exchange(
        http, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    assert (
        http.get(
            "/v1/me", headers={"Authorization": f"Bearer {refreshed['access_token']}"}
        ).status_code
        == 200
    )


def test_code_is_one_time(http):
    code = authorize(http)
    assert exchange(http, grant_type="authorization_code", code=code).status_code == 200
    again = exchange(http, grant_type="authorization_code", code=code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_client_secret_is_checked(http):
    code = authorize(http)
    wrong = http.post(
        "/login/oauth2/access_token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "cid",
            "client_secret": "nope",
        },
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_revoked_refresh_token_is_refused_and_its_access_tokens_die(oauth_sb, http):
    tokens = exchange(http, grant_type="authorization_code", code=authorize(http)).json()
    assert oauth_sb.state.revoke_token(tokens["refresh_token"]) is True
    assert (
        http.get(
            "/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).status_code
        == 401
    )
    refused = exchange(http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_revoked_access_token_is_401(oauth_sb, http):
    tokens = exchange(http, grant_type="authorization_code", code=authorize(http)).json()
    http.post("/_sandbox/tokens/revoke", json={"token": tokens["access_token"]})
    assert (
        http.get(
            "/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).status_code
        == 401
    )


def test_secrets_never_reach_the_request_log(oauth_sb, http):
    tokens = exchange(http, grant_type="authorization_code", code=authorize(http)).json()
    exchange(http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    logged = repr(oauth_sb.state.requests())
    assert "secret" not in logged.replace("client_secret", "")
    assert tokens["refresh_token"] not in logged and tokens["access_token"] not in logged
    assert tokens["refresh_token"] not in repr(oauth_sb.state.tokens)
