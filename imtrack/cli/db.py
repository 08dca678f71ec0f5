"""`imtrack db`: copy a ledger between engines, check one, migrate a PostgreSQL one."""

from __future__ import annotations

from typing import Annotated

import typer

from imtrack.cli.common import (
    FormatOption,
    OutputFormat,
    _json,
    _location,
    _only_table_or_json,
    app,
)
from imtrack.errors import ImtrackError
from imtrack.storage.base import Store

db_app = typer.Typer(
    name="db",
    help="Move a ledger between engines (TinyDB, SQLite, PostgreSQL), check it, migrate it.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

LEDGER_HELP = "a .json or .sqlite/.db path, sqlite:///PATH, or postgresql://USER@HOST/DBNAME"


def _open(name: str, origin: str, command: str) -> Store:
    from imtrack.config import locate
    from imtrack.storage.engines import open_store

    return open_store(locate(name, origin), command=command)


@db_app.command("copy")
def copy(
    src: Annotated[str, typer.Argument(help=f"The ledger to copy: {LEDGER_HELP}.", show_default=False)],
    dst: Annotated[str, typer.Argument(help=f"Where to copy it (any engine): {LEDGER_HELP}.", show_default=False)],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the contents of a target that already holds a ledger.")
    ] = False,
) -> None:
    """Copy a whole ledger to another engine or place: measures, notes, history, authors, ids."""
    from imtrack.core.ledgerdb import copy_ledger

    source, target = _open(src, "SRC", "db copy"), _open(dst, "DST", "db copy")
    try:
        done = copy_ledger(source, target, force=force)
        where = target.info()
    finally:
        source.close()
        target.close()
    typer.echo(
        f"copied {done.measures} measures ({done.notes} notes, {done.changes} history entries, "
        f"{done.commands} commands) to {where.location} ({where.engine}); next id {done.next_id}"
    )


@db_app.command("check")
def check(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Check the ledger's integrity (schema, ids, dates, history) without changing anything."""
    _only_table_or_json(fmt)
    from imtrack.core.ledgerdb import check_ledger
    from imtrack.storage.engines import open_store

    location = _location(ctx)
    store = open_store(location, command="db check")
    try:
        problems = check_ledger(store)
    finally:
        store.close()
    where = f"{location.display} ({location.engine})"
    if fmt is OutputFormat.json:
        _json({"ledger": location.display, "engine": location.engine, "problems": problems})
    else:
        for problem in problems:
            typer.echo(problem)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ImtrackError(f"{len(problems)} {noun} found in {where}; nothing was changed")
    if fmt is not OutputFormat.json:
        typer.echo(f"ok: {where}, no problems found")


@db_app.command("migrate")
def migrate(ctx: typer.Context) -> None:
    """Bring a PostgreSQL ledger's schema up to this release (under an advisory lock)."""
    from imtrack.storage.engines import open_store

    store = open_store(_location(ctx), command="db migrate")
    try:
        applied = store.migrate()
        where = store.info().location
    finally:
        store.close()
    if applied:
        typer.echo(f"{where}: applied {', '.join(applied)}")
    else:
        typer.echo(f"{where}: schema up to date, nothing to do")
