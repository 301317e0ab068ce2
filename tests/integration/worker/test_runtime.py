"""The runtime: connect through OAuth, tokens encrypted at rest, every request gated."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from snap.errors import QuotaUnavailable
from storage import accounts as account_repo
from tests.fleet import CLIENT_ID, EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Fleet
from worker.errors import AccountNotConnected
from worker.runtime import GatedTransport, gate_scope


def test_connect_captures_both_accounts_with_currency_and_zone(fleet: Fleet) -> None:
    with fleet.runtime.session() as session:
        usd = account_repo.get(session, USD_AD_ACCOUNT_ID)
        eur = account_repo.get(session, EUR_AD_ACCOUNT_ID)
    assert (usd.currency, eur.currency) == ("USD", "EUR")
    assert usd.timezone and eur.timezone
    assert usd.connection_id == eur.connection_id == fleet.connected.connection_id


def test_tokens_are_stored_encrypted(fleet: Fleet) -> None:
    issued = fleet.runtime.token_provider(fleet.connected.connection_id).access_token()
    with fleet.runtime.session() as session:
        row = (
            session.execute(
                text("SELECT * FROM connections WHERE id = :id"),
                {"id": fleet.connected.connection_id},
            )
            .mappings()
            .one()
        )
    assert issued not in str(dict(row))


def test_account_resolves_its_connection_and_unknown_accounts_are_refused(fleet: Fleet) -> None:
    account = fleet.runtime.account(USD_AD_ACCOUNT_ID)
    assert (account.client_id, account.currency) == (CLIENT_ID, "USD")
    with pytest.raises(AccountNotConnected, match="not connected"):
        fleet.runtime.account("00000000-0000-0000-0000-000000000000")


def test_a_request_outside_a_gate_scope_is_refused_before_sending(fleet: Fleet) -> None:
    client = fleet.runtime.client(fleet.connected.connection_id)
    before = len(fleet.sandbox.state.requests())
    with pytest.raises(QuotaUnavailable, match="ungated"):
        client.me()
    assert len(fleet.sandbox.state.requests()) == before


def test_every_request_takes_a_gate_slot(fleet: Fleet) -> None:
    taken: list[tuple[str, str]] = []

    class CountingGate:
        def acquire(self, client_id: str, ad_account_id: str, timeout_s: float, **kw) -> None:
            taken.append((client_id, ad_account_id))

    transport = GatedTransport(fleet.sandbox.transport, CountingGate(), 0.5)  # type: ignore[arg-type]
    with httpx.Client(transport=transport) as http, gate_scope(CLIENT_ID, USD_AD_ACCOUNT_ID):
        http.get(f"{fleet.sandbox.base_url}/adaccounts/{USD_AD_ACCOUNT_ID}")
        http.get(f"{fleet.sandbox.base_url}/adaccounts/{EUR_AD_ACCOUNT_ID}")
    assert taken == [(CLIENT_ID, USD_AD_ACCOUNT_ID)] * 2


def test_a_dead_gate_store_fails_closed_with_nothing_sent(fleet: Fleet) -> None:
    import redis

    from worker.gate import TokenGate

    dead = TokenGate(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    transport = GatedTransport(fleet.sandbox.transport, dead, 0.5)
    before = len(fleet.sandbox.state.requests())
    with (
        httpx.Client(transport=transport) as http,
        gate_scope(CLIENT_ID, USD_AD_ACCOUNT_ID),
        pytest.raises(QuotaUnavailable),
    ):
        http.get(f"{fleet.sandbox.base_url}/adaccounts/{USD_AD_ACCOUNT_ID}")
    assert len(fleet.sandbox.state.requests()) == before
