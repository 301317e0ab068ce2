"""When the client sends a request again, and how long it waits first.

Two pure functions decide (after stripe-python's `_should_retry` / `_sleep_time_seconds`);
`retrying()` wires them into a tenacity `Retrying`, bounded in attempts and in total time,
with the sleep injectable so tests never wait for real.

The rule for writes (docs/architecture.md, The journal): Snap documents no idempotency, so a create
(`idempotent=False`) is re-sent only when it provably did not take effect: the connection
was never opened (`ConnectError`) or Snap refused it with 429. A create whose answer was
lost (`OutcomeUnknown`) or that met a 5xx (`ServerError`) is not re-sent: the task base
reconciles it against the journal. Reads, updates (absolute values) and deletes are
idempotent and are re-sent on 5xx and lost answers too. 4xx other than 429 is never retried;
401 is handled one layer up (one refresh, one retry).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import tenacity

from snap.errors import ConnectError, OutcomeUnknown, RateLimited, SnapError

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0


def _should_retry(
    status: int | None, exc: BaseException | None, *, idempotent: bool, has_key: bool
) -> bool:
    """True when the failed attempt may be sent again.

    `status` is the HTTP status Snap answered (None when no answer arrived), `exc` the
    error the attempt raised. A non-idempotent write without its Idempotency-Key is
    never re-sent, whatever happened.
    """
    if not idempotent and not has_key:
        return False
    if status == 429 or isinstance(exc, RateLimited | ConnectError):
        return True
    if not idempotent:
        return False
    if status is not None:
        return status >= 500
    return isinstance(exc, OutcomeUnknown)


def _backoff_s(
    attempt: int,
    retry_after: float | None,
    *,
    base_s: float = BACKOFF_BASE_S,
    cap_s: float = BACKOFF_CAP_S,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 1).

    Snap's `Retry-After` wins when present (Snap documents none, so honour it if sent);
    otherwise exponential backoff with full jitter in [cap/2, cap] of the step, so that
    workers hit by the same 429 do not come back in lockstep.
    """
    if retry_after is not None:
        return max(0.0, retry_after)
    step_s = min(cap_s, base_s * (2 ** (attempt - 1)))
    return step_s / 2 + rand() * step_s / 2


def parse_retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds, as delta-seconds or an HTTP date; None if absent or unreadable."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retrying(
    *,
    idempotent: bool,
    has_key: bool,
    max_attempts: int,
    max_elapsed_s: float,
    sleep: Callable[[float], None],
) -> tenacity.Retrying:
    """A tenacity loop applying the two functions above to `SnapError`s.

    It stops after `max_attempts`, or before a wait that would end past `max_elapsed_s`
    (a long `Retry-After` then surfaces as `RateLimited(retry_after_s=...)` for the
    task to retry later), and re-raises the last error.
    """

    def should(exc: BaseException) -> bool:
        status = exc.http_status if isinstance(exc, SnapError) else None
        return _should_retry(status, exc, idempotent=idempotent, has_key=has_key)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after_s if isinstance(exc, RateLimited) else None
        return _backoff_s(state.attempt_number, retry_after)

    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(should),
        wait=wait,
        stop=tenacity.stop_after_attempt(max_attempts) | tenacity.stop_before_delay(max_elapsed_s),
        sleep=sleep,
        reraise=True,
    )
