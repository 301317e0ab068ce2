"""docker-compose.yml, .env.example, the Dockerfile and the lockfile, checked as data.

No Docker engine runs here: tests/integration/deploy/test_compose_commands.py runs each
service's command (and its healthcheck) against the local Redis and PostgreSQL.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from worker.cli import app
from worker.cli.envfile import COMPOSE_VARIABLES, env_names

ROOT = Path(__file__).parents[3]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
FLEET = [n for n, s in SERVICES.items() if "snapfleet" in str(s.get("image", ""))]
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|ENCRYPTION_KEY|BASIC_AUTH|TOKEN")


def _command(name: str) -> list[str]:
    return [str(w) for w in SERVICES[name].get("command") or []]


def test_the_fleet_has_every_documented_service() -> None:
    assert {"redis", "postgres", "migrate", "beat", "flower", "exporter"} <= set(SERVICES)
    assert any(name.startswith("worker") for name in SERVICES)


def test_redis_never_evicts_keeps_its_data_and_asks_for_a_password() -> None:
    command = _command("redis")
    assert "noeviction" in command and "--appendonly" in command
    assert command[command.index("--requirepass") + 1].startswith("${REDIS_PASSWORD")


def test_exactly_one_beat() -> None:
    beats = [name for name in FLEET if "beat" in _command(name)]
    assert beats == ["beat"]
    assert "replicas" not in (SERVICES["beat"].get("deploy") or {})


def test_workers_split_mutations_from_sync() -> None:
    queues = {
        name: _command(name)[_command(name).index("--queues") + 1]
        for name in FLEET
        if _command(name)[:1] == ["worker"]
    }
    assert sorted(queues.values()) == ["mutations", "sync"]


@pytest.mark.parametrize("name", FLEET)
def test_each_service_command_exists_in_the_cli(name: str) -> None:
    command = _command(name)
    words = [w for w in command if not w.startswith("-")][:2]
    args = [*words, "--help"] if words[0] == "db" else [words[0], "--help"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_no_password_is_written_in_the_file() -> None:
    """Every secret-named value and every URL credential is an ${...} from .env."""
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key):
                assert str(value).startswith("${"), f"{name}: {key} is written inline"
    for _user, password in re.findall(r"://([^:/@\s]*):([^@\s]+)@", COMPOSE_TEXT):
        assert password.startswith("${"), f"a URL carries an inline password: {password}"


def test_every_setting_reaches_the_fleet_containers() -> None:
    """The whole .env goes to every container that runs tasks or beat (env_file)."""
    for name in FLEET:
        if name in ("flower", "exporter"):
            continue
        assert SERVICES[name].get("env_file") == [".env"], name


def test_flower_has_no_snap_secret_and_listens_on_loopback_only() -> None:
    flower = SERVICES["flower"]
    env = flower.get("environment") or {}
    assert "env_file" not in flower
    assert not [k for k in env if k.startswith("SNAPCHAT_") or k == "SNAPFLEET_ENCRYPTION_KEY"]
    assert env["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")
    assert flower["ports"] and all(str(p).startswith("127.0.0.1:") for p in flower["ports"])


def test_the_exporter_has_no_snap_secret() -> None:
    exporter = SERVICES["exporter"]
    assert "env_file" not in exporter
    env = exporter.get("environment") or {}
    assert not [k for k in env if k.startswith("SNAPCHAT_") or k == "SNAPFLEET_ENCRYPTION_KEY"]


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in SERVICES.items():
        check = service.get("healthcheck") or {}
        if service.get("restart") == "no":  # one-shot: completion is its check
            continue
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


def test_workers_mount_the_media_volume_that_media_roots_names() -> None:
    roots = re.search(r"^SNAPFLEET_MEDIA_ROOTS=(.+)$", ENV_EXAMPLE, re.M)
    assert roots is not None
    assert "media" in COMPOSE["volumes"]
    for name in FLEET:
        if _command(name)[:1] == ["worker"]:
            assert f"media:{roots.group(1)}" in SERVICES[name]["volumes"], name


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = ENV_EXAMPLE.splitlines()
    for name in env_names():
        index = next((i for i, line in enumerate(lines) if re.match(rf"^(# )?{name}=", line)), None)
        assert index is not None, (
            f"{name} is missing from .env.example: run "
            "`snapfleet settings --env-example > .env.example`"
        )
        assert lines[index - 1].startswith("# ") and "=" not in lines[index - 1][:40].split()[1]


def test_every_variable_compose_reads_is_in_env_example() -> None:
    read = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE_TEXT))
    listed = set(re.findall(r"^(?:# )?([A-Z0-9_]+)=", ENV_EXAMPLE, re.M))
    assert read - listed == set()
    assert {name for name, _, _ in COMPOSE_VARIABLES} <= listed


def test_the_image_installs_the_lockfile_with_hashes() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    assert "[flower]" not in dockerfile


def test_the_lockfile_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {
        m.group(1).lower().replace("_", "-"): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, re.M)
    }
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock)
    assert all("--hash=sha256:" in b for b in blocks if re.match(r"[A-Za-z0-9_.-]+==", b))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not in requirements.lock: run `make lock`"
