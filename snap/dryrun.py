"""The dry-run client: SnapClient's interface, with writes that never reach the network.

With `SNAPCHAT_ADS_LIVE_MODE` unset (seed 000, Dry-run mode) every write returns a
synthetic id, clearly marked (`dryrun-<uuid5>`), stable for the same idempotency key so
a retried task gets the same answer. Writes still go through validation, chunking and
the envelopes: only `_send_write`, the network step of every write, is replaced, so a
dry run exercises exactly the code a live run does up to the wire. Reads go to the real
API when a token provider is given; without one they raise Unauthorized. An entity
"created" in this dry run can be read back by its dryrun id without a request.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from snap import envelope
from snap.client import SnapClient, _Call
from snap.errors import Unauthorized

DRY_RUN_PREFIX = "dryrun-"
# A fixed namespace so ids are stable across processes and releases.
DRY_RUN_NAMESPACE = uuid.UUID("5f1c7d0e-3b7a-5c1e-9d0a-64a5e2f1b7c3")


def dry_run_id(idempotency_key: str, index: int = 0) -> str:
    """The synthetic id of item `index` of a write sent with `idempotency_key`."""
    return DRY_RUN_PREFIX + str(uuid.uuid5(DRY_RUN_NAMESPACE, f"{idempotency_key}#{index}"))


def is_dry_run_id(entity_id: str | None) -> bool:
    return bool(entity_id) and str(entity_id).startswith(DRY_RUN_PREFIX)


class DryRunClient(SnapClient):
    """SnapClient whose writes are answered locally. Entities carry `dry_run: true`."""

    def __init__(self, base_url: str, token_provider: Any = None, **kwargs: Any) -> None:
        super().__init__(base_url, token_provider, **kwargs)
        self._written: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _send_write(self, call: _Call, kind: str, items: Sequence[Mapping[str, Any]]) -> dict:
        if call.method == "DELETE":
            return {"request_status": "SUCCESS", "request_id": _request_id()}
        key = call.idempotency_key or ""
        entities = [self._entity(call.method, key, i, item) for i, item in enumerate(items)]
        return envelope.success_body(kind, entities, _request_id())

    def _entity(self, method: str, key: str, index: int, item: Mapping[str, Any]) -> dict:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        entity = {**item, "dry_run": True, "updated_at": now}
        if method == "POST":
            entity.update(id=dry_run_id(key, index), created_at=now)
        with self._lock:
            self._written[str(entity.get("id"))] = entity
        return entity

    def upload_media(
        self,
        media_id: str,
        content: bytes | IO[bytes],
        *,
        file_name: str,
        idempotency_key: str,
        **kwargs: Any,
    ) -> Any:
        """Reads nothing and sends nothing: the media is reported READY under its id."""
        return envelope.to_model(
            "media",
            {"id": media_id, "file_name": file_name, "media_status": "READY", "dry_run": True},
        )

    def _request(self, call: _Call) -> dict[str, Any]:
        """Reads: a dry-run entity from memory, else the real API (needs a token)."""
        entity_id = call.url.rsplit("/", 1)[-1]
        with self._lock:
            entity = self._written.get(entity_id)
        if entity is not None and call.method == "GET":
            kind = call.url.rsplit("/", 2)[-2]
            return envelope.success_body(kind, [entity], _request_id())
        if self._token_provider is None:
            raise Unauthorized(
                f"Snapchat Ads {call.operation}: dry run without a token cannot read",
                operation=call.operation,
            )
        return super()._request(call)


def _request_id() -> str:
    return f"{DRY_RUN_PREFIX}{uuid.uuid4().hex}"
