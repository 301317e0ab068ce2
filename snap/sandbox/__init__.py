"""A faithful fake of the Snap Marketing API: an ASGI app over in-memory state.

    from snap.sandbox import Sandbox
    sb = Sandbox(token="t")                     # seeded org + USD and EUR ad accounts
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport)
    sb.state.set_review_status(ad_id, "REJECTED", ["Misleading"])
    sb.clock.advance(3600)

Served as a process by `snapfleet sandbox` (see `server.py`). Module map: `app` routes,
`state` the world and its controls, `store` entity tables, `writes`/`reads`/`media`/
`stats` the API, `ledger`/`delivery` spend over time, `oauth` tokens, `faults`,
`ratelimit`, `idempotency`, `requestlog`, `admin` (`/_sandbox`), `transport` (sync,
in-process), `server` (uvicorn).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from snap.sandbox.app import create_app
from snap.sandbox.clock import SandboxClock
from snap.sandbox.config import SandboxConfig
from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, ORGANIZATION_ID, USD_AD_ACCOUNT_ID
from snap.sandbox.state import SandboxState
from snap.sandbox.transport import SandboxTransport

__all__ = [
    "EUR_AD_ACCOUNT_ID",
    "ORGANIZATION_ID",
    "USD_AD_ACCOUNT_ID",
    "Sandbox",
    "SandboxClock",
    "SandboxConfig",
    "SandboxState",
    "SandboxTransport",
    "create_app",
]


class Sandbox:
    """One in-process sandbox: `app`, `state`, `clock`, and a sync `transport`.

    Keyword arguments are `SandboxConfig` fields (or pass `config=`).
    """

    base_url = "http://sandbox.invalid/v1"
    oauth_url = "http://sandbox.invalid/login/oauth2"

    def __init__(self, config: SandboxConfig | None = None, **knobs: Any) -> None:
        self.config = (
            (config or SandboxConfig()).with_changes(**knobs)
            if knobs
            else (config or SandboxConfig())
        )
        self.state = SandboxState(self.config)
        self.clock = self.state.clock
        self.app = create_app(state=self.state)

    @cached_property
    def transport(self) -> SandboxTransport:
        return SandboxTransport(self.app)

    def close(self) -> None:
        if "transport" in self.__dict__:
            self.transport.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
