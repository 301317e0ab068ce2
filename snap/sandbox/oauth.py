"""The OAuth side: authorization codes, access tokens that expire, refresh tokens.

Follows Snap facts 15 (Snap docs: Authentication): `POST /login/oauth2/access_token`
with a form body and
`grant_type` `authorization_code` or `refresh_token`; the answer carries `access_token`,
`token_type: Bearer`, `expires_in`, `refresh_token`, `scope`; failures are the standard
OAuth JSON `{"error", "error_description"}`. Whether Snap rotates refresh tokens is
unconfirmed; the sandbox keeps the same one (the safe client stores it if present).
Token values are never logged and never appear in reprs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SCOPE = "snapchat-marketing-api"


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class AccessToken:
    client_id: str | None
    expires_at: datetime | None  # None: the fixed `--token` never expires
    refresh_token: str | None = field(default=None, repr=False)


class TokenStore:
    """Every code and token the sandbox has issued, keyed by the secret itself."""

    def __init__(self, lifetime_s: int, client_id: str | None, client_secret: str | None) -> None:
        self.lifetime_s = lifetime_s
        self._client = (client_id, client_secret)
        self._codes: dict[str, tuple[str | None, str | None]] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, str | None] = {}
        self.issued: list[str] = []  # every secret handed out, for a secrets scan

    def __repr__(self) -> str:
        return f"TokenStore(access={len(self._access)}, refresh={len(self._refresh)})"

    def add_fixed(self, token: str) -> None:
        self._access[token] = AccessToken(None, None)

    def authorize(self, client_id: str | None, redirect_uri: str | None) -> str:
        self._check_client_id(client_id)
        code = secrets.token_urlsafe(24)
        self._codes[code] = (client_id, redirect_uri)
        return code

    def exchange(self, form: dict[str, str], now: datetime) -> dict[str, object]:
        """Answer one token-endpoint request (form fields as sent)."""
        self._check_client(form.get("client_id"), form.get("client_secret"))
        grant = form.get("grant_type")
        if grant == "authorization_code":
            refresh = self._redeem_code(form.get("code"), form.get("redirect_uri"))
        elif grant == "refresh_token":
            refresh = form.get("refresh_token") or ""
            if refresh not in self._refresh:
                raise OAuthError(400, "invalid_grant", "Invalid or revoked refresh token")
        else:
            raise OAuthError(
                400, "unsupported_grant_type", f"grant_type {grant!r} is not supported"
            )
        return self._issue(form.get("client_id"), refresh, now)

    def _redeem_code(self, code: str | None, redirect_uri: str | None) -> str:
        issued = self._codes.pop(code or "", None)  # one-time use
        if issued is None:
            raise OAuthError(400, "invalid_grant", "Invalid or already used authorization code")
        if issued[1] and redirect_uri and redirect_uri != issued[1]:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorization")
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = issued[0]
        self.issued.append(refresh)
        return refresh

    def _issue(self, client_id: str | None, refresh: str, now: datetime) -> dict[str, object]:
        access = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.lifetime_s)
        self._access[access] = AccessToken(client_id, expires, refresh)
        self.issued.append(access)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.lifetime_s,
            "refresh_token": refresh,
            "scope": SCOPE,
        }

    def _check_client_id(self, client_id: str | None) -> None:
        if self._client[0] and client_id != self._client[0]:
            raise OAuthError(401, "invalid_client", "Unknown client_id")

    def _check_client(self, client_id: str | None, client_secret: str | None) -> None:
        self._check_client_id(client_id)
        if self._client[1] and client_secret != self._client[1]:
            raise OAuthError(401, "invalid_client", "Client authentication failed")

    def holder(self, token: str, now: datetime) -> AccessToken | None:
        """The live access token, or None when unknown, revoked or expired."""
        access = self._access.get(token)
        if access is None or (access.expires_at is not None and now >= access.expires_at):
            return None
        return access

    def revoke(self, token: str) -> bool:
        """Revoke an access token, or a refresh token and every access token minted from it."""
        if token in self._refresh:
            del self._refresh[token]
            for value, access in list(self._access.items()):
                if access.refresh_token == token:
                    del self._access[value]
            return True
        return self._access.pop(token, None) is not None
