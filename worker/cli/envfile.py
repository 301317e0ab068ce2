"""The `.env` template of a docker-compose fleet: every setting, each with its comment.

`snapfleet settings --env-example > .env.example` writes it; the operator copies it to
`.env` beside docker-compose.yml, which hands the whole file to every fleet container
(`env_file`), so each setting reaches the workers and beat. Compose's own secrets come
first (the PostgreSQL and Redis passwords it builds DATABASE_URL and REDIS_URL from,
Flower's login), then each field of `worker.settings.Settings` in its order: the ones an
operator must decide are set, the others are commented out with their default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from worker.settings import Settings

# Compose-level variables: (name, value in the template, comment).
COMPOSE_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("POSTGRES_PASSWORD", "change-me",
     "PostgreSQL password of the `snapfleet` role; DATABASE_URL is built from it"),
    ("REDIS_PASSWORD", "change-me",
     "Redis password (requirepass); REDIS_URL is built from it"),
    ("FLOWER_BASIC_AUTH", "admin:change-me",
     "Flower's login, user:password[,user:password]; Flower refuses to start without it"),
    ("GRAFANA_ADMIN_PASSWORD", "change-me",
     "Grafana's admin password (`docker compose --profile monitoring up`)"),
    ("SNAPFLEET_IMAGE", "snapfleet:latest", "the image every fleet service runs"),
)  # fmt: skip

# Settings docker-compose.yml sets itself (from the variables above and service names).
SET_BY_COMPOSE = frozenset({"REDIS_URL", "DATABASE_URL", "SNAPFLEET_METRICS_PORT"})

# Settings the template sets: an operator decides these for every fleet.
DECIDED: dict[str, str] = {
    "SNAPCHAT_ADS_CLIENT_ID": "",
    "SNAPCHAT_ADS_CLIENT_SECRET": "",
    "SNAPCHAT_ADS_LIVE_MODE": "false",
    "SNAPFLEET_ENCRYPTION_KEY": "",
    "SNAPFLEET_LOG_FORMAT": "json",
    "SNAPFLEET_MEDIA_ROOTS": "/var/lib/snapfleet/media",
}


def env_names() -> list[str]:
    """The environment variable of every setting, in the model's order."""
    return [name.upper() for name in Settings.model_fields]


def env_example() -> str:
    """The template's text."""
    lines = [
        "# The environment of a docker-compose fleet. Copy to .env (never commit .env) and",
        "# fill in. Written by `snapfleet settings --env-example`; every setting is listed.",
        "# A commented line shows the default, which applies while it stays commented.",
        "",
        "## docker-compose",
    ]
    for name, value, comment in COMPOSE_VARIABLES:
        lines += [f"# {comment}", f"{name}={value}"]
    lines += ["", "## the fleet (worker.settings)"]
    for field_name, field in Settings.model_fields.items():
        name = field_name.upper()
        lines.append(f"# {field.description or name}")
        if name in SET_BY_COMPOSE:
            lines.append(f"# {name}= (set by docker-compose.yml)")
        elif name in DECIDED:
            lines.append(f"{name}={DECIDED[name]}")
        else:
            lines.append(f"# {name}={_shown(field.default)}")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Path):
        return str(value)
    return str(value)
