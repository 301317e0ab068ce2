"""Stats pull cost: snapfleet's plan beside the open-source connectors' plan, same sandbox.

Both read DAY stats of A ad accounts with C campaigns each from an in-process sandbox,
through the same gated SnapClient:

- snapfleet: `worker.sync.stats.pull` (account stats with `breakdown=campaign`, re-pulling
  only the days that were not final in the last answer);
- baseline: what Airbyte's and Singer's Snap connectors do, one `/campaigns/{id}/stats`
  call per campaign per date window over a fixed lookback, every run.

It prints API calls and seconds of a first run and of the next hourly run, side by side,
with the ratios. Calls are what Snap's rate limits count (10 requests/s per access token):
`python -m bench.stats_bench --campaigns 40`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from snap import stats as snapstats
from snap.sandbox import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID, Sandbox
from worker.app import create_app
from worker.connections.capture import connect_code
from worker.runtime import Runtime, install_runtime
from worker.settings import Settings
from worker.sync import stats as statsync

CLIENT_ID, CLIENT_SECRET = "bench", "bench-secret"  # the sandbox's own
REDIRECT_URI = "http://127.0.0.1/oauth"
ACCOUNTS = (USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID)
LOOKBACK_DAYS = 28


def stats_calls(sandbox: Sandbox) -> int:
    """Answered stats calls (a 401 after the sandbox clock jumped is retried, not planned)."""
    return sum(
        1 for r in sandbox.state.requests() if r["path"].endswith("/stats") and r["status"] != 401
    )


def measure(sandbox: Sandbox, step: Callable[[], None]) -> tuple[int, float]:
    """(stats calls, seconds) of one run of `step`."""
    calls, start = stats_calls(sandbox), time.perf_counter()
    step()
    return stats_calls(sandbox) - calls, time.perf_counter() - start


def add_campaigns(runtime: Runtime, connection_id: int, campaigns: int, start: datetime) -> None:
    client = runtime.client(connection_id, live=True)
    for account in ACCOUNTS:
        items = [
            {"name": f"bench {n}", "ad_account_id": account, "status": "ACTIVE",
             "start_time": start.isoformat(), "objective": "BRAND_AWARENESS"}
            for n in range(campaigns)
        ]  # fmt: skip
        with runtime.account_gate_scope(runtime.account(account)):
            client.create_campaigns(account, items, idempotency_key=f"bench-{account}")


def snapfleet_run(runtime: Runtime, now: datetime) -> None:
    for account in ACCOUNTS:
        statsync.pull(runtime, account, now=now)


def baseline_run(runtime: Runtime, connection_id: int, now: datetime) -> None:
    """One call per campaign per window over a fixed lookback, as the peers do."""
    client = runtime.client(connection_id, live=True)
    for account in ACCOUNTS:
        context = runtime.account(account)
        windows = snapstats.plan_windows(
            "DAY", context.timezone, now - timedelta(days=LOOKBACK_DAYS), now
        )
        with runtime.account_gate_scope(context):
            campaign_ids = [c.id for c in client.list_campaigns(account)]
            for campaign_id in campaign_ids:
                for window in windows:
                    client.stats(
                        "campaign", campaign_id,
                        fields=["spend", "impressions", "swipes"], **window.params(),
                    )  # fmt: skip


def fleet(home: Path, sandbox: Sandbox) -> tuple[Runtime, int]:
    settings = Settings(
        redis_url=None, database_url=None, snapfleet_home=home,
        snapfleet_encryption_key=Fernet.generate_key().decode(),
        snapchat_ads_client_id=CLIENT_ID, snapchat_ads_client_secret=CLIENT_SECRET,
        snapchat_ads_live_mode=True, snapchat_ads_api_base_url=sandbox.base_url,
        snapchat_ads_oauth_url=sandbox.oauth_url, snapchat_ads_rate_limit_rps=1000,
        snapchat_ads_app_rps=0, snapchat_ads_token_rps=0,
        snapfleet_stats_lookback_days=LOOKBACK_DAYS, snapfleet_fx_rates='{"EUR": "1.08"}',
    )  # fmt: skip
    runtime = install_runtime(
        create_app(settings), transport=sandbox.transport, oauth_transport=sandbox.transport
    )
    code = sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
    connected = connect_code(runtime, tenant_id="bench", code=code, redirect_uri=REDIRECT_URI)
    return runtime, connected.connection_id


def compare(
    sandbox: Sandbox, runtime: Runtime, connection_id: int, now: datetime
) -> tuple[tuple[int, float], tuple[int, float]]:
    """(snapfleet, baseline), each (calls, seconds), of one run at `now`."""
    ours = measure(sandbox, lambda: snapfleet_run(runtime, now))
    return ours, measure(sandbox, lambda: baseline_run(runtime, connection_id, now))


def row(label: str, ours: tuple[int, float], base: tuple[int, float]) -> str:
    calls = f"{ours[0]:>5} vs {base[0]:>5} calls ({base[0] / max(ours[0], 1):5.1f}x fewer)"
    seconds = f"{ours[1]:6.2f} vs {base[1]:6.2f} s ({base[1] / max(ours[1], 1e-9):5.1f}x)"
    return f"{label:<18} {calls}   {seconds}"


def run(seconds: float = 2.0, campaigns: int = 20) -> dict[str, Any]:
    """`seconds` is unused: the bench is bounded by its size, not by a clock."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with (
        tempfile.TemporaryDirectory() as home,
        Sandbox(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            start_time=now - timedelta(days=3),
            app_rps=None,  # the bench counts calls; its gate leaves these scopes off too
            token_rps=None,
        ) as sandbox,
    ):
        runtime, connection_id = fleet(Path(home), sandbox)
        add_campaigns(runtime, connection_id, campaigns, now - timedelta(days=3))
        sandbox.state.set_time(now)
        first = compare(sandbox, runtime, connection_id, now)
        later = now + timedelta(hours=1)
        sandbox.state.set_time(later)
        hourly = compare(sandbox, runtime, connection_id, later)
        runtime.close()
    print(f"{len(ACCOUNTS)} accounts x {campaigns} campaigns, DAY, {LOOKBACK_DAYS}-day lookback")
    print(f"{'':<18} snapfleet vs baseline (one call per campaign per window);")
    print(f"{'':<18} seconds are in-process, and snapfleet's also store the rows")
    print(row("first pull", *first))
    print(row("next hourly pull", *hourly))
    return {"first": first, "hourly": hourly}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats_bench", description=__doc__)
    parser.add_argument("--campaigns", type=int, default=20, help="campaigns per ad account")
    run(campaigns=parser.parse_args().campaigns)


if __name__ == "__main__":
    main()
