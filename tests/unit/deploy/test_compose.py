"""docker-compose.yml: the services the operators run, each a command the CLI really has.

No Docker engine runs here, so the compose file is checked as data, and each service's
command is run through the same CLI with `--help` (what the container would execute).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from worker.cli import app

COMPOSE = yaml.safe_load((Path(__file__).parents[3] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
FLEET = [name for name, s in SERVICES.items() if s.get("image") == "snapfleet:latest"]


def test_the_fleet_has_every_documented_service() -> None:
    assert {"redis", "postgres", "migrate", "beat", "flower"} <= set(SERVICES)
    assert any(name.startswith("worker") for name in SERVICES)


def test_redis_never_evicts_and_keeps_its_data() -> None:
    command = SERVICES["redis"]["command"]
    assert "noeviction" in command and "--appendonly" in command


def test_exactly_one_beat() -> None:
    beats = [name for name in FLEET if "beat" in (SERVICES[name].get("command") or [])]
    assert beats == ["beat"]
    assert "replicas" not in (SERVICES["beat"].get("deploy") or {})


def test_workers_split_mutations_from_sync() -> None:
    queues = {
        name: SERVICES[name]["command"][SERVICES[name]["command"].index("--queues") + 1]
        for name in FLEET
        if SERVICES[name]["command"][0] == "worker"
    }
    assert sorted(queues.values()) == ["mutations", "sync"]


@pytest.mark.parametrize("name", [n for n in FLEET if "entrypoint" not in SERVICES[n]])
def test_each_service_command_exists_in_the_cli(name: str) -> None:
    command = SERVICES[name]["command"]
    words = [w for w in command if not w.startswith("-")][:2]
    result = CliRunner().invoke(
        app, [*words[:1], "--help"] if words[0] != "db" else [*words, "--help"]
    )
    assert result.exit_code == 0, result.output


def test_secrets_come_from_the_environment_not_the_file() -> None:
    env = SERVICES["worker-mutations"]["environment"]
    assert env["SNAPFLEET_ENCRYPTION_KEY"].startswith("${")
    assert env["SNAPCHAT_ADS_CLIENT_SECRET"].startswith("${")
