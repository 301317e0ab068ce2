"""Refreshing a connection's access token ahead of expiry, one worker at a time.

docs/architecture.md (Connect): access tokens are refreshed ahead of expiry by one worker at a
time; a refused refresh marks the connection as needing re-authorisation with the
seed's message (`Snapchat Ads /me returned 401`, seed 000 Troubleshooting). The right to
refresh is a lease on the connection row (`storage.connections.lock_refresh`), so two
workers that both see the token due never spend the refresh token twice (which would
race a rotation of the refresh token). Tokens go to storage encrypted; none of them
appears in a result, a log line or an exception raised from here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
from sqlalchemy.orm import Session

from snap import oauth
from snap.errors import TransportError, Unauthorized
from storage import connections as connection_repo
from storage.cipher import TokenCipher
from storage.errors import NotFound as StorageNotFound
from storage.models.connections import ConnectionState
from worker.errors import AccountNotConnected, Code
from worker.results import failed
from worker.settings import Settings

logger = logging.getLogger("snapfleet.tokens")

# Seed 000, Troubleshooting: what the tenant sees when its token can no longer be renewed.
REAUTH_MESSAGE = "Snapchat Ads /me returned 401"
# How long one worker holds the right to refresh; a crash mid-refresh frees it after this.
REFRESH_LEASE_S = 60.0

Outcome = Literal["refreshed", "locked", "fresh", "needs_reauth"]


class Runtime(Protocol):
    """What a refresh needs from the worker process: `worker.runtime.Runtime` is one.

    Named structurally so this module needs no import of `worker.runtime`, which builds
    its token providers from this module.
    """

    @property
    def settings(self) -> Settings: ...

    @property
    def cipher(self) -> TokenCipher: ...

    @property
    def oauth_http(self) -> httpx.Client: ...

    def session(self) -> AbstractContextManager[Session]: ...

    def mark_needs_reauth(self, connection_id: int, reason: str) -> None: ...


@dataclass(frozen=True)
class Refresh:
    """What one refresh attempt did. `detail` is the token endpoint's scrubbed answer."""

    connection_id: int
    outcome: Outcome
    expires_in_s: int | None = None
    detail: str | None = None

    def to_result(self) -> dict[str, Any]:
        """The task's JSON result: succeeded (refreshed, or another worker holds the lease)."""
        if self.outcome == "needs_reauth":
            return failed(
                Code.UNAUTHORIZED,
                REAUTH_MESSAGE,
                connection_id=str(self.connection_id),
                connection_state=ConnectionState.NEEDS_REAUTH.value,
                detail=self.detail,
            )
        result: dict[str, Any] = {"status": "succeeded", "connection_id": str(self.connection_id)}
        if self.outcome == "refreshed":
            result["expires_in_s"] = self.expires_in_s
        elif self.outcome == "fresh":
            result["skipped"] = "another worker refreshed this connection already"
        else:
            result["skipped"] = "another worker is refreshing this connection"
        result["dry_run"] = False  # a token refresh is never simulated: dry run is for writes
        return result


def refresh_connection(
    runtime: Runtime,
    connection_id: int,
    *,
    worker_id: str,
    lease_s: float = REFRESH_LEASE_S,
    still_needed: Callable[[], bool] | None = None,
) -> Refresh:
    """Mint a new access token for the connection and store it (and a rotated refresh token).

    The refresh token is read under the lease, so a rotation by the last holder is seen.
    `still_needed`, asked once the lease is held, lets a caller skip a refresh another
    worker completed between its look at storage and its taking the lease ("fresh").

    Raises AccountNotConnected for a connection that is not active or has no refresh
    token, ValueError when the app's credentials are not configured, and the transport
    or 5xx errors of the token endpoint (the lease is released first: the task retries).
    """
    _active_refresh_token(runtime, connection_id)  # not connected: fail before any lease
    if not _take_lease(runtime, connection_id, worker_id, lease_s):
        return Refresh(connection_id, "locked")
    try:
        if still_needed is not None and not still_needed():
            _release_lease(runtime, connection_id, worker_id)
            return Refresh(connection_id, "fresh")
        tokens = _refresh(runtime, _active_refresh_token(runtime, connection_id))
    except Unauthorized as exc:
        runtime.mark_needs_reauth(connection_id, REAUTH_MESSAGE)
        return Refresh(connection_id, "needs_reauth", detail=exc.message)
    except BaseException:
        _release_lease(runtime, connection_id, worker_id)
        raise
    expires_in_s = max(0.0, tokens.expires_at - time.time())
    _store(runtime, connection_id, tokens, expires_in_s)
    logger.info("tokens: connection %s refreshed (expires in %ds)", connection_id, expires_in_s)
    return Refresh(connection_id, "refreshed", expires_in_s=round(expires_in_s))


def due_connection_ids(runtime: Runtime, *, margin_s: float | None = None) -> list[int]:
    """Active connections whose access token is missing or expires within the margin."""
    margin = runtime.settings.snapfleet_token_refresh_margin_s if margin_s is None else margin_s
    with runtime.session() as session:
        return [row.id for row in connection_repo.due_for_refresh(session, margin_s=margin)]


def _active_refresh_token(runtime: Runtime, connection_id: int) -> str:
    with runtime.session() as session:
        try:
            row = connection_repo.get(session, connection_id)
        except StorageNotFound as exc:
            raise AccountNotConnected(f"connection {connection_id} does not exist") from exc
        token = connection_repo.refresh_token(runtime.cipher, row)
        if row.state != ConnectionState.ACTIVE.value or token is None:
            raise AccountNotConnected(
                f"connection {connection_id} is {row.state}: run `snapfleet connect` again"
            )
        return token


def _take_lease(runtime: Runtime, connection_id: int, worker_id: str, lease_s: float) -> bool:
    with runtime.session() as session:
        return connection_repo.lock_refresh(
            session, connection_id, worker_id=worker_id, lease_s=lease_s
        )


def _release_lease(runtime: Runtime, connection_id: int, worker_id: str) -> None:
    """Free our lease after a transient failure so the retry need not wait it out."""
    with runtime.session() as session:
        connection_repo.release_refresh(session, connection_id, worker_id=worker_id)


def _refresh(runtime: Runtime, refresh_token: str) -> oauth.TokenSet:
    s = runtime.settings
    if not (s.snapchat_ads_client_id and s.snapchat_ads_client_secret):
        raise ValueError(
            "refreshing a token needs SNAPCHAT_ADS_CLIENT_ID and SNAPCHAT_ADS_CLIENT_SECRET"
        )
    return oauth.refresh_access_token(
        s.snapchat_ads_oauth_url,
        client_id=s.snapchat_ads_client_id,
        client_secret=s.snapchat_ads_client_secret.get_secret_value(),
        refresh_token=refresh_token,
        http=runtime.oauth_http,
    )


def _store(runtime: Runtime, connection_id: int, tokens: oauth.TokenSet, expires_in_s: float):
    with runtime.session() as session:
        connection_repo.store_refreshed(
            session,
            runtime.cipher,
            connection_id,
            access_token=tokens.access_token,
            expires_in_s=expires_in_s,
            refresh_token=tokens.refresh_token,
        )


class StoredTokenProvider:
    """A connection's access token as storage holds it, renewed by one worker at a time.

    Every worker reads the token the last refresh stored (beat's `refresh_due`, or the
    first worker that needed one), so a refresh made elsewhere is adopted, not repeated.
    Only when storage holds no token valid beyond `margin_s` does this worker refresh,
    under the connection's refresh lease (`refresh_connection`); while another worker
    holds the lease it waits for that worker's token, up to `wait_s`. After a 401,
    `refresh()` renews unless storage already holds a token other than the refused one.
    """

    def __init__(
        self,
        runtime: Runtime,
        connection_id: int,
        *,
        worker_id: str,
        margin_s: float = 60.0,
        wait_s: float = 10.0,
        sleep: Any = time.sleep,
    ) -> None:
        self._runtime = runtime
        self._connection_id = connection_id
        self._worker_id = worker_id
        self._margin_s = margin_s
        self._wait_s = wait_s
        self._sleep = sleep
        self._held: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"StoredTokenProvider(connection_id={self._connection_id}, token=***)"

    def access_token(self) -> str:
        with self._lock:
            if self._held and time.time() < self._expires_at - self._margin_s:
                return self._held
            return self._renew(refused=None)

    def refresh(self) -> str:
        with self._lock:
            return self._renew(refused=self._held)

    def _renew(self, refused: str | None) -> str:
        deadline = time.monotonic() + self._wait_s
        while True:
            usable = self._usable(self._stored(), refused)
            if usable is not None:
                self._held, self._expires_at = usable
                return usable[0]
            outcome = refresh_connection(
                self._runtime,
                self._connection_id,
                worker_id=self._worker_id,
                still_needed=lambda: self._usable(self._stored(), refused) is None,
            )
            if outcome.outcome == "needs_reauth":
                raise Unauthorized(REAUTH_MESSAGE, operation="refresh")
            if outcome.outcome == "refreshed":
                return self._fresh(outcome)
            if outcome.outcome == "locked" and time.monotonic() > deadline:
                raise TransportError(
                    f"connection {self._connection_id}: another worker is still refreshing "
                    "its token",
                    operation="refresh",
                )
            if outcome.outcome == "locked":
                self._sleep(0.25)
            # "fresh": another worker stored one meanwhile; the next look adopts it.

    @staticmethod
    def _usable(stored: tuple[str, float] | None, refused: str | None) -> tuple[str, float] | None:
        """The stored token, unless there is none or it is the one Snap just refused."""
        return stored if stored is not None and stored[0] != refused else None

    def _fresh(self, outcome: Refresh) -> str:
        """The token this worker just stored, even one living shorter than the margin.

        Such a token would never pass `_stored` and the loop would refresh forever, so
        the margin shrinks to half its lifetime; an already-expired one is an error.
        """
        lifetime_s = float(outcome.expires_in_s or 0)
        self._margin_s = min(self._margin_s, lifetime_s / 2)
        stored = self._stored()
        if stored is None:
            raise TransportError(
                f"connection {self._connection_id}: the token endpoint issued a token that "
                f"expires at once (expires_in {lifetime_s:g}s)",
                operation="refresh",
            )
        self._held, self._expires_at = stored
        return stored[0]

    def _stored(self) -> tuple[str, float] | None:
        """The stored access token and its expiry, if valid beyond the margin."""
        with self._runtime.session() as session:
            row = connection_repo.get(session, self._connection_id)
            if row.state != ConnectionState.ACTIVE.value:
                raise Unauthorized(REAUTH_MESSAGE, operation="refresh")
            token = connection_repo.access_token(self._runtime.cipher, row)
            expires_at = row.access_token_expires_at
        if token is None or expires_at is None:
            return None
        expires_s = expires_at.timestamp()
        if time.time() >= expires_s - self._margin_s:
            return None
        return token, expires_s
