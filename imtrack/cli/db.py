"""`imtrack db`: copy a ledger between engines, check one, migrate a PostgreSQL one."""

from __future__ import annotations

from typing import Annotated

import typer

from imtrack.cli.common import (
    FormatOption,
    ImtrackGroup,
    OutputFormat,
    _json,
    _location,
    _say,
    app,
)
from imtrack.errors import ImtrackError
from imtrack.i18n import _, ngettext
from imtrack.storage.base import Store

db_app = typer.Typer(
    name="db",
    cls=ImtrackGroup,  # its help laid out like the app's: whole summaries, in the interface language
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
        from imtrack.output.progress import track

        done = copy_ledger(source, target, force=force,
                           track=lambda measures: track(measures, _("Copying"), total=len(measures)))
        where = target.info()
    finally:
        source.close()
        target.close()
    _say(
        _("copied {measures} measures ({notes} notes, {changes} history entries, {commands} commands) "
          "to {location} ({engine}); next id {next_id}").format(
            measures=done.measures, notes=done.notes, changes=done.changes, commands=done.commands,
            location=where.location, engine=where.engine, next_id=done.next_id)
    )


@db_app.command("check")
def check(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Check the ledger's integrity (schema, ids, dates, history) without changing anything."""
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
            _say(problem)
    if problems:
        raise ImtrackError(
            ngettext("{n} problem found in {where}; nothing was changed",
                     "{n} problems found in {where}; nothing was changed", len(problems)).format(n=len(problems), where=where)
        )
    if fmt is not OutputFormat.json:
        _say(_("ok: {where}, no problems found").format(where=where))


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
        _say(_("{where}: applied {names}").format(where=where, names=", ".join(applied)))
    else:
        _say(_("{where}: schema up to date, nothing to do").format(where=where))
