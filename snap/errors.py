"""Every answer of the Snap Marketing API that is not a success, as one hierarchy.

    SnapError                       anything the client raises
    ├── TransportError              no response: the request may or may not have been sent
    │   ├── ConnectError            provably not sent (connection refused, DNS); safe to retry
    │   └── OutcomeUnknown          sent, answer lost (read timeout, reset after sending)
    ├── StatusError                 Snap answered with an error status or envelope
    │   ├── BadRequest              400: a parameter is wrong; `code = "rejected"`
    │   │   └── ValidationError     refused before sending: names the field; `code = "validation"`
    │   ├── Unauthorized            401 after one refresh and one retry
    │   ├── Forbidden               403
    │   ├── NotFound                404 / E3003
    │   ├── Conflict                409 (the sandbox: same Idempotency-Key, other body)
    │   ├── RateLimited             429, with `retry_after_s` when Snap sent one
    │   └── ServerError             5xx
    │       └── MalformedAnswer     2xx that is not Snap's envelope (HTML, truncated JSON,
    │                               wrong keys, an item without an id): as unknown as a 5xx
    ├── PartialFailure              a bulk write where some items failed; carries both halves
    ├── QuotaUnavailable            our own token gate could not decide (Redis down): fail closed
    └── WebhooksNotSupported        Snap has no webhooks

Every error carries the HTTP status, Snap's `request_id`, the API's own message
(`debug_message`, `display_message`, `error_code`) and the operation name, and a class
attribute `code`: the stable string reported to the growth runner. Messages never carry
tokens: the client never puts a header or a token into an error.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadRequest",
    "Conflict",
    "ConnectError",
    "Forbidden",
    "MalformedAnswer",
    "NotFound",
    "OutcomeUnknown",
    "PartialFailure",
    "QuotaUnavailable",
    "RateLimited",
    "ServerError",
    "SnapError",
    "StatusError",
    "TransportError",
    "Unauthorized",
    "ValidationError",
    "WebhooksNotSupported",
    "error_for_status",
]


class SnapError(Exception):
    """Base class of every error the Snap client raises."""

    code = "snap_error"
    retryable = False

    def __init__(
        self,
        message: str = "",
        *,
        operation: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        error_code: str | None = None,
        debug_message: str | None = None,
        display_message: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.http_status = http_status
        self.request_id = request_id
        self.error_code = error_code
        self.debug_message = debug_message
        self.display_message = display_message
        self.body = body

    def __str__(self) -> str:
        message = self.message or "<empty message>"
        if self.request_id:
            return f"Request {self.request_id}: {message}"
        return message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, "
            f"http_status={self.http_status!r}, request_id={self.request_id!r})"
        )

    def to_result(self) -> dict[str, Any]:
        """The JSON error object the fleet reports to the runner."""
        result: dict[str, Any] = {"status": "failed", "code": self.code, "message": self.message}
        if self.http_status is not None:
            result["http_status"] = self.http_status
        if self.request_id:
            result["request_id"] = self.request_id
        if self.error_code:
            result["error_code"] = self.error_code
        return result


# Transport errors: no response was received.


class TransportError(SnapError):
    """No response arrived."""

    code = "transport"
    retryable = True


class ConnectError(TransportError):
    """The connection could not be opened: the request provably did not reach Snap."""


class OutcomeUnknown(TransportError):
    """The request may have reached Snap, but its answer was lost."""

    code = "outcome_unknown"


# Status errors: Snap answered, and the answer was an error.


class StatusError(SnapError):
    """Snap answered with an error status or an ERROR envelope."""


class BadRequest(StatusError):
    """400: Snap refused a parameter."""

    code = "rejected"


class ValidationError(BadRequest):
    """Refused before sending: the payload breaks a documented rule. `field` names it."""

    code = "validation"

    def __init__(self, message: str = "", *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field = field

    def to_result(self) -> dict[str, Any]:
        result = super().to_result()
        result["errors"] = [{"field": self.field, "message": self.message}]
        return result


class Unauthorized(StatusError):
    """401 after one token refresh and one retry."""

    code = "unauthorized"


class Forbidden(StatusError):
    """403: the token may not act on this resource."""

    code = "forbidden"


class NotFound(StatusError):
    """404: the entity does not exist (or was deleted)."""

    code = "not_found"


class Conflict(StatusError):
    """409: the request conflicts with an earlier one (same Idempotency-Key, other body)."""

    code = "conflict"


class RateLimited(StatusError):
    """429: over Snap's rate limit. `retry_after_s` is Snap's Retry-After, if it sent one."""

    code = "rate_limited"
    retryable = True

    def __init__(self, message: str = "", *, retry_after_s: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after_s = retry_after_s


class ServerError(StatusError):
    """5xx: Snap failed; for a create the outcome is unknown."""

    code = "server_error"
    retryable = True


class MalformedAnswer(ServerError):
    """A success status whose body is not Snap's envelope: treated like a 5xx (a write's
    outcome is unknown), never read as an empty answer or a success."""

    code = "malformed_answer"


# Errors that are not an HTTP answer.


class PartialFailure(SnapError):
    """A bulk write where some items failed.

    `succeeded` holds the items Snap accepted (parsed models), `failed` a list of
    `{"index": i, "item": sent_item, "message": ..., "error_code": ...}`.
    """

    code = "partial_failure"

    def __init__(
        self,
        message: str = "",
        *,
        succeeded: list[Any] | None = None,
        failed: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.succeeded = list(succeeded or [])
        self.failed = list(failed or [])

    def to_result(self) -> dict[str, Any]:
        result = super().to_result()
        result["failed"] = [{k: v for k, v in f.items() if k != "item"} for f in self.failed]
        return result


class QuotaUnavailable(SnapError):
    """The token gate could not decide (its store is down): fail closed, send nothing."""

    code = "quota_unavailable"


class WebhooksNotSupported(SnapError):
    """Snap's Marketing API has no webhooks; state changes are polled."""

    code = "webhooks_not_supported"

    def __init__(self, message: str = "webhooks not supported on snapchat_ads", **kw: Any):
        super().__init__(message, **kw)


_STATUS_CLASSES: dict[int, type[StatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: BadRequest,
    406: BadRequest,
    409: Conflict,
    410: NotFound,
    429: RateLimited,
}


def error_for_status(http_status: int) -> type[StatusError]:
    """The error class for an HTTP status (5xx -> ServerError, unknown 4xx -> BadRequest)."""
    if http_status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(http_status, BadRequest)
