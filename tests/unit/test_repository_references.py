"""Nothing in the repository points at documents a user of the repository does not have.

The design notes the project was specified from never shipped with it, so a comment, doc
or README line that cites them by file name sends a reader nowhere. Design reasons live
in docs/architecture.md; Snap's behaviour is cited by its public pages (the Sources table
there resolves the "seed 00N" and "Snap docs: <page>" citations). This test reads every
tracked file and fails on any mention of those outside files.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Built from pieces so that this file does not match itself.
_OUTSIDE_DOCS = ("DESIGN", "RELIABILITY", "STYLE", "snap-api")
OUTSIDE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(name) for name in _OUTSIDE_DOCS) + r")\.md\b"
    r"|\.\./" + "shared" + r"\b",
    re.IGNORECASE,
)
SKIPPED_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def tracked_files() -> list[Path]:
    """The files git tracks; without git (an unpacked archive), every file under the root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [
            path
            for path in ROOT.rglob("*")
            if path.is_file()
            and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
            and not any(part.endswith(".egg-info") for part in path.parts)
        ]


def mentions(path: Path) -> list[str]:
    """`path:line: text` for every line of a text file that cites an outside document."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return []  # binary, or deleted in the working tree but still tracked
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]


CITED = ("see DESIGN", "(RELIABILITY", "STYLE", "snap-api")


def test_the_pattern_catches_each_outside_document() -> None:
    for cited in [*(f"{name}.md, rule 5" for name in CITED), ".." + "/shared/seeds/"]:
        assert OUTSIDE.search(cited), cited
    for fine in ("docs/architecture.md", "README.md", "shared_properties", "seed 003"):
        assert not OUTSIDE.search(fine), fine


def test_no_tracked_file_cites_a_document_outside_the_repository() -> None:
    files = tracked_files()
    assert any(path.name == "README.md" for path in files), "found no files to check"
    found = [hit for path in files for hit in mentions(path)]
    assert not found, (
        "these lines cite files a user of the repository does not have; cite a section of "
        "docs/architecture.md or Snap's public page instead:\n" + "\n".join(found)
    )
