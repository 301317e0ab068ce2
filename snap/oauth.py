"""OAuth against Snap's token endpoint, and the token providers the client asks for tokens.

Snap's flow (Snap docs: Authentication; Snap facts 15): the user is sent to
`{oauth_url}/authorize`; the code that comes back is exchanged, and later refreshed,
with a form POST to `{oauth_url}/access_token` carrying the app's client id and secret.
Access tokens expire (`expires_in`, 1800 s seen most often; we always use the returned
value). Whether a refresh returns a new refresh token is unconfirmed; when it does, it
replaces the old one and `on_rotate` lets storage persist it.

Secrets (client secret, refresh and access tokens, codes) never appear in a message or
repr: errors quote only the endpoint's `error` / `error_description`, scrubbed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from snap.errors import ConnectError, OutcomeUnknown, RateLimited, ServerError, Unauthorized

SCOPE = "snapchat-marketing-api"
DEFAULT_REFRESH_MARGIN_S = 300.0
DEFAULT_TIMEOUT_S = httpx.Timeout(30.0, connect=5.0)


class TokenProvider(Protocol):
    """What `SnapClient` needs: the current access token, and a forced refresh after a 401."""

    def access_token(self) -> str: ...

    def refresh(self) -> str: ...


@dataclass(frozen=True)
class TokenSet:
    """One answer of the token endpoint. `expires_at` is wall-clock epoch seconds."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    token_type: str = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    scope: str | None = None


def authorization_url(
    oauth_url: str, *, client_id: str, redirect_uri: str, state: str, scope: str = SCOPE
) -> str:
    """Where to send the user's browser to approve the app."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    return f"{oauth_url.rstrip('/')}/authorize?{query}"


def exchange_code(
    oauth_url: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    http: httpx.Client | None = None,
    clock: Callable[[], float] = time.time,
) -> TokenSet:
    """Trade the one-time authorization code for an access and a refresh token."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return _token_request(
        oauth_url, form, client_id, client_secret, http=http, clock=clock, secrets=(code,)
    )


def refresh_access_token(
    oauth_url: str,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    http: httpx.Client | None = None,
    clock: Callable[[], float] = time.time,
) -> TokenSet:
    """A new access token; the refresh token is kept unless Snap returns a new one."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    tokens = _token_request(
        oauth_url, form, client_id, client_secret, http=http, clock=clock, secrets=(refresh_token,)
    )
    if tokens.refresh_token is None:
        tokens = TokenSet(
            tokens.access_token, refresh_token, tokens.expires_at, tokens.token_type, tokens.scope
        )
    return tokens


def _token_request(
    oauth_url: str,
    form: dict[str, str],
    client_id: str,
    client_secret: str,
    *,
    http: httpx.Client | None,
    clock: Callable[[], float],
    secrets: tuple[str, ...],
) -> TokenSet:
    grant = form["grant_type"]
    body = {**form, "client_id": client_id, "client_secret": client_secret}
    response = _post_form(f"{oauth_url.rstrip('/')}/access_token", body, grant, http)
    payload = _json_or_empty(response)
    if response.status_code >= 400 or "access_token" not in payload:
        error = _token_error(response.status_code, payload, grant, (client_secret, *secrets))
        if isinstance(error, RateLimited):
            error.retry_after_s = _retry_after_s(response)
        raise error
    return TokenSet(
        access_token=str(payload["access_token"]),
        refresh_token=payload.get("refresh_token") or None,
        expires_at=clock() + float(payload.get("expires_in") or 0),
        token_type=str(payload.get("token_type") or "Bearer"),
        scope=payload.get("scope"),
    )


def _post_form(url: str, form: dict[str, str], grant: str, http: httpx.Client | None):
    operation = f"oauth {grant}"
    client = http or httpx.Client(timeout=DEFAULT_TIMEOUT_S)
    try:
        return client.post(url, data=form, headers={"Accept": "application/json"})
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectError(
            f"Snapchat Ads {operation}: could not connect", operation=operation
        ) from exc
    except httpx.HTTPError as exc:
        raise OutcomeUnknown(
            f"Snapchat Ads {operation}: {type(exc).__name__}", operation=operation
        ) from exc
    finally:
        if http is None:
            client.close()


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after_s(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _token_error(
    status: int, payload: dict[str, Any], grant: str, secrets: tuple[str, ...]
) -> Unauthorized | ServerError | RateLimited:
    """Unauthorized for a refused grant (OAuth `error`), ServerError for a 5xx, and
    RateLimited for a 429: Snap's per-app limit counts token requests too, and a refresh
    turned away for the rate says nothing about the refresh token."""
    said = " — ".join(
        _scrub(str(payload[k]), secrets) for k in ("error", "error_description") if payload.get(k)
    )
    operation = f"oauth {grant}"
    message = f"Snapchat Ads {operation}: {status}" + (f" — {said}" if said else "")
    cls: type[Unauthorized | ServerError | RateLimited] = (
        ServerError if status >= 500 else RateLimited if status == 429 else Unauthorized
    )
    return cls(message, operation=operation, http_status=status, error_code=payload.get("error"))


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class StaticTokenProvider:
    """A fixed access token (sandbox, scripts). A refresh cannot help: it raises Unauthorized."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenProvider(token=***)"

    def access_token(self) -> str:
        return self._token

    def refresh(self) -> str:
        raise Unauthorized("Snapchat Ads token refresh: no refresh token", operation="refresh")


class OAuthTokenProvider:
    """Access tokens minted from a refresh token, refreshed `margin_s` ahead of expiry.

    Thread-safe: one lock around the check and the refresh, so threads sharing the
    provider refresh once. `on_rotate(new_refresh_token)` is called when Snap returns a
    refresh token other than the one held (storage persists it, encrypted);
    `on_tokens(token_set)` after every successful refresh.
    """

    def __init__(
        self,
        oauth_url: str,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        access_token: str | None = None,
        expires_at: float = 0.0,
        margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        on_rotate: Callable[[str], None] | None = None,
        on_tokens: Callable[[TokenSet], None] | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._oauth_url = oauth_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._expires_at = expires_at
        self._margin_s = margin_s
        self._on_rotate = on_rotate
        self._on_tokens = on_tokens
        self._http = http
        self._clock = clock
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OAuthTokenProvider(client_id={self._client_id!r}, expires_at={self._expires_at})"

    @property
    def expires_at(self) -> float:
        return self._expires_at

    def access_token(self) -> str:
        """The held token, or a fresh one if it expires within `margin_s`."""
        with self._lock:
            if self._access_token and self._clock() < self._expires_at - self._margin_s:
                return self._access_token
            return self._refresh_locked()

    def refresh(self) -> str:
        """Mint a new access token now (after a 401). Raises Unauthorized if Snap refuses."""
        with self._lock:
            return self._refresh_locked()

    def _refresh_locked(self) -> str:
        tokens = refresh_access_token(
            self._oauth_url,
            client_id=self._client_id,
            client_secret=self._client_secret,
            refresh_token=self._refresh_token,
            http=self._http,
            clock=self._clock,
        )
        rotated = tokens.refresh_token not in (None, self._refresh_token)
        self._access_token, self._expires_at = tokens.access_token, tokens.expires_at
        self._refresh_token = tokens.refresh_token or self._refresh_token
        if rotated and self._on_rotate is not None:
            self._on_rotate(self._refresh_token)
        if self._on_tokens is not None:
            self._on_tokens(tokens)
        return tokens.access_token
