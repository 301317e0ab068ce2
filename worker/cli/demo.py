"""`make demo`: the fleet's main job on one machine, against the local Snap sandbox.

Everything runs embedded in this process (docs/operations.md): the in-memory broker, a real
Celery worker on a threads pool, the fakeredis gate store and a throwaway SQLite
database. Snap is the sandbox (`snap.sandbox`), reached through its in-process
transport, in live mode: the fleet's requests really reach it and change its state.

The demo plays the growth runner: it connects a tenant through the OAuth code exchange,
then enqueues tasks by name (`send_task`) the way the runner does, and prints what comes
back: the create chain (campaign, ad squad, media, creative, ad), a pause, the hourly
stats pull after the sandbox clock moves two days on, and the events detection emits
when the sandbox rejects the ad and an ad squad hits its daily cap.
"""

from __future__ import annotations

import json
import tempfile
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from rich.console import Console
from rich.table import Table

from snap.sandbox import USD_AD_ACCOUNT_ID, Sandbox
from storage import events as event_repo
from storage import stats as stats_repo
from worker.app import create_app
from worker.connections.capture import connect_code
from worker.errors import Code
from worker.results import failed
from worker.runtime import install_runtime
from worker.settings import Settings

CLIENT_ID = "snapfleet-demo"
CLIENT_SECRET = "demo-client-secret"  # noqa: S105 - the sandbox's own, not a real secret
REDIRECT_URI = "http://127.0.0.1/oauth/snap"
ACCOUNT = USD_AD_ACCOUNT_ID
RESULT_TIMEOUT_S = 120


def tiny_png() -> bytes:
    """A valid 1x1 PNG, so the demo uploads a real image without shipping one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\xfc\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Runner:
    """The growth runner's side: enqueue by name, wait for the JSON result, show it."""

    def __init__(self, app: Any, console: Console) -> None:
        self.app = app
        self.console = console
        self.table = Table(title="Tasks the runner enqueued", show_lines=False)
        for column in ("task", "status", "snap id / detail", "dry run"):
            self.table.add_column(column)
        self.failures = 0

    def call(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        result = self.app.send_task(name, kwargs=payload, task_id=str(uuid.uuid4()))
        outcome = result.get(timeout=RESULT_TIMEOUT_S, propagate=False)
        if not isinstance(outcome, dict):
            outcome = failed(Code.INTERNAL, repr(outcome))
        detail = outcome.get("snap_id") or outcome.get("message") or _summary(outcome)
        self.table.add_row(
            name, outcome.get("status", "?"), str(detail), str(outcome.get("dry_run", ""))
        )
        if outcome.get("status") != "succeeded":
            self.failures += 1
        return outcome


def _summary(outcome: dict[str, Any]) -> str:
    keys = [k for k in outcome if k not in ("status", "dry_run")]
    return json.dumps({k: outcome[k] for k in keys[:4]}, default=str)[:80]


def demo_settings(home: Path, sandbox: Sandbox) -> Settings:
    """Embedded and live against the sandbox, whatever the environment says."""
    return Settings(
        redis_url=None,
        database_url=None,
        snapfleet_home=home,
        snapfleet_encryption_key=Fernet.generate_key().decode(),
        snapchat_ads_client_id=CLIENT_ID,
        snapchat_ads_client_secret=CLIENT_SECRET,
        snapchat_ads_live_mode=True,
        snapchat_ads_api_base_url=sandbox.base_url,
        snapchat_ads_oauth_url=sandbox.oauth_url,
        snapfleet_fx_rates='{"EUR": "1.08"}',
        snapfleet_media_roots=str(home),
    )


def run(console: Console) -> int:
    """The whole demo; returns the process exit code (0 when every task succeeded)."""
    from celery.contrib.testing.worker import start_worker  # Celery's in-process worker

    # The sandbox starts two days back and is moved to now, so the stats the fleet pulls
    # (it plans its windows by the wall clock) cover days the sandbox really delivered.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=2)
    with (
        tempfile.TemporaryDirectory(prefix="snapfleet-demo-") as home,
        Sandbox(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            start_time=start,
            review_delay_s=0,
            redirect_uris=(REDIRECT_URI,),
        ) as sandbox,
    ):
        app = create_app(demo_settings(Path(home), sandbox))
        runtime = install_runtime(
            app, transport=sandbox.transport, oauth_transport=sandbox.transport
        )
        code = sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
        connected = connect_code(runtime, tenant_id="demo", code=code, redirect_uri=REDIRECT_URI)
        console.print(
            f"[bold]Connected[/] tenant 'demo': ad accounts {', '.join(connected.ad_account_ids)}"
        )
        queues = ",".join(q.name for q in app.conf.task_queues)
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, queues=queues
        ):
            runner = Runner(app, console)
            ids = create_chain(runner, Path(home), start)
            sandbox.state.set_time(now)
            runner.call("snap.stats.pull_all", {})
            if ids.get("ad"):
                sandbox.state.set_review_status(ids["ad"], "REJECTED", ["Misleading claims"])
            if ids.get("ad_squad"):
                sandbox.state.exhaust_cap(ids["ad_squad"], "daily")
            runner.call("snap.detect.run", {"ad_account_ids": [ACCOUNT]})
        console.print(runner.table)
        show_stats(console, runtime)
        show_events(console, runtime)
        runtime.close()
    console.print(
        "[green]demo finished: every task succeeded[/]"
        if runner.failures == 0
        else f"[red]demo finished with {runner.failures} failed task(s)[/]"
    )
    return 0 if runner.failures == 0 else 1


def create_chain(runner: Runner, home: Path, start: datetime) -> dict[str, str]:
    """Campaign -> ad squad -> media -> creative -> ad, the order seed 000 documents."""
    ids: dict[str, str] = {}
    image = home / "hero.png"
    image.write_bytes(tiny_png())
    campaign = runner.call(
        "snap.campaign.create",
        {
            "ad_account_id": ACCOUNT,
            "name": "Demo spring launch",
            "status": "ACTIVE",
            "start_time": (start - timedelta(days=1)).isoformat(),
            "lifetime_spend_cap_usd": "5000",
        },
    )
    if not (ids_campaign := campaign.get("snap_id")):
        return ids
    ids["campaign"] = ids_campaign
    squad = runner.call(
        "snap.adsquad.create",
        {
            "ad_account_id": ACCOUNT,
            "campaign_id": ids["campaign"],
            "name": "US 18+",
            "status": "ACTIVE",
            "targeting": {"geos": [{"country_code": "us"}]},
            "optimization_goal": "SWIPES",
            "bid_strategy": "AUTO_BID",
            "daily_budget_usd": "50",
        },
    )
    media = runner.call(
        "snap.media.upload",
        {"ad_account_id": ACCOUNT, "name": "hero.png", "media_type": "IMAGE",
         "file_path": str(image)},
    )  # fmt: skip
    if not (squad.get("snap_id") and media.get("snap_id")):
        return ids
    ids["ad_squad"] = squad["snap_id"]
    creative = runner.call(
        "snap.creative.create",
        {
            "ad_account_id": ACCOUNT,
            "name": "Hero creative",
            "type": "WEB_VIEW",
            "headline": "Spring is here",
            "brand_name": "Demo Supplies",
            "top_snap_media_id": media["snap_id"],
            "call_to_action": "SHOP_NOW",
            "web_view_properties": {"url": "https://shop.example.com/spring"},
        },
    )
    if not creative.get("snap_id"):
        return ids
    ad = runner.call(
        "snap.ad.create",
        {
            "ad_account_id": ACCOUNT,
            "ad_squad_id": squad["snap_id"],
            "creative_id": creative["snap_id"],
            "name": "Hero ad",
            "type": "REMOTE_WEBPAGE",
            "status": "ACTIVE",
        },
    )
    if ad.get("snap_id"):
        ids["ad"] = ad["snap_id"]
        runner.call(
            "snap.campaign.pause", {"ad_account_id": ACCOUNT, "campaign_id": ids["campaign"]}
        )
        runner.call(
            "snap.campaign.resume", {"ad_account_id": ACCOUNT, "campaign_id": ids["campaign"]}
        )
    return ids


def show_stats(console: Console, runtime: Any) -> None:
    with runtime.session() as session:
        rows = [
            (r.entity_type, r.day, r.currency, r.spend_micro, r.spend_usd_micro, r.impressions,
             r.swipes)
            for r in stats_repo.days_with_delivery(session)
        ]  # fmt: skip
    table = Table(title="Stats in the database (days with delivery)")
    for column in ("entity", "day", "currency", "spend", "spend USD", "impressions", "swipes"):
        table.add_column(column)
    for entity, day, currency, spend, usd, impressions, swipes in rows:
        table.add_row(
            entity, str(day), currency, f"{(spend or 0) / 1e6:.2f}",
            "-" if usd is None else f"{usd / 1e6:.2f}", str(impressions), str(swipes),
        )  # fmt: skip
    console.print(table)


def show_events(console: Console, runtime: Any) -> None:
    with runtime.session() as session:
        newest = event_repo.latest(session, limit=None)
        rows = [(e.kind, e.entity_type, e.entity_id, e.detected_at) for e in reversed(newest)]
    table = Table(title="State changes detected (Snap pushes none)")
    for column in ("kind", "entity", "id", "detected at"):
        table.add_column(column)
    for kind, entity_type, entity_id, detected_at in rows:
        table.add_row(kind, entity_type, entity_id, str(detected_at))
    console.print(table)


def main() -> None:
    raise SystemExit(run(Console()))


if __name__ == "__main__":
    main()
