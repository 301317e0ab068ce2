"""Replaying writes by `Idempotency-Key`, as seed 000 expects of the platform.

A write carrying a key is remembered with a fingerprint of its method, path and body and
the answer it got. The same key with the same request returns that answer again and
creates nothing; the same key with another request is a 409. Snap itself documents no
idempotency (Snap facts 3); `SandboxConfig.ignore_idempotency_key` turns this off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from snap.sandbox.envelope import E_CONFLICT, SandboxError


@dataclass(frozen=True)
class Remembered:
    fingerprint: str
    status: int
    body: bytes


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


class IdempotencyKeys:
    def __init__(self) -> None:
        self._answers: dict[str, Remembered] = {}

    def replay(self, key: str, method: str, path: str, body: bytes) -> Remembered | None:
        """The remembered answer, None for a new key, or 409 for a key reused differently."""
        remembered = self._answers.get(key)
        if remembered is None:
            return None
        if remembered.fingerprint != fingerprint(method, path, body):
            raise SandboxError(
                409,
                f"Idempotency-Key {key} was already used with a different request",
                error_code=E_CONFLICT,
            )
        return remembered

    def remember(self, key: str, method: str, path: str, body: bytes, status: int, answer: bytes):
        self._answers[key] = Remembered(fingerprint(method, path, body), status, answer)
