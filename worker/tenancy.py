"""Whose ad account a payload names: held by the fleet, and the tenant's if it says so.

Every task base calls `tenant_refusal` right after the payload is validated, before any
request reaches Snap:

- an ad account no connection holds: `not_connected`, naming `ad_account_id` in `errors`
  (the same code the account lookup answers later, now with the field);
- a payload carrying `tenant_id` (whose request it is) and an ad account owned, through
  its connection, by another tenant: the `validation` result naming `ad_account_id`,
  never a hint of whose account it is. Without `tenant_id` the account alone decides.
"""

from __future__ import annotations

from typing import Any

from storage import accounts as account_repo
from worker.errors import Code
from worker.runtime import Runtime

__all__ = ["tenant_refusal"]


def tenant_refusal(rt: Runtime, payload: Any) -> dict[str, Any] | None:
    """The refused result if the payload names a tenant that does not own its account."""
    tenant = getattr(payload, "tenant_id", None)
    account = getattr(payload, "ad_account_id", None)
    if not isinstance(account, str):
        return None
    with rt.session() as session:
        owner = account_repo.tenants_of(session, [account]).get(account)
    if owner is None and tenant is None:
        message = f"ad account {account} is not connected: run `snapfleet connect`"
        return {
            "status": "failed",
            "code": Code.NOT_CONNECTED.value,
            "message": message,
            "errors": [{"field": "ad_account_id", "message": message}],
        }
    if tenant is None or owner == tenant:
        return None
    message = f"ad account {account} is not an account of tenant {tenant}"
    return {
        "status": "failed",
        "code": Code.VALIDATION.value,
        "message": f"ad_account_id: {message}",
        "errors": [{"field": "ad_account_id", "message": message}],
    }
