"""The sync task base: transient failures retry, final ones become the runner's error object."""

from __future__ import annotations

from typing import Any

import pytest
from celery import Celery
from celery.exceptions import Retry

from snap.errors import BadRequest, RateLimited
from worker.errors import AccountNotConnected, GateTimeout
from worker.sync.task import SyncTask

_APP = Celery("sync-task-tests", set_as_current=False)


@_APP.task(bind=True, base=SyncTask, name="tests.sync_task.guarded", max_retries=2)
def _guarded(self: SyncTask, work: Any = None) -> Any:
    return self.guarded(work)


@pytest.fixture
def task() -> Any:
    yield _guarded
    _guarded.pop_request()


def _raise(exc: Exception) -> Any:
    def work() -> Any:
        raise exc

    return work


def _with_retries(task: Any, retries: int) -> None:
    task.push_request(retries=retries, called_directly=False)


def test_a_gate_wait_retries_with_its_countdown_then_reports(task: Any) -> None:
    _with_retries(task, 0)
    with pytest.raises(Retry) as caught:
        task.guarded(_raise(GateTimeout(3.5)))
    assert caught.value.when == 3.5
    _with_retries(task, 2)
    assert task.guarded(_raise(GateTimeout(3.5)))["code"] == "rate_limited"


def test_a_429_retries_after_snaps_retry_after(task: Any) -> None:
    _with_retries(task, 0)
    with pytest.raises(Retry) as caught:
        task.guarded(_raise(RateLimited("slow down", retry_after_s=7)))
    assert caught.value.when == 7.0


def test_a_refusal_is_reported_not_retried(task: Any) -> None:
    _with_retries(task, 0)
    result = task.guarded(
        _raise(BadRequest("Snapchat Ads stats: 400 — bad field", http_status=400))
    )
    assert result["status"] == "failed" and result["code"] == "rejected"


def test_a_connection_needing_reauth_is_skipped(task: Any) -> None:
    _with_retries(task, 0)
    result = task.guarded(_raise(AccountNotConnected("connection 3 is needs_reauth")))
    assert result == {
        "status": "skipped",
        "code": "not_connected",
        "message": "connection 3 is needs_reauth",
    }
