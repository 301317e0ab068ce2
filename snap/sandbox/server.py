"""`snapfleet sandbox`: the sandbox as a real HTTP server (uvicorn, h11).

The API is served under `http://HOST:PORT/v1`, OAuth under `/login/oauth2`, admin under
`/_sandbox`. The h11 protocol is subclassed only to put each connection's transport
into the ASGI scope, so a drop fault can close the socket without any response
(uvicorn has no other way to let an app abort a connection).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from snap.sandbox.admin import ids
from snap.sandbox.app import create_app
from snap.sandbox.config import SandboxConfig


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with `scope["extensions"]["sandbox.transport"]` set."""

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        app = self.app

        async def with_transport(scope: dict, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})["sandbox.transport"] = transport
            await app(scope, receive, send)

        self.app = with_transport


def banner(config: SandboxConfig, host: str, port: int) -> list[str]:
    """What the command prints at start: where it listens and the seed's stable ids."""
    lines = [
        f"Snap sandbox: API http://{host}:{port}/v1 , OAuth http://{host}:{port}/login/oauth2",
        f"  admin http://{host}:{port}/_sandbox , seed {config.seed}",
    ]
    lines += [f"  {name}={value}" for name, value in ids().items()]
    if config.token:
        lines.append("  bearer token: as given with --token")
    if config.ignore_idempotency_key:
        lines.append("  Idempotency-Key ignored (as Snap documents)")
    return lines


def serve(config: SandboxConfig, host: str, port: int, echo: Callable[[str], None] = print) -> None:
    """Run until interrupted."""
    for line in banner(config, host, port):
        echo(line)
    app = create_app(config)
    uvicorn.run(app, host=host, port=port, http=DroppableH11Protocol, log_level="warning")
