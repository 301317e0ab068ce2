"""Every `snapfleet ...` line in the README's and the operator guide's code blocks names a
command that exists, with options that command takes: the walkthrough cannot drift from
the CLI unnoticed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from worker.cli.main import app

ROOT = Path(__file__).parents[3]
DOCS = (ROOT / "README.md", ROOT / "docs" / "operations.md")
# Celery's own options pass through these unchanged.
PASS_THROUGH = {"worker", "beat", "flower"}


def _invocations() -> list[tuple[str, list[str]]]:
    found = []
    for doc in DOCS:
        for block in re.findall(r"```(?:sh)?\n(.*?)```", doc.read_text(), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split(" #", 1)[0]
                for part in re.split(r"&&|;|\|", line):
                    words = part.split()
                    if "snapfleet" not in [w.rsplit("/", 1)[-1] for w in words]:
                        continue
                    start = [w.rsplit("/", 1)[-1] for w in words].index("snapfleet") + 1
                    try:
                        args = shlex.split(" ".join(words[start:]))
                    except ValueError:
                        args = words[start:]
                    if args and not args[0].startswith(("-", "[", "'")):
                        found.append((doc.name, args))
    return found


def _path(args: list[str]) -> tuple[list[str], list[str]]:
    group = typer.main.get_command(app)
    path: list[str] = []
    for word in args:
        commands = getattr(group, "commands", {})
        if word not in commands:
            break
        path.append(word)
        group = commands[word]
    return path, [a.split("=", 1)[0] for a in args[len(path) :] if a.startswith("--")]


INVOCATIONS = _invocations()


def test_the_docs_show_the_fleet_commands() -> None:
    shown = {" ".join(_path(args)[0]) for _, args in INVOCATIONS}
    assert {"status", "send", "journal", "health worker", "health beat", "connect"} <= shown


@pytest.mark.parametrize(("doc", "args"), INVOCATIONS, ids=lambda v: " ".join(v)[:60])
def test_a_documented_command_exists_with_its_options(doc: str, args: list[str]) -> None:
    path, options = _path(args)
    assert path, f"{doc}: `snapfleet {' '.join(args)}` is not a command"
    shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    if path[0] in PASS_THROUGH:
        return
    for option in options:
        assert option in shown.output, f"{doc}: `snapfleet {' '.join(path)}` has no {option}"
