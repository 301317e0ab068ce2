"""The configuration table of docs/operations.md, rendered from worker/settings.py.

`python -m tests.unit.worker.settings_doc --write` replaces the table between its markers
in docs/operations.md; test_settings_doc.py fails when the document's copy differs, so
every knob the fleet reads is documented with its real default.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from worker.settings import CROSS_FIELD_BOUNDS, Settings

DOC = Path(__file__).parents[3] / "docs" / "operations.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def _default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, bool):
        return str(value).lower()
    return f"`{value}`"


_SIGNS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def _bounds(name: str, field: FieldInfo) -> str:
    """Every bound the settings enforce on this variable: its own range, then the checks
    that tie it to others (`CROSS_FIELD_BOUNDS`, kept beside the validators)."""
    own = [
        f"{_SIGNS[attr]} {getattr(rule, attr)}"
        for rule in field.metadata
        for attr in _SIGNS
        if getattr(rule, attr, None) is not None
    ]
    cross = CROSS_FIELD_BOUNDS.get(name)
    return "; ".join([*own, *([cross] if cross else [])]).replace("|", "\\|")


def render() -> str:
    rows = ["| variable | default | bounds | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        meaning = (field.description or "").replace("|", "\\|")
        bounds = _bounds(name, field)
        rows.append(f"| `{name.upper()}` | {_default(field.default)} | {bounds} | {meaning} |")
    return "\n".join([START, *rows, END])


def current() -> str:
    text = DOC.read_text()
    return text[text.index(START) : text.index(END) + len(END)]


def write() -> None:
    text = DOC.read_text()
    DOC.write_text(text.replace(current(), render()))


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(render())
