"""Fail fast, in one line: what the CLI checks before it starts work, and how it says no.

A missing encryption key, an unreachable database or Redis, a schema behind the code are
the operator's to fix, not Snap's and not a bug: the command stops at once with one line
naming the setting or the service (its URL with the password masked) and a non-zero exit,
instead of retrying for minutes as if Snap had failed and printing tracebacks. `--debug`
(`snapfleet --debug ...`) shows the traceback for developers.

    preflight(settings, ...)   checks the services a command needs, raises Unusable
    explain(exc, settings)     one line for an infrastructure error that escaped a command
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from worker.settings import Settings

__all__ = ["Unusable", "explain", "masked", "preflight", "require_encryption_key"]

CONNECT_TIMEOUT_S = 5


class Unusable(Exception):
    """A setting or a service the command needs is missing or unreachable; `str()` says which.

    `code` is the exit code: 2 for configuration, 1 for a service that did not answer.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def masked(url: str) -> str:
    """A URL with its password shown as ***: DATABASE_URL, REDIS_URL, a broker URL."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def require_encryption_key(settings: Settings) -> None:
    """Commands that store or use Snap tokens need the key before they touch anything."""
    if not settings.encryption_keys:
        raise Unusable(
            "invalid configuration: SNAPFLEET_ENCRYPTION_KEY is not set; refresh tokens are "
            "stored encrypted with it (make one with `snapfleet keygen`, and give every "
            "worker the same)",
            code=2,
        )


def preflight(settings: Settings, *, database: bool = True, redis: bool = True) -> None:
    """Raise Unusable unless the database (at the code's schema) and Redis answer."""
    if database:
        check_database(settings.database)
    if redis and settings.redis_url is not None:
        check_redis(settings.redis_url)


def check_database(url: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from storage import migrate

    try:
        revision = migrate.current(url, connect_timeout_s=CONNECT_TIMEOUT_S)
    except SQLAlchemyError as exc:
        raise Unusable(f"database {_shown_database(url)} unreachable: {_first_line(exc)}") from None
    head = migrate.head()
    if revision != head:
        state = "has no schema" if revision is None else f"is at revision {revision}"
        raise Unusable(
            f"database {_shown_database(url)} {state}, this code needs {head}: "
            "run `snapfleet db upgrade`"
        )


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=CONNECT_TIMEOUT_S, socket_connect_timeout=CONNECT_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise Unusable(f"Redis {masked(url)} unreachable: {_first_line(exc)}") from None
    finally:
        client.close()


def explain(exc: BaseException, settings: Settings | None) -> str | None:
    """One line for an infrastructure error a command did not expect; None for a bug."""
    if isinstance(exc, Unusable):
        return str(exc)
    database = _shown_database(settings.database) if settings else "(DATABASE_URL)"
    redis_url = masked(settings.redis_url) if settings and settings.redis_url else "(REDIS_URL)"
    try:
        from sqlalchemy.exc import OperationalError, ProgrammingError
    except ImportError:  # pragma: no cover (a dependency)
        return None
    if isinstance(exc, OperationalError):
        return f"database {database} unreachable: {_first_line(exc)}"
    if isinstance(exc, ProgrammingError) and "does not exist" in str(exc.orig):
        return f"database {database} lacks the fleet's schema: run `snapfleet db upgrade`"
    import redis
    from kombu.exceptions import OperationalError as BrokerError

    if isinstance(exc, redis.ConnectionError | redis.TimeoutError | redis.AuthenticationError):
        return f"Redis {redis_url} unreachable: {_first_line(exc)}"
    if isinstance(exc, BrokerError):
        return f"the broker of {redis_url} is unreachable: {_first_line(exc)}"
    return None


def _shown_database(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _first_line(exc: Any) -> str:
    """The driver's own message, first line only (SQLAlchemy appends links and SQL)."""
    origin = getattr(exc, "orig", None) or exc
    text = str(origin).strip().splitlines()
    return text[0] if text else type(exc).__name__
