"""`imtrack import` and `imtrack sources`: bring policy documents in, see where measures came from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from imtrack.cli.common import (
    FormatOption,
    OutputFormat,
    _complete_sector,
    _json,
    _location,
    _only_table_or_json,
    _print,
    _store,
    app,
)

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


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A text file (a policy document or task-division ledger), a .json backup from "
            "`imtrack export`, or a returned .csv/.xlsx ledger sheet.",
            show_default=False,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option("--source", help="The document's name to record on each measure. Default: the file name."),
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            "--sector",
            "-s",
            help="Put every new measure in this sector instead of applying the keyword rules.",
            autocompletion=_complete_sector,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="The file's encoding (e.g. utf-8, gb18030). Default: detected."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be added and skipped; change nothing.")
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option("--skip-bad-rows", help="Ledger sheets: apply the good rows and list the bad ones."),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import a document's measures, a JSON backup, or a returned ledger sheet (.csv/.xlsx)."""
    if file.suffix.lower() in EXCHANGE_SUFFIXES:
        from imtrack.cli.exchange import import_exchange

        import_exchange(ctx, file, dry_run=dry_run, skip_bad_rows=skip_bad_rows, fmt=fmt)
        return
    from imtrack.core.tracker import rules_path_for
    from imtrack.ingest.importer import import_file
    from imtrack.vocab.sectors import load_rules

    rules = load_rules(rules_path_for(_location(ctx).path))
    result = import_file(
        _store(ctx), file, rules=rules, source=source, sector=sector, encoding=encoding, dry_run=dry_run
    )
    if fmt is OutputFormat.json:
        _json(result.to_dict())
        return
    if dry_run:
        from imtrack.output.render import import_table

        _print(import_table(result.added, [(u.measure, u.filled) for u in result.updated], result.skipped))
    verb = "Would import" if dry_run else "Imported"
    typer.echo(
        f"{verb} {file} ({result.encoding}) as source {result.source!r}: {len(result.parsed)} measures found"
    )
    added = [m.id for m in result.added]
    typer.echo(f"  added:                 {len(added)}" + (f" (ids {_ids(added)})" if added else ""))
    updated = [u.measure.id for u in result.updated]
    typer.echo(
        f"  updated:               {len(updated)}"
        + (f" (lead/partners/section filled in: ids {_ids(updated)})" if updated else "")
    )
    typer.echo(f"  skipped as duplicates: {len(result.skipped)}")
    unmatched = result.unmatched
    typer.echo(f"  no sector match:       {len(unmatched)}" + (" (put in 其他 other):" if unmatched else ""))
    for m in unmatched:
        typer.echo(f"    {m.id}: {m.text}")
    if unmatched and not dry_run:
        typer.echo("  Fix with `imtrack set-sector ID SECTOR`, or add keywords to the sector rules "
                   "(`imtrack path`) and run `imtrack reclassify`.")
    if dry_run:
        typer.echo("Dry run: nothing was changed.")


@app.command()
def sources(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The source documents of the measures, with how many measures (and done) each has."""
    _only_table_or_json(fmt)
    from imtrack.ingest.importer import sources_summary

    rows = sources_summary(_store(ctx).find())
    if fmt is OutputFormat.json:
        _json([r.to_dict() for r in rows])
    else:
        from imtrack.output.render import sources_table

        _print(sources_table([(r.source, r.count, r.done) for r in rows]))
