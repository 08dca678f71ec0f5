"""The help texts of every command and option, for the catalog: a Babel extractor (babel.cfg
maps it to cli/app.py) and the list the translation test checks. Docstrings and `help=` are not
`_()` calls, so Babel's Python extractor cannot see them; ImtrackGroup translates them when typer
builds the commands (common._translate_help)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def help_texts() -> list[str]:
    """Every help text of the app (commands, their options and arguments, the global options,
    the sections and words click adds), as the catalog's message ids, in English."""
    import inspect

    import typer

    from imtrack.cli.app import app, register_all

    register_all()
    group = typer.main.get_command(app)  # in English: ImtrackGroup translates when it runs
    out: list[str] = []
    for command in [group, *group.commands.values()]:  # type: ignore[attr-defined]
        if command.help:
            out.append(inspect.cleandoc(command.help))
        out.extend(p.help for p in command.params if getattr(p, "help", None))
    return list(dict.fromkeys(out))


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel extraction method (babel.cfg, [extractors] help = imtrack.cli.helptext:extract)."""
    for text in help_texts():
        yield 0, None, text, ["help text (imtrack --help)"]
