"""Every command's --help fits an 80-column terminal without cutting an option's name."""

from __future__ import annotations

import click
import pytest
import typer
from typer.testing import CliRunner

from worker.cli.main import app


def _commands(group: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if hasattr(group, "commands"):  # typer groups are not click.Group subclasses
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            found += _commands(command, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "snapfleet")
def test_help_fits_80_columns(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.output, result.output
