"""Docs cannot drift: every command is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from imtrack.cli.app import app

README = Path(__file__).resolve().parent.parent / "README.md"


def _undocumented() -> list[str]:
    text = README.read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands
    return [name for name in sorted(commands) if not re.search(rf"\bimtrack {re.escape(name)}\b", text)]


def test_every_command_appears_in_the_readme():
    assert _undocumented() == []


def test_the_readme_check_sees_the_commands():
    # guards the test above against passing vacuously (e.g. no commands found at all)
    assert len(typer.main.get_command(app).commands) >= 9
    assert "report" not in _undocumented()  # the quick start runs `imtrack report`
