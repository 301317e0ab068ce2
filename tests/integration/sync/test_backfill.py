"""snap.stats.backfill: an account's history since a day, in 32-day windows, resumable.

The sandbox delivers for 40 days first, so the history spans two DAY windows. A backfill
that stops after its first window (Snap answering 5xx past the client's retries) is run
again under the same task id, as a Celery retry or a redelivery would: it starts at the
second window and never asks for the first again.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from snap.errors import ServerError
from storage import backfills as backfill_repo
from tests.fleet import USD_AD_ACCOUNT_ID, Fleet
from tests.integration.sync.conftest import START, advance_hours, stats_requests
from worker import clock
from worker.mutations.task import call_task
from worker.sync.backfill import backfill

pytestmark = pytest.mark.integration


@pytest.fixture
def fleet_overrides() -> dict[str, Any]:
    return {"snapfleet_stats_lookback_days": 3, "snapfleet_client_max_attempts": 2}


def _windows(requests: list[dict[str, Any]]) -> list[str]:
    """The start of every DAY window asked for, in order, once each."""
    seen: list[str] = []
    for r in requests:
        start = r["query"].get("start_time", "")
        if r["query"].get("granularity") == "DAY" and start not in seen:
            seen.append(start)
    return seen


def test_a_backfill_reads_the_whole_history_in_the_largest_windows(synced: Fleet) -> None:
    fleet = synced
    advance_hours(fleet, 40 * 24)
    before = len(fleet.sandbox.state.requests())
    since = START.date()
    result = call_task(
        fleet.app, "snap.stats.backfill",
        {"ad_account_id": USD_AD_ACCOUNT_ID, "since": since.isoformat()},
    )  # fmt: skip
    assert result["status"] == "succeeded", result
    assert (result["windows_done"], result["windows_total"]) == (2, 2)
    assert result["percent"] == 100.0 and result["rows_upserted"] > 0
    windows = _windows(stats_requests(fleet, before))
    assert len(windows) == 2 and windows[0].startswith(since.isoformat())


def test_a_stopped_backfill_resumes_where_it_stopped(synced: Fleet) -> None:
    fleet = synced
    advance_hours(fleet, 40 * 24)
    task_id = str(uuid.uuid4())
    state = fleet.sandbox.state
    args: dict[str, Any] = {"since": START.date(), "now": clock.now(fleet.app)}

    def fail_from_now_on(progress: dict[str, Any]) -> None:
        state.inject_fault("status", status=503, times=None, path="/v1/adaccounts/")

    # Given a backfill whose second window Snap keeps refusing with 503
    with pytest.raises(ServerError):
        backfill(fleet.runtime, task_id, USD_AD_ACCOUNT_ID, final_attempt=False,
                 on_progress=fail_from_now_on, **args)  # fmt: skip
    with fleet.runtime.session() as session:
        row = backfill_repo.for_task(session, task_id)
        assert (row.state, row.windows_done) == ("running", 1)
        first_resume_day = row.next_day
    # When Snap answers again and the same task runs again
    state.clear_faults()
    before = len(state.requests())
    result = backfill(fleet.runtime, task_id, USD_AD_ACCOUNT_ID, **args)
    # Then it asked only for the window it had not stored, and says it is done
    assert result["status"] == "succeeded", result
    assert (result["windows_done"], result["windows_total"]) == (2, 2)
    windows = _windows(stats_requests(fleet, before))
    assert windows and all(w >= first_resume_day.isoformat() for w in windows), windows
    assert len(windows) == 1
    # And running it once more is a no-op answering the finished backfill
    again = before = len(state.requests())
    assert backfill(fleet.runtime, task_id, USD_AD_ACCOUNT_ID, **args)["state"] == "succeeded"
    assert len(state.requests()) == again


def test_a_backfill_never_moves_the_hourly_pulls_marks(synced: Fleet) -> None:
    fleet = synced
    advance_hours(fleet, 3 * 24)
    call_task(fleet.app, "snap.stats.backfill", {
        "ad_account_id": USD_AD_ACCOUNT_ID, "since": (START + timedelta(days=1)).date().isoformat(),
    })  # fmt: skip
    from storage import accounts as account_repo

    with fleet.runtime.session() as session:
        assert account_repo.get(session, USD_AD_ACCOUNT_ID).last_synced_at is None


def test_a_backfill_from_the_future_names_its_field(synced: Fleet) -> None:
    result = call_task(
        synced.app, "snap.stats.backfill",
        {"ad_account_id": USD_AD_ACCOUNT_ID, "since": "2999-01-01"},
    )  # fmt: skip
    assert (result["status"], result["code"]) == ("failed", "validation")
    assert result["errors"][0]["field"] == "since"


def test_sync_backfill_command_shows_progress_and_finishes(
    synced: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from worker.cli import main as cli

    advance_hours(synced, 40 * 24)
    monkeypatch.setattr(cli, "_sync_app", lambda: (synced.app, synced.runtime))
    result = CliRunner().invoke(
        cli.app,
        ["sync", "backfill", "--account", USD_AD_ACCOUNT_ID, "--since", START.date().isoformat()],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "2/2" in result.output and "succeeded: 2/2 windows" in result.output
    # And `snapfleet status` shows it (the storage function it reads)
    from worker.cli.status import FleetStatus, render

    with synced.runtime.session() as session:
        shown = [backfill_repo.progress(b) for b in backfill_repo.recent(session, limit=5)]
    assert shown[0]["ad_account_id"] == USD_AD_ACCOUNT_ID and shown[0]["percent"] == 100.0
    from io import StringIO

    from rich.console import Console

    from worker.beat import BeatState

    out = StringIO()
    beat = BeatState("host pid 1", True, None, None, None)
    status = FleetStatus([], {}, beat, {}, [], [], 0, None, {}, backfills=shown)
    render(status, [], Console(file=out, width=120))
    assert "backfill" in out.getvalue() and "2/2 windows" in out.getvalue()
