"""`snapfleet status` and `snapfleet health`: the fleet on one screen, and the probes.

`gather` asks Redis (workers, queues, beat) and the database (`storage.gauges`, the same
questions `snapfleet exporter` serves) once; `needs_a_person` turns the answers into the
short list of things an operator must act on, and the command exits 1 when it is not
empty, so cron or a probe can run it.

    health worker   this host's worker (or --node, or --any) answers a Celery ping
    health beat     a beat holds the lock and ticked within three loop intervals
"""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from storage import backfills as backfill_repo
from storage import gauges
from worker.beat import BeatState, beat_state, lock_key
from worker.settings import Settings

__all__ = ["FleetStatus", "gather", "needs_a_person", "ping_workers", "render"]

PING_TIMEOUT_S = 2.0
# Stats are stale past two pull periods; an event waits too long past two sync periods.
STALE_PERIODS = 2
# Journal states nobody will move on their own: a person looks (`snapfleet journal`).
STUCK_STATES = ("maybe_created",)


@dataclass
class FleetStatus:
    workers: list[str]
    queues: dict[str, int]
    beat: BeatState
    journal: dict[str, int]
    reauth_connections: list[int]
    stale_accounts: list[gauges.StaleAccount]
    events_undelivered: int
    oldest_undelivered_at: datetime | None
    fx_waiting: dict[str, int]  # stats rows without a USD amount, per currency
    # snap.stats.backfill runs, running first (`storage.backfills.progress` of each)
    backfills: list[dict[str, Any]] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self, problems: list[str]) -> dict[str, Any]:
        out = asdict(self)
        out["needs_a_person"] = problems
        return out


def connect(settings: Settings) -> tuple[Any, Any, Any]:
    """The fleet's Celery app, a session factory and a Redis client, built from settings."""
    import redis

    from storage.db import make_engine, session_factory
    from worker.app import create_app

    assert settings.redis_url is not None, "status reads a fleet (REDIS_URL)"
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    sessions = session_factory(make_engine(settings.database)).begin
    return create_app(settings), sessions, client


def ping_workers(
    app: Any, *, node: str | None = None, timeout_s: float = PING_TIMEOUT_S
) -> list[str]:
    """Names of the workers that answered a ping (only `node` when given)."""
    destination = [node] if node else None
    replies = app.control.ping(destination=destination, timeout=timeout_s) or []
    return sorted(name for reply in replies for name in reply)


def default_node() -> str:
    """The node name `snapfleet worker` takes on this host (Celery's default)."""
    return f"celery@{socket.gethostname()}"


def beat_health(app: Any, settings: Settings, client: Any) -> BeatState:
    return beat_state(
        client, key=lock_key(app), loop_s=float(settings.snapfleet_beat_max_loop_interval_s)
    )


def queue_depths(settings: Settings, client: Any) -> dict[str, int]:
    """Messages waiting per queue, the runner's events queue included."""
    from worker.cli.exporter import broker_queue_length, queue_names

    length = broker_queue_length(settings) or (lambda name: int(client.llen(name)))
    return {name: length(name) for name in queue_names(settings)}


def stats_period_s(settings: Settings) -> int:
    """The longest a healthy account goes between stats pulls: hourly, or the polling
    plan's idle period for an account that does not spend."""
    return max(settings.snapfleet_stats_pull_period_s, settings.snapfleet_plan_idle_stats_period_s)


def gather(app: Any, settings: Settings, sessions: Any, client: Any) -> FleetStatus:
    now = datetime.now(UTC)
    stale_before = now - timedelta(seconds=STALE_PERIODS * stats_period_s(settings))
    with sessions() as session:
        journal = gauges.journal_keys_by_state(session)
        reauth = gauges.connections_needing_reauth(session)
        stale = gauges.accounts_with_stale_stats(session, synced_before=stale_before)
        undelivered = gauges.events_undelivered(session)
        oldest = gauges.oldest_undelivered_event_at(session)
        fx_waiting = gauges.stats_rows_waiting_fx_by_currency(session)
        backfills = [backfill_repo.progress(b) for b in backfill_repo.recent(session, limit=5)]
    return FleetStatus(
        workers=ping_workers(app),
        queues=queue_depths(settings, client),
        beat=beat_health(app, settings, client),
        journal=journal,
        reauth_connections=reauth,
        stale_accounts=stale,
        events_undelivered=undelivered,
        oldest_undelivered_at=oldest,
        fx_waiting=fx_waiting,
        backfills=backfills,
        now=now,
    )


def needs_a_person(status: FleetStatus, settings: Settings | None) -> list[str]:
    """What an operator must act on, one line each; empty when the fleet is fine."""
    out: list[str] = []
    if not status.workers:
        out.append("no worker answered a ping: start `snapfleet worker`")
    if status.beat.problem:
        out.append(f"beat: {status.beat.problem}: start `snapfleet beat`")
    for state in STUCK_STATES:
        if status.journal.get(state):
            out.append(
                f"{status.journal[state]} journal keys {state}: `snapfleet journal --state {state}`"
            )
    if status.reauth_connections:
        ids = ", ".join(str(i) for i in status.reauth_connections[:5])
        out.append(f"connections needing re-auth ({ids}): `snapfleet connect` them again")
    if status.stale_accounts:
        names = ", ".join(a.ad_account_id for a in status.stale_accounts[:3])
        more = len(status.stale_accounts) - 3
        out.append(
            f"{len(status.stale_accounts)} ad accounts with stale stats ({names}"
            + (f", +{more}" if more > 0 else "")
            + "): see `snapfleet accounts`"
        )
    if settings is not None and status.oldest_undelivered_at is not None:
        waited = (status.now - status.oldest_undelivered_at).total_seconds()
        if waited > STALE_PERIODS * settings.snapfleet_sync_period_s:
            out.append(
                f"{status.events_undelivered} events undelivered, the oldest for "
                f"{_age(waited)}: is the runner consuming `{settings.snapfleet_events_queue}`?"
            )
    for currency, rows in sorted(status.fx_waiting.items()):
        out.append(
            f"{rows} {currency} stats rows have no USD amount: no {currency} rate "
            "(set SNAPFLEET_FX_RATES or SNAPFLEET_FX_URL)"
        )
    return out


def fx_gaps(runtime: Any, accounts: list[Any]) -> list[str]:
    """One warning per non-USD currency of `accounts` that has no USD rate today.

    Its spend would be stored without a USD amount (`fx_missing`) until a rate appears:
    the operator hears it at connect, not weeks later from a dashboard showing no spend.
    """
    from worker.fx import FxUnavailable

    warnings = []
    for currency in sorted({a.currency for a in accounts if a.currency != "USD"}):
        names = ", ".join(a.id for a in accounts if a.currency == currency)
        try:
            rate = runtime.rate_to_usd(currency)
            reason = None if rate is not None else "no source knows it"
        except FxUnavailable as exc:
            reason = f"the FX feed could not be read ({exc})"
        if reason:
            warnings.append(
                f"no {currency}->USD rate ({reason}): the spend of {names} is stored "
                "without a USD amount until one is known; set SNAPFLEET_FX_RATES "
                "(a table) or SNAPFLEET_FX_URL (a reference-rate feed)"
            )
    return warnings


def render(status: FleetStatus, problems: list[str], console: Any) -> None:
    """One screen, 80 columns."""
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("workers", ", ".join(status.workers) or "[red]none answered[/red]")
    table.add_row("queues", "  ".join(f"{q} {n}" for q, n in status.queues.items()))
    beat = status.beat
    if beat.holder:
        tick = f"last tick {_age(beat.tick_age_s or 0)} ago" if beat.tick_age_s is not None else ""
        table.add_row("beat", f"{beat.holder}, {tick}")
    else:
        table.add_row("beat", "[red]no active beat[/red]")
    table.add_row(
        "journal", "  ".join(f"{s} {n}" for s, n in sorted(status.journal.items()) if n) or "empty"
    )
    table.add_row("re-auth", ", ".join(map(str, status.reauth_connections)) or "none")
    table.add_row("stale stats", str(len(status.stale_accounts)) + " ad accounts")
    table.add_row("undelivered", f"{status.events_undelivered} events")
    waiting = "  ".join(f"{c} {n}" for c, n in sorted(status.fx_waiting.items()))
    table.add_row("waiting FX", waiting or "none")
    for b in status.backfills:
        table.add_row(
            "backfill",
            f"{b['ad_account_id']} since {b['since']}: {b['state']} "
            f"{b['windows_done']}/{b['windows_total']} windows ({b['percent']}%), "
            f"{b['rows_upserted']} rows",
        )
    console.print(table)
    if problems:
        console.print("[bold red]needs a person:[/bold red]")
        for line in problems:
            console.print(f"  - {line}", overflow="fold")
    else:
        console.print("[green]nothing needs a person[/green]")


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86_400:.0f}d"
