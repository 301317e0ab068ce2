"""Every `code` a task can answer the runner, and the task-level errors that carry one.

A failed task returns `{"status": "failed", "code": <Code>, "message": ...}` (a skipped
one `{"status": "skipped", ...}`); `Code` below is the whole list, each entry with its
meaning and whether the runner sending the same task again later can succeed without
anyone changing the payload or the fleet (`retry_helps`). The README's table of result
codes is rendered from this list (`python -m tests.unit.worker.result_codes_doc --write`),
and a test fails when the two differ.

Who raises what (Snap's own errors stay in `snap/errors.py`, which cannot import worker):

    what a task answers
    ├── TaskFailed                  ends a task with a prepared result: `not_found`,
    │                               `conflict`, `media_not_ready`, `not_launched`,
    │                               `not_configured`, `invalid_state`, `code_spent`, ...
    ├── TaskError                   refused by the fleet itself, before or between requests
    │   ├── AccountNotConnected     no active connection owns the account: `not_connected`
    │   ├── FxRateMissing           no USD rate for the account's currency: `fx_unavailable`
    │   ├── GateTimeout             the gate's wait exceeds the inline bound: `rate_limited`
    │   ├── JournalKeyBusy          another attempt holds this write's journal key: `busy`
    │   ├── CreateLockBusy          another create of the same name holds the lock: `busy`
    │   └── MediaSourceError        an upload's bytes cannot be had: `validation`
    ├── snap.errors.SnapError       Snap's answer, or no answer (`code` per class, see there)
    │   ├── TransportError          `transport`; OutcomeUnknown: `outcome_unknown`
    │   ├── StatusError             `rejected` (BadRequest), `validation` (ValidationError),
    │   │                           `unauthorized`, `forbidden`, `not_found`, `conflict`,
    │   │                           `rate_limited`, `server_error`, `malformed_answer`
    │   │                           (MalformedAnswer: a 2xx that is not Snap's envelope)
    │   ├── PartialFailure          `partial_failure`, or the one code all items share;
    │   │                           each item of `failed` has its own (`rejected`, `not_sent`)
    │   ├── QuotaUnavailable        `quota_unavailable`: the gate's store is down, fail closed
    │   └── WebhooksNotSupported    `webhooks_not_supported`
    ├── pydantic ValidationError    `validation`, one `errors` entry per field (results.py)
    ├── the journal                 `attempts_exhausted`, `lease_expired` (storage writes them)
    ├── a periodic job              `already_ran` (status `skipped`)
    └── anything else               `internal`: a bug or an outage; the worker log has it

A task-level error raised in one place only may subclass `TaskError` beside the code that
raises it; its `code` is still a `Code`. `worker.results` builds every result from a
`Code` and refuses a code this list lacks; tests/unit/worker/test_result_codes.py checks
that every `code` attribute of these classes and of snap's, and every code written as a
literal anywhere in the fleet, is an entry here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "AccountNotConnected",
    "Code",
    "CreateLockBusy",
    "FxRateMissing",
    "GateTimeout",
    "JournalKeyBusy",
    "MediaSourceError",
    "TaskError",
    "TaskFailed",
]


class Code(StrEnum):
    """A result code: its string, what it means, and whether sending the task again helps."""

    meaning: str
    retry_helps: bool

    def __new__(cls, value: str, meaning: str, retry_helps: bool) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        member.retry_helps = retry_helps
        return member

    @classmethod
    def listed(cls, value: str) -> Code:
        """The entry whose string is `value`; ValueError for a code this list lacks."""
        for code in cls:
            if code.value == value:
                return code
        raise ValueError(
            f"{value!r} is not a result code: add it to worker.errors.Code, with its meaning"
        )

    # Refused by the fleet before any request reaches Snap.
    VALIDATION = (
        "validation",
        "the payload (or the media file it names) was refused; `errors` names each field",
        False,
    )
    NOT_CONNECTED = (
        "not_connected",
        "no active connection owns the ad account: run `snapfleet connect`",
        False,
    )
    NOT_CONFIGURED = (
        "not_configured",
        "the app's OAuth client id and secret are not set, so a token cannot be refreshed",
        False,
    )
    INVALID_STATE = (
        "invalid_state",
        "the OAuth state given to snap.connection.complete is unknown, expired or already "
        "used: start again with snap.connection.authorize",
        False,
    )
    CODE_SPENT = (
        "code_spent",
        "the OAuth code may have been spent by an attempt whose answer was lost; a code is "
        "single use and never sent twice: start again with snap.connection.authorize",
        False,
    )
    FX_UNAVAILABLE = (
        "fx_unavailable",
        "no USD rate for the account's currency on that day (never 1.0); the feed may catch up",
        True,
    )
    NOT_FOUND = (
        "not_found",
        "the entity named is not on Snap, or not in the ad account named",
        False,
    )
    CONFLICT = (
        "conflict",
        "the key or id is taken by another request (Snap's 409, a journal key with another "
        "payload, an experiment of another account or being launched)",
        False,
    )
    MEDIA_NOT_READY = (
        "media_not_ready",
        "the media is not READY yet; send the same task again to keep waiting",
        True,
    )
    NOT_LAUNCHED = (
        "not_launched",
        "the experiment's variant has no ad squad yet: snap.experiment.launch must finish",
        True,
    )
    # Waiting for a budget or a lease: the task retried itself until its retries ran out.
    RATE_LIMITED = (
        "rate_limited",
        "Snap answered 429, or the token gate asked for a longer wait, after every retry",
        True,
    )
    QUOTA_UNAVAILABLE = (
        "quota_unavailable",
        "the token gate's store (Redis) was unreachable: nothing was sent (fail closed)",
        True,
    )
    BUSY = (
        "busy",
        "another attempt held this write's journal key or create lock after every retry",
        True,
    )
    # Snap's answers.
    REJECTED = (
        "rejected",
        "Snap refused a parameter (400), or refused every item of the write",
        False,
    )
    UNAUTHORIZED = (
        "unauthorized",
        "Snap refused the token after one refresh: the connection needs re-authorisation",
        False,
    )
    FORBIDDEN = ("forbidden", "the token may not act on this ad account (403)", False)
    SERVER_ERROR = ("server_error", "Snap answered 5xx after every retry", True)
    MALFORMED_ANSWER = (
        "malformed_answer",
        "Snap answered 2xx with something that is not its envelope (an HTML page, JSON cut "
        "short, the wrong keys, an item without an id) after every retry; a create's "
        "outcome is as unknown as after a 5xx",
        True,
    )
    TRANSPORT = ("transport", "no answer from Snap after every retry (connect error)", True)
    OUTCOME_UNKNOWN = (
        "outcome_unknown",
        "a request was sent and its answer lost after every retry; sending the task again "
        "reconciles before writing",
        True,
    )
    MAYBE_CREATED = (
        "maybe_created",
        "(status `unknown`, not a failure) a create may have taken effect and nobody can "
        "tell: its answer was lost and its attempts ran out, or looking for it was refused "
        "(a revoked token, the gate store down); it is never sent again: the completer "
        "lists and matches it on each sweep and adopts it if it appears (the result under "
        "the same task id then becomes succeeded)",
        False,
    )
    PARTIAL_FAILURE = (
        "partial_failure",
        "some items of a bulk write failed; `succeeded` and `failed` list both halves",
        False,
    )
    NOT_SENT = (
        "not_sent",
        "(an item of `failed`) never sent because an earlier request of the write failed",
        True,
    )
    WEBHOOKS_NOT_SUPPORTED = (
        "webhooks_not_supported",
        "Snap has no webhooks: state changes are found by polling",
        False,
    )
    SNAP_ERROR = ("snap_error", "Snap answered with an error no other code describes", False)
    # The fleet's own bookkeeping.
    ATTEMPTS_EXHAUSTED = (
        "attempts_exhausted",
        "the write's journal key lost as many attempts as its cap allows (each ended "
        "without an outcome: worker killed, timed out or crashed) and failed for good",
        False,
    )
    LEASE_EXPIRED = (
        "lease_expired",
        "(the journal's record of a write) the worker holding it stopped; its task, sent "
        "again, reconciles before writing",
        True,
    )
    ALREADY_RAN = (
        "already_ran",
        "(status `skipped`) this period's run of a periodic job happened already",
        False,
    )
    INTERNAL = (
        "internal",
        "an unexpected error in the worker: a bug or an outage; the worker log has it",
        False,
    )


class TaskFailed(Exception):
    """End the task with this failed result (final: no retry). `cause` is the error behind it.

    `journaled=True` when a write already recorded the failure (else the task base
    journals it under the task's own `task` step).
    """

    def __init__(
        self,
        result: dict[str, Any],
        *,
        cause: BaseException | None = None,
        journaled: bool = False,
    ) -> None:
        super().__init__(result.get("message", result.get("code", "failed")))
        self.result = result
        self.cause = cause
        self.journaled = journaled  # the journal already holds this outcome

    @property
    def code(self) -> str:
        return str(self.result.get("code"))


class TaskError(Exception):
    """A refusal of the fleet itself; `code` is what the runner sees."""

    code: ClassVar[Code] = Code.INTERNAL


class AccountNotConnected(TaskError):
    """No active connection owns the ad account: the task is refused before any request."""

    code = Code.NOT_CONNECTED


class FxRateMissing(TaskError):
    """No USD rate for the account's currency: money cannot be converted (never 1.0)."""

    code = Code.FX_UNAVAILABLE


class GateTimeout(TaskError):
    """The gate asked for a longer wait than the caller may spend inline.

    The task base answers with `raise self.retry(countdown=exc.wait_s)`, so no worker idles
    holding a slot. `code` is what the runner sees if retries run out.
    """

    code = Code.RATE_LIMITED

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"token gate: wait {wait_s:.3f}s exceeds the inline bound")
        self.wait_s = wait_s


class JournalKeyBusy(TaskError):
    """Another attempt holds this write's journal key: come back when its lease ends."""

    code = Code.BUSY


class CreateLockBusy(TaskError):
    """Another create of the same name under the same parent holds the lock: come back later."""

    code = Code.BUSY

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"another create of this name is in progress; retry in {wait_s:.1f}s")
        self.wait_s = wait_s


class MediaSourceError(TaskError):
    """The media file cannot be had: unreadable, too large, or the download failed.

    `field` names the payload field at fault (source_url or file_path); the upload task
    answers it as a refused payload.
    """

    code = Code.VALIDATION

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
