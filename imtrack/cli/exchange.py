"""Exchange commands: `export` (JSON backup, CSV/XLSX ledger sheet, Markdown report) and
the way back for `import` (a backup or a returned ledger sheet), plus the csv/markdown/--fields output of
`list` and `show`. The work is in imtrack.exchange.sheets; this module parses and prints."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from imtrack.cli.common import (
    CommitmentFilter,
    DueAfterFilter,
    DueBeforeFilter,
    DueSoonDays,
    DueSoonFilter,
    GrepFilter,
    LeadFilter,
    OutputFormat,
    OverdueFilter,
    RegionFilter,
    SectorFilter,
    SourceFilter,
    StaleDays,
    StaleFilter,
    StatusFilter,
    TagFilter,
    _json,
    _print,
    _store,
    app,
    measure_filter,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from imtrack.domain.models import Measure


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    markdown = "markdown"


class Headers(str, Enum):
    zh = "zh"
    en = "en"


def print_fields(measures: Sequence[Measure], fields: str | None, fmt: OutputFormat, total: int) -> None:
    """`list` in csv or markdown, or with --fields in any format."""
    from imtrack.exchange import sheets as exchange

    chosen = exchange.parse_fields(fields)
    if fmt is OutputFormat.json:
        _json(exchange.field_records(measures, chosen))
    elif fmt is OutputFormat.csv:
        sys.stdout.write(exchange.csv_text(measures, chosen))
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(exchange.markdown_table(measures, chosen))
    else:
        from imtrack.output.render import fields_table

        head, rows = exchange.ledger_rows(measures, chosen)
        _print(fields_table(head, rows, total))


def print_detail(measure: Measure, fmt: OutputFormat) -> None:
    """`show` in csv (the measure's ledger row) or markdown (row, notes and history)."""
    from imtrack.exchange import sheets as exchange

    if fmt is OutputFormat.csv:
        sys.stdout.write(exchange.csv_text([measure]))
    else:
        sys.stdout.write(exchange.markdown_detail(measure))


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: full backup (import reads it); csv/xlsx: the ledger sheet; markdown: a report.",
        ),
    ] = ExportFormat.json,
    # A str, not a Path: pathlib reads ./- as -, and only a bare - means stdout.
    output_text: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE (required for xlsx on a terminal); - or none: stdout."
        ),
    ] = None,
    headers: Annotated[
        Headers, typer.Option("--headers", help="Column headers of csv/xlsx/markdown: zh (序号, 任务, ...) or en.")
    ] = Headers.zh,
    sector: SectorFilter = None,
    status: StatusFilter = None,
    grep: GrepFilter = None,
    source: SourceFilter = None,
    lead: LeadFilter = None,
    region: RegionFilter = None,
    tag: TagFilter = None,
    commitment: CommitmentFilter = None,
    overdue: OverdueFilter = False,
    due_soon: DueSoonFilter = False,
    stale: StaleFilter = False,
    due_before: DueBeforeFilter = None,
    due_after: DueAfterFilter = None,
    due_soon_days: DueSoonDays = 30,
    stale_days: StaleDays = 30,
) -> None:
    """Export measures for the office: a JSON backup, an Excel/CSV ledger sheet or a Markdown report."""
    from imtrack.errors import InvalidValue

    if output_text == "":
        raise InvalidValue("--output is empty; give a file name, or - for stdout")
    output = Path(output_text) if output_text not in (None, "-") else None
    # - is stdout, the usual convention; a file named "-" is still ./-
    piped_xlsx = output_text == "-" and fmt is ExportFormat.xlsx and not sys.stdout.isatty()
    if fmt is ExportFormat.xlsx and output is None and not piped_xlsx:
        raise InvalidValue(
            "xlsx is a binary workbook and is not written to the terminal; add --output ledger.xlsx "
            "(or --output - with stdout sent to a file or pipe)"
        )

    from imtrack.exchange import sheets as exchange

    flt = measure_filter(
        sector, status, grep, source, lead, region, tag, commitment,
        overdue, due_soon, stale, due_before, due_after, due_soon_days, stale_days,
    )
    store = _store(ctx)
    measures = store.find(flt)
    hdr = headers.value
    if piped_xlsx:
        sys.stdout.flush()
        sys.stdout.buffer.write(exchange.xlsx_bytes(measures, headers=hdr))
        sys.stdout.buffer.flush()
        return
    if fmt is ExportFormat.xlsx:
        assert output is not None
        exchange.write_xlsx(measures, output, headers=hdr)
    elif fmt is ExportFormat.csv:
        exchange.write_csv(measures, output if output is not None else sys.stdout, headers=hdr)
    else:
        if fmt is ExportFormat.json:
            text = exchange.backup_json(measures, store.next_id())
        else:
            text = exchange.markdown_document(measures, headers=hdr)
        if output is None:
            sys.stdout.write(text)
        else:
            exchange.write_file(output, text.encode("utf-8"))
    if output is not None:
        from imtrack.cli.arguments import shown

        typer.echo(f"exported {_n(len(measures), 'measure')} to {shown(output_text or str(output))} ({fmt.value})")


def import_exchange(
    ctx: typer.Context, file: Path, dry_run: bool, skip_bad_rows: bool, fmt: OutputFormat, prefer: str | None = None
) -> None:
    """`imtrack import` of a .json backup or a returned .csv/.xlsx ledger sheet."""
    from imtrack.exchange.sheets import import_exchange_file

    summary = import_exchange_file(
        _store(ctx), file, dry_run=dry_run, skip_bad_rows=skip_bad_rows, prefer=prefer
    )
    for warning in getattr(summary, "warnings", []):
        sys.stderr.write(f"imtrack: warning: {warning}\n")
    if fmt is OutputFormat.json:
        _json(summary.to_dict())
        return
    for line in summary_lines(summary):
        typer.echo(line)


def summary_lines(summary: Any) -> list[str]:
    from imtrack.exchange.sheets import BackupSummary
    from imtrack.output.display import display_value

    would = "would be " if summary.dry_run else ""
    lines: list[str] = []
    if isinstance(summary, BackupSummary):
        lines.append(
            f"{summary.path}: {_n(len(summary.added), 'measure')} {would}added, "
            f"{len(summary.replaced)} {would}replaced, {len(summary.unchanged)} already identical"
        )
        for label, ids in (("added", summary.added), ("replaced", summary.replaced)):
            if ids:
                lines.append(f"  {label}: {_ids(ids)}")
    else:
        shown = display_value
        events = [(c.row, 0, f"{c.field} {shown(c.field, c.old)} -> {shown(c.field, c.new)}", c.id) for c in summary.changes]
        events += [(row, 1, f"note {text}", mid) for row, mid, text in summary.notes]
        for k in summary.kept:
            what = (f"{k.field} kept as imtrack has it, {shown(k.field, k.value)} "
                    f"(changed there since the export; the sheet still has {shown(k.field, k.sent)})")
            events.append((k.row, 2, what, k.id))
        outcome = {
            "sheet": "the sheet's value applied (--prefer sheet)",
            "ledger": "imtrack's value kept (--prefer ledger)",
            None: "not applied: choose with --prefer sheet|ledger",
        }
        for c in summary.conflicts:
            sent = shown(c.field, c.base) if c.base_known else "?"
            what = (f"conflict {c.field}: sent {sent}, imtrack {shown(c.field, c.ledger)}, "
                    f"sheet {shown(c.field, c.sheet)}: {outcome[c.chosen]}")
            events.append((c.row, 3, what, c.id))
        for row, _, what, mid in sorted(events, key=lambda e: e[:2]):
            lines.append(f"row {row}: {mid}: {what}")
        for bad in summary.bad_rows:
            lines.append(f"skipped {bad}")
        merged = ""
        if summary.kept or summary.conflicts:
            merged = f", {_n(len(summary.kept), 'cell')} kept as imtrack has it, {_n(len(summary.conflicts), 'conflict')}"
            if summary.open_conflicts:
                merged += f" ({len(summary.open_conflicts)} {would}left unapplied)"
        lines.append(
            f"{summary.path}: {_n(len(summary.measures_changed), 'measure')} {would}updated "
            f"({_n(len(summary.changes), 'field change')}, {_n(len(summary.notes), 'note')}), "
            f"{_n(summary.unchanged_rows, 'row')} unchanged{merged}, {_n(len(summary.bad_rows), 'bad row')} skipped"
        )
    if summary.dry_run:
        lines.append("dry run: nothing was written")
    return lines


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _ids(ids: list[int]) -> str:
    shown = ", ".join(map(str, ids[:30]))
    return shown + (f" and {len(ids) - 30} more" if len(ids) > 30 else "")

