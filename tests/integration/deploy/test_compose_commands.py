"""docker-compose.yml, run without Docker: each service's command and healthcheck, for real.

No Docker engine runs here, so the test does what compose would: it reads the file,
builds each service's environment from .env.example (as `.env`) the way compose
interpolates it, and runs the service's command from this checkout against the local
Redis and PostgreSQL (service host names swapped for them; each container's own ports
swapped for free ones, as containers do not share a network namespace). Every
long-running service must pass its own healthcheck; the one-shot migration must exit 0.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).parents[3]
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
FLEET = [n for n, s in SERVICES.items() if "snapfleet" in str(s.get("image", ""))]
CONTAINER_PORTS = ("9808", "9809", "5555")
_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}")


def dotenv(path: Path) -> dict[str, str]:
    """The variables a .env sets (commented lines set nothing), as compose reads it."""
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} (an unset or empty VAR fails)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        value = variables.get(name, "")
        if op == ":?" and not value:
            raise ValueError(f"{name}: {arg}")
        if op == ":-" and not value:
            return arg
        return value

    return _VAR.sub(one, text).replace("$$", "$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """One compose service run as a local process."""

    def __init__(self, name: str, variables: Mapping[str, str], local: Mapping[str, str]) -> None:
        spec = SERVICES[name]
        self.name = name
        self.ports = {port: str(_free_port()) for port in CONTAINER_PORTS}
        env = dotenv(ROOT / ".env.example") if spec.get("env_file") == [".env"] else {}
        for key, value in (spec.get("environment") or {}).items():
            env[key] = interpolate(str(value), variables)
        # Service host names become the local stores; the Snap URLs a fleet container
        # reads (defaults unless .env sets them) become a closed local port.
        takes_all = spec.get("env_file") == [".env"]
        env.update({k: v for k, v in local.items() if k in env or takes_all})
        env["SNAPFLEET_METRICS_PORT"] = (
            self.ports["9808"] if "SNAPFLEET_METRICS_PORT" in env else "0"
        )
        path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {**_base_env(), **env, "PATH": path, "SNAPFLEET_HOME": local["SNAPFLEET_HOME"]}
        entry = [str(w) for w in spec.get("entrypoint") or ["snapfleet"]]
        self.argv = [self._local(w) for w in [*entry, *map(str, spec.get("command") or [])]]
        self.argv[0] = shutil.which(self.argv[0], path=path) or self.argv[0]
        self.check = [str(w) for w in (spec.get("healthcheck") or {}).get("test") or []]
        if self.argv[1:2] == ["worker"]:
            # Each container has a hostname of its own, so each worker's default node name
            # (celery@<hostname>) is its own; on one host the test names them apart.
            node = f"{name}@{socket.gethostname()}"
            self.argv += ["-n", node]
            self.check += ["--node", node]
        self.process: subprocess.Popen[bytes] | None = None

    def _local(self, word: str) -> str:
        for container, local in self.ports.items():
            word = re.sub(rf"(?<![0-9]){container}(?![0-9])", local, word)
        return word

    def start(self, log: Path) -> None:
        with log.open("w") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def healthy(self) -> bool:
        kind, *words = [self._local(w) for w in self.check]
        argv = ["sh", "-c", words[0]] if kind == "CMD-SHELL" else words
        done = subprocess.run(argv, env=self.env, capture_output=True, timeout=60)
        return done.returncode == 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))}


@pytest.fixture
def compose_variables() -> dict[str, str]:
    """What an operator's .env holds: the example, plus the key `snapfleet keygen` made."""
    return {
        **dotenv(ROOT / ".env.example"),
        "SNAPFLEET_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }


@pytest.fixture
def own_database(database_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of this test's own: `migrate` builds it from nothing,
    and beat's jobs (due at once on a fresh fleet) touch nothing of the session's."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs the real PostgreSQL")
    from tests.conftest import _create_pg_database, _drop_pg_database

    url, name = _create_pg_database()
    if url is None:
        pytest.fail(f"PostgreSQL {name}")
    yield url
    _drop_pg_database(name)


@pytest.fixture
def local(redis_url: str | None, own_database: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    if redis_url is None:
        pytest.skip("needs the real Redis (the services are separate processes)")
    yield {
        "REDIS_URL": redis_url,
        "DATABASE_URL": own_database,
        "SNAPFLEET_HOME": str(tmp_path / "home"),
        # Nothing leaves this machine: Snap is a closed local port.
        "SNAPCHAT_ADS_API_BASE_URL": "http://127.0.0.1:9/v1",
        "SNAPCHAT_ADS_OAUTH_URL": "http://127.0.0.1:9/login/oauth2",
    }
    import redis

    # Leave no beat lock, schedule or queued job behind for the session's other tests.
    client = redis.Redis.from_url(redis_url)
    for pattern in ("redbeat*", "snapfleet:beat*", "mutations*", "sync*", "growth*", "unacked*"):
        for key in client.scan_iter(match=pattern):
            client.delete(key)
    client.close()


def test_compose_refuses_to_start_without_the_secrets_from_env() -> None:
    env = SERVICES["worker-mutations"]["environment"]
    variables = dotenv(ROOT / ".env.example")  # the example leaves the key empty
    with pytest.raises(ValueError, match="SNAPFLEET_ENCRYPTION_KEY"):
        interpolate(env["SNAPFLEET_ENCRYPTION_KEY"], variables)
    with pytest.raises(ValueError, match="REDIS_PASSWORD"):
        interpolate(env["REDIS_URL"], {})


def test_redis_runs_with_its_compose_command_and_answers_its_healthcheck(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    variables = dotenv(ROOT / ".env.example")
    spec = SERVICES["redis"]
    port = str(_free_port())
    argv = [interpolate(str(w), variables) for w in spec["command"]]
    argv += ["--port", port, "--dir", str(tmp_path), "--bind", "127.0.0.1"]
    env = {**os.environ, **{k: interpolate(str(v), variables)
                            for k, v in spec["environment"].items()}}  # fmt: skip
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        cli, *args = spec["healthcheck"]["test"][1:]
        check = [cli, "-p", port, *args]  # the container's port is this server's

        def answer(with_env: dict[str, str]) -> str:
            done = subprocess.run(check, env=with_env, capture_output=True, text=True, timeout=10)
            return done.stdout.strip()

        deadline = time.monotonic() + 30
        while answer(env) != "PONG" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer(env) == "PONG"
        # and the password is required: without REDISCLI_AUTH the ping is refused
        bare = {k: v for k, v in env.items() if k != "REDISCLI_AUTH"}
        assert answer(bare) != "PONG"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_each_fleet_service_runs_and_passes_its_healthcheck(
    compose_variables: dict[str, str], local: dict[str, str], tmp_path: Path
) -> None:
    migrate = Service("migrate", compose_variables, local)
    done = subprocess.run(migrate.argv, env=migrate.env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is at revision" in done.stdout

    services = [Service(n, compose_variables, local) for n in FLEET if n != "migrate"]
    assert {s.name for s in services} >= {"worker-mutations", "worker-sync", "beat", "exporter",
                                          "flower"}  # fmt: skip
    try:
        for service in services:
            service.start(tmp_path / f"{service.name}.log")
        waiting = {s.name: s for s in services}
        deadline = time.monotonic() + 240
        while waiting and time.monotonic() < deadline:
            for name, service in list(waiting.items()):
                assert service.process is not None and service.process.poll() is None, (
                    f"{name} exited: {(tmp_path / f'{name}.log').read_text()[-3000:]}"
                )
                if service.healthy():
                    del waiting[name]
            time.sleep(1)
        logs = {n: (tmp_path / f"{n}.log").read_text()[-2000:] for n in waiting}
        assert not waiting, f"unhealthy: {sorted(waiting)}\n{logs}"
    finally:
        for service in services:
            service.stop()


def test_flower_and_the_exporter_get_no_snap_secret(
    compose_variables: dict[str, str], local: dict[str, str]
) -> None:
    secrets = {"SNAPCHAT_ADS_CLIENT_SECRET", "SNAPFLEET_ENCRYPTION_KEY"}
    for name in ("flower", "exporter"):
        env = Service(name, compose_variables, local).env
        assert not secrets & set(env), name
