"""Structured task logs, and the filter that keeps secrets out of every log line.

One logger for the task base, `snapfleet.task`, messages prefixed `task: ` with %-style
args (redbeat style). Each outcome is one line of `key=value` pairs (task id, task name,
ad account, idempotency key, attempt, outcome, duration) and the same fields ride on
the record as `record.snapfleet` for a JSON formatter.

`RedactingFilter` rewrites a record before any handler sees it: bearer tokens,
`access_token` / `refresh_token` / `client_secret` / `code` values in query strings,
forms or JSON, and Fernet ciphertext become `[redacted]`. Logger filters only run for
records logged on that very logger, so `install_redaction()` puts the filter on the
fleet's own loggers and on every handler of the root logger (Celery's and the tests').

`SNAPFLEET_LOG_FORMAT=json` (fleets) writes one JSON object per line (python-json-logger):
`time`, `level`, `logger`, `message`, the task's id and name when a task is running, and
each `record.snapfleet` field at the top level; `text` (the default, for a terminal) keeps
Celery's format. `configure_logging()` applies the format and the redaction to every
handler of the root logger; worker and beat get it when Celery sets its logging up
(`after_setup_logger`), flower and the exporter from their commands.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger
from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"

logger = logging.getLogger("snapfleet.task")

# The fleet's loggers whose records get redacted at the source, whatever handler runs.
FLEET_LOGGERS = (
    "snapfleet",
    "snapfleet.task",
    "snapfleet.writes",
    "snapfleet.reconcile",
    "snapfleet.runtime",
    "snapfleet.worker",
    "snapfleet.metrics",
    "snapfleet.exporter",
    "celery.app.trace",
    "tornado.access",
    "tornado.application",
    "tornado.general",
)

_SECRET_NAMES = r"(?:access_token|refresh_token|client_secret|id_token|password|api_key)"  # noqa: S105
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer <token>
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    # JSON / repr: "refresh_token": "value"  or  'client_secret': 'value'
    (
        re.compile(r"""(?i)(["']""" + _SECRET_NAMES + r"""["']\s*:\s*)(["'])[^"']*\2"""),
        r"\1\2" + REDACTED + r"\2",
    ),
    # query string / form / key=value: refresh_token=value
    (re.compile(r"(?i)\b(" + _SECRET_NAMES + r")=([^&\s,;'\"]+)"), r"\1=" + REDACTED),
    # an OAuth authorization code in a query string or form (`code` alone is our result code)
    (re.compile(r"([?&]code=)[^&\s,;'\"]+"), r"\1" + REDACTED),
    # Fernet ciphertext (tokens at rest): gAAAAA...
    (re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"), REDACTED),
)


def redact_text(text: str) -> str:
    """`text` with every credential value replaced by `[redacted]`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Renders the record's message once, redacted, so args cannot smuggle a token out."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed %-format: keep it, redacted
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatted here, not by the handler, so the traceback is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install_redaction(*, extra_loggers: tuple[str, ...] = ()) -> RedactingFilter:
    """Put the redacting filter on the fleet's loggers and the root logger's handlers."""
    for name in (*FLEET_LOGGERS, *extra_loggers):
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER


class FleetJsonFormatter(JsonFormatter):
    """One JSON object per record; the `snapfleet` fields at the top level, redacted."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        fields = log_data.pop("snapfleet", None)
        if isinstance(fields, dict):
            log_data.update({k: v for k, v in fields.items() if v is not None})
        task = _current_task()
        if task is not None and task.request.id:
            log_data.setdefault("task_id", task.request.id)
            log_data.setdefault("task", task.name)
        for key, value in log_data.items():
            if isinstance(value, str):
                log_data[key] = redact_text(value)


def _current_task() -> Any:
    from celery import current_task

    return current_task if current_task else None


def log_format() -> str:
    """`json` or `text`, from SNAPFLEET_LOG_FORMAT (validated with the settings at start)."""
    return "json" if os.environ.get("SNAPFLEET_LOG_FORMAT", "").lower() == "json" else "text"


def apply_format(handler: logging.Handler, fmt: str | None = None) -> None:
    if (fmt or log_format()) == "json" and not isinstance(handler.formatter, FleetJsonFormatter):
        handler.setFormatter(FleetJsonFormatter())


def configure_logging(level: int = logging.INFO, fmt: str | None = None) -> None:
    """A process of our own (exporter, flower): stderr handler, the format, the redaction."""
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter("[%(asctime)s: %(levelname)s/%(name)s] %(message)s"))
        root.addHandler(stderr)
        root.setLevel(level)
    for handler in root.handlers:
        apply_format(handler, fmt)
    install_redaction()


def fields_text(fields: dict[str, Any]) -> str:
    """`key=value` pairs in the given order; None values left out."""
    return " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)


def log_outcome(
    *,
    task_id: str,
    task_name: str,
    ad_account_id: str | None,
    outcome: str,
    attempt: int,
    duration_ms: float,
    idempotency_key: str | None = None,
    code: str | None = None,
    tally: dict[str, Any] | None = None,
    level: int = logging.INFO,
) -> None:
    """One line per finished task attempt (succeeded, failed, retrying).

    `tally` adds what the attempt spent (`worker.metrics.AttemptTally.fields()`): the
    gate wait, the 429s Snap answered and the client's own retries.
    """
    fields = {
        "task_id": task_id,
        "task": task_name,
        "ad_account": ad_account_id,
        "key": idempotency_key,
        "attempt": attempt,
        "outcome": outcome,
        "code": code,
        **(tally or {}),
        "duration_ms": round(duration_ms, 1),
    }
    logger.log(level, "task: %s", fields_text(fields), extra={"snapfleet": fields})


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_celery_handlers(logger: logging.Logger | None = None, **_: Any) -> None:
    """Celery replaces the handlers at worker start: the filter and format on its new ones."""
    install_redaction()
    handlers = list(logging.getLogger().handlers)
    handlers += logger.handlers if logger is not None else []
    for handler in handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
        apply_format(handler)


install_redaction()
