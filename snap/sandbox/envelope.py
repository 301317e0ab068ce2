"""The documented response envelopes and error body, and the one error the routes raise.

Success: `request_status`, `request_id`, the plural key whose items carry
`sub_request_status` and the singular key, and `paging.next_link` on paged lists.
Failure: `request_status: ERROR`, `request_id`, `debug_message`, `display_message`,
`error_code` (Snap facts 6). Snap documents only E3003 (not found) and E2023
(immutable field); the other E-codes below are the sandbox's own choice (unconfirmed),
stable so tests can pin them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

E_BAD_REQUEST = "E1001"  # sandbox choice: a parameter or attribute is invalid
E_UNAUTHORIZED = "E1003"  # sandbox choice: missing, unknown or expired token
E_FORBIDDEN = "E1004"  # sandbox choice: suspended ad account
E_CONFLICT = "E1009"  # sandbox choice: Idempotency-Key reused with another body
E_RATE_LIMITED = "E1010"  # sandbox choice: over a rate limit
E_IMMUTABLE = "E2023"  # documented: immutable-field violation on update
E_NOT_FOUND = "E3003"  # documented: resource not found
E_SERVER = "E5000"  # sandbox choice: injected server fault

SINGULAR = {
    "organizations": "organization",
    "adaccounts": "adaccount",
    "campaigns": "campaign",
    "adsquads": "adsquad",
    "ads": "ad",
    "creatives": "creative",
    "media": "media",
}

_DISPLAY = {
    400: "The request is invalid",
    401: "Unauthorized",
    403: "You do not have permission to access this resource",
    404: "We're sorry, but the requested resource is not available at this time",
    409: "This request conflicts with an earlier one",
    429: "Too many requests",
}


class SandboxError(Exception):
    """An API failure: HTTP status plus the documented error body fields."""

    def __init__(
        self,
        http_status: int,
        debug_message: str,
        *,
        error_code: str = E_BAD_REQUEST,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(debug_message)
        self.http_status = http_status
        self.debug_message = debug_message
        self.error_code = error_code
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request_status": "ERROR",
            "request_id": new_request_id(),
            "debug_message": self.debug_message,
            "display_message": _DISPLAY.get(self.http_status, "Something went wrong"),
            "error_code": self.error_code,
        }
        body.update(self.extra)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.http_status, headers=self.headers)


def not_found(kind: str, entity_id: str) -> SandboxError:
    return SandboxError(
        404,
        f"Resource can not be found: {SINGULAR.get(kind, kind)} {entity_id}",
        error_code=E_NOT_FOUND,
    )


def bad_request(message: str) -> SandboxError:
    return SandboxError(400, message, error_code=E_BAD_REQUEST)


def new_request_id() -> str:
    return uuid.uuid4().hex


def iso(when: datetime) -> str:
    """ISO-8601 with milliseconds and `Z`, as entity timestamps are rendered."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def iso_local(when: datetime) -> str:
    """ISO-8601 with milliseconds and the local offset (stats times)."""
    text = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    offset = when.strftime("%z")
    return f"{text}{offset[:3]}:{offset[3:]}"


def entities_body(kind: str, entities: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """The success envelope around a list of entities."""
    key = SINGULAR[kind]
    body: dict[str, Any] = {"request_status": "SUCCESS", "request_id": new_request_id()}
    body.update(extra)
    body[kind] = [{"sub_request_status": "SUCCESS", key: e} for e in entities]
    return body


def item_results_body(kind: str, results: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """A bulk write's answer: per-item results, and the status of the whole.

    Each result is either `{"entity": {...}}` or `{"error": "message"}`. All good: 200
    SUCCESS. Some bad: 200 with `request_status: PARTIAL`. All bad: 400 ERROR with the
    error body fields. Snap facts 4: 200 with per-item ERROR; the PARTIAL
    request status and `sub_request_error_reason` are the closest reading (unconfirmed).
    """
    key = SINGULAR[kind]
    items = []
    for result in results:
        if "entity" in result:
            items.append({"sub_request_status": "SUCCESS", key: result["entity"]})
        else:
            items.append(
                {"sub_request_status": "ERROR", "sub_request_error_reason": result["error"]}
            )
    failed = [r["error"] for r in results if "error" in r]
    if not failed:
        return 200, entities_body(kind, [r["entity"] for r in results])
    if len(failed) < len(results):
        return 200, {"request_status": "PARTIAL", "request_id": new_request_id(), kind: items}
    error = SandboxError(400, "; ".join(failed), error_code=results_error_code(results))
    return 400, {**error.body(), kind: items}


def results_error_code(results: list[dict[str, Any]]) -> str:
    codes = {r.get("error_code", E_BAD_REQUEST) for r in results if "error" in r}
    return codes.pop() if len(codes) == 1 else E_BAD_REQUEST
