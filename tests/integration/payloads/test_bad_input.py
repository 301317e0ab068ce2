"""Every task of the catalog, fed bad payloads at volume (hypothesis), through the path a
worker takes (`call_task`: the task's own base, in this process).

For each bad payload (tests/integration/payloads/bad_inputs.py): the result is a refusal
(`failed`, or `skipped` for a read of an account nobody holds) with a stable code whose
`errors` name the broken field, the result never echoes the bad value, not one request
leaves for Snap (the runtime's transports fail the test if called), and the journal
holds the refusal for every task that journals (mutations and the connection tasks).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from celery import Celery
from hypothesis import given, settings
from hypothesis import strategies as st

import worker.mutations.task
from storage import journal
from tasks.payloads import TASK_PAYLOADS
from tests.integration.payloads.bad_inputs import TRIED, BadInput, bad_input
from worker.mutations.task import MutationTask, call_task
from worker.settings import Settings

# Answers every payload the same way (Snap has no webhooks), extra fields included.
ANSWERS_EVERYTHING = {"snap.webhook.register": "webhooks_not_supported"}


class NoSnap(httpx.BaseTransport):
    """A transport that records every request and refuses to carry it."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url}")
        raise AssertionError(f"a bad payload reached Snap: {request.method} {request.url}")


@pytest.fixture
def no_snap() -> NoSnap:
    return NoSnap()


@pytest.fixture
def app(
    fleet_settings: Settings, no_snap: NoSnap, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Celery]:
    from worker.app import create_app
    from worker.runtime import install_runtime

    monkeypatch.setattr(worker.mutations.task, "eager_sleep", lambda seconds: None)
    celery = create_app(fleet_settings)
    runtime = install_runtime(celery, transport=no_snap, oauth_transport=no_snap)
    yield celery
    runtime.close()


def journals_refusals(celery: Celery, task: str) -> bool:
    handler = celery.tasks[task]
    return isinstance(handler, MutationTask) or bool(getattr(handler, "journal_refusals", False))


def names(result: dict[str, Any]) -> set[str]:
    return {str(e.get("field")) for e in result.get("errors") or []}


def check(celery: Celery, bad: BadInput, result: dict[str, Any], task_id: str) -> None:
    assert result["status"] in ("failed", "skipped"), (bad, result)
    assert len(json.dumps(result)) < 4_000, "the result echoes the input"
    if bad.task in ANSWERS_EVERYTHING:
        assert result["code"] == ANSWERS_EVERYTHING[bad.task], (bad, result)
        return
    expected = "not_connected" if bad.category == "foreign_account" else "validation"
    assert result["code"] == expected, (bad, result)
    named = names(result)
    assert any(n == f or n.startswith(f"{f}.") for n in named for f in bad.fields), (bad, result)
    if journals_refusals(celery, bad.task):
        runtime = celery.snapfleet_runtime  # type: ignore[attr-defined]
        with runtime.session() as session:
            rows = journal.for_task(session, task_id)
            recorded = [(r.state, (r.error or {}).get("code")) for r in rows]
        assert recorded == [("failed", expected)], (bad, recorded)


@pytest.mark.parametrize("task", sorted(TASK_PAYLOADS))
@settings(settings.get_profile("snapfleet-bad-input"))
@given(data=st.data())
def test_a_bad_payload_is_refused_naming_its_field_and_never_reaches_snap(
    app: Celery, no_snap: NoSnap, task: str, data: st.DataObject
) -> None:
    bad = data.draw(bad_input(task), label="bad payload")
    task_id = str(uuid.uuid4())
    result = call_task(app, task, bad.payload, task_id=task_id)
    assert no_snap.sent == []
    check(app, bad, result, task_id)
    TRIED[bad.category] += 1  # counted once refused as it should be
