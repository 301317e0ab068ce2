"""What the sync CLI shows and runs: `snapfleet sync now`, `snapfleet accounts`,
`snapfleet events`. Plain rows here; `worker.cli` draws them as rich tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import accounts as account_repo
from storage import events as event_repo
from storage.models.accounts import AdAccount
from storage.models.events import Event
from worker.runtime import Runtime
from worker.sync.fanout import accounts_to_visit


def sync_now(
    celery: Any,
    runtime: Runtime,
    *,
    ad_account_id: str | None = None,
    campaign_id: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run `snap.stats.pull` in this process for one account (or one of its campaigns), or
    for every account the hourly fan-out would visit; the task results, in order.

    `progress(done, total, ad_account_id)` is called before each pull (the CLI's bar)."""
    from worker.mutations.task import call_task

    if campaign_id is not None and ad_account_id is None:
        raise ValueError("--campaign needs --account (the campaign's ad account)")
    if ad_account_id is not None:
        ids = [ad_account_id]
    else:
        with runtime.session() as session:
            ids = accounts_to_visit(session).ready
    results = []
    for done, account in enumerate(ids):
        if progress is not None:
            progress(done, len(ids), account)
        payload: dict[str, Any] = {"ad_account_id": account}
        if campaign_id is not None:
            payload["campaign_id"] = campaign_id
        results.append(call_task(celery, "snap.stats.pull", payload))
    return results


@dataclass(frozen=True)
class AccountLine:
    ad_account_id: str
    name: str
    currency: str
    timezone: str
    status: str
    connection: str
    stats_mode: str
    last_synced_at: datetime | None
    lag_s: float | None  # how long ago the last successful pull was
    final_until: datetime | None


def account_lines(runtime: Runtime, now: datetime) -> list[AccountLine]:
    """Every known ad account with its sync bookkeeping."""
    with runtime.session() as session:
        rows = account_repo.with_connection_state(session, connected_only=False)
        return [_line(a, state, now) for a, state in rows]


def _line(a: AdAccount, state: str | None, now: datetime) -> AccountLine:
    lag = (now - a.last_synced_at).total_seconds() if a.last_synced_at else None
    return AccountLine(
        a.id, a.name or "", a.currency, a.timezone, a.status or "",
        state or "none", a.stats_mode or "", a.last_synced_at, lag, a.finalized_data_end_time,
    )  # fmt: skip


def event_rows(runtime: Runtime, *, limit: int = 50, pending_only: bool = False) -> list[Event]:
    """The newest events (or only the undelivered ones), newest first."""
    with runtime.session() as session:
        found = event_repo.latest(session, limit=limit, undelivered_only=pending_only)
        session.expunge_all()
    return found


def human_lag(seconds: float | None) -> str:
    """`3m`, `2h05m`, `never`."""
    if seconds is None:
        return "never"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"
