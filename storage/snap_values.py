"""Reading Snap's JSON values into column values (times, micro amounts, lists)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def timestamp(value: Any) -> datetime | None:
    """An ISO-8601 string from Snap ("2022-06-25T00:00:00.000-07:00", "...Z") in UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def integer(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def string_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return list(value) if isinstance(value, list | tuple) else [value]
