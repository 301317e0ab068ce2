"""The processes of a soak, each started, killed and restarted by the driver.

Everything lives under one temporary folder (`Services.root`): the Redis AOF, the
PostgreSQL cluster, every process's log. Nothing touches the machine's shared Redis,
PostgreSQL or RabbitMQ except a vhost of its own on RabbitMQ (deleted afterwards).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Any, what: str, timeout_s: float = 60.0, every_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(every_s)
    raise RuntimeError(f"soak: gave up waiting for {what} after {timeout_s:g}s")


@dataclass
class Proc:
    """One child process in a session of its own, its output appended to `log`."""

    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Proc:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole session (a node and its pool children)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def stop(self, timeout_s: float = 20.0) -> None:
        if not self.alive():
            return
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGCONT)
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.pid)], capture_output=True, text=True
        )
        return [int(p) for p in out.stdout.split()]


class RedisServer:
    """A redis-server of the soak's own: AOF on, fsync on every write (a SIGKILL loses no
    acknowledged message), noeviction."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.dir = root / "redis"
        self.dir.mkdir()
        argv = [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port),
            "--bind", "127.0.0.1", "--dir", str(self.dir), "--appendonly", "yes",
            "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        self.proc = Proc("redis", argv, root / "redis.log")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.proc.start()
        wait_until(lambda: redis.Redis(port=self.port).ping(), "redis-server")

    def kill9(self) -> None:
        self.proc.kill()


class Postgres:
    """A PostgreSQL cluster of the soak's own (initdb + pg_ctl, trust auth, a spare port).

    PostgreSQL refuses to run as root; as root (CI containers) the cluster belongs to
    the `postgres` user and every command runs as that user."""

    def __init__(self, root: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = Path(found[-1]).parent if found else Path(shutil.which("pg_ctl") or "").parent
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="snapfleet-soak-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.home / "pgdata"
        self.log = self.home / "postgres.log"
        self.socket_dir = self.home
        self.root_log = root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/soak"

    def init(self) -> None:
        initdb = [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth", "trust"]
        subprocess.run([*self.as_user, *initdb, "--no-sync"], check=True, capture_output=True)
        self.start()
        createdb = [self.bin / "createdb", "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*self.as_user, *createdb, "-U", "postgres", "soak"], check=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [*self.as_user, self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
             "-w", "start"],
            check=True, capture_output=True,
        )  # fmt: skip

    def stop_immediate(self) -> None:
        subprocess.run(
            [*self.as_user, self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w",
             "stop"],
            check=False, capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        with contextlib.suppress(OSError):
            shutil.copy(self.log, self.root_log)
        shutil.rmtree(self.home, ignore_errors=True)


class RabbitVhost:
    """A vhost of the soak's own on the machine's RabbitMQ (guest/guest), so its queues
    never meet anyone else's."""

    def __init__(self, name: str, host: str = "127.0.0.1", port: int = 5672) -> None:
        self.name = name
        self.url = f"amqp://guest:guest@{host}:{port}/{name}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self._ctl("add_vhost", self.name)
        self._ctl("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")

    def delete(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("delete_vhost", self.name)


class SandboxServer:
    """`snapfleet sandbox` over TCP: Idempotency-Key ignored (as Snap), Snap's documented
    per-app and per-token limits on (its defaults), the fleet seed (12 ad accounts)."""

    def __init__(self, root: Path, client_id: str, client_secret: str, token_lifetime_s: int):
        self.port = free_port()
        env = {**os.environ, "SNAPFLEET_SANDBOX_CLIENT_SECRET": client_secret}
        argv = [
            str(BIN / "snapfleet"), "sandbox", "--port", str(self.port),
            "--ignore-idempotency-key", "--client-id", client_id, "--seed", "fleet",
            "--token-lifetime-s", str(token_lifetime_s),
        ]  # fmt: skip
        self.proc = Proc("sandbox", argv, root / "sandbox.log", env)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc.start()
        wait_until(lambda: self.get("/_sandbox/ids"), "the sandbox server")

    def get(self, path: str) -> Any:
        answer = httpx.get(f"{self.base}{path}", timeout=30)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = httpx.post(f"{self.base}{path}", json=body or {}, timeout=30)
        answer.raise_for_status()
        return answer.json()
