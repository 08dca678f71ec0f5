"""The `imtrack` application: every command module registered on the one Typer app, and
main(), which runs it with the error funnel and exits."""

import copy
import gc
import os
import sys

import typer

import imtrack
from imtrack.cli import measures as _measures  # noqa: F401  (registers its commands)
from imtrack.cli.common import app

__all__ = ["app", "main"]


# The commands this module defines (the others are in COMMAND_MODULES).
_OWN_COMMANDS = frozenset({"list", "show", "note", "set-sector", "reclassify", "sectors", "path"})


def _invoked_app(argv: list[str]) -> typer.Typer:
    """The app with only the command that argv names. Typer builds a click command for every
    registered command on each run (signatures, annotations: ~3 ms each here, the largest cost
    after `import typer`; bench/RESULTS.md). Help, completion, options before the command other
    than --db, and unknown names all get the full app, so their output is unchanged."""
    if any(key.endswith("_COMPLETE") for key in os.environ):
        register_all()
        return app
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif not arg.startswith("--db="):
            break
    else:
        register_all()
        return app
    if arg.startswith("-"):
        register_all()
        return app
    from typer.main import get_command_name

    if arg not in _OWN_COMMANDS:
        _register(arg)

    keep = [c for c in app.registered_commands
            if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == arg]
    if len(keep) != 1:
        register_all()
        return app
    pruned = copy.copy(app)
    pruned.registered_commands = keep
    return pruned


def main() -> None:
    # Chinese output must not depend on the locale (a cp1252 or C locale stdout would raise).
    # backslashreplace: a file name with undecodable bytes (arguments.py) that some message
    # prints unescaped shows as \udcb0 rather than ending the command in a traceback.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")
    # One short process: a large ledger is hundreds of thousands of containers, none of them in
    # reference cycles, which the cyclic collector would scan again and again (bench/RESULTS.md).
    gc.disable()
    try:
        _invoked_app(sys.argv[1:])(prog_name="imtrack")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    # Freeing every object of a large ledger one by one at exit costs a good part of a second
    # at 100k measures; the database is already written and closed, so flush the output and go.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stderr closed by the funnel
            pass
    os._exit(code or 0)


# Commands defined in other modules register themselves on `app` when imported. Importing this
# module gives the whole app; the `imtrack` script (imtrack.__main__.main) sets
# imtrack.commands_on_demand first, and then _invoked_app imports only the module of the command
# it runs (about 2.5 ms for these three, start-up, issue 6).
COMMAND_MODULES: dict[str, str] = {
    "export": "cli.exchange",
    "import": "cli.imports",
    "sources": "cli.imports",
    "set-status": "cli.ledger",
    "update": "cli.ledger",
    "undo": "cli.ledger",
    "log": "cli.ledger",
    "report": "cli.ledger",
    "db": "cli.db",
}


def register_all() -> None:
    """Import every module of COMMAND_MODULES (each registers its commands on `app`)."""
    # __import__ rather than importlib.import_module: -X importtime reports only the former
    for module in sorted(set(COMMAND_MODULES.values())):
        __import__(f"imtrack.{module}")


def _register(name: str) -> None:
    module = COMMAND_MODULES.get(name)
    if module is None:
        register_all()  # an unknown name: the full app says so, with the full command list
    else:
        __import__(f"imtrack.{module}")


if not imtrack.commands_on_demand:
    register_all()
