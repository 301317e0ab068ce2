"""Secrets never reach a stored response or error: their values are replaced on the way in.

The journal stores what the caller hands it (a Snap response, an error's `to_result()`);
a key that names a credential keeps its place but loses its value, at any depth.
"""

from __future__ import annotations

from typing import Any

SECRET_KEY_PARTS = ("token", "secret", "authorization", "password", "api_key", "cookie")
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """A copy of `value` with every credential-named key's value replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if _is_secret(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _is_secret(key: Any) -> bool:
    name = str(key).lower()
    return any(part in name for part in SECRET_KEY_PARTS)
