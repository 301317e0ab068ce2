"""What every task of a worker process shares: sessions, the gate, FX rates, Snap clients.

`runtime(app)` builds one `Runtime` per Celery app and caches it on the app (redbeat
style: tests assign `app.snapfleet_runtime` to swap it, e.g. for one whose Snap
transport is the sandbox's).

Every request to Snap goes through `GatedTransport`, the transport below the client: it
takes a slot of the token gate for the `(client_id, ad_account_id)` scope the calling
task entered with `gate_scope(...)`, in that scope's lane (`mutation` unless the polling
entered it with `lane="sync"`), and the access token of the request, before the request
leaves. So the client's own retries and the retry after a 401 are gated too. A
request sent outside any scope is refused (fail closed), as is any gate error.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from snap.client import OPERATION_EXTENSION, SnapClient
from snap.dryrun import DryRunClient
from snap.errors import QuotaUnavailable
from snap.oauth import StaticTokenProvider, TokenProvider
from storage import accounts as account_repo
from storage import connections as connection_repo
from storage import fx as fx_repo
from storage.cipher import TokenCipher
from storage.db import make_engine, session_factory
from storage.errors import NotFound as StorageNotFound
from storage.models.accounts import AdAccount
from storage.models.connections import Connection, ConnectionState
from worker import metrics
from worker.app import token_gate
from worker.connections.tokens import StoredTokenProvider
from worker.errors import AccountNotConnected, GateTimeout
from worker.fx import ChainedRates, RateProvider, rate_provider_from_settings
from worker.gate import Lane, TokenGate
from worker.settings import Settings

logger = logging.getLogger("snapfleet.runtime")


@dataclass(frozen=True)
class GateScope:
    """Whose budget a request spends: the app (client id) and the ad account."""

    client_id: str
    ad_account_id: str
    limit: int | None = None  # the account's own override, grants per gate window
    lane: Lane = "mutation"  # polling reads enter with "sync" (worker.gate, Lanes)


_SCOPE: ContextVar[GateScope | None] = ContextVar("snapfleet_gate_scope", default=None)
# The transaction `Runtime.unit()` opened in this thread/task, joined by `session()`.
_UNIT: ContextVar[Session | None] = ContextVar("snapfleet_unit", default=None)


@contextlib.contextmanager
def gate_scope(
    client_id: str, ad_account_id: str, limit: int | None = None, *, lane: Lane = "mutation"
) -> Iterator[None]:
    """Requests sent inside this block spend the budget of `(client_id, ad_account_id)`
    in `lane`: "mutation" for everything a mutation task sends, "sync" for polling."""
    token = _SCOPE.set(GateScope(client_id, ad_account_id, limit, lane))
    try:
        yield
    finally:
        _SCOPE.reset(token)


class GatedTransport(httpx.BaseTransport):
    """Takes a gate slot before every request; refuses requests outside a gate scope."""

    def __init__(self, inner: httpx.BaseTransport, gate: TokenGate, max_wait_s: float) -> None:
        self._inner = inner
        self._gate = gate
        self._max_wait_s = max_wait_s

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scope = _SCOPE.get()
        if scope is None:
            raise QuotaUnavailable(
                "no gate scope: refusing to send an ungated request to Snap", operation="gate"
            )
        operation = str(request.extensions.get(OPERATION_EXTENSION, "unknown"))
        waited_from = time.monotonic()
        try:
            self._gate.acquire(
                scope.client_id,
                scope.ad_account_id,
                self._max_wait_s,
                token_id=request.headers.get("Authorization"),
                limit=scope.limit,
                lane=scope.lane,
            )
        except GateTimeout:
            metrics.observe_gate_wait(scope.lane, time.monotonic() - waited_from, deferred=True)
            raise
        except QuotaUnavailable:
            metrics.observe_request(operation, "quota_unavailable")
            raise
        metrics.observe_gate_wait(scope.lane, time.monotonic() - waited_from)
        try:
            response = self._inner.handle_request(request)
        except httpx.HTTPError as exc:
            metrics.observe_request(operation, _no_answer_status(exc))
            raise
        metrics.observe_request(operation, str(response.status_code))
        return response

    def close(self) -> None:
        self._inner.close()


def _counted_sleep(seconds: float) -> None:
    """The client's backoff before it sends a request again: one retry of this attempt."""
    metrics.observe_retry()
    time.sleep(seconds)


def _no_answer_status(exc: httpx.HTTPError) -> str:
    """The `status` label of a request that got no answer (as snap.client classifies it)."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "connect_error"
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        return "answer_lost"
    return "transport_error"


@dataclass(frozen=True)
class AccountContext:
    """An ad account and the connection that may act on it, resolved from storage."""

    ad_account_id: str
    currency: str
    timezone: str
    connection_id: int
    client_id: str
    rate_limit_rps: int | None


class Runtime:
    """Per-process resources, built lazily and reused by every task of the process.

    Parameters:
        settings(Settings): the fleet's settings.
        gate(TokenGate): the token gate every Snap request passes.
        transport(httpx.BaseTransport): what carries Snap API requests (default: the
            network); tests pass the sandbox's in-process transport.
        oauth_transport(httpx.BaseTransport): what carries token-endpoint requests.
        rates(RateProvider): FX rates beyond the database's own table.
    """

    def __init__(
        self,
        settings: Settings,
        gate: TokenGate,
        *,
        transport: httpx.BaseTransport | None = None,
        oauth_transport: httpx.BaseTransport | None = None,
        rates: RateProvider | None = None,
    ) -> None:
        self.settings = settings
        self.gate = gate
        self._transport = transport
        self._oauth_transport = oauth_transport
        self._rates = rates
        self._sessions: sessionmaker[Session] | None = None
        self._clients: dict[tuple[int, bool], SnapClient] = {}
        self._oauth_http: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Runtime(database={self.settings.database.split('@')[-1]!r})"

    # --- Storage --------------------------------------------------------------------

    @property
    def sessions(self) -> sessionmaker[Session]:
        with self._lock:
            if self._sessions is None:
                url = self.settings.database
                if url.startswith("sqlite"):
                    # Embedded mode builds its own schema: one machine, nobody else to run it.
                    from storage.migrate import upgrade

                    upgrade(url)
                self._sessions = session_factory(make_engine(url))
            return self._sessions

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        Inside `unit()` it joins the unit's transaction instead (committed when the unit
        ends), so a run of lookups costs one transaction, not one each.
        """
        joined = _UNIT.get()
        if joined is not None:
            yield joined
            return
        with self.sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def unit(self) -> Iterator[Session]:
        """One transaction for a block of lookups: every `session()` inside joins it.

        For reads before any write (a mutation's tenant, account and connection checks):
        never around a journaled write, whose claim must commit before its request leaves.
        """
        joined = _UNIT.get()
        if joined is not None:
            yield joined
            return
        with self.sessions.begin() as session:
            token = _UNIT.set(session)
            try:
                yield session
            finally:
                _UNIT.reset(token)

    @functools.cached_property
    def cipher(self) -> TokenCipher:
        """Built once: the keys are settings, fixed for the life of the process."""
        return TokenCipher(self.settings.encryption_keys)

    # --- Accounts and FX ------------------------------------------------------------

    def account(self, ad_account_id: str) -> AccountContext:
        """The ad account and its active connection, or AccountNotConnected."""
        with self.session() as session:
            try:
                row: AdAccount = account_repo.get(session, ad_account_id)
            except StorageNotFound as exc:
                raise AccountNotConnected(
                    f"ad account {ad_account_id} is not connected: run `snapfleet connect`"
                ) from exc
            if row.connection_id is None:
                raise AccountNotConnected(f"ad account {ad_account_id} has no connection")
            connection = connection_repo.get(session, row.connection_id)
            return AccountContext(
                ad_account_id=row.id,
                currency=row.currency,
                timezone=row.timezone,
                connection_id=connection.id,
                client_id=connection.client_id,
                rate_limit_rps=row.rate_limit_rps,
            )

    def account_gate_scope(
        self, account: AccountContext, *, lane: Lane = "mutation"
    ) -> contextlib.AbstractContextManager:
        """The gate scope of an account in `lane`, with its own rate limit override if any."""
        limit = None
        if account.rate_limit_rps:
            limit = max(1, int(account.rate_limit_rps * self.settings.snapfleet_gate_window_s))
        return gate_scope(account.client_id, account.ad_account_id, limit, lane=lane)

    def rate_to_usd(self, currency: str, day: date | None = None) -> Decimal | None:
        """USD per unit of `currency` on `day` (today, UTC), or None: never a guess of 1.0."""
        day = day or datetime.now(UTC).date()
        with self.session() as session:
            stored = fx_repo.rate_for(session, currency, day, max_age_days=4)
        if stored is not None:
            return stored
        return self.rates.rate(currency, day)

    @property
    def rates(self) -> RateProvider:
        if self._rates is None:
            self._rates = ChainedRates(rate_provider_from_settings(self.settings))
        return self._rates

    # --- Snap clients ---------------------------------------------------------------

    def client(self, connection_id: int, *, live: bool | None = None) -> SnapClient:
        """The connection's client: live only with SNAPCHAT_ADS_LIVE_MODE=true, else dry run."""
        live = self.settings.snapchat_ads_live_mode if live is None else live
        with self._lock:
            client = self._clients.get((connection_id, live))
        if client is not None:
            return client
        client = self._new_client(connection_id, live)
        with self._lock:
            return self._clients.setdefault((connection_id, live), client)

    def forget_client(self, connection_id: int) -> None:
        """Drop the cached clients of a connection (reconnected, disconnected, needs reauth).

        They are not closed: another thread may be mid-request on one; its pool closes
        when the last user lets go of it.
        """
        with self._lock:
            for key in [k for k in self._clients if k[0] == connection_id]:
                del self._clients[key]

    def snap_transport(self) -> httpx.BaseTransport:
        """The gated transport to Snap (the network, or the injected one)."""
        inner = self._transport or httpx.HTTPTransport(
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20), retries=0
        )
        return GatedTransport(inner, self.gate, self.settings.snapfleet_gate_max_inline_wait_s)

    def _new_client(self, connection_id: int, live: bool) -> SnapClient:
        s = self.settings
        cls = SnapClient if live else DryRunClient
        return cls(
            s.snapchat_ads_api_base_url,
            self.token_provider(connection_id),
            transport=self.snap_transport(),
            timeout_s=s.snapfleet_http_timeout_s,
            connect_timeout_s=s.snapfleet_http_connect_timeout_s,
            max_attempts=s.snapfleet_client_max_attempts,
            max_elapsed_s=s.snapfleet_client_max_elapsed_s,
            sleep=_counted_sleep,
        )

    def token_provider(self, connection_id: int) -> TokenProvider:
        """Tokens of a connection: the stored one, renewed through OAuth by one worker at a
        time when the app's credentials are set; else the stored access token as it is."""
        with self.session() as session:
            connection: Connection = connection_repo.get(session, connection_id)
            if connection.state != ConnectionState.ACTIVE.value:
                raise AccountNotConnected(
                    f"connection {connection_id} is {connection.state}: re-connect it"
                )
            has_refresh = connection.refresh_token_ciphertext is not None
            access = connection_repo.access_token(self.cipher, connection)
        s = self.settings
        if has_refresh and s.snapchat_ads_client_id and s.snapchat_ads_client_secret:
            return StoredTokenProvider(self, connection_id, worker_id=self.worker_id)
        if access:
            return StaticTokenProvider(access)
        raise AccountNotConnected(
            f"connection {connection_id} has no usable token (set SNAPCHAT_ADS_CLIENT_ID and "
            "SNAPCHAT_ADS_CLIENT_SECRET to refresh it, or re-connect)"
        )

    @property
    def worker_id(self) -> str:
        """Who holds a lease taken by this runtime: host, process and runtime."""
        return f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    @property
    def oauth_http(self) -> httpx.Client:
        with self._lock:
            if self._oauth_http is None:
                self._oauth_http = httpx.Client(
                    transport=self._oauth_transport,
                    timeout=httpx.Timeout(
                        self.settings.snapfleet_http_timeout_s,
                        connect=self.settings.snapfleet_http_connect_timeout_s,
                    ),
                )
            return self._oauth_http

    def mark_needs_reauth(self, connection_id: int, reason: str) -> None:
        """A refused refresh: every queued task of this connection now fails fast."""
        with self.session() as session:
            connection_repo.mark_needs_reauth(session, connection_id, reason)
        self.forget_client(connection_id)
        logger.warning("runtime: connection %s needs re-authorisation: %s", connection_id, reason)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
            oauth, self._oauth_http = self._oauth_http, None
            sessions, self._sessions = self._sessions, None
        for client in clients:
            client.close()
        if oauth is not None:
            oauth.close()
        if sessions is not None:
            # The engine's pooled connections go too: a process that builds runtimes one
            # after another (tests, the CLI) would otherwise hold a pool per runtime.
            sessions.kw["bind"].dispose()


def runtime(celery: Celery) -> Runtime:
    """The app's runtime, built from its settings once and cached on the app."""
    current = getattr(celery, "snapfleet_runtime", None)
    if current is None:
        settings: Settings = celery.snapfleet_settings  # type: ignore[attr-defined]
        current = Runtime(settings, token_gate(celery))
        celery.snapfleet_runtime = current  # type: ignore[attr-defined]
    return current


def install_runtime(celery: Celery, **overrides: Any) -> Runtime:
    """Replace the app's runtime (tests: the sandbox transport, a static FX table)."""
    previous = getattr(celery, "snapfleet_runtime", None)
    if previous is not None:
        previous.close()
    settings: Settings = celery.snapfleet_settings  # type: ignore[attr-defined]
    current = Runtime(settings, token_gate(celery), **overrides)
    celery.snapfleet_runtime = current  # type: ignore[attr-defined]
    return current
