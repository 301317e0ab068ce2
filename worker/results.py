"""What a task returns to the runner: JSON read from the result backend.

A success is `{"status": "succeeded", "snap_id": ..., "dry_run": false, ...}`; a failure
is `{"status": "failed", "code": <stable code>, "message": ...}`, the code always one of
`worker.errors.Code` (every code, its meaning and whether a retry helps, in one list) and
the message in Snap's formats (`Snapchat Ads create_campaign: 429 — ...`). A failed task
*returns* its error object rather than raising, so the runner reads it like any other
result. A periodic job that had nothing to do answers `{"status": "skipped", "code": ...}`.

`TaskFailed(result)` (worker.errors) is how code deep inside a task ends it with a failed
result (final, never retried): the task base catches it and returns `result`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from snap.errors import PartialFailure, SnapError, Unauthorized
from storage.redact import redact
from worker.errors import Code, TaskFailed

__all__ = [
    "REAUTH_MESSAGE",
    "failed",
    "from_error",
    "skipped",
    "succeeded",
    "validation_failure",
]


# Seed 000, Troubleshooting: what the user sees when the token is revoked or expired
# without a valid refresh token.
REAUTH_MESSAGE = "Snapchat Ads /me returned 401"


def succeeded(snap_id: str | None = None, *, dry_run: bool, **fields: Any) -> dict[str, Any]:
    """A success: the Snap id of the entity the task made or changed, and anything else."""
    result: dict[str, Any] = {"status": "succeeded"}
    if snap_id is not None:
        result["snap_id"] = snap_id
    result.update(fields)
    result["dry_run"] = dry_run
    return redact(result)


def failed(code: Code | str, message: str, **fields: Any) -> dict[str, Any]:
    """A failure with a stable `code` and a human message (never a secret).

    Raises ValueError for a code `worker.errors.Code` does not list: a new code is added
    there, with its meaning, before a task may answer it.
    """
    listed = Code.listed(code)
    return redact({"status": "failed", "code": listed.value, "message": message, **fields})


def skipped(code: Code | str, message: str) -> dict[str, Any]:
    """A run that had nothing to do (a periodic job already ran, an account disconnected)."""
    return {"status": "skipped", "code": Code.listed(code).value, "message": message}


def from_error(exc: BaseException) -> dict[str, Any]:
    """The failed result of an error: Snap's own (`to_result()`), or our `code` + message."""
    if isinstance(exc, TaskFailed):
        return exc.result
    if isinstance(exc, PartialFailure) and not exc.succeeded:
        # Every item was refused (a one-item write's only item): Snap rejected the request.
        codes = {_code(f.get("code"), Code.REJECTED) for f in exc.failed}
        result = exc.to_result()
        result["code"] = (codes.pop() if len(codes) == 1 else Code.REJECTED).value
        return redact(result)
    if isinstance(exc, SnapError):
        result = exc.to_result()
        result["code"] = _code(exc.code, Code.SNAP_ERROR).value
        if isinstance(exc, Unauthorized):
            # The guide's words (seed 000, Troubleshooting), whichever call met the 401;
            # the call itself stays in `operation`.
            result["message"] = REAUTH_MESSAGE
            result["operation"] = exc.operation
        return redact(result)
    return failed(_code(getattr(exc, "code", None)), str(exc) or type(exc).__name__)


def _code(value: object, unlisted: Code = Code.INTERNAL) -> Code:
    """The listed code `value` names, else `unlisted`: a library's own `code` attribute
    (SQLAlchemy's error codes, say) is not a result code the runner knows."""
    try:
        return Code.listed(str(value))
    except ValueError:
        return unlisted


def validation_failure(
    exc: PydanticValidationError, model: type[BaseModel] | None = None
) -> dict[str, Any]:
    """The documented result of a refused payload, one entry per error, fields dotted.

    `{"status": "failed", "code": "validation", "message": "...", "errors":
    [{"field": "daily_budget_usd", "message": "..."}]}`. Input values are never echoed:
    a payload may carry something secret-looking, and results are stored. Given the
    payload `model`, an unknown top-level field gets a "did you mean" hint.

    (Lives in worker, not tasks/payloads/, because the task base reports it and
    worker must not import tasks. `tasks.payloads.field_error` raises the
    `payload_field` errors read here.)
    """
    raw = exc.errors(include_url=False, include_input=False)
    errors = [_error_entry(error, model) for error in raw]
    message = "; ".join(f"{e['field'] or 'payload'}: {e['message']}" for e in errors)
    return {"status": "failed", "code": Code.VALIDATION.value, "message": message, "errors": errors}


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
