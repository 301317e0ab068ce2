"""Rows the storage tests build on: a connection, an organization, an ad account."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import accounts, connections
from storage.cipher import TokenCipher

ORG_ID = "org-1"
ACCOUNT_ID = "acct-1"
EUR_ACCOUNT_ID = "acct-eur"


def seed_accounts(session: Session, cipher: TokenCipher) -> int:
    """A connected tenant with one USD and one EUR ad account; returns the connection id."""
    conn = connections.connect(
        session, cipher, tenant_id="tenant-1", client_id="client-1", refresh_token="rt-seed"
    )
    accounts.upsert_organizations(session, [{"id": ORG_ID, "name": "Org"}], connection_id=conn.id)
    accounts.upsert_ad_accounts(
        session,
        [
            {
                "id": ACCOUNT_ID,
                "organization_id": ORG_ID,
                "name": "US",
                "currency": "USD",
                "timezone": "America/Los_Angeles",
                "status": "ACTIVE",
            },
            {
                "id": EUR_ACCOUNT_ID,
                "organization_id": ORG_ID,
                "name": "EU",
                "currency": "EUR",
                "timezone": "Europe/Paris",
                "status": "ACTIVE",
            },
        ],
        connection_id=conn.id,
    )
    return conn.id
