"""The README's table of result codes, rendered from worker/errors.py.

`python -m tests.unit.worker.result_codes_doc --write` replaces the table between its
markers in README.md; test_result_codes.py fails when the README's copy differs, so a
code a task can answer is documented, with its meaning, before it ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

from worker.errors import Code

README = Path(__file__).parents[3] / "README.md"
START, END = "<!-- result-codes:start -->", "<!-- result-codes:end -->"


def render() -> str:
    rows = ["| code | meaning | retry helps |", "|---|---|---|"]
    for code in Code:
        meaning = code.meaning.replace("|", "\\|")
        rows.append(f"| `{code.value}` | {meaning} | {'yes' if code.retry_helps else 'no'} |")
    return "\n".join([START, *rows, END])


def current() -> str:
    text = README.read_text()
    return text[text.index(START) : text.index(END) + len(END)]


def write() -> None:
    text = README.read_text()
    README.write_text(text.replace(current(), render()))


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(render())
