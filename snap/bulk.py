"""Bulk writes, item by item: validate every item, split into requests of at most
`snap.rules.BULK_LIMITS[kind]`, and gather the per-item results of every request.

Idempotency-Key of a split write: the caller's key when the write fits in one request,
else `f"{key}:{chunk_index}"` per request, stable across retries of the same task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from snap import envelope, models, rules
from snap.errors import PartialFailure, SnapError, ValidationError


def chunk_key(idempotency_key: str, chunk_index: int, chunk_count: int) -> str:
    """The Idempotency-Key of request `chunk_index` of a write split in `chunk_count`."""
    return idempotency_key if chunk_count == 1 else f"{idempotency_key}:{chunk_index}"


def chunks(kind: str, items: Sequence[Mapping[str, Any]]) -> list[Sequence[Mapping[str, Any]]]:
    """The items in requests of at most `BULK_LIMITS[kind]` (seed 003)."""
    size = rules.BULK_LIMITS[kind]
    return [items[i : i + size] for i in range(0, len(items), size)]


def require_key(operation: str, key: str | None) -> None:
    if not key or not isinstance(key, str):
        raise ValidationError(
            f"Snapchat Ads {operation}: a write needs an idempotency key",
            field="idempotency_key",
            operation=operation,
        )


def validated(
    kind: str, items: Sequence[Mapping[str, Any]], op: str, context: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every item through `snap.models.validate_write`; the first bad one stops the write."""
    if not items:
        raise ValidationError(f"no {kind} to write", field=kind)
    cleaned = []
    for index, item in enumerate(items):
        try:
            cleaned.append(models.validate_write(kind, item, op=op, **context))
        except ValidationError as exc:
            if len(items) > 1:
                exc.message = f"item {index}: {exc.message}"
                exc.args = (exc.message,)
            raise
    return cleaned


def collect(
    items: envelope.Unwrapped,
    chunk: Sequence[Mapping[str, Any]],
    offset: int,
    kind: str,
    done: list[tuple[int, Any]],
    failed: list[dict[str, Any]],
) -> None:
    """Add one chunk's answer to the write's results, indexed in the whole write."""
    done.extend(
        (offset + index, envelope.to_model(kind, entity)) for index, entity in items.succeeded
    )
    for failure in items.failed:
        index = failure["index"]
        item = chunk[index] if index < len(chunk) else None
        failed.append({**failure, "index": offset + index, "item": item, "code": "rejected"})


NOT_SENT = "not_sent"


def chunk_failures(
    exc: SnapError, items: Sequence[Mapping[str, Any]], offset: int, size: int
) -> list[dict[str, Any]]:
    """Every item from `offset` on: the failed request's items carry its error; the items
    after it were never sent (`code = "not_sent"`), so a retry may send them safely."""
    failures = []
    for index in range(offset, len(items)):
        in_chunk = index < offset + size
        failures.append(
            {
                "index": index,
                "item": items[index],
                "message": exc.message if in_chunk else "not sent: an earlier request failed",
                "error_code": exc.error_code if in_chunk else None,
                "code": exc.code if in_chunk else NOT_SENT,
            }
        )
    return failures


def outcome(
    operation: str,
    items: Sequence[Mapping[str, Any]],
    done: list[tuple[int, Any]],
    failed: list[dict[str, Any]],
) -> list[Any]:
    succeeded = [model for _, model in sorted(done, key=lambda pair: pair[0])]
    if not failed:
        return succeeded
    first = failed[0]
    message = (
        f"Snapchat Ads {operation}: {len(failed)} of {len(items)} items failed — "
        f"item {first['index']}: {first['message']}"
    )
    raise PartialFailure(
        message,
        operation=operation,
        succeeded=succeeded,
        failed=failed,
        error_code=first.get("error_code"),
    )
