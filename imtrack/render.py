"""Tables for people. The only module that knows Rich.

User text (measure text, notes, sources) always goes into cells as `Text`, never as markup, so
"[/]" or "[bold red]x[/bold red]" is shown literally (pitfalls §2a). Chinese has no spaces for
Rich to wrap at, so the text column folds instead of being cut with an ellipsis (§2b)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from imtrack.display import display_value
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


ATTENTION_STYLE = {"red": "bold red", "yellow": "yellow", "blue": "blue"}
ATTENTION_LABEL = {"red": "红 overdue", "yellow": "黄 due soon", "blue": "蓝 stale"}


def measures_table(
    measures: Sequence[Measure], total: int, colours: dict[int, str | None] | None = None
) -> Group:
    """`colours`: the 督办 colour of each measure id (derived.py), shown on the id; a Due
    column appears when any listed measure has a due date."""
    colours = colours or {}
    with_due = any(m.due for m in measures)
    table = Table(box=RULES, pad_edge=False, show_edge=False, expand=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Sector", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Measure", overflow="fold", ratio=1, min_width=16)
    if with_due:
        table.add_column("Due", no_wrap=True)
    table.add_column("Last note", no_wrap=True)
    for m in measures:
        note = m.latest_note
        style = ATTENTION_STYLE.get(colours.get(m.id) or "", "")
        cells: list = [
            Text(str(m.id), style=style),
            Text(sector_label(m.sector)),
            status_text(m.status),
            Text(m.text),
        ]
        if with_due:
            cells.append(Text(m.due or "-", style=style))
        cells.append(_date(note.at if note else None))
        table.add_row(*cells)
    shown = len(measures)
    summary = f"{shown} measures" if shown == total else f"{shown} of {total} measures"
    return Group(table, Text(summary, style="dim"))


def measure_detail(m: Measure, derived: Any = None) -> Group:
    """`derived`: derived.Derived (flags, regions, commitment) shown below the stored fields."""
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
        ("Due", _due_line(m, derived)),
        ("Progress", f"{m.progress}%" if m.progress is not None else "-"),
        ("Tags", "、".join(m.tags) or "-"),
        ("Source", m.source or "-"),
        ("Section", m.section or "-"),
        ("Created", m.created or "-"),
        ("Updated", m.updated or "-"),
    ]
    if derived is not None:
        from imtrack.commitment import label as commitment_label

        rows += [
            ("Regions", "、".join(derived.regions) or "-"),
            ("Commitment", f"{commitment_label(derived.commitment)} ({derived.commitment})"),
            ("Flags", ", ".join(derived.flags.names()) or "-"),
        ]
    for name, value in rows:
        style = ""
        if name == "Flags" and derived is not None:
            style = ATTENTION_STYLE.get(derived.attention or "", "")
        fields.add_row(name, Text(value, style=style))
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
        history.add_row(c.at, c.field, Text(display_value(c.field, c.old)), Text(display_value(c.field, c.new)))
    parts.append(Text(""))
    parts.append(history if m.history else Text("No changes yet.", style="dim"))
    return Group(*parts)


def _due_line(m: Measure, derived: Any) -> str:
    if not m.due:
        return "-"
    if m.due == "ongoing":
        return "持续推进 (ongoing, no deadline)"
    days = derived.days_left if derived is not None else None
    if days is None or m.status == Status.DONE.value:
        return m.due
    if days < 0:
        return f"{m.due} (overdue by {-days} day{'s' if days != -1 else ''})"
    if days == 0:
        return f"{m.due} (due today)"
    return f"{m.due} (in {days} day{'s' if days != 1 else ''})"


def _bar(percent: float) -> Text:
    # ASCII on purpose: block characters (█ ░) have East Asian "ambiguous" width and are drawn
    # two cells wide in CJK-locale terminals, which breaks the table's alignment (pitfalls §2b).
    filled = round(percent / 100 * BAR_WIDTH)
    if percent > 0 and filled == 0:
        filled = 1  # something started shows as something
    bar = Text("#" * filled, style="green")
    bar.append("." * (BAR_WIDTH - filled), style="dim")
    return bar


DIMENSION_HEADER = {
    "sector": "Sector",
    "status": "Status",
    "lead": "Lead",
    "region": "Region",
    "source": "Source",
    "commitment": "Commitment",
}


def progress_table(report: ProgressReport) -> Group:
    table = Table(box=RULES, pad_edge=False, show_edge=False, show_footer=True, collapse_padding=True)
    # Only the label column may wrap: when 80 columns are tight, long agency names and source
    # titles fold while the numbers and the status headers stay whole.
    table.add_column(
        DIMENSION_HEADER.get(report.by, report.by.title()), overflow="fold", footer=report.total.label
    )
    table.add_column("Total", justify="right", no_wrap=True, footer=str(report.total.total))
    for status in Status:
        table.add_column(
            status.label, justify="right", no_wrap=True, footer=str(report.total.counts[status.value])
        )
    table.add_column("Done", justify="right", no_wrap=True, footer=f"{report.total.percent_done:.1f}%")
    table.add_column("Progress", no_wrap=True, footer=_bar(report.total.percent_done))
    table.add_column("逾期", justify="right", no_wrap=True, footer=_late(report.total.overdue))

    def cells(row: ProgressRow) -> list:
        return [
            Text(row.label),
            str(row.total),
            *(str(row.counts[s.value]) for s in Status),
            f"{row.percent_done:.1f}%",
            _bar(row.percent_done),
            _late(row.overdue),
        ]

    for row in report.rows:
        table.add_row(*cells(row))
    t = report.total
    overall = Text(f"Overall: {t.done} of {t.total} measures done ({t.percent_done:.1f}%)", style="bold")
    if t.overdue:
        overall.append(f", {t.overdue} overdue", style="bold red")
    parts: list = [table, overall]
    if report.settings is not None:
        parts += [Text(""), attention_table(report)]
    return Group(*parts)


def _late(count: int) -> Text:
    return Text(str(count), style="bold red" if count else "dim")


# A report is read by people: the most urgent rows, then a count and where to find the rest.
ATTENTION_ROWS = 20


def attention_table(report: ProgressReport) -> Group | Text:
    """The 督办 list: red overdue, yellow due soon, blue stale (flags.py)."""
    s = report.settings
    if not report.attention:
        return Text(
            f"Attention (督办): nothing overdue, due within {s.soon_days} days or silent for "
            f"{s.stale_days} days.",
            style="dim",
        )
    table = Table(
        title=f"Attention (督办) on {s.today.isoformat()}: red overdue, yellow due within "
        f"{s.soon_days} days, blue no update for {s.stale_days} days",
        title_justify="left",
        box=RULES,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("", no_wrap=True)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Lead", overflow="fold", max_width=16)
    table.add_column("Measure", overflow="fold", ratio=1, min_width=16)
    for a in report.attention[:ATTENTION_ROWS]:
        style = ATTENTION_STYLE[a.colour]
        if a.colour == "red":
            when = f"{a.due} ({-(a.days_left or 0)}d late)"
        elif a.colour == "yellow":
            when = f"{a.due} (in {a.days_left}d)"
        else:
            when = f"last {a.last_activity or '-'}"
        table.add_row(
            Text({"red": "红", "yellow": "黄", "blue": "蓝"}[a.colour], style=style),
            Text(str(a.id), style=style),
            Text(when, style=style),
            Text(a.lead or "-"),
            Text(short(a.text, 26)),
        )
    counts = {c: sum(1 for a in report.attention if a.colour == c) for c in ("red", "yellow", "blue")}
    summary = Text(
        f"{counts['red']} overdue (红), {counts['yellow']} due soon (黄), {counts['blue']} without update (蓝)",
        style="bold",
    )
    hidden = len(report.attention) - ATTENTION_ROWS
    if hidden <= 0:
        return Group(table, summary)
    more = Text(
        f"... and {hidden} more, most urgent first above; all of them: imtrack list --overdue, "
        "--due-soon or --stale (or report --format json)",
        style="dim",
    )
    return Group(table, more, summary)


def short(text: str, cells: int = 36) -> str:
    """The start of a measure's text, at most `cells` terminal cells, with an ASCII "..." (the
    ellipsis character has ambiguous width, pitfalls §2b); lists with ids do not need it all."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells - 3:
            break
        out += ch
    return out + "..."


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


# -- ledger work: edits, undo, period report, log --------------------------------------------

def change_text(field: str, old: object, new: object) -> str:
    return f"{field}: {display_value(field, old)} -> {display_value(field, new)}"


def plan_table(plan: Any, verb: str) -> Group:
    """What an edit will do (or did): one row per measure it changes."""
    table = Table(box=RULES, pad_edge=False, show_edge=False, expand=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Measure", overflow="fold", ratio=1, min_width=16)
    table.add_column("Change", overflow="fold", ratio=1, min_width=16)
    for item in plan.touched:
        lines = [change_text(f, o, n) for f, o, n in item.changes if f != "sector_pinned"]
        if item.note:
            lines.append(f"note: {item.note}")
        table.add_row(str(item.measure.id), Text(short(item.measure.text)), Text("\n".join(lines)))
    n = len(plan.touched)
    summary = f"{verb} {n} measure{'s' if n != 1 else ''}"
    if plan.untouched:
        summary += f"; {len(plan.untouched)} already as asked: " + ", ".join(
            str(i.measure.id) for i in plan.untouched
        )
    return Group(table, Text(summary, style="dim"))


def period_tables(report: Any) -> Group:
    """`report --since`: the period report to send upward."""
    head = Text(f"Period {report.since.isoformat()} to {report.until.isoformat()}", style="bold")
    parts: list = [head]
    summary = (
        f"{len(report.completed)} completed, {len(report.status_changes)} status changes, "
        f"{len(report.notes)} new notes, {len(report.newly_overdue)} newly overdue\n"
        f"{len(report.no_update)} of {report.total} measures with no update in the period"
    )
    parts.append(Text(summary))

    def section(title: str, rows: list, columns: list[tuple[str, dict]], cells: Any) -> None:
        parts.append(Text(""))
        if not rows:
            parts.append(Text(f"{title}: none", style="dim"))
            return
        table = Table(title=f"{title} ({len(rows)})", title_justify="left", box=RULES, show_edge=False, pad_edge=False)
        for name, opts in columns:
            table.add_column(name, **opts)
        for r in rows:
            table.add_row(*cells(r))
        parts.append(table)

    idc = ("ID", {"justify": "right", "no_wrap": True})
    text = ("Measure", {"overflow": "fold", "ratio": 1, "min_width": 16})
    section(
        "Completed",
        report.completed,
        [idc, ("Done on", {"no_wrap": True}), ("Lead", {"overflow": "fold", "max_width": 16}), text],
        lambda r: (str(r["id"]), r["at"][:10] + (" late" if r["late"] else ""), Text(r["lead"] or "-"), Text(short(r["text"]))),
    )
    section(
        "Status changes",
        report.status_changes,
        [("When", {"no_wrap": True}), idc, ("From", {"no_wrap": True}), ("To", {"no_wrap": True}), text],
        lambda r: (r["at"][:16].replace("T", " "), str(r["id"]), status_text(r["from"]), status_text(r["to"]), Text(short(r["text"], 30))),
    )
    section(
        "New notes",
        report.notes,
        [("When", {"no_wrap": True}), idc, ("Note", {"overflow": "fold", "ratio": 1})],
        lambda r: (r["at"][:16].replace("T", " "), str(r["id"]), Text(r["text"])),
    )
    section(
        "Newly overdue",
        report.newly_overdue,
        [idc, ("Due", {"no_wrap": True}), ("Status", {"no_wrap": True}), ("Lead", {"overflow": "fold", "max_width": 16}), text],
        lambda r: (Text(str(r["id"]), style="bold red"), r["due"], status_text(r["status"]), Text(r["lead"] or "-"), Text(short(r["text"], 30))),
    )
    if report.no_update:
        ids = ", ".join(str(r["id"]) for r in report.no_update)
        parts += [Text(""), Text(f"No update in the period ({len(report.no_update)}): ", style="bold")]
        parts[-1].append(ids, style="")
    else:
        parts += [Text(""), Text("No update in the period: none", style="dim")]
    return Group(*parts)


def log_table(entries: Sequence[Any]) -> Group | Text:
    if not entries:
        return Text("No changes recorded.", style="dim")
    table = Table(box=RULES, pad_edge=False, show_edge=False, expand=False)
    table.add_column("When", no_wrap=True)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Change", overflow="fold", ratio=1, min_width=16)
    for e in entries:
        if e.kind == "note":
            change = Text(e.text or "")
        elif e.field == "note":  # an undo removed a note
            change = Text(f"removed: {e.old}", style="dim")
        else:
            change = Text(f"{display_value(e.field, e.old)} -> {display_value(e.field, e.new)}")
        table.add_row(e.at[:16].replace("T", " "), str(e.id), e.field, change)
    n = len(entries)
    return Group(table, Text(f"{n} record{'s' if n != 1 else ''}, newest first", style="dim"))
