"""A payload that names its tenant may only touch that tenant's ad accounts.

The runner serves many tenants from one fleet; a payload carrying `tenant_id` says whose
request it is, and an ad account owned (through its connection) by another tenant, or
by no connection at all, is refused before any request reaches Snap: the `validation`
result naming `ad_account_id`, never a hint of whose account it is. Without `tenant_id`
the account alone decides, as before. Every task base calls `tenant_refusal` right
after the payload is validated.
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
    if tenant is None or not isinstance(account, str):
        return None
    with rt.session() as session:
        owner = account_repo.tenants_of(session, [account]).get(account)
    if owner == tenant:
        return None
    message = f"ad account {account} is not an account of tenant {tenant}"
    return {
        "status": "failed",
        "code": Code.VALIDATION.value,
        "message": f"ad_account_id: {message}",
        "errors": [{"field": "ad_account_id", "message": message}],
    }
