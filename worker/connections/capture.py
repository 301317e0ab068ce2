"""Connect a tenant: store its tokens (encrypted), then capture what it may act on.

Seed 000 (Connect): after the code exchange, probe `/me/organizations` and then
`/organizations/{id}/adaccounts` to confirm access and capture the ad account ids. The
same capture runs for tokens obtained elsewhere (`snapfleet connect --access-token A
--refresh-token R`). Capturing again is harmless: accounts are upserted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage import accounts as account_repo
from storage import connections as connection_repo
from worker.runtime import Runtime, gate_scope

logger = logging.getLogger("snapfleet.connect")

# Organization-level reads spend the app's budget under this pseudo account.
ORGANIZATION_SCOPE = "organizations"


def app_client_id(runtime: Runtime) -> str:
    """The client id a connection is stored under: the OAuth app's, when one is set."""
    return runtime.settings.snapchat_ads_client_id or "unknown-client"


@dataclass(frozen=True)
class Connected:
    """What a connect stored: the connection and the ad accounts it may act on."""

    connection_id: int
    organization_ids: list[str]
    ad_account_ids: list[str]

    def to_result(self) -> dict[str, object]:
        return {
            "status": "succeeded",
            "connection_id": self.connection_id,
            "organization_ids": self.organization_ids,
            "ad_account_ids": self.ad_account_ids,
        }


def connect_tokens(
    runtime: Runtime,
    *,
    tenant_id: str,
    refresh_token: str,
    access_token: str | None = None,
    expires_in_s: float | None = None,
    client_id: str | None = None,
) -> Connected:
    """Store tokens obtained elsewhere, then capture the organizations and ad accounts."""
    client_id = client_id or app_client_id(runtime)
    expires_at = None
    if access_token:
        # Unknown lifetime: assume Snap's usual 1800 s (Snap facts 15), so the token
        # is refreshed in time rather than trusted past its real expiry.
        expires_at = datetime.now(UTC) + timedelta(seconds=expires_in_s or 1800)
    with runtime.session() as session:
        row = connection_repo.connect(
            session,
            runtime.cipher,
            tenant_id=tenant_id,
            client_id=client_id,
            refresh_token=refresh_token,
            access_token=access_token,
            access_token_expires_at=expires_at,
        )
        connection_id = row.id
    runtime.forget_client(connection_id)
    return capture_accounts(runtime, connection_id)


def connect_code(runtime: Runtime, *, tenant_id: str, code: str, redirect_uri: str) -> Connected:
    """Trade an OAuth authorization code for tokens (once: the journaled exchange of
    `worker.connections.exchange`), then capture the accounts."""
    from worker.connections.exchange import exchange_once

    connection_id = exchange_once(
        runtime, task_id=str(uuid.uuid4()), task_name="connect_code", tenant_id=tenant_id,
        client_id=app_client_id(runtime), code=code, redirect_uri=redirect_uri,
        worker_id=runtime.worker_id,
    )  # fmt: skip
    return capture_accounts(runtime, connection_id)


def capture_accounts(runtime: Runtime, connection_id: int) -> Connected:
    """Read `/me/organizations` and each organization's ad accounts; store them all."""
    with runtime.session() as session:
        client_id = connection_repo.get(session, connection_id).client_id
    client = runtime.client(connection_id)
    with gate_scope(client_id, ORGANIZATION_SCOPE):
        organizations = [
            o.model_dump(mode="json", exclude_unset=True) for o in client.organizations()
        ]
        accounts = [
            a.model_dump(mode="json", exclude_unset=True)
            for org in organizations
            for a in client.ad_accounts(org["id"])
        ]
    with runtime.session() as session:
        account_repo.upsert_organizations(session, organizations, connection_id=connection_id)
        account_repo.upsert_ad_accounts(session, accounts, connection_id=connection_id)
    logger.info(
        "connect: connection %s captured %d organizations, %d ad accounts",
        connection_id,
        len(organizations),
        len(accounts),
    )
    return Connected(connection_id, [o["id"] for o in organizations], [a["id"] for a in accounts])
