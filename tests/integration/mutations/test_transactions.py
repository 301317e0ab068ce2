"""A create costs three database transactions: the lookups, the journal claim, the outcome.

Counted on the engine (every COMMIT), through the worker's own path (`task.apply`), live
against the sandbox. The claim must still commit before the request leaves: the journal
row is `in_flight` in the database, seen from another connection, while Snap is asked.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from storage.models.journal import JournalEntry
from tests.fleet import Fleet
from worker.mutations.task import call_task

from .support import campaign_payload


def test_a_create_is_three_transactions_and_its_claim_commits_before_the_send(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_task(fleet.app, "snap.campaign.create", campaign_payload(name="warm"))  # caches
    engine = fleet.runtime.sessions.kw["bind"]
    sandbox = fleet.sandbox.transport
    send = sandbox.handle_request
    claimed: list[bool] = []

    def watching(request: Any) -> Any:
        if request.method == "POST":
            with engine.connect() as conn:
                states = conn.execute(
                    select(JournalEntry.state).where(JournalEntry.step == "create")
                ).scalars()
                claimed.append("in_flight" in list(states))
        return send(request)

    monkeypatch.setattr(sandbox, "handle_request", watching)
    commits: list[int] = []

    def count(*_: Any) -> None:
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        result = call_task(fleet.app, "snap.campaign.create", campaign_payload(name="counted"))
    finally:
        event.remove(engine, "commit", count)
    assert result["status"] == "succeeded", result
    assert claimed == [True]
    assert len(commits) == 3
