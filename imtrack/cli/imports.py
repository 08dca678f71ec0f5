"""`imtrack import` and `imtrack sources`: bring policy documents in, see where measures came from."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from imtrack.cli.common import (
    FormatOption,
    OutputFormat,
    _complete_sector,
    _json,
    _location,
    _print,
    _say,
    _store,
    app,
)
from imtrack.i18n import _


class Prefer(str, Enum):
    """Which side wins a cell changed both in a returned ledger sheet and in the ledger."""

    sheet = "sheet"
    ledger = "ledger"


# Files in imtrack's exchange formats; anything else is read as the text of a document.
EXCHANGE_SUFFIXES = (".json", ".csv", ".xlsx", ".xls")


def _ids(ids: Iterable[int]) -> str:
    """1, 2, 3, 7 -> '1-3, 7'."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _task_workbook(file: Path) -> bool:
    """A .xlsx that is a task-division table rather than imtrack's ledger sheet coming back."""
    if file.suffix.lower() != ".xlsx" or not file.is_file():
        return False
    from imtrack.ingest.readers.sheet import is_ledger_workbook

    return not is_ledger_workbook(file)


def _reading(format: str, encoding: str | None) -> str:
    """How the file was read: its encoding for text (as before), else the format too."""
    if format == "text":
        return encoding or "text"
    return f"{format}, {encoding}" if encoding else format


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A policy document or task-division table (.txt, .html, .docx, .pdf, or a .xlsx "
            "task-division sheet), a .json backup from `imtrack export`, or a returned .csv/.xlsx "
            "ledger sheet.",
            show_default=False,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="NAME", help="The document's name to record on each measure. Default: the file name."),
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            "--sector",
            "-s",
            metavar="SECTOR",
            help="Put every new measure in this sector instead of applying the keyword rules.",
            autocompletion=_complete_sector,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="ENCODING",
            help="The encoding of a text file or web page (e.g. utf-8, gb18030). Default: detected.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="Print the reading (headings, measures, agencies, dues, what was "
            "skipped and why) and what would be added and skipped; change nothing."
        ),
    ] = False,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            help="Who issued the document (e.g. 国务院办公厅, 包头市人民政府), or national / region: "
            "the level its agency names are read at. Default: read from the document's signature "
            "and 文号, else region.",
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option("--update", help="Apply what a re-import reads differently (texts, agencies, dues) "
                     "in measures it finds again."),
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option("--skip-bad-rows", help="Ledger sheets: apply the good rows and list the bad ones."),
    ] = False,
    prefer: Annotated[
        Prefer | None,
        typer.Option(
            "--prefer",
            help="Ledger sheets: for a cell changed both in the sheet and in imtrack since the export, "
            "apply the sheet's value or keep the ledger's. Without it such conflicts stop the import.",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import a document's measures (text, HTML, Word, PDF, task-division sheet), a JSON backup, or a returned ledger sheet."""
    from imtrack.cli.arguments import shown, undecodable

    if source is None and undecodable(file.name) and file.suffix.lower() not in EXCHANGE_SUFFIXES and file.exists():
        from imtrack.errors import InvalidValue

        # The file name would become the source name, stored and printed as text.
        raise InvalidValue(
            _("the file name {name} is not text in this terminal's encoding, so it cannot "
              "be the source name; give one with --source NAME (e.g. --source '分工方案')").format(name=shown(file.name))
        )
    if file.suffix.lower() in EXCHANGE_SUFFIXES and not _task_workbook(file):
        from imtrack.cli.exchange import import_exchange

        import_exchange(ctx, file, dry_run=dry_run, skip_bad_rows=skip_bad_rows, prefer=prefer.value if prefer else None, fmt=fmt)
        return
    if prefer is not None:
        from imtrack.errors import InvalidValue

        raise InvalidValue(_("--prefer is for a returned ledger sheet (.csv/.xlsx); a document's measures are added, never merged"))
    from imtrack.core.tracker import rules_path_for
    from imtrack.ingest.importer import import_file
    from imtrack.output.progress import progress
    from imtrack.vocab.sectors import load_rules

    rules = load_rules(rules_path_for(_location(ctx).path))
    with progress(_("Reading {file}").format(file=file.name), total=None) if _slow_to_read(file) else nullcontext():
        result = import_file(
            _store(ctx), file, rules=rules, source=source, sector=sector, encoding=encoding, dry_run=dry_run,
            issuer=issuer, update=update,
        )
    for warning in result.warnings:
        sys.stderr.write(_("imtrack: warning: {warning}").format(warning=warning) + "\n")
    if fmt is OutputFormat.json:
        _json(result.to_dict())
        return
    if dry_run:
        from imtrack.output.render import import_table, reading_doc

        _print(reading_doc(result.reading))
        _print(import_table(result.added, [(u.measure, u.filled) for u in result.updated], result.skipped))
    found = (_("Would import {file} ({encoding}) as source {source!r}: {n} measures found") if dry_run
             else _("Imported {file} ({encoding}) as source {source!r}: {n} measures found"))
    _say(found.format(file=shown(str(file)), encoding=_reading(result.format, result.encoding),
                      source=result.source, n=len(result.parsed)))
    added = [m.id for m in result.added]
    _say(_("  added:                 {n} (ids {ids})").format(n=len(added), ids=_ids(added)) if added
         else _("  added:                 {n}").format(n=0))
    updated = [u.measure.id for u in result.updated]
    _say(_("  updated:               {n} (lead/partners/section filled in: ids {ids})").format(n=len(updated), ids=_ids(updated))
         if updated else _("  updated:               {n}").format(n=0))
    _say(_("  skipped as duplicates: {n}").format(n=len(result.skipped)))
    _revisions(result, dry_run)
    unmatched = result.unmatched
    _say(_("  no sector match:       {n} (put in 其他 other):").format(n=len(unmatched)) if unmatched
         else _("  no sector match:       {n}").format(n=0))
    for m in unmatched:
        _say(_("    {id}: {text}").format(id=m.id, text=m.text))
    if unmatched and not dry_run:
        _say(_("  Fix with `imtrack set-sector ID SECTOR`, or add keywords to the sector rules "
                   "(`imtrack path`) and run `imtrack reclassify`."))
    if dry_run:
        _say(_("Dry run: nothing was changed."))


def _slow_to_read(file: Path) -> bool:
    """Worth a (pulsing) bar on a terminal: a PDF, whose text layer takes about a second for a
    few pages, or any document large enough to take as long."""
    try:
        size = file.stat().st_size
    except OSError:
        return False  # the reader names the problem
    return file.suffix.lower() == ".pdf" or size >= 256 * 1024


def _revisions(result: object, dry_run: bool) -> None:
    from imtrack.output.display import display_value, field_name

    revised = result.revised  # type: ignore[attr-defined]
    applied = result.update and not dry_run  # type: ignore[attr-defined]
    ids = _ids(r.measure.id for r in revised)
    if applied:
        line = _("  revised:               {n} (ids {ids})") if revised else _("  revised:               {n}")
    else:
        line = _("  read differently:      {n} (ids {ids})") if revised else _("  read differently:      {n}")
    typer.echo(line.format(n=len(revised), ids=ids))
    for r in revised:
        for name, (old, new) in r.changes.items():
            typer.echo(_("    {id} {field}: {old} -> {new}").format(
                id=r.measure.id, field=field_name(name), old=display_value(name, old), new=display_value(name, new)))
    if revised and not applied:
        typer.echo(_("  Apply with `imtrack import --update` (recorded in the history; `imtrack undo` reverts it)."))


@app.command()
def sources(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The source documents of the measures, with how many measures (and done) each has."""
    from imtrack.ingest.importer import sources_summary

    rows = sources_summary(_store(ctx).find())
    if fmt is OutputFormat.json:
        _json([r.to_dict() for r in rows])
    else:
        from imtrack.output.render import sources_table

        _print(sources_table([(r.source, r.count, r.done) for r in rows]))
