"""Result mapping and redaction: what the runner reads and what the logs show."""

from __future__ import annotations

import logging

import pytest

from snap.errors import QuotaUnavailable, RateLimited, ValidationError
from worker.errors import AccountNotConnected, Code, FxRateMissing, GateTimeout, TaskFailed
from worker.logs import RedactingFilter, log_outcome, redact_text
from worker.results import failed, from_error, succeeded


def test_a_success_carries_the_snap_id_and_dry_run_last() -> None:
    assert succeeded("c-1", dry_run=False) == {
        "status": "succeeded",
        "snap_id": "c-1",
        "dry_run": False,
    }
    assert succeeded("c-1", dry_run=True, reconciled=True)["reconciled"] is True


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (
            RateLimited("Snapchat Ads create_campaign: 429 — slow down", http_status=429),
            "rate_limited",
        ),
        (QuotaUnavailable("gate down"), "quota_unavailable"),
        (GateTimeout(3.0), "rate_limited"),
        (AccountNotConnected("ad account x is not connected"), "not_connected"),
        (FxRateMissing("no USD rate for EUR"), "fx_unavailable"),
        (ValueError("boom"), "internal"),
    ],
)
def test_errors_map_to_their_stable_codes(error, code) -> None:
    result = from_error(error)
    assert (result["status"], result["code"]) == ("failed", code)
    assert result["message"]


def test_a_snap_error_keeps_the_seed_message_format_and_request_id() -> None:
    error = RateLimited(
        "Snapchat Ads create_campaign: 429 — slow down", http_status=429, request_id="r-9"
    )
    assert from_error(error) == {
        "status": "failed",
        "code": "rate_limited",
        "message": "Snapchat Ads create_campaign: 429 — slow down",
        "http_status": 429,
        "request_id": "r-9",
    }


def test_a_validation_error_names_its_field() -> None:
    result = from_error(ValidationError("too long", field="name"))
    assert result["errors"] == [{"field": "name", "message": "too long"}]


def test_task_failed_carries_its_result() -> None:
    result = failed("not_found", "creative_id c-1 not found")
    assert from_error(TaskFailed(result)) is result


def test_secret_named_fields_never_reach_a_result() -> None:
    assert failed(Code.INTERNAL, "y", access_token="abc")["access_token"] == "[redacted]"


def test_a_code_the_error_list_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match=r"worker\.errors\.Code"):
        failed("no_such_code", "y")


@pytest.mark.parametrize(
    "line",
    [
        "Authorization: Bearer eyJhbGciOi.secret-token_value",
        "POST /login/oauth2/access_token refresh_token=rt-SECRET&grant_type=refresh_token",
        "{'client_secret': 'rt-SECRET', 'grant_type': 'x'}",
        '{"access_token": "rt-SECRET"}',
        "redirect?code=rt-SECRET&state=1",
        "stored gAAAAABlSECRETSECRETSECRETSECRETSECRET",
    ],
)
def test_redaction_removes_every_credential_shape(line: str) -> None:
    cleaned = redact_text(line)
    assert "SECRET" not in cleaned and "secret-token" not in cleaned
    assert "[redacted]" in cleaned


def test_redaction_keeps_our_own_result_code() -> None:
    assert redact_text("task: outcome=failed code=rate_limited") == (
        "task: outcome=failed code=rate_limited"
    )


def test_the_filter_redacts_args_before_any_handler_formats_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    probe = logging.getLogger("snapfleet.unit-probe")
    probe.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="snapfleet.unit-probe"):
        probe.info("sent %s", {"Authorization": "Bearer tok-SECRET-1"})
    assert "tok-SECRET-1" not in caplog.text
    assert "[redacted]" in caplog.text


def test_an_outcome_line_carries_the_structured_fields(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="snapfleet.task"):
        log_outcome(
            task_id="t-1",
            task_name="snap.campaign.create",
            ad_account_id="a-1",
            idempotency_key="k-1",
            attempt=2,
            outcome="succeeded",
            duration_ms=12.34,
        )
    (record,) = [r for r in caplog.records if r.name == "snapfleet.task"]
    assert record.getMessage() == (
        "task: task_id=t-1 task=snap.campaign.create ad_account=a-1 key=k-1 attempt=2 "
        "outcome=succeeded duration_ms=12.3"
    )
    assert record.snapfleet["key"] == "k-1"  # type: ignore[attr-defined]


def test_a_write_whose_only_item_was_refused_is_rejected() -> None:
    from snap.errors import PartialFailure

    error = PartialFailure(
        "Snapchat Ads create_campaign: 1 of 1 items failed — item 0: bad start_time",
        failed=[{"index": 0, "item": {}, "message": "bad start_time", "code": "rejected"}],
    )
    result = from_error(error)
    assert (result["code"], result["failed"][0]["message"]) == ("rejected", "bad start_time")


def test_celery_handlers_get_the_filter_at_worker_start() -> None:
    from celery.signals import after_setup_logger

    target = logging.getLogger("snapfleet.unit-celery")
    handler = logging.StreamHandler()
    target.addHandler(handler)
    try:
        after_setup_logger.send(sender=None, logger=target)
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        target.removeHandler(handler)


def test_a_logged_traceback_is_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    probe = logging.getLogger("snapfleet.unit-traceback")
    probe.addFilter(RedactingFilter())
    with caplog.at_level(logging.ERROR, logger="snapfleet.unit-traceback"):
        try:
            raise RuntimeError("sent Authorization: Bearer tok-SECRET-2")
        except RuntimeError:
            probe.exception("task: failed")
    assert "tok-SECRET-2" not in caplog.text
    assert "RuntimeError" in caplog.text
