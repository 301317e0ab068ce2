"""Which ad accounts a fleet-wide job visits, and which it must skip (and say so).

The stats fan-out visits connected accounts that can serve (not DISABLED or DELETED on
Snap); detection visits every connected account, suspended ones included, since that is
how a reinstatement is seen. Both skip accounts whose connection needs re-authorisation:
their requests would only fail with 401 until someone reconnects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from storage import accounts as account_repo
from storage import connections as connection_repo
from storage.models.connections import ConnectionState
from worker.errors import AccountNotConnected
from worker.runtime import AccountContext, Runtime

NOT_SERVING = ("DISABLED", "DELETED")


@dataclass
class FanOut:
    ready: list[str] = field(default_factory=list)
    needs_reauth: list[str] = field(default_factory=list)


def accounts_to_visit(
    session: Session,
    *,
    ad_account_ids: Sequence[str] | None = None,
    connection_id: int | None = None,
    include_not_serving: bool = False,
) -> FanOut:
    """The accounts to visit, split into ready ones and those needing re-authorisation."""
    found = FanOut()
    rows = account_repo.with_connection_state(
        session, ad_account_ids=ad_account_ids, connection_id=connection_id
    )
    for account, state in rows:
        if account.status in NOT_SERVING and not include_not_serving:
            continue
        if state == ConnectionState.ACTIVE.value:
            found.ready.append(account.id)
        elif state == ConnectionState.NEEDS_REAUTH.value:
            found.needs_reauth.append(account.id)
    return found


def require_active_connection(runtime: Runtime, account: AccountContext) -> None:
    """Refuse (AccountNotConnected) an account whose connection is not active any more.

    Checked from the database on every run: another worker may have marked it while
    this process still caches a client for it.
    """
    with runtime.session() as session:
        state = connection_repo.state_of(session, account.connection_id)
    if state != ConnectionState.ACTIVE.value:
        runtime.forget_client(account.connection_id)
        raise AccountNotConnected(
            f"ad account {account.ad_account_id}: connection {account.connection_id} is "
            f"{state}: re-authorise it (`snapfleet connect`)"
        )
