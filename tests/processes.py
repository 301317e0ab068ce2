"""Helpers for tests that run real `snapfleet` processes (sandbox server, worker, beat).

Each process starts in its own session so that stopping it reaches its children too
(Celery's pool, uvicorn's workers).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
from cryptography.fernet import Fernet

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fleet_env(
    sandbox: str, redis_url: str, database_url: str, client_id: str, client_secret: str
) -> dict[str, str]:
    """The environment of a `snapfleet` process against the sandbox at `sandbox`: this
    process's own minus its SNAPCHAT_/SNAPFLEET_ settings, a new encryption key, and the
    sandbox's app with its per-app and per-token limits off."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SNAPCHAT_", "SNAPFLEET_"))},
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "SNAPFLEET_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "SNAPCHAT_ADS_CLIENT_ID": client_id,
        "SNAPCHAT_ADS_CLIENT_SECRET": client_secret,
        "SNAPCHAT_ADS_LIVE_MODE": "true",
        "SNAPCHAT_ADS_API_BASE_URL": f"{sandbox}/v1",
        "SNAPCHAT_ADS_OAUTH_URL": f"{sandbox}/login/oauth2",
        "SNAPCHAT_ADS_APP_RPS": "0",
        "SNAPCHAT_ADS_TOKEN_RPS": "0",
    }


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `snapfleet <args>` in a session of its own, its output (both streams) in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [BIN / "snapfleet", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def wait_until(
    predicate: Callable[[], Any], what: str, timeout_s: float = 120.0, poll_s: float = 0.2
) -> Any:
    """Readiness only (never a timing assertion): the predicate's first truthy value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"gave up waiting for {what}")


def kill(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the process's whole group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def stop(process: subprocess.Popen[Any], term_timeout_s: float = 40.0) -> None:
    """SIGTERM the process's group (a graceful stop), SIGKILL it if that takes too long."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=term_timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def sandbox_server(
    args: list[str],
    *,
    probe: str = "/_sandbox/requests",
    stdout: int | IO[bytes] = subprocess.DEVNULL,
    ready_timeout_s: float = 120.0,
    poll_s: float = 0.2,
    stopper: Callable[[subprocess.Popen[Any]], None] = stop,
) -> Iterator[str]:
    """Run `snapfleet sandbox --port <free port> <args>` and yield its base URL once
    `probe` answers 200; stop it with `stopper` on the way out."""
    port = free_port()
    stderr = subprocess.DEVNULL if stdout is subprocess.DEVNULL else subprocess.STDOUT
    process = subprocess.Popen(
        [BIN / "snapfleet", "sandbox", "--port", str(port), *args],
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}{probe}", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, "the sandbox server", ready_timeout_s, poll_s)
        yield base
    finally:
        stopper(process)


def wait_until_listening(process: subprocess.Popen[str], port: int) -> None:
    """Readiness only (not a timing assertion): poll the port until it accepts."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"snapfleet sandbox exited: {output}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("snapfleet sandbox did not start listening")


@contextmanager
def listening_sandbox(args: list[str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run `snapfleet sandbox --port <free port> <args>` (its output kept for the error
    if it exits early) and yield its base URL and process once the port accepts."""
    port = free_port()
    process = subprocess.Popen(
        [BIN / "snapfleet", "sandbox", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_listening(process, port)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=10)
