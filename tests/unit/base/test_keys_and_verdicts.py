"""Idempotency keys, request digests, the name tag, and what each error means."""

from __future__ import annotations

import uuid

import pytest

from snap.errors import (
    BadRequest,
    ConnectError,
    NotFound,
    OutcomeUnknown,
    QuotaUnavailable,
    RateLimited,
    ServerError,
    Unauthorized,
)
from worker.errors import GateTimeout
from worker.mutations.task import backoff_s
from worker.mutations.writes import (
    NAMESPACE,
    _verdict,
    idempotency_key,
    request_digest,
    tagged_name,
)


def test_the_key_is_uuid5_of_task_id_and_step() -> None:
    assert idempotency_key("t-1", "create") == str(uuid.uuid5(NAMESPACE, "t-1:create"))


def test_the_key_is_stable_per_task_and_distinct_per_step_and_task() -> None:
    assert idempotency_key("t-1", "create") == idempotency_key("t-1", "create")
    assert idempotency_key("t-1", "create") != idempotency_key("t-1", "ad")
    assert idempotency_key("t-1", "create") != idempotency_key("t-2", "create")


def test_the_digest_ignores_key_order_but_not_values() -> None:
    a = request_digest("snap.campaign.create", "create", {"x": 1, "y": "2"})
    assert a == request_digest("snap.campaign.create", "create", {"y": "2", "x": 1})
    assert a != request_digest("snap.campaign.create", "create", {"x": 2, "y": "2"})
    assert a != request_digest("snap.campaign.create", "other", {"x": 1, "y": "2"})


def test_the_name_tag_fits_the_375_character_limit() -> None:
    key = idempotency_key("t", "s")
    assert tagged_name("Spring", key) == f"Spring #sf-{key}"
    long = tagged_name("n" * 375, key)
    assert len(long) == 375 and long.endswith(key)


@pytest.mark.parametrize(
    ("error", "op", "state", "retry"),
    [
        (ConnectError("x"), "create", "release", True),
        (RateLimited("x", retry_after_s=3), "create", "release", True),
        (GateTimeout(2.5), "update", "release", True),
        (OutcomeUnknown("x"), "create", "unknown", True),
        (ServerError("x", http_status=503), "create", "unknown", True),
        (OutcomeUnknown("x"), "update", "release", True),
        (ServerError("x", http_status=500), "delete", "release", True),
        (QuotaUnavailable("x"), "create", "quota", False),
        (BadRequest("x", http_status=400), "create", "failed", False),
        (NotFound("x", http_status=404), "update", "failed", False),
        (Unauthorized("x", http_status=401), "create", "failed", False),
    ],
)
def test_each_error_leaves_the_journal_state_it_means(error, op, state, retry) -> None:
    verdict = _verdict(error, op)
    assert (verdict.state, verdict.retry) == (state, retry)


def test_retry_after_and_gate_waits_override_the_backoff() -> None:
    assert _verdict(RateLimited("x", retry_after_s=3), "create").countdown_s == 3
    assert _verdict(GateTimeout(2.5), "create").countdown_s == 2.5
    assert _verdict(ConnectError("x"), "create").countdown_s is None


def test_an_error_while_reconciling_keeps_the_key_unknown() -> None:
    # A reconcile that could not list must not turn the key into a plain resend.
    assert _verdict(ConnectError("x"), "create", unknown=True).state == "unknown"
    assert _verdict(QuotaUnavailable("x"), "create", unknown=True).state == "unknown"
    # Nor may a refused list declare a create failed that may have landed.
    for refused in (Unauthorized("x", http_status=401), NotFound("x", http_status=404)):
        verdict = _verdict(refused, "create", unknown=True)
        assert (verdict.state, verdict.retry) == ("unknown", False)


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    assert backoff_s(0, 300, rand=lambda: 0.0) == 0.5
    assert backoff_s(3, 300, rand=lambda: 1.0) == 8.0
    assert backoff_s(20, 300, rand=lambda: 1.0) == 300
    assert 150 <= backoff_s(20, 300) <= 300


class _Retried(Exception):
    def __init__(self, countdown: float) -> None:
        self.countdown = countdown


def _countdown_after(cause: BaseException, countdown_s: float | None, retries: int) -> float:
    """The countdown a mutation task asks Celery for after `cause` on retry `retries`."""
    from types import SimpleNamespace

    from worker.mutations.task import _Attempt
    from worker.mutations.writes import RetryLater
    from worker.settings import Settings

    def retry(*, exc: Exception, countdown: float, max_retries: int) -> Exception:
        return _Retried(countdown)

    request = SimpleNamespace(id="t-1", retries=retries, is_eager=False)
    task = SimpleNamespace(request=request, settings=Settings(), retry=retry, app=None)
    with pytest.raises(_Retried) as caught:
        _Attempt(task, {}).retry(RetryLater(cause, countdown_s=countdown_s))  # type: ignore[arg-type]
    return caught.value.countdown


def test_a_busy_gate_is_retried_with_backoff_never_sooner_than_it_said() -> None:
    # The gate said 50 ms: the first retry waits about a second, the fourth 4 to 8 s,
    # so a gate that stays busy does not spend every retry in a few seconds.
    assert 0.5 <= _countdown_after(GateTimeout(0.05), 0.05, 0) <= 1.0
    assert 4.0 <= _countdown_after(GateTimeout(0.05), 0.05, 3) <= 8.0
    assert _countdown_after(GateTimeout(9.0), 9.0, 0) == 9.0
    # A 429's Retry-After and other waits are kept as Snap or the journal gave them.
    assert _countdown_after(RateLimited("x", retry_after_s=3), 3.0, 3) == 3.0
