"""What a task returns to the runner: JSON read from the result backend.

A success is `{"status": "succeeded", "snap_id": ..., "dry_run": false, ...}`; a failure
is `{"status": "failed", "code": <stable code>, "message": ...}` with the codes of
DESIGN.md (`validation`, `quota_unavailable`, `rate_limited`, `unauthorized`,
`not_found`, `rejected`, `not_connected`, `fx_unavailable`, ...) and the seeds' message
formats (`Snapchat Ads create_campaign: 429 — ...`). A failed task *returns* its error
object rather than raising, so the runner reads it like any other result.

`TaskFailed(result)` is how code deep inside a task ends it with a failed result (final,
never retried): the task base catches it and returns `result`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from snap.errors import PartialFailure, SnapError
from storage.redact import redact
from worker.errors import TaskFailed

__all__ = [
    "failed",
    "from_error",
    "succeeded",
    "validation_failure",
]


def succeeded(snap_id: str | None = None, *, dry_run: bool, **fields: Any) -> dict[str, Any]:
    """A success: the Snap id of the entity the task made or changed, and anything else."""
    result: dict[str, Any] = {"status": "succeeded"}
    if snap_id is not None:
        result["snap_id"] = snap_id
    result.update(fields)
    result["dry_run"] = dry_run
    return redact(result)


def failed(code: str, message: str, **fields: Any) -> dict[str, Any]:
    """A failure with a stable `code` and a human message (never a secret)."""
    return redact({"status": "failed", "code": code, "message": message, **fields})


def from_error(exc: BaseException) -> dict[str, Any]:
    """The failed result of an error: Snap's own (`to_result()`), or our `code` + message."""
    if isinstance(exc, TaskFailed):
        return exc.result
    if isinstance(exc, PartialFailure) and not exc.succeeded:
        # Every item was refused (a one-item write's only item): Snap rejected the request.
        codes = {str(f.get("code") or "rejected") for f in exc.failed}
        result = exc.to_result()
        result["code"] = codes.pop() if len(codes) == 1 else "rejected"
        return redact(result)
    if isinstance(exc, SnapError):
        return redact(exc.to_result())
    code = getattr(exc, "code", None) or "internal"
    return failed(str(code), str(exc) or type(exc).__name__)


def validation_failure(
    exc: PydanticValidationError, model: type[BaseModel] | None = None
) -> dict[str, Any]:
    """The documented result of a refused payload, one entry per error, fields dotted.

    `{"status": "failed", "code": "validation", "message": "...", "errors":
    [{"field": "daily_budget_usd", "message": "..."}]}`. Input values are never echoed:
    a payload may carry something secret-looking, and results are stored. Given the
    payload `model`, an unknown top-level field gets a "did you mean" hint.

    (Lives in worker, not tasks/payloads.py, because the task base reports it and
    worker must not import tasks. `tasks.payloads.field_error` raises the
    `payload_field` errors read here.)
    """
    raw = exc.errors(include_url=False, include_input=False)
    errors = [_error_entry(error, model) for error in raw]
    message = "; ".join(f"{e['field'] or 'payload'}: {e['message']}" for e in errors)
    return {"status": "failed", "code": "validation", "message": message, "errors": errors}


def _error_entry(error: Mapping[str, Any], model: type[BaseModel] | None) -> dict[str, str]:
    loc = [str(part) for part in error["loc"]]
    ctx = error.get("ctx") or {}
    if error["type"] == "payload_field":
        return {"field": ".".join([*loc, ctx["field"]]), "message": ctx["message"]}
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field" + _did_you_mean(loc, model)
    return {"field": ".".join(loc), "message": message}


def _did_you_mean(loc: list[str], model: type[BaseModel] | None) -> str:
    if model is None or len(loc) != 1:
        return ""
    close = difflib.get_close_matches(loc[0], model.model_fields, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
