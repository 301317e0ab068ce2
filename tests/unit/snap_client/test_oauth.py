"""OAuth: the authorize URL, code exchange, refresh, rotation, and the token provider."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snap.errors import ConnectError, RateLimited, ServerError, Unauthorized
from snap.oauth import (
    OAuthTokenProvider,
    StaticTokenProvider,
    authorization_url,
    exchange_code,
    refresh_access_token,
)

from .wire import Wire

OAUTH_URL = "https://accounts.test/login/oauth2"
SECRET = "client-SECRET-xyz"
REFRESH = "refresh-SECRET-abc"


def token_answer(access="acc-1", refresh=None, expires_in=1800):
    body = {"access_token": access, "token_type": "Bearer", "expires_in": expires_in}
    if refresh:
        body["refresh_token"] = refresh
    return httpx.Response(200, json=body)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_authorization_url_carries_the_documented_params():
    url = authorization_url(
        OAUTH_URL, client_id="cid", redirect_uri="https://app/cb?x=1", state="s1"
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OAUTH_URL}/authorize"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": "cid",
        "redirect_uri": "https://app/cb?x=1",
        "response_type": "code",
        "scope": "snapchat-marketing-api",
        "state": "s1",
    }


def test_exchange_code_posts_the_form_and_tracks_expiry():
    wire = Wire(token_answer("acc-1", REFRESH, 1800))
    with httpx.Client(transport=wire.transport) as http:
        tokens = exchange_code(
            OAUTH_URL,
            client_id="cid",
            client_secret=SECRET,
            code="c0de",
            redirect_uri="https://app/cb",
            http=http,
            clock=lambda: 1000.0,
        )
    (request,) = wire.requests
    assert request.method == "POST" and str(request.url) == f"{OAUTH_URL}/access_token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://app/cb",
        "client_id": "cid",
        "client_secret": SECRET,
    }
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == (
        "acc-1",
        REFRESH,
        2800.0,
    )
    assert "acc-1" not in repr(tokens) and REFRESH not in repr(tokens)


def test_refresh_keeps_the_refresh_token_when_none_is_returned():
    wire = Wire(token_answer("acc-2"))
    with httpx.Client(transport=wire.transport) as http:
        tokens = refresh_access_token(
            OAUTH_URL, client_id="cid", client_secret=SECRET, refresh_token=REFRESH, http=http
        )
    assert form(wire.requests[0])["grant_type"] == "refresh_token"
    assert form(wire.requests[0])["refresh_token"] == REFRESH
    assert tokens.refresh_token == REFRESH


def test_refused_grant_is_unauthorized_without_secrets():
    answer = httpx.Response(
        400, json={"error": "invalid_grant", "error_description": f"bad token {REFRESH}"}
    )
    wire = Wire(answer)
    with httpx.Client(transport=wire.transport) as http, pytest.raises(Unauthorized) as caught:
        refresh_access_token(
            OAUTH_URL, client_id="cid", client_secret=SECRET, refresh_token=REFRESH, http=http
        )
    err = caught.value
    assert str(err) == "Snapchat Ads oauth refresh_token: 400 — invalid_grant — bad token ***"
    assert err.error_code == "invalid_grant" and err.http_status == 400
    for text in (str(err), repr(err), str(err.to_result())):
        assert SECRET not in text and REFRESH not in text


def test_a_429_from_the_token_endpoint_is_rate_limited_not_a_refused_grant():
    # Snap's per-app limit counts token requests too (found by the soak: a refresh over the
    # limit was read as a refused grant, and the connection marked as needing re-auth).
    answer = httpx.Response(
        429, json={"error": "rate_limited", "error_description": "over the app rate"},
        headers={"Retry-After": "2"},
    )  # fmt: skip
    with httpx.Client(transport=Wire(answer).transport) as http, pytest.raises(RateLimited) as e:
        refresh_access_token(
            OAUTH_URL, client_id="cid", client_secret=SECRET, refresh_token=REFRESH, http=http
        )
    assert not isinstance(e.value, Unauthorized)
    assert e.value.http_status == 429 and e.value.retry_after_s == 2.0


def test_token_endpoint_5xx_and_connect_errors():
    wire = Wire(httpx.Response(503, text="down"), httpx.ConnectError("refused"))
    with httpx.Client(transport=wire.transport) as http:
        with pytest.raises(ServerError):
            exchange_code(
                OAUTH_URL,
                client_id="c",
                client_secret=SECRET,
                code="x",
                redirect_uri="r",
                http=http,
            )
        with pytest.raises(ConnectError):
            exchange_code(
                OAUTH_URL,
                client_id="c",
                client_secret=SECRET,
                code="x",
                redirect_uri="r",
                http=http,
            )


class Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def provider(wire: Wire, clock: Clock, **kwargs) -> OAuthTokenProvider:
    return OAuthTokenProvider(
        OAUTH_URL,
        client_id="cid",
        client_secret=SECRET,
        refresh_token=REFRESH,
        http=httpx.Client(transport=wire.transport),
        clock=clock,
        margin_s=300,
        **kwargs,
    )


def test_provider_refreshes_ahead_of_expiry_only():
    wire = Wire(token_answer("acc-1", expires_in=1800), token_answer("acc-2", expires_in=1800))
    clock = Clock(0.0)
    tokens = provider(wire, clock)
    assert tokens.access_token() == "acc-1"  # none held yet: mint one
    clock.now = 1499.0  # 301 s left: still good
    assert tokens.access_token() == "acc-1"
    clock.now = 1500.0  # inside the 300 s margin: refresh ahead of expiry
    assert tokens.access_token() == "acc-2"
    assert len(wire.requests) == 2


def test_provider_forced_refresh_and_rotation_hook():
    wire = Wire(token_answer("acc-1", "refresh-NEW"), token_answer("acc-2"))
    rotated, minted = [], []
    tokens = provider(wire, Clock(), on_rotate=rotated.append, on_tokens=minted.append)
    assert tokens.refresh() == "acc-1"
    assert tokens.refresh() == "acc-2"
    assert rotated == ["refresh-NEW"]  # once: the second answer kept the rotated token
    assert form(wire.requests[1])["refresh_token"] == "refresh-NEW"
    assert [t.access_token for t in minted] == ["acc-1", "acc-2"]
    assert SECRET not in repr(tokens) and "refresh-NEW" not in repr(tokens)


def test_provider_refreshes_once_for_many_threads():
    calls = []

    def answer(request):
        calls.append(1)
        return token_answer(f"acc-{len(calls)}")

    wire = Wire(default=answer)
    tokens = provider(wire, Clock())
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(tokens.access_token())) for _ in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and set(seen) == {"acc-1"}


def test_static_provider_cannot_refresh_and_hides_its_token():
    tokens = StaticTokenProvider("tok-SECRET")
    assert tokens.access_token() == "tok-SECRET"
    assert "tok-SECRET" not in repr(tokens)
    with pytest.raises(Unauthorized):
        tokens.refresh()
