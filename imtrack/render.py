"""Tables for people. The only module that knows Rich.

User text (measure text, notes, sources) always goes into cells as `Text`, never as markup, so
"[/]" or "[bold red]x[/bold red]" is shown literally (pitfalls §2a). Chinese has no spaces for
Rich to wrap at, so the text column folds instead of being cut with an ellipsis (§2b)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from imtrack.models import Measure, Status
from imtrack.sectors import SECTORS
from imtrack.sectors import label as sector_label

if TYPE_CHECKING:  # annotations only: `list` should not pay for importing the report module
    from imtrack.report import ProgressReport, ProgressRow

STATUS_STYLE = {
    Status.NOT_STARTED.value: "dim",
    Status.IN_PROGRESS.value: "yellow",
    Status.DONE.value: "green",
    Status.BLOCKED.value: "bold red",
}
BAR_WIDTH = 10

# Rich's box-drawing "─" has East Asian ambiguous width: CJK-locale terminals draw it two cells
# wide and every rule wraps. Plain ASCII rules keep tables aligned everywhere.
RULES = box.Box(
    "    \n"
    "    \n"
    " -- \n"
    "    \n"
    "    \n"
    " -- \n"
    "    \n"
    "    \n",
    ascii=True,
)


def make_console(file: IO[str] | None = None, width: int | None = None) -> Console:
    # highlight=False: the default highlighter recolours numbers and quotes inside user text.
    return Console(file=file, width=width, highlight=False, markup=False, emoji=False)


def status_text(status: str) -> Text:
    try:
        shown = Status(status).label
    except ValueError:
        shown = status
    return Text(shown, style=STATUS_STYLE.get(status, ""))


def _date(timestamp: str | None) -> str:
    return timestamp[:10] if timestamp else "-"


def measures_table(measures: Sequence[Measure], total: int) -> Group:
    table = Table(box=RULES, pad_edge=False, show_edge=False, expand=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Sector", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Measure", overflow="fold", ratio=1, min_width=16)
    table.add_column("Last note", no_wrap=True)
    for m in measures:
        note = m.latest_note
        table.add_row(
            str(m.id),
            Text(sector_label(m.sector)),
            status_text(m.status),
            Text(m.text),
            _date(note.at if note else None),
        )
    shown = len(measures)
    summary = f"{shown} measures" if shown == total else f"{shown} of {total} measures"
    return Group(table, Text(summary, style="dim"))


def measure_detail(m: Measure) -> Group:
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    try:
        status_label = f"{Status(m.status).label} ({m.status})"
    except ValueError:
        status_label = m.status
    rows = [
        ("ID", str(m.id)),
        ("Status", status_label),
        ("Sector", f"{sector_label(m.sector)} ({m.sector}{', set by hand' if m.sector_pinned else ''})"),
        ("Lead", m.lead or "-"),
        ("Partners", "、".join(m.partners) or "-"),
        ("Source", m.source or "-"),
        ("Section", m.section or "-"),
        ("Created", m.created or "-"),
        ("Updated", m.updated or "-"),
    ]
    for name, value in rows:
        fields.add_row(name, Text(value))
    parts: list = [fields, Text(""), Text("Text", style="bold"), Text(m.text), Text("")]

    notes = Table(title="Notes", title_justify="left", box=RULES, show_edge=False, pad_edge=False)
    notes.add_column("When", no_wrap=True)
    notes.add_column("Note", overflow="fold", ratio=1)
    for n in m.notes:
        notes.add_row(n.at, Text(n.text))
    parts.append(notes if m.notes else Text("No notes yet.", style="dim"))

    history = Table(title="History", title_justify="left", box=RULES, show_edge=False, pad_edge=False)
    history.add_column("When", no_wrap=True)
    history.add_column("Field", no_wrap=True)
    history.add_column("From", overflow="fold")
    history.add_column("To", overflow="fold")
    for c in m.history:
        history.add_row(c.at, c.field, Text(_value(c.field, c.old)), Text(_value(c.field, c.new)))
    parts.append(Text(""))
    parts.append(history if m.history else Text("No changes yet.", style="dim"))
    return Group(*parts)


def _value(field: str, value: object) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):  # partners, tags
        return "、".join(map(str, value))
    if field == "status":
        try:
            return Status(str(value)).label
        except ValueError:
            pass
    if field == "sector":
        return sector_label(str(value))
    return str(value)


def _bar(percent: float) -> Text:
    # ASCII on purpose: block characters (█ ░) have East Asian "ambiguous" width and are drawn
    # two cells wide in CJK-locale terminals, which breaks the table's alignment (pitfalls §2b).
    filled = round(percent / 100 * BAR_WIDTH)
    if percent > 0 and filled == 0:
        filled = 1  # something started shows as something
    bar = Text("#" * filled, style="green")
    bar.append("." * (BAR_WIDTH - filled), style="dim")
    return bar


def progress_table(report: ProgressReport) -> Group:
    table = Table(box=RULES, pad_edge=False, show_edge=False, show_footer=True)
    table.add_column("Sector", no_wrap=True, footer=report.total.label)
    table.add_column("Total", justify="right", footer=str(report.total.total))
    for status in Status:
        table.add_column(status.label, justify="right", footer=str(report.total.counts[status.value]))
    table.add_column("Done", justify="right", no_wrap=True, footer=f"{report.total.percent_done:.1f}%")
    table.add_column("Progress", no_wrap=True, footer=_bar(report.total.percent_done))

    def cells(row: ProgressRow) -> list:
        return [
            Text(row.label),
            str(row.total),
            *(str(row.counts[s.value]) for s in Status),
            f"{row.percent_done:.1f}%",
            _bar(row.percent_done),
        ]

    for row in report.rows:
        table.add_row(*cells(row))
    t = report.total
    overall = Text(f"Overall: {t.done} of {t.total} measures done ({t.percent_done:.1f}%)", style="bold")
    return Group(table, overall)


def sectors_table(counts: dict[str, int]) -> Table:
    table = Table(box=RULES, pad_edge=False, show_edge=False)
    table.add_column("Sector", no_wrap=True)
    table.add_column("领域", no_wrap=True)
    table.add_column("Measures", justify="right")
    for s in SECTORS:
        table.add_row(s.slug, s.label, str(counts.get(s.slug, 0)))
    return table


def fields_table(head: Sequence[str], rows: Sequence[Sequence[object]], total: int) -> Group:
    """`list --fields`: the chosen ledger columns; long text columns fold, short ones do not."""
    table = Table(box=RULES, pad_edge=False, show_edge=False, expand=False)
    for name in head:
        long = name in ("text", "任务", "latest_note", "最新进展", "partners", "配合单位")
        if long:
            table.add_column(name, overflow="fold", ratio=1, min_width=12)
        else:
            table.add_column(name, overflow="fold", justify="right" if name in ("id", "序号") else "left")
    for row in rows:
        table.add_row(*(Text(str(v)) for v in row))
    shown = len(rows)
    summary = f"{shown} measures" if shown == total else f"{shown} of {total} measures"
    return Group(table, Text(summary, style="dim"))


def import_table(added: Sequence[Measure], updated: Sequence[tuple[Measure, dict]], skipped: Sequence[Measure]) -> Table:
    """What an import adds, fills in and skips (for `imtrack import --dry-run`)."""
    table = Table(box=RULES, pad_edge=False, show_edge=False)
    table.add_column("Action", no_wrap=True)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Sector", no_wrap=True)
    table.add_column("Lead", overflow="fold", max_width=20)
    table.add_column("Measure", overflow="fold", ratio=1, min_width=16)
    for m in added:
        table.add_row("add", str(m.id), Text(sector_label(m.sector)), Text(m.lead or "-"), Text(m.text))
    for m, filled in updated:
        table.add_row(
            "fill " + ",".join(filled), str(m.id), Text(sector_label(m.sector)), Text(m.lead or "-"), Text(m.text)
        )
    for m in skipped:
        table.add_row(Text("skip", style="dim"), str(m.id), Text(sector_label(m.sector)), Text(m.lead or "-"), Text(m.text))
    return table


def sources_table(rows: Sequence[tuple[str, int, int]]) -> Table:
    table = Table(box=RULES, pad_edge=False, show_edge=False)
    table.add_column("Source", overflow="fold", ratio=1)
    table.add_column("Measures", justify="right", no_wrap=True)
    table.add_column("Done", justify="right", no_wrap=True)
    for source, count, done in rows:
        table.add_row(Text(source or "-"), str(count), str(done))
    return table
