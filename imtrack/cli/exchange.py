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
    _say,
    _store,
    app,
    measure_filter,
)
from imtrack.i18n import _, ngettext

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
        raise InvalidValue(_("--output is empty; give a file name, or - for stdout"))
    output = Path(output_text) if output_text not in (None, "-") else None
    # - is stdout, the usual convention; a file named "-" is still ./-
    piped_xlsx = output_text == "-" and fmt is ExportFormat.xlsx and not sys.stdout.isatty()
    if fmt is ExportFormat.xlsx and output is None and not piped_xlsx:
        raise InvalidValue(
            _("xlsx is a binary workbook and is not written to the terminal; add --output ledger.xlsx "
              "(or --output - with stdout sent to a file or pipe)")
        )

    from imtrack.exchange import sheets as exchange

    flt = measure_filter(
        sector, status, grep, source, lead, region, tag, commitment,
        overdue, due_soon, stale, due_before, due_after, due_soon_days, stale_days,
    )
    store = _store(ctx)
    measures = store.find(flt)
    count = len(measures)
    hdr = headers.value
    if piped_xlsx:
        sys.stdout.flush()
        sys.stdout.buffer.write(exchange.xlsx_bytes(measures, headers=hdr))
        sys.stdout.buffer.flush()
        return
    if fmt in (ExportFormat.xlsx, ExportFormat.csv):  # a bar on a terminal while the rows are written
        from imtrack.output.progress import track

        measures = track(measures, _("Exporting"), total=count)  # type: ignore[assignment]
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

        _say(ngettext("exported {n} measure to {output} ({format})", "exported {n} measures to {output} ({format})",
                      count).format(n=count, output=shown(output_text or str(output)), format=fmt.value))


def import_exchange(
    ctx: typer.Context, file: Path, dry_run: bool, skip_bad_rows: bool, fmt: OutputFormat, prefer: str | None = None
) -> None:
    """`imtrack import` of a .json backup or a returned .csv/.xlsx ledger sheet."""
    from imtrack.exchange.sheets import import_exchange_file

    summary = import_exchange_file(
        _store(ctx), file, dry_run=dry_run, skip_bad_rows=skip_bad_rows, prefer=prefer
    )
    for warning in getattr(summary, "warnings", []):
        from imtrack.output.display import visible

        sys.stderr.write(_("imtrack: warning: {warning}").format(warning=visible(warning, keep_newlines=False)) + "\n")
    if fmt is OutputFormat.json:
        _json(summary.to_dict())
        return
    for line in summary_lines(summary):
        _say(line)


def summary_lines(summary: Any) -> list[str]:
    from imtrack.exchange.sheets import BackupSummary
    from imtrack.output.display import display_value

    lines: list[str] = []
    if isinstance(summary, BackupSummary):
        counts = {"path": summary.path, "added": len(summary.added), "replaced": len(summary.replaced),
                  "same": len(summary.unchanged)}
        if summary.dry_run:
            lines.append(ngettext("{path}: {added} measure would be added, {replaced} would be replaced, "
                                  "{same} already identical",
                                  "{path}: {added} measures would be added, {replaced} would be replaced, "
                                  "{same} already identical", counts["added"]).format(**counts))
        else:
            lines.append(ngettext("{path}: {added} measure added, {replaced} replaced, {same} already identical",
                                  "{path}: {added} measures added, {replaced} replaced, {same} already identical",
                                  counts["added"]).format(**counts))
        for label, ids in ((_("added"), summary.added), (_("replaced"), summary.replaced)):
            if ids:
                lines.append(f"  {label}: {_ids(ids)}")
    else:
        shown = display_value
        events = [(c.row, 0, f"{c.field} {shown(c.field, c.old)} -> {shown(c.field, c.new)}", c.id) for c in summary.changes]
        events += [(row, 1, _("note {text}").format(text=text), mid) for row, mid, text in summary.notes]
        for k in summary.kept:
            what = _("{field} kept as imtrack has it, {value} (changed there since the export; the sheet "
                     "still has {sent})").format(field=k.field, value=shown(k.field, k.value), sent=shown(k.field, k.sent))
            events.append((k.row, 2, what, k.id))
        outcome = {
            "sheet": _("the sheet's value applied (--prefer sheet)"),
            "ledger": _("imtrack's value kept (--prefer ledger)"),
            None: _("not applied: choose with --prefer sheet|ledger"),
        }
        for c in summary.conflicts:
            sent = shown(c.field, c.base) if c.base_known else "?"
            what = _("conflict {field}: sent {sent}, imtrack {ledger}, sheet {sheet}: {outcome}").format(
                field=c.field, sent=sent, ledger=shown(c.field, c.ledger), sheet=shown(c.field, c.sheet),
                outcome=outcome[c.chosen])
            events.append((c.row, 3, what, c.id))
        for row, _order, what, mid in sorted(events, key=lambda e: e[:2]):
            lines.append(_("row {row}: {id}: {what}").format(row=row, id=mid, what=what))
        for bad in summary.bad_rows:
            lines.append(_("skipped {row}").format(row=bad))
        parts = {
            "path": summary.path,
            "measures": ngettext("{n} measure", "{n} measures", len(summary.measures_changed)).format(
                n=len(summary.measures_changed)),
            "changes": ngettext("{n} field change", "{n} field changes", len(summary.changes)).format(
                n=len(summary.changes)),
            "notes": ngettext("{n} note", "{n} notes", len(summary.notes)).format(n=len(summary.notes)),
            "same": ngettext("{n} row", "{n} rows", summary.unchanged_rows).format(n=summary.unchanged_rows),
            "bad": ngettext("{n} bad row", "{n} bad rows", len(summary.bad_rows)).format(n=len(summary.bad_rows)),
            "merged": "",
        }
        if summary.kept or summary.conflicts:
            parts["merged"] = _(", {kept} kept as imtrack has it, {conflicts}").format(
                kept=ngettext("{n} cell", "{n} cells", len(summary.kept)).format(n=len(summary.kept)),
                conflicts=ngettext("{n} conflict", "{n} conflicts", len(summary.conflicts)).format(
                    n=len(summary.conflicts)))
            if summary.open_conflicts:
                left = (_(" ({n} would be left unapplied)") if summary.dry_run else _(" ({n} left unapplied)"))
                parts["merged"] += left.format(n=len(summary.open_conflicts))
        if summary.dry_run:
            lines.append(_("{path}: {measures} would be updated ({changes}, {notes}), {same} unchanged{merged}, "
                           "{bad} skipped").format(**parts))
        else:
            lines.append(_("{path}: {measures} updated ({changes}, {notes}), {same} unchanged{merged}, "
                           "{bad} skipped").format(**parts))
    if summary.dry_run:
        lines.append(_("dry run: nothing was written"))
    return lines


def _ids(ids: list[int]) -> str:
    shown = ", ".join(map(str, ids[:30]))
    return shown + (f" and {len(ids) - 30} more" if len(ids) > 30 else "")

