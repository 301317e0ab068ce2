"""What the sandbox was asked, for tests to read: never the Authorization header."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

# Headers worth keeping; Authorization and cookies are never recorded.
KEPT_HEADERS = ("idempotency-key", "content-type", "user-agent")
# Form or JSON fields that carry secrets (the OAuth token endpoint); logged masked.
SECRET_FIELDS = frozenset({"client_secret", "refresh_token", "code", "access_token", "password"})


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int | None
    timestamp: str  # the sandbox's clock (whole seconds at start, frozen in tests)
    limited: str | None = None  # a 429's scope: app, token, account, or injected
    # The wall clock (Unix seconds) when the request came in: what another process's
    # times compare with (the sandbox's clock can lag the wall by up to a second).
    received_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kept_headers(headers: Any) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}


def readable_body(raw: bytes, form: dict[str, Any] | None) -> Any:
    """The JSON body parsed, a multipart form summarised, else text (or None)."""
    if form is not None:
        return {name: _summary(name, v) for name, v in form.items()}
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _summary(name: str, value: Any) -> Any:
    if name in SECRET_FIELDS:
        return "***"
    if isinstance(value, tuple):
        return {"filename": value[0], "size": len(value[1])}
    return value
