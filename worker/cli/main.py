"""The `snapfleet` command: every operator entry point of the fleet.

Each room adds its own commands here; the command bodies stay thin and call into the
room that owns the work (the sandbox server, the storage migrations, the task catalog).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError as SettingsError

app = typer.Typer(
    name="snapfleet",
    help="A Celery worker fleet that keeps a paid-acquisition dashboard in sync with Snap Ads.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold tokens
)
db_app = typer.Typer(help="The fleet's database.", no_args_is_help=True)
health_app = typer.Typer(
    help="Probes for a container healthcheck: exit 0 when healthy.", no_args_is_help=True
)
sync_app = typer.Typer(help="Stats and entity sync.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(health_app, name="health")
journal_app = typer.Typer(
    help="The mutation journal: list keys, show one, replay a failed or stuck one.",
    invoke_without_command=True,
)
app.add_typer(journal_app, name="journal")
app.add_typer(sync_app, name="sync")


_DEBUG = {"on": False}


@app.callback()
def _options(
    debug: bool = typer.Option(
        False, "--debug", help="Show tracebacks instead of one line (for developers)."
    ),
) -> None:
    """A Celery worker fleet that keeps a paid-acquisition dashboard in sync with Snap Ads."""
    _DEBUG["on"] = debug


def load_settings(*, needs_key: bool = False, services: bool = False):
    """The settings, or a clear message naming the bad variable and exit code 2.

    `needs_key`: the command stores or uses Snap tokens, so SNAPFLEET_ENCRYPTION_KEY must be
    set (checked before anything is sent or exchanged). `services`: the database (at the
    code's schema) and Redis must answer. Either failing is one line and a non-zero exit.
    """
    from worker.cli import failfast
    from worker.settings import get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        typer.echo("snapfleet: invalid configuration:", err=True)
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            typer.echo(f"  {field}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        if needs_key:
            failfast.require_encryption_key(settings)
        if services:
            failfast.preflight(settings)
    except failfast.Unusable as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(exc.code) from None
    return settings


def _ready(settings, *, needs_key: bool) -> None:
    """`load_settings`'s key and service checks, on settings already loaded."""
    from worker.cli import failfast

    try:
        if needs_key:
            failfast.require_encryption_key(settings)
        failfast.preflight(settings)
    except failfast.Unusable as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(exc.code) from None


@app.command()
def keygen() -> None:
    """Print a new Fernet key for SNAPFLEET_ENCRYPTION_KEY."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode())


@app.command()
def settings(
    env_example: bool = typer.Option(
        False, "--env-example", help="Print the .env template of a docker-compose fleet."
    ),
) -> None:
    """Print the effective settings (secrets masked) and exit non-zero if they are invalid."""
    if env_example:
        from worker.cli.envfile import env_example as template

        typer.echo(template(), nl=False)
        return
    current = load_settings()
    for name, value in current.model_dump().items():
        if name.endswith("_url") and isinstance(value, str):
            value = _without_password(value)
        typer.echo(f"{name.upper()}={value}")
    if not current.embedded and not current.encryption_keys:
        typer.echo(
            "snapfleet: SNAPFLEET_ENCRYPTION_KEY is not set: a worker and `connect` refuse to "
            "start without it (`snapfleet keygen`)",
            err=True,
        )


def _without_password(url: str) -> str:
    """A URL with its password (if any) shown as ***: DATABASE_URL, REDIS_URL."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@app.command()
def schema(
    task: str = typer.Argument("", help="A task name (snap.campaign.create, ...); omit to list."),
    example: bool = typer.Option(False, "--example", help="Print a valid example payload."),
    events: bool = typer.Option(
        False, "--events", help="Print the JSON schema of the event message sent to the runner."
    ),
) -> None:
    """Print the JSON schema of a task's payload, or list every task name."""
    # Imports point tasks -> worker, so worker never imports tasks at module level. The CLI
    # is the one place in worker/ that loads the task catalog (as `snapfleet call` must):
    # lazily, here, so `import worker.cli` stays free of tasks; tasks.payloads imports only
    # pydantic and snap, never Celery, so printing a schema needs no broker or app.
    import json

    from tasks import payloads

    if events:
        typer.echo(json.dumps(payloads.event_schema(), indent=2))
        return
    if not task:
        for name, summary in payloads.task_summaries().items():
            line = f"{name:<36} {summary}"
            # One line per task in 80 columns (`schema TASK` has the whole description).
            typer.echo(line if len(line) <= 80 else line[:79] + "…")
        return
    try:
        model = payloads.payload_model(task)
    except payloads.UnknownTask as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(2) from None
    document = payloads.EXAMPLES[task] if example else model.model_json_schema()
    typer.echo(json.dumps(document, indent=2))


def _database_shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """An unreachable database is one line naming it (password hidden) and exit code 1."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        typer.echo(f"snapfleet: cannot use database {_database_shown(url)}: {reason}", err=True)
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Create or migrate the fleet's schema (DATABASE_URL, or SQLite under SNAPFLEET_HOME)."""
    from storage import migrate

    url = load_settings().database
    with _database_errors(url):
        migrate.upgrade(url, revision)
        typer.echo(f"{_database_shown(url)} is at revision {migrate.current(url)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help='Target revision; "base" drops every table.'),
    yes: bool = typer.Option(False, "--yes", help="Confirm: a downgrade drops tables or columns."),
) -> None:
    """Take the fleet's schema down to a revision (drops data: needs --yes)."""
    from storage import migrate

    url = load_settings().database
    if not yes:
        typer.echo(
            f"snapfleet: `db downgrade {revision}` drops the tables and columns added after "
            f"it in {_database_shown(url)}, with their rows; run it again with --yes",
            err=True,
        )
        raise typer.Exit(2)
    with _database_errors(url):
        migrate.downgrade(url, revision)
        typer.echo(f"{_database_shown(url)} is at revision {migrate.current(url) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and whether it is the newest."""
    from storage import migrate

    url = load_settings().database
    with _database_errors(url):
        revision, head = migrate.current(url), migrate.head()
    state = "up to date" if revision == head else f"behind head {head}: run `snapfleet db upgrade`"
    typer.echo(f"{_database_shown(url)}: {revision or 'empty (no schema)'} ({state})")
    # Non-zero when behind, so a deploy script or a probe can gate on it.
    raise typer.Exit(0 if revision == head else 1)


@app.command()
def sandbox(
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8765, help="TCP port"),
    token: str | None = typer.Option(None, help="a bearer token that is always valid"),
    rate_limit_rps: int | None = typer.Option(None, help="per ad account requests/s (429 past it)"),
    seed: str = typer.Option(
        "demo", help="demo (accounts and entities), empty (accounts only) or fleet (12 accounts)"
    ),
    ignore_idempotency_key: bool = typer.Option(
        False,
        "--ignore-idempotency-key",  # one flag, no --no- twin: fits an 80-column --help
        help="no dedupe on Idempotency-Key, as Snap is documented to behave",
    ),
    client_id: str | None = typer.Option(None, help="OAuth client_id the token endpoint checks"),
    client_secret: str | None = typer.Option(
        None, envvar="SNAPFLEET_SANDBOX_CLIENT_SECRET", help="OAuth client_secret it checks"
    ),
    token_lifetime_s: int = typer.Option(1800, help="expires_in of issued access tokens"),
    app_rps: float = typer.Option(
        20, help="Snap's average limit per app (client id), OAuth included; 0 = off"
    ),
    token_rps: float = typer.Option(10, help="Snap's average limit per access token; 0 = off"),
) -> None:
    """Serve the fake Snap Marketing API at http://HOST:PORT/v1 (OAuth at /login/oauth2)."""
    from snap.sandbox.config import SandboxConfig
    from snap.sandbox.server import serve

    if seed not in ("demo", "empty", "fleet"):
        raise typer.BadParameter("seed must be demo, empty or fleet", param_hint="--seed")
    config = SandboxConfig(
        token=token,
        rate_limit_rps=rate_limit_rps,
        seed=seed,  # type: ignore[arg-type]
        ignore_idempotency_key=ignore_idempotency_key,
        client_id=client_id,
        client_secret=client_secret,
        access_token_lifetime_s=token_lifetime_s,
        app_rps=app_rps or None,
        token_rps=token_rps or None,
        frozen_clock=False,
    )
    serve(config, host, port, echo=typer.echo)


@app.command()
def call(
    task: str = typer.Argument(..., help="a task name, e.g. snap.campaign.create"),
    payload_json: str = typer.Option("{}", "--json", help="the payload, as the runner sends it"),
    task_id: str | None = typer.Option(None, "--task-id", help="reuse a task id (idempotency)"),
) -> None:
    """Run one task in-process, exactly as a worker would, and print its JSON result."""
    import json

    try:
        payload = json.loads(payload_json)
    except ValueError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--json") from None
    if not isinstance(payload, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--json")
    load_settings()
    from worker.app import app as celery_app
    from worker.mutations.task import call_task

    # The checks read the settings of the app the task runs on (the process's own, unless
    # a test swapped the app): its key, its database and its Redis.
    _ready(celery_app.snapfleet_settings, needs_key=True)

    try:
        result = call_task(celery_app, task, payload, task_id=task_id)
    except LookupError as exc:
        typer.echo(f"snapfleet call: {exc.args[0]}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, indent=2, sort_keys=True, default=str))
    raise typer.Exit(0 if result.get("status") == "succeeded" else 1)


def _runtime():
    """The runtime of the fleet's app, built from the settings (CLI commands only)."""
    from worker.app import create_app
    from worker.runtime import runtime

    return runtime(create_app(load_settings(needs_key=True, services=True)))


@app.command()
def connect(
    tenant: str = typer.Option(..., "--tenant", help="the dashboard tenant this connection is for"),
    access_token: str | None = typer.Option(
        None,
        envvar="SNAPFLEET_CONNECT_ACCESS_TOKEN",
        help="an access token obtained elsewhere (the env var keeps it out of `ps`)",
    ),
    refresh_token: str | None = typer.Option(
        None,
        envvar="SNAPFLEET_CONNECT_REFRESH_TOKEN",
        help="its refresh token, stored encrypted (the env var keeps it out of `ps`)",
    ),
    expires_in: float | None = typer.Option(None, help="seconds the access token has left"),
    code: str | None = typer.Option(None, help="an OAuth authorization code to exchange"),
    redirect_uri: str | None = typer.Option(None, help="the redirect URI the code was issued for"),
    as_json: bool = typer.Option(False, "--json", help="Print the captured accounts as JSON."),
) -> None:
    """Connect a tenant (tokens or an OAuth code) and capture its ad accounts."""
    from snap.errors import SnapError
    from worker.connections import connect as onboarding
    from worker.errors import TaskFailed
    from worker.results import from_error

    if (code is None) == (refresh_token is None):
        raise typer.BadParameter("give --access-token/--refresh-token, or --code/--redirect-uri")
    runtime = _runtime()
    try:
        connected = onboarding.connect(
            runtime, tenant_id=tenant, access_token=access_token, refresh_token=refresh_token,
            expires_in_s=expires_in, code=code, redirect_uri=redirect_uri,
        )  # fmt: skip
    except TaskFailed as exc:  # the code exchange refused (the same as snap.connection.complete)
        typer.echo(f"snapfleet: {exc.result['message']}", err=True)
        raise typer.Exit(2 if exc.code == "not_configured" else 1) from None
    except SnapError as exc:
        typer.echo(f"snapfleet: {from_error(exc)['message']} (re-connect the tenant)", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(2) from None
    captured = onboarding.captured_accounts(runtime, connected.connection_id)
    if as_json:
        import json
        from dataclasses import asdict

        accounts = [asdict(a) for a in captured]
        typer.echo(json.dumps({"connection_id": connected.connection_id, "ad_accounts": accounts}))
    else:
        _print_accounts(connected.connection_id, captured)
    from worker.cli.status import fx_gaps

    for warning in fx_gaps(runtime, captured):
        typer.secho(f"warning: {warning}", err=True, fg="yellow")


def _print_accounts(connection_id: int, accounts: list) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"connection {connection_id}: {len(accounts)} ad accounts captured",
        title_justify="left",
    )
    # 80 columns: the organization and the time zone are in `snapfleet accounts --json`.
    for column in ("ad account", "name", "cur", "status"):
        table.add_column(column, overflow="fold")
    for a in accounts:
        table.add_row(a.id, a.name or "", a.currency, a.status or "")
    Console(width=80).print(table)


@app.command()
def disconnect(
    connection: int = typer.Option(..., "--connection", help="the connection id `connect` printed"),
) -> None:
    """Delete a connection's refresh token; its tasks fail as not connected from now on."""
    from storage.errors import NotFound
    from worker.connections import connect as onboarding

    try:
        tenant = onboarding.disconnect(_runtime(), connection)
    except NotFound as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"connection {connection} (tenant {tenant}) disconnected: refresh token deleted")


def _listing(rows: list[Any], as_json: bool, what: str) -> Any:
    """Dataclass `rows` as JSON on stdout (then None), or an empty table titled with their
    count for the caller to fill."""
    import json
    from dataclasses import asdict

    from rich import box
    from rich.table import Table

    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2, default=str))
        return None
    return Table(
        title=f"{len(rows)} {what}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )


def _sync_app():
    """The fleet's Celery app and its runtime (tests swap this for the sandbox fleet's)."""
    from worker.app import app as celery_app
    from worker.runtime import runtime

    load_settings(needs_key=True, services=True)
    return celery_app, runtime(celery_app)


@sync_app.command("now")
def sync_now(
    account: str | None = typer.Option(None, "--account", help="one ad account (default: all)"),
    campaign: str | None = typer.Option(None, "--campaign", help="one campaign of --account"),
    as_json: bool = typer.Option(False, "--json", help="Print the task results as JSON."),
) -> None:
    """Pull stats now (in this process, as a worker would) and print what was stored."""
    import json

    from rich import box
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from worker.cli import views as syncview

    celery_app, rt = _sync_app()
    # Many accounts take minutes: a bar on stderr says how far it got (gone when done).
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        pulls = bar.add_task("stats pull", total=None)

        def advance(done: int, total: int, ad_account_id: str) -> None:
            bar.update(pulls, completed=done, total=total, description=f"pulling {ad_account_id}")

        try:
            results = syncview.sync_now(
                celery_app, rt, ad_account_id=account, campaign_id=campaign, progress=advance
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(results, indent=2, sort_keys=True, default=str))
    else:
        table = Table(
            title=f"stats pulled: {len(results)} pull(s)", title_justify="left",
            box=box.SIMPLE_HEAD, pad_edge=False,
        )  # fmt: skip
        # 80 columns: the windows and the stats mode are in --json.
        for column in ("ad account", "status", "rows", "calls", "message"):
            table.add_column(column, overflow="fold")
        for r in results:
            table.add_row(
                r.get("ad_account_id", account or ""), r["status"],
                str(r.get("rows_upserted", "")), str(r.get("api_calls", "")),
                r.get("message", ""),
            )  # fmt: skip
        Console(width=80).print(table)
    raise typer.Exit(0 if all(r["status"] == "succeeded" for r in results) else 1)


@app.command("accounts")
def accounts(
    as_json: bool = typer.Option(False, "--json", help="Every field, as JSON."),
) -> None:
    """Ad accounts with their last successful stats sync, its lag and the stats mode."""
    from datetime import UTC, datetime

    from rich.console import Console

    from worker.cli import views as syncview

    _, rt = _sync_app()
    lines = syncview.account_lines(rt, datetime.now(UTC))
    table = _listing(lines, as_json, "ad accounts")
    if table is None:
        return
    # 80 columns: name, time zone, connection, stats mode and finality are in --json.
    for column in ("ad account", "cur", "status", "last sync", "lag"):
        table.add_column(column, overflow="fold")
    for a in lines:
        table.add_row(
            a.ad_account_id, a.currency, a.status,
            a.last_synced_at.strftime("%m-%d %H:%M") if a.last_synced_at else "never",
            syncview.human_lag(a.lag_s),
        )  # fmt: skip
    Console(width=80).print(table)


@app.command("events")
def events(
    limit: int = typer.Option(50, help="how many, newest first"),
    pending: bool = typer.Option(False, "--pending", help="only events not yet delivered"),
    as_json: bool = typer.Option(False, "--json", help="Every field, as JSON."),
) -> None:
    """State-change events (ad disapproved, cap hit, account suspended, ...)."""
    import json

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from worker.cli import views as syncview

    _, rt = _sync_app()
    rows = syncview.event_rows(rt, limit=limit, pending_only=pending)
    if as_json:
        fields = ("id", "kind", "entity_type", "entity_id", "ad_account_id", "before", "after",
                  "observed_at", "detected_at", "delivered_at", "delivery_attempts")  # fmt: skip
        out = [{f: getattr(e, f) for f in fields} for e in rows]
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    table = Table(
        title=f"{len(rows)} events", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    # 80 columns: the entity's full id, its account and the new values are in --json.
    for column in ("id", "detected", "kind", "entity", "delivered"):
        table.add_column(column, overflow="fold")
    for e in rows:
        table.add_row(
            str(e.id), e.detected_at.strftime("%m-%d %H:%M"), e.kind,
            f"{e.entity_type} {e.entity_id[:8]}",
            "yes" if e.delivered_at else f"pending ({e.delivery_attempts})",
        )  # fmt: skip
    Console(width=80).print(table)


def _fleet_settings():
    """A fleet's settings (REDIS_URL set), its database and Redis answering."""
    settings = load_settings(services=True)
    if settings.embedded:
        typer.echo("snapfleet: this command reads a fleet: set REDIS_URL", err=True)
        raise typer.Exit(2)
    return settings


@app.command()
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of the screen."),
) -> None:
    """The fleet on one screen; exit 1 when something needs a person (for cron or a probe)."""
    import json

    from rich.console import Console

    from worker.cli import status as fleet_status

    settings = _fleet_settings()
    celery_app, sessions, client = fleet_status.connect(settings)
    current = fleet_status.gather(celery_app, settings, sessions, client)
    problems = fleet_status.needs_a_person(current, settings)
    if as_json:
        typer.echo(json.dumps(current.to_json(problems), indent=2, default=str))
    else:
        fleet_status.render(current, problems, Console(width=80))
    raise typer.Exit(1 if problems else 0)


@health_app.command("worker")
def health_worker(
    node: str | None = typer.Option(None, help="The worker's node name (default: this host's)."),
    any_worker: bool = typer.Option(False, "--any", help="Healthy when any worker answers."),
    timeout: float = typer.Option(5.0, help="Seconds to wait for the answer."),
) -> None:
    """A worker answers a Celery ping (this host's `celery@HOSTNAME` unless told)."""
    from worker.cli import status as fleet_status

    settings = _fleet_settings()
    celery_app, _, _ = fleet_status.connect(settings)
    wanted = None if any_worker else (node or fleet_status.default_node())
    answered = fleet_status.ping_workers(celery_app, node=wanted, timeout_s=timeout)
    if not answered:
        typer.echo(f"unhealthy: {wanted or 'no worker'} did not answer a ping in {timeout:g}s")
        raise typer.Exit(1)
    typer.echo(f"healthy: {', '.join(answered)} answered")


@health_app.command("beat")
def health_beat() -> None:
    """A beat holds the lock and ticked within three loop intervals."""
    from worker.cli import status as fleet_status

    settings = _fleet_settings()
    celery_app, _, client = fleet_status.connect(settings)
    state = fleet_status.beat_health(celery_app, settings, client)
    if state.problem:
        typer.echo(f"unhealthy: {state.problem}")
        raise typer.Exit(1)
    typer.echo(f"healthy: {state.holder} ticked {state.tick_age_s:.0f}s ago")


def _payload(payload_json: str) -> dict:
    import json

    try:
        payload = json.loads(payload_json)
    except ValueError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--json") from None
    if not isinstance(payload, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--json")
    return payload


def _print_result(waited, timeout: float) -> None:
    """The worker's result as JSON; exit 0 succeeded, 1 otherwise, 3 no result in time."""
    import json

    if waited.result is None:
        typer.echo(
            f"snapfleet: no result for {waited.task_id} within {timeout:g}s; it stays queued on "
            f"`{waited.queue}` (is a worker consuming it? `snapfleet status`)",
            err=True,
        )
        raise typer.Exit(3)
    typer.echo(json.dumps(waited.result, indent=2, sort_keys=True, default=str))
    raise typer.Exit(0 if waited.result.get("status") == "succeeded" else 1)


@app.command()
def send(
    task: str = typer.Argument(..., help="a task name, e.g. snap.campaign.create"),
    payload_json: str = typer.Option("{}", "--json", help="the payload, as the runner sends it"),
    task_id: str | None = typer.Option(None, "--task-id", help="reuse a task id (idempotency)"),
    timeout: float = typer.Option(300.0, help="seconds to wait for the worker's result"),
) -> None:
    """Enqueue one task on the fleet, as the runner does, and wait for a worker's result."""
    from rich.console import Console

    from worker.cli import send as sending

    payload = _payload(payload_json)
    settings = _fleet_settings()
    try:
        sending.check_payload(task, payload)
    except sending.Refused as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(2) from None
    from worker.app import create_app

    celery_app = create_app(settings)
    waited = sending.send_and_wait(
        celery_app, task, payload, task_id=task_id, timeout_s=timeout,
        spinner=Console(stderr=True),
    )  # fmt: skip
    _print_result(waited, timeout)


def _sessions(settings):
    from storage.db import make_engine, session_factory

    return session_factory(make_engine(settings.database)).begin


@journal_app.callback()
def journal_list(
    ctx: typer.Context,
    state: str | None = typer.Option(None, help="only keys in this state (failed, unknown, ...)"),
    account: str | None = typer.Option(None, "--account", help="only this ad account's keys"),
    limit: int = typer.Option(50, help="how many, most recently changed first"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List journal keys, most recently changed first."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from storage.models.journal import JournalState
    from worker.cli import journal as journal_view

    if state is not None and state not in {s.value for s in JournalState}:
        states = ", ".join(s.value for s in JournalState)
        raise typer.BadParameter(f"unknown state; one of {states}", param_hint="--state")
    settings = load_settings(services=True)
    found = journal_view.rows(_sessions(settings), state=state, ad_account_id=account, limit=limit)
    table = _listing(found, as_json, "journal keys")
    if table is None:
        return
    for column in ("key", "state", "task", "ad account", "try", "changed (UTC)"):
        table.add_column(column, no_wrap=column != "task", overflow="fold")
    for r in found:
        table.add_row(
            journal_view.short_key(r.key), r.state, r.task.removeprefix("snap."),
            journal_view.short_id(r.ad_account_id), str(r.attempt),
            r.updated_at.strftime("%m-%d %H:%M"),
        )  # fmt: skip
    Console(width=80).print(table)


@journal_app.command("show")
def journal_show(
    key: str = typer.Argument(..., help="the idempotency key, or a unique prefix of it"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every field of one journal key."""
    import json

    from worker.cli import journal as journal_view

    settings = load_settings(services=True)
    try:
        entry = journal_view.one(_sessions(settings), key)
    except LookupError as exc:
        typer.echo(f"snapfleet: {exc.args[0]}", err=True)
        raise typer.Exit(1) from None
    fields = journal_view.as_dict(entry)
    if as_json:
        typer.echo(json.dumps(fields, indent=2, default=str))
        return
    import textwrap

    for name, value in fields.items():
        shown = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
        typer.echo(textwrap.fill(shown, width=80, initial_indent=f"{name:<17} ",
                                 subsequent_indent=" " * 18))  # fmt: skip


@journal_app.command("replay")
def journal_replay(
    key: str = typer.Argument(..., help="the idempotency key, or a unique prefix of it"),
    timeout: float = typer.Option(300.0, help="seconds to wait for the worker's result"),
) -> None:
    """Re-drive a failed or stuck mutation under its original key and task id, and wait."""
    from rich.console import Console

    from storage.journal_ops import ReplayRefused
    from worker.app import create_app
    from worker.cli import journal as journal_view
    from worker.cli import send as sending

    settings = _fleet_settings()
    sessions = _sessions(settings)
    try:
        entry = journal_view.one(sessions, key)
        if entry.payload is None:
            raise ReplayRefused(f"{entry.idempotency_key} has no stored payload to send")
        entry = journal_view.reopen(
            sessions, entry.idempotency_key,
            max_attempts=settings.snapfleet_journal_max_attempts,
        )  # fmt: skip
    except (LookupError, ReplayRefused) as exc:
        typer.echo(f"snapfleet: {exc.args[0]}", err=True)
        raise typer.Exit(1) from None
    celery_app = create_app(settings)
    # The task id's previous result is forgotten, so the result waited for is the replay's.
    celery_app.AsyncResult(entry.task_id).forget()
    typer.echo(f"replaying {entry.task_name} {entry.task_id} (key now {entry.state})", err=True)
    waited = sending.send_and_wait(
        celery_app, entry.task_name, entry.payload or {}, task_id=entry.task_id,
        timeout_s=timeout, spinner=Console(stderr=True),
    )  # fmt: skip
    _print_result(waited, timeout)


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


def _celery(build, ctx: typer.Context) -> None:
    """Run a Celery command on the fleet's app (`celery -A worker.app ...`)."""
    from worker.cli.processes import EMBEDDED_NOTE, LaunchRefused

    settings = load_settings()
    try:
        argv = build(settings, list(ctx.args))
    except LaunchRefused as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(2) from None
    # A fleet's worker uses Snap tokens; worker and beat need their database and Redis.
    # Flower runs without the Snap secrets.
    if argv[0] in ("worker", "beat"):
        load_settings(
            needs_key=argv[0] == "worker" and not settings.embedded,
            services=True,
        )
    if settings.embedded and argv[0] == "worker":
        typer.echo(f"snapfleet: {EMBEDDED_NOTE}", err=True)
    serve_metrics = argv[0] == "worker" and settings.snapfleet_metrics_port > 0
    if serve_metrics:
        from worker.cli.processes import metrics_dir

        metrics_dir()  # before worker.app imports prometheus-client
    from worker import logs
    from worker.app import app as celery_app

    if serve_metrics:
        from worker import metrics

        metrics.serve(settings.snapfleet_metrics_port, settings.snapfleet_metrics_addr)
    if argv[0] == "flower":
        logs.configure_logging()

    code = celery_app.start(argv=argv)
    raise typer.Exit(code or 0)


@app.command(context_settings=_PASS_THROUGH)
def worker(ctx: typer.Context) -> None:
    """`celery -A worker.app worker [ARGS]`; embedded: threads pool with beat inside."""
    from worker.cli.processes import worker_argv

    _celery(worker_argv, ctx)


@app.command(context_settings=_PASS_THROUGH)
def beat(ctx: typer.Context) -> None:
    """`celery -A worker.app beat [ARGS]` (redbeat); embedded mode runs beat in the worker."""
    from worker.cli.processes import beat_argv

    _celery(beat_argv, ctx)


@app.command()
def exporter(
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 in a container)"),
    port: int = typer.Option(9809, help="TCP port of /metrics"),
) -> None:
    """Serve the fleet-level Prometheus gauges (queues, journal, beat, stats, re-auth)."""
    from worker import logs
    from worker.cli import exporter as fleet_exporter

    settings = load_settings()
    logs.configure_logging()
    try:
        fleet_exporter.serve(settings, host, port)
    except (ValueError, OSError) as exc:
        typer.echo(f"snapfleet exporter: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command(context_settings=_PASS_THROUGH)
def flower(ctx: typer.Context) -> None:
    """`celery -A worker.app flower [ARGS]`: needs basic auth (FLOWER_BASIC_AUTH or
    --basic-auth=user:password) and REDIS_URL; listens on 127.0.0.1 unless --address."""
    from worker.cli.processes import flower_argv

    _celery(flower_argv, ctx)


experiment_app = typer.Typer(help="Creative experiments.", no_args_is_help=True)
app.add_typer(experiment_app, name="experiment")


@experiment_app.command("show")
def experiment_show(
    experiment_id: str = typer.Argument(..., help="the experiment id the runner launched"),
    min_impressions: int = typer.Option(1000, help="per variant, before any comparison"),
    min_swipes: int = typer.Option(30, help="per variant, before any winner"),
    as_json: bool = typer.Option(False, "--json", help="print the task's JSON result"),
) -> None:
    """An experiment's variants side by side, each treatment against the control."""
    import json

    from rich.console import Console

    from worker.cli import reports
    from worker.mutations.task import call_task

    celery_app, rt = _sync_app()
    try:
        account = reports.experiment_account(rt, experiment_id)
    except LookupError as exc:
        typer.echo(f"snapfleet: {exc}", err=True)
        raise typer.Exit(1) from None
    payload = {"ad_account_id": account, "experiment_id": experiment_id,
               "min_impressions": min_impressions, "min_swipes": min_swipes}  # fmt: skip
    result = call_task(celery_app, "snap.experiment.results", payload)
    if as_json or result["status"] != "succeeded":
        typer.echo(json.dumps(result, indent=2, default=str))
        raise typer.Exit(0 if result["status"] == "succeeded" else 1)
    console = Console(width=140)
    console.print(reports.variants_table(result))
    for line in reports.comparison_lines(result):
        console.print(line, overflow="fold")


@sync_app.command("backfill")
def sync_backfill(
    account: str = typer.Option(..., "--account", help="the ad account"),
    since: str = typer.Option(..., "--since", help="first day, YYYY-MM-DD (account time zone)"),
    until: str | None = typer.Option(None, "--until", help="last day (default: yesterday)"),
    levels: str | None = typer.Option(None, help="comma list of campaign, adsquad, ad"),
    resume: str | None = typer.Option(None, "--resume", help="the id of a stopped backfill"),
) -> None:
    """Pull an ad account's stats history in this process, with a progress bar (resumable)."""
    import uuid

    from pydantic import ValidationError as PayloadError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from snap.errors import SnapError
    from tasks.payloads import StatsBackfill
    from worker import clock
    from worker.errors import TaskError
    from worker.results import from_error
    from worker.sync.backfill import backfill

    try:
        payload = StatsBackfill.model_validate({
            "ad_account_id": account, "since": since, "until": until,
            "levels": levels.split(",") if levels else None,
        })  # fmt: skip
    except PayloadError as exc:
        raise typer.BadParameter(str(exc.errors()[0]["msg"])) from None
    celery_app, rt = _sync_app()
    task_id = resume or str(uuid.uuid4())
    typer.echo(f"backfill {task_id} (resume it with --resume {task_id})")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rows]} rows"))  # fmt: skip
    with Progress(*columns) as bar:
        shown = bar.add_task(f"{account} since {since}", total=None, rows=0)

        def progress(p: dict) -> None:
            bar.update(shown, completed=p["windows_done"], total=p["windows_total"],
                       rows=p["rows_upserted"])  # fmt: skip

        try:
            result = backfill(
                rt, task_id, payload.ad_account_id, since=payload.since, until=payload.until,
                levels=list(payload.levels) if payload.levels else None,
                now=clock.now(celery_app), on_progress=progress,
            )  # fmt: skip
        except (SnapError, TaskError) as exc:
            typer.echo(f"snapfleet: {from_error(exc)['message']}", err=True)
            raise typer.Exit(1) from None
        progress(result)
    typer.echo(
        f"{result['state']}: {result['windows_done']}/{result['windows_total']} windows, "
        f"{result['rows_upserted']} rows, {result['api_calls']} calls"
    )
    raise typer.Exit(0 if result["status"] == "succeeded" else 1)


def main() -> None:
    """The console script: an infrastructure error a command did not expect is one line."""
    import sys

    from worker.cli import failfast

    try:
        app(prog_name="snapfleet")
    except Exception as exc:
        if _DEBUG["on"]:
            raise
        try:
            from worker.settings import get_settings

            settings = get_settings()
        except Exception:
            settings = None
        message = failfast.explain(exc, settings)
        if message is None:
            raise
        typer.echo(f"snapfleet: {message} (--debug shows the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
