"""deploy/: the scrape config, the alert rules and the Grafana dashboard, checked by promtool.

`promtool` comes with Debian's `prometheus` package (.ci/run installs it). Outside CI a
machine without it skips these; under CI=true a missing promtool fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[3]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "snapfleet.json"
PROMTOOL = shutil.which("promtool")

if PROMTOOL is None and os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    pytest.fail("CI=true and promtool is missing (apt-get install prometheus)", pytrace=False)
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")


def _promtool(*args: str | Path, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@needs_promtool
def test_promtool_accepts_the_scrape_config_and_its_rules() -> None:
    result = _promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_promtool_accepts_the_alert_rules() -> None:
    result = _promtool("check", "rules", "rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_the_alerts_fire_on_the_series_they_watch() -> None:
    """rules_test.yml: beat down, re-auth, quota_unavailable, keys stuck unknown fire."""
    result = _promtool("test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_the_operators_asked_for_are_there() -> None:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
    alerts = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert "snapfleet_beat_last_tick_timestamp_seconds" in alerts["SnapfleetBeatDown"]
    assert "snapfleet_stats_last_success" in alerts["SnapfleetStatsStale"]
    assert "snapfleet_connections_needing_reauth" in alerts["SnapfleetConnectionNeedsReauth"]
    assert 'code="quota_unavailable"' in alerts["SnapfleetQuotaUnavailable"]
    assert "snapfleet_snap_429_total" in alerts["SnapfleetRateLimitedSpike"]
    assert 'state="unknown"' in alerts["SnapfleetJournalKeysStuckUnknown"]


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """Each panel's expression, as a recording rule, passes promtool's parser."""
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) >= 10
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:panel_{i}", "expr": e} for i, e in enumerate(exprs)
    ]}]}  # fmt: skip
    (tmp_path / "dashboard_rules.yml").write_text(yaml.safe_dump(rules))
    result = _promtool("check", "rules", "dashboard_rules.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_and_rules_name_only_metrics_the_fleet_serves() -> None:
    """A typo in a metric name would make a panel or an alert silently empty."""
    served = set(re.findall(r'"(snapfleet_[a-z0-9_]+)"', _sources()))
    served |= {f"{name}_total" for name in served} | {
        f"snapfleet_gate_wait_seconds_{suffix}" for suffix in ("bucket", "sum", "count")
    }
    used = set(re.findall(r"\b(snapfleet_[a-z0-9_]+)", DASHBOARD.read_text()))
    used |= set(re.findall(r"\b(snapfleet_[a-z0-9_]+)", (PROMETHEUS / "rules.yml").read_text()))
    used -= {"snapfleet_workers", "snapfleet_exporter"}  # job names
    assert used - served == set()


def _sources() -> str:
    return (ROOT / "worker" / "metrics.py").read_text() + (
        ROOT / "worker" / "cli" / "exporter.py"
    ).read_text()
