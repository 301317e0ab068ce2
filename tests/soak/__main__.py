"""The soak driver: `python -m tests.soak [--short] [--broker redis|amqp] [--seed N]`.

Starts its own redis-server and PostgreSQL cluster, the sandbox, two worker nodes
(prefork, mutations + sync), two beats (active + standby), Flower and the runner, each a
process of its own; connects two tenants; injects the faults of `tests.soak.faults`
while the runner works; then stops everything, checks (`tests.soak.checks`) and prints
the one-line summary. Exit status 1 on any failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.fernet import Fernet

from tests.soak import checks, faults
from tests.soak.services import (
    BIN,
    Postgres,
    Proc,
    RabbitVhost,
    RedisServer,
    SandboxServer,
    free_port,
    wait_until,
)

CLIENT_ID = "soak-client"
REDIRECT_URI = "https://dashboard.example/oauth/snap"
LOCK_TAKEN = re.compile(r"[Aa]cquired (the )?lock")
FX = {"EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66, "JPY": 0.0067}


class Soak:
    def __init__(self, root: Path, *, short: bool, broker: str, seed: int) -> None:
        self.root = root
        self.short = short
        self.broker = broker
        self.rng = random.Random(seed)
        self.client_secret = f"soak-secret-{uuid.uuid4().hex}"
        self.encryption_key = Fernet.generate_key().decode()
        self.http_timeout_s = 3.0
        self.beat_lock_timeout_s = 30
        self.token_lifetime_s = 120
        self.redis = RedisServer(root)
        self.postgres = Postgres(root)
        self.vhost = RabbitVhost(f"snapfleet-soak-{uuid.uuid4().hex[:8]}")
        self.sandbox = SandboxServer(root, CLIENT_ID, self.client_secret, self.token_lifetime_s)
        self.nodes: list[Proc] = []
        self.beats: list[Proc] = []
        self.flower: Proc | None = None
        self.flower_port = free_port()
        self.runner: Proc | None = None
        self.accounts: list[str] = []
        self.tenant_b: list[str] = []
        self.revocable_token = ""
        self.revoked_tenant = "tenant-b"
        self.revoked_at: float | None = None
        self.changes: list[dict[str, Any]] = []
        self.metrics_ports: dict[str, int] = {}
        self.crashes: list[str] = []  # processes that exited on their own, then restarted
        self._restarting: set[str] = set()

    # --- Setup ------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        keep = {
            k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))
        }
        keep.pop("REDIS_URL", None)
        keep.pop("DATABASE_URL", None)
        env = {
            **keep,
            "REDIS_URL": self.redis.url,
            "DATABASE_URL": self.postgres.url,
            "SNAPFLEET_ENCRYPTION_KEY": self.encryption_key,
            "SNAPCHAT_ADS_CLIENT_ID": CLIENT_ID,
            "SNAPCHAT_ADS_CLIENT_SECRET": self.client_secret,
            "SNAPCHAT_ADS_LIVE_MODE": "true",
            "SNAPCHAT_ADS_API_BASE_URL": f"{self.sandbox.base}/v1",
            "SNAPCHAT_ADS_OAUTH_URL": f"{self.sandbox.base}/login/oauth2",
            "SNAPFLEET_HTTP_TIMEOUT_S": str(self.http_timeout_s),
            "SNAPFLEET_CLIENT_MAX_ELAPSED_S": "5",
            "SNAPFLEET_GATE_MAX_INLINE_WAIT_S": "1",
            "SNAPFLEET_JOURNAL_LEASE_S": "20",
            "SNAPFLEET_TASK_TIME_LIMIT_S": "60",
            "SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S": "20",
            "SNAPFLEET_TASK_MAX_RETRIES": "12",
            "SNAPFLEET_VISIBILITY_TIMEOUT_S": "90",
            "SNAPFLEET_COMPLETER_IDLE_S": "60",
            "SNAPFLEET_COMPLETER_PERIOD_S": "30",
            "SNAPFLEET_SYNC_PERIOD_S": "15",
            "SNAPFLEET_PLAN_REVIEW_PERIOD_S": "60",
            "SNAPFLEET_PLAN_SPENDING_PERIOD_S": "60",
            "SNAPFLEET_PLAN_STATUS_PERIOD_S": "60",
            "SNAPFLEET_PLAN_FULL_PERIOD_S": "300",
            "SNAPFLEET_STATS_PULL_PERIOD_S": "60",
            "SNAPFLEET_TOKEN_REFRESH_PERIOD_S": "30",
            "SNAPFLEET_TOKEN_REFRESH_MARGIN_S": "30",
            "SNAPFLEET_BEAT_LOCK_TIMEOUT_S": str(self.beat_lock_timeout_s),
            "SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S": "10",
            "SNAPFLEET_FX_RATES": json.dumps(FX),
            "SNAPFLEET_MEDIA_ROOTS": str(self.root),
            "SNAPFLEET_HOME": str(self.root / "home"),
            "SNAPFLEET_METRICS_PORT": "0",
            **extra,
        }
        if self.broker == "amqp":
            env["SNAPFLEET_BROKER_URL"] = self.vhost.url
        return env

    def start(self) -> None:
        self.redis.start()
        self.postgres.init()
        if self.broker == "amqp":
            self.vhost.create()
        self.sandbox.start()
        # About 5% of writes commit and then lose their answer, the whole run through.
        self.sandbox.post(
            "/_sandbox/faults", {"action": "drop", "times": None, "probability": 0.05}
        )
        from storage.migrate import upgrade

        upgrade(self.postgres.url)
        self.connect_tenants()
        for n in (1, 2):
            self.nodes.append(self.start_node(f"node{n}"))
        for n in (1, 2):
            beat = Proc(f"beat{n}", [str(BIN / "snapfleet"), "beat", "-l", "INFO",
                                     "-s", str(self.root / f"beat{n}.schedule")],
                        self.root / f"beat{n}.log", self.env())  # fmt: skip
            self.beats.append(beat.start())
            if n == 1:
                wait_until(lambda: LOCK_TAKEN.search((self.root / "beat1.log").read_text()),
                           "beat1 to take the lock", timeout_s=120)  # fmt: skip
        self.flower = Proc(
            "flower",
            [str(BIN / "snapfleet"), "flower", f"--port={self.flower_port}",
             "--address=127.0.0.1", "--basic-auth=soak:soak-flower-pass"],
            self.root / "flower.log", self.env(),
        ).start()  # fmt: skip
        for node in self.nodes:
            wait_until(lambda node=node: "ready." in node.log.read_text(),
                       f"{node.name} to be ready", timeout_s=180)  # fmt: skip

    def start_node(self, name: str) -> Proc:
        port = self.metrics_ports.setdefault(name, free_port())
        argv = [str(BIN / "snapfleet"), "worker", "-Q", "mutations,sync", "-P", "prefork",
                "-c", "3", "-n", f"{name}@%h", "--without-mingle", "--without-gossip",
                "-l", "INFO"]  # fmt: skip
        env = self.env(SNAPFLEET_METRICS_PORT=str(port),
                       PROMETHEUS_MULTIPROC_DIR=str(self.root / f"{name}-metrics"))  # fmt: skip
        (self.root / f"{name}-metrics").mkdir(exist_ok=True)
        return Proc(name, argv, self.root / f"{name}.log", env).start()

    def restart_node(self, node: Proc) -> None:
        self._restarting.add(node.name)
        try:
            fresh = self.start_node(node.name)
            self.nodes[self.nodes.index(node)] = fresh
        finally:
            self._restarting.discard(node.name)

    def supervise(self, stop: threading.Event) -> None:
        """Restart a worker node or beat that exited on its own, as the fleet's process
        supervisor would (docker compose `restart:`, systemd); each one is reported."""
        while not stop.wait(2.0):
            for node in list(self.nodes):
                if (
                    node.popen is not None
                    and not node.alive()
                    and node.name not in self._restarting
                ):
                    self.crashes.append(f"{node.name} exited {node.popen.returncode}")
                    print(f"soak: {node.name} exited by itself ({node.popen.returncode}); "
                          "restarted as a supervisor would", flush=True)  # fmt: skip
                    self.restart_node(node)
            for i, beat in enumerate(list(self.beats)):
                if beat.popen is not None and not beat.alive():
                    self.crashes.append(f"{beat.name} exited {beat.popen.returncode}")
                    print(f"soak: {beat.name} exited by itself; restarted", flush=True)
                    self.beats[i] = Proc(beat.name, beat.argv, beat.log, beat.env).start()

    def active_beat(self) -> Proc | None:
        """The beat that logged taking the lock last (the holder)."""
        latest: tuple[float, Proc] | None = None
        for beat in self.beats:
            text = beat.log.read_text()
            found = list(LOCK_TAKEN.finditer(text))
            if found and beat.alive():
                stamp = self._stamp_before(text, found[-1].end()) or 0.0
                if latest is None or stamp > latest[0]:
                    latest = (stamp, beat)
        return latest[1] if latest else None

    @staticmethod
    def _stamp_before(text: str, at: int) -> float | None:
        found = re.findall(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", text[:at])
        if not found:
            return None
        day, ms = found[-1]
        return time.mktime(time.strptime(day, "%Y-%m-%d %H:%M:%S")) + int(ms) / 1000

    def connect_tenants(self) -> None:
        """Tenant A owns ten ad accounts, tenant B two; B's refresh token is revoked later."""
        from storage import accounts as account_repo
        from worker.app import create_app
        from worker.connections.capture import connect_code, connect_tokens
        from worker.runtime import install_runtime
        from worker.settings import Settings, get_settings

        os.environ.update(self.env())
        get_settings.cache_clear()
        app = create_app(Settings())
        runtime = install_runtime(app)
        oauth = f"{self.sandbox.base}/login/oauth2"
        answer = self._tokens(oauth)
        self.revocable_token = answer["refresh_token"]
        b = connect_tokens(runtime, tenant_id="tenant-b", refresh_token=answer["refresh_token"],
                           access_token=answer["access_token"],
                           expires_in_s=answer["expires_in"])  # fmt: skip
        a = connect_code(runtime, tenant_id="tenant-a", code=self._code(oauth),
                         redirect_uri=REDIRECT_URI)  # fmt: skip
        entities = self.sandbox.get("/_sandbox/entities")["entities"]
        listed = sorted((e for e in entities if e["kind"] == "adaccounts"), key=lambda e: e["name"])
        assert len(listed) >= 12, "the fleet seed has twelve ad accounts"
        self.accounts = [e["id"] for e in listed]
        self.tenant_b = self.accounts[-2:]
        b_items = [{k: v for k, v in e.items() if k not in ("kind", "deleted")}
                   for e in listed[-2:]]  # fmt: skip
        with runtime.session() as session:
            account_repo.upsert_ad_accounts(session, b_items, connection_id=b.connection_id)
        print(f"soak: tenant-a {a.connection_id} owns {len(self.accounts) - 2} accounts, "
              f"tenant-b {b.connection_id} owns 2", flush=True)  # fmt: skip
        runtime.close()
        self.driver_app = app

    def reconnect_revoked(self) -> None:
        """The operator's answer to the runner's `unauthorized`: the revoked tenant connects
        again (new tokens on the same connection), so the creates its tasks left
        maybe_created can be looked for and adopted. The tokens are stored directly, not
        through `snapfleet connect`: the sandbox shows every account to every token, and a
        capture would hand tenant A's accounts to tenant B."""
        from storage import connections as connection_repo
        from worker.runtime import install_runtime

        answer = self._tokens(f"{self.sandbox.base}/login/oauth2")
        runtime = install_runtime(self.driver_app)
        try:
            with runtime.session() as session:
                connection_repo.connect(
                    session, runtime.cipher, tenant_id=self.revoked_tenant, client_id=CLIENT_ID,
                    refresh_token=answer["refresh_token"], access_token=answer["access_token"],
                )  # fmt: skip
        finally:
            runtime.close()
        print(f"soak: {self.revoked_tenant} connected again", flush=True)

    def undecided_creates(self, since: datetime) -> int:
        """Creates the completer has yet to settle: unknown ones (it re-drives them) and
        maybe_created ones it has not looked for since `since` (a maybe_created create
        that never landed stays so, looked for on every sweep)."""
        from sqlalchemy import and_, func, or_, select

        from storage.db import make_engine, session_factory
        from storage.models.journal import JournalEntry as J

        engine = make_engine(self.postgres.url)
        try:
            with session_factory(engine)() as session:
                unlooked = and_(J.state == "maybe_created", J.updated_at <= since)
                undecided = or_(J.state == "unknown", unlooked)
                return session.scalar(select(func.count()).where(undecided)) or 0
        finally:
            engine.dispose()

    def _tokens(self, oauth: str) -> dict[str, Any]:
        """A fresh token answer for an authorization code (tenant B's own exchange)."""
        return httpx.post(
            f"{oauth}/access_token",
            data={"grant_type": "authorization_code", "client_id": CLIENT_ID,
                  "client_secret": self.client_secret, "code": self._code(oauth),
                  "redirect_uri": REDIRECT_URI},
        ).json()  # fmt: skip

    def _code(self, oauth: str) -> str:
        answer = httpx.get(
            f"{oauth}/authorize",
            params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
        )
        return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

    # --- The run ----------------------------------------------------------------------

    def start_runner(self, min_tasks: int, until: float) -> None:
        media = self.root / "media" / "clip.mp4"
        media.parent.mkdir(exist_ok=True)
        media.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
        out = self.root / "runner"
        out.mkdir()
        self.runner = Proc(
            "runner",
            [sys.executable, "-m", "tests.soak.runner", "--out", str(out), "--accounts",
             ",".join(self.accounts), "--min-tasks", str(min_tasks), "--until", str(until),
             "--media", str(media)],
            self.root / "runner.log", self.env(),
        ).start()  # fmt: skip

    def make_state_changes(self) -> str:
        """Reject two ads, exhaust one ad squad's daily cap, suspend one account: on accounts
        of tenant A whose chain kept its entities (odd index) and finished."""
        out = self.root / "runner"
        odd = [self.accounts[i] for i in (1, 3, 5, 7, 9)]

        def finished() -> set[str]:
            chains = checks.read_jsonl(out / "chains.jsonl")
            return {c["account"] for c in chains if c["outcome"] == "done"} & set(odd)

        try:  # chains that ran to the end have the entities to change
            wait_until(lambda: len(finished()) >= 4, "chains run to the end", 240, 1)
        except RuntimeError as exc:
            print(f"{exc}; changing what there is", flush=True)
        done = finished()
        created: dict[tuple[str, str], str] = {}
        for r in checks.read_jsonl(out / "results.jsonl"):
            result = r.get("result") or {}
            if r["name"] in ("snap.ad.create", "snap.adsquad.create") and (
                result.get("status") == "succeeded"
            ):
                created[(r["payload"]["ad_account_id"], r["name"])] = str(result["snap_id"])
        with_ads = [a for a in odd if a in done and (a, "snap.ad.create") in created]
        made: list[dict[str, Any]] = []
        touched: list[str] = []

        def change(kind: str, entity: str, account: str, path: str, body: dict) -> bool:
            try:
                self.sandbox.post(path, body)
            except httpx.HTTPStatusError as exc:
                print(f"soak: {kind} of {entity} refused: {exc.response.text[:200]}", flush=True)
                return False
            made.append({"kind": kind, "entity_id": entity})
            touched.append(account)
            return True

        rejected = {"review_status": "REJECTED", "reasons": ["Soak: misleading"]}
        for account in with_ads[:2]:
            ad = created[(account, "snap.ad.create")]
            change("ad_disapproved", ad, account, f"/_sandbox/ads/{ad}/review", rejected)
        for account in with_ads[2:]:
            squad = created[(account, "snap.adsquad.create")]
            if change("daily_cap_hit", squad, account, f"/_sandbox/caps/{squad}/exhaust",
                      {"cap": "daily"}):  # fmt: skip
                break
        suspended = next(a for a in odd if a not in touched)
        change("account_suspended", suspended, suspended,
               f"/_sandbox/adaccounts/{suspended}/suspend", {})  # fmt: skip
        self.changes = made
        # The schedule polls these accounts within a minute or five (the polling plan);
        # the driver also asks for a detection of them, as an operator may.
        self.driver_app.send_task(
            "snap.detect.run", kwargs={"ad_account_ids": [a for a in touched if a != suspended]}
        )
        return ", ".join(m["kind"] for m in made)

    # --- After ------------------------------------------------------------------------

    def collect(self, started: float, fault_box: faults.Faults) -> checks.Evidence:
        out = self.root / "runner"
        sandbox_requests = self.sandbox.get("/_sandbox/requests")
        entities = self.sandbox.get("/_sandbox/entities")["entities"]
        (self.root / "sandbox-requests.json").write_text(json.dumps(sandbox_requests))
        (self.root / "sandbox-entities.json").write_text(json.dumps(entities))
        issued = self.sandbox.get("/_sandbox/tokens/issued")["tokens"]
        scanned = checks.scan_files(sorted(self.root.glob("*.log")))
        scanned.update(checks.scan_files(sorted(out.glob("*.jsonl"))))
        claimed, journal_text = self.journal()
        scanned["journal rows"] = journal_text
        for name, port in self.metrics_ports.items():
            try:
                scanned[f"metrics of {name}"] = httpx.get(
                    f"http://127.0.0.1:{port}/metrics", timeout=10
                ).text
            except httpx.HTTPError as exc:
                print(f"soak: metrics of {name} unreadable: {exc}", flush=True)
        try:
            tasks = httpx.get(f"http://127.0.0.1:{self.flower_port}/api/tasks",
                              auth=("soak", "soak-flower-pass"), timeout=30)  # fmt: skip
            scanned["flower task arguments"] = tasks.text
            print(f"soak: flower knows {len(tasks.json())} tasks", flush=True)
        except Exception as exc:
            print(f"soak: flower unreadable: {exc}", flush=True)
        return checks.Evidence(
            sent=checks.read_jsonl(out / "tasks.jsonl"),
            results=checks.read_jsonl(out / "results.jsonl"),
            events=checks.read_jsonl(out / "events.jsonl"),
            faults=checks.read_jsonl(self.root / "faults.jsonl"),
            entities=entities,
            requests=sandbox_requests["requests"],
            rate_limited=sandbox_requests["rate_limited"],
            claimed_ids=claimed,
            changes=self.changes,
            redis_down=fault_box.redis_down,
            kills=fault_box.kills,
            redis_restarts=fault_box.redis_restarts,
            postgres_restarts=fault_box.postgres_restarts,
            elapsed_s=time.time() - started,
            secrets=[*issued, self.client_secret, self.encryption_key],
            scanned=scanned,
        )

    def journal(self) -> tuple[set[str], str]:
        from sqlalchemy import select

        from storage.db import make_engine, session_factory
        from storage.models.journal import JournalEntry

        engine = make_engine(self.postgres.url)
        columns = [c.name for c in JournalEntry.__table__.columns]
        with session_factory(engine)() as session:
            rows = [
                {c: getattr(row, c) for c in columns}
                for row in session.scalars(select(JournalEntry))
            ]
        engine.dispose()
        claimed = {str(i) for r in rows if r["state"] == "succeeded" for i in r["snap_ids"] or []}
        return claimed, json.dumps(rows, default=str)

    def stop(self) -> None:
        for proc in [self.runner, self.flower, *self.beats, *self.nodes]:
            if proc is not None:
                proc.stop()
        self.sandbox.proc.stop()
        self.redis.proc.stop()
        self.postgres.stop()
        if self.broker == "amqp":
            self.vhost.delete()


def run(args: argparse.Namespace) -> int:
    root = Path(tempfile.mkdtemp(prefix="snapfleet-soak-"))
    soak = Soak(root, short=args.short, broker=args.broker, seed=args.seed)
    started = time.time()
    print(f"soak: {'short' if args.short else 'long'} run, broker {args.broker}, in {root}",
          flush=True)  # fmt: skip
    box = faults.Faults(soak, root / "faults.jsonl")
    supervisor_stop = threading.Event()
    # A SIGTERM (CI's timeout, an operator) still stops every process the soak started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        soak.start()
        threading.Thread(target=soak.supervise, args=(supervisor_stop,), daemon=True).start()
        kinds = list(faults.KINDS)
        if not args.short:
            kinds += ["pool_child"] * 24 + ["node"] * 5 + ["storm_429", "burst_5xx", "latency",
                                                          "redis", "postgres"] * 2  # fmt: skip
        else:
            kinds += ["pool_child"] * 2
        span = args.span_s or (100.0 if args.short else 600.0)
        # The short run is one round of chains (about 230 mutations) with the faults over
        # its first 100 s; the long one keeps starting rounds until 1,000 were accepted
        # and the faults are over.
        until = 0.0 if args.short else time.time() + span
        soak.start_runner(args.min_tasks or (1 if args.short else 1000), until)
        schedule = faults.plan(kinds, span, rng=soak.rng)
        done = root / "runner" / "runner.done"
        thread = threading.Thread(
            target=faults.run_plan, args=(box, schedule, lambda: False), daemon=True
        )
        thread.start()
        wait_until(done.exists, "the runner's work", timeout_s=args.max_s, every_s=1)
        thread.join(timeout=args.max_s)
        # Detection runs on beat (every sync period) and delivery after it: give the
        # last state changes two periods to reach the runner.
        wait_until(lambda: _changes_arrived(soak), "the events of the state changes",
                   timeout_s=100, every_s=2)  # fmt: skip
        # The completer's time: every create that may have landed is adopted or re-driven
        # (a revoked tenant's, once it is connected again) before the sandbox is read.
        reconnected = datetime.now(UTC)
        soak.reconnect_revoked()
        wait_until(lambda: soak.undecided_creates(reconnected) == 0, "the completer to look "
                   "for every create that may have landed", timeout_s=150, every_s=3)  # fmt: skip
        time.sleep(5)  # a look that has begun adopts what it found
    except Exception as exc:
        print(f"soak: run aborted: {type(exc).__name__}: {exc}", flush=True)
    finally:
        supervisor_stop.set()
        (root / "runner").mkdir(exist_ok=True)
        (root / "runner" / "runner.stop").write_text("stop")
        try:
            evidence = soak.collect(started, box)
        finally:
            soak.stop()
    verdict = checks.verdict(evidence)
    if soak.crashes:
        print(f"soak: processes that exited on their own: {', '.join(soak.crashes)}", flush=True)
    missing = set(faults.KINDS) - set(box.done)
    if missing:
        verdict.problems.append(f"fault kinds never injected: {sorted(missing)}")
    for problem in verdict.problems[:40]:
        print(f"soak: FAILED {problem}", flush=True)
    longest, name = checks.longest_outside_faults(evidence)
    print(f"soak: longest unfinished outside fault windows {longest:.0f} s ({name}; "
          "not gated: instant faults' effects count as outside)", flush=True)  # fmt: skip
    print(verdict.line, flush=True)
    (root / "summary.txt").write_text(verdict.line + "\n")
    print(f"soak: logs in {root}", flush=True)
    return 0 if verdict.ok else 1


def _changes_arrived(soak: Soak) -> bool:
    events = checks.read_jsonl(soak.root / "runner" / "events.jsonl")
    seen = {(e.get("kind"), e.get("entity_id")) for e in events}
    return bool(soak.changes) and all((c["kind"], c["entity_id"]) in seen for c in soak.changes)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--short", action="store_true", help="CI: every fault kind once")
    parser.add_argument("--broker", choices=("redis", "amqp"), default="redis")
    parser.add_argument("--min-tasks", type=int, default=0, help="default 200 short, 1000 long")
    parser.add_argument("--span-s", type=float, default=0.0, help="fault span: 150 short, 600 long")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--max-s", type=float, default=1800.0)
    args = parser.parse_args()
    if args.short:
        args.max_s = min(args.max_s, 240.0)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
