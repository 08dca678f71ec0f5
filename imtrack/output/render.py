"""Tables for people: what each command shows, laid out by table.py, styled on a terminal.

The layout (columns, widths, folding) is the same everywhere; only a terminal gets colours.
Piped output, files and tests get the plain text without importing Rich at all. On a terminal
the styles become ANSI SGR codes written here directly (importing rich.console alone costs about
60 ms here, a third of a whole `list` on the seed; rich.style 55 ms); NO_COLOR, TERM=dumb,
FORCE_COLOR and TTY_COMPATIBLE act as they do for Rich. On Windows a terminal gets Rich, which
knows the legacy console. User text (measures, notes, sources) is only ever printed literally:
nothing here interprets markup, so "[/]" or "[bold red]x[/bold red]" shows as typed (pitfalls
§2a). Rules are ASCII "-" and bars "#"/"." because box drawing and block characters are
ambiguous-width and CJK terminals draw them two cells wide (§2b)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from imtrack.domain.models import Measure, Status
from imtrack.output.display import display_value
from imtrack.output.table import Column, Line, Para, Table, cell_width, layout, text
from imtrack.vocab.sectors import SECTORS
from imtrack.vocab.sectors import label as sector_label

if TYPE_CHECKING:  # annotations only: `list` should not pay for importing the report module
    from imtrack.core.report import ProgressReport, ProgressRow

Doc = list  # of table.Table and table.Para blocks

# Abstract style names (table.py and the builders below) -> Rich style strings.
STYLES = {
    "header": "bold",
    "footer": "bold",
    "title": "italic",
    "field": "bold",
    "bold": "bold",
    "dim": "dim",
    "rule": "",
    "status.not-started": "dim",
    "status.in-progress": "yellow",
    "status.done": "green",
    "status.blocked": "bold red",
    "attention.red": "bold red",
    "attention.yellow": "yellow",
    "attention.blue": "blue",
    "bar.done": "green",
    "bar.todo": "dim",
    "late": "bold red",
}
# Rich style words -> SGR parameters (what Rich's Style writes for the standard colours).
_SGR_ATTR = {"bold": "1", "dim": "2", "italic": "3"}
_SGR_COLOUR = {"red": "31", "green": "32", "yellow": "33", "blue": "34"}
BAR_WIDTH = 10
ATTENTION_STYLE = {"red": "attention.red", "yellow": "attention.yellow", "blue": "attention.blue"}
ATTENTION_LABEL = {"red": "红 overdue", "yellow": "黄 due soon", "blue": "蓝 stale"}


# -- output -----------------------------------------------------------------------------------

def is_terminal(stream: IO[str]) -> bool:
    """Rich's rule: TTY_COMPATIBLE=0/1, then FORCE_COLOR (set and non-empty), then isatty()."""
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: IO[str], terminal: bool) -> int:
    """$COLUMNS, else the terminal's width, else 80 (as Rich: pipes get 80 columns)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if terminal and os.environ.get("TERM", "").lower() not in ("dumb", "unknown"):
        for fd in (_fileno(stream), 0, 2):
            try:
                width = os.get_terminal_size(fd).columns
            except (OSError, ValueError, TypeError):
                continue
            if width:
                return width
    return 80


def _fileno(stream: IO[str]) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None


def sgr_codes(no_color: bool = False) -> dict[str, str]:
    """Style name -> the escape sequence that starts it (styles without one are left out)."""
    out = {}
    for name, spec in STYLES.items():
        params = []
        for word in spec.split():
            if word in _SGR_ATTR:
                params.append(_SGR_ATTR[word])
            elif word in _SGR_COLOUR and not no_color:
                params.append(_SGR_COLOUR[word])
        if params:
            out[name] = f"\x1b[{';'.join(params)}m"
    return out


def emit(doc: Any, stream: IO[str] | None = None) -> None:
    """Write a document (a Table, a Para, or a list of them) to `stream` (stdout)."""
    stream = stream or sys.stdout
    blocks = doc if isinstance(doc, list) else [doc]
    terminal = is_terminal(stream)
    width = terminal_width(stream, terminal)
    if not terminal or os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        stream.write(text(blocks, width, {}))
    elif sys.platform == "win32":  # pragma: no cover - the legacy console needs Rich's Win32 calls
        _emit_rich(layout(blocks, width), stream)
    else:
        stream.write(text(blocks, width, sgr_codes(no_color=os.environ.get("NO_COLOR", "") != "")))
    stream.flush()


def _emit_rich(lines: list[Line], stream: IO[str]) -> None:  # pragma: no cover - Windows
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, markup=False, emoji=False, soft_wrap=True)
    for line in lines:
        console.print(Text.assemble(*((t, STYLES.get(s, "")) for t, s in line)))


# -- what commands show -----------------------------------------------------------------------

def status_cell(status: str) -> tuple[str, str]:
    try:
        shown = Status(status).label
    except ValueError:
        shown = status
    return (shown, f"status.{status}")


def _date(timestamp: str | None) -> str:
    return timestamp[:10] if timestamp else "-"


def _summary(shown: int, total: int) -> Para:
    return Para((f"{shown} measures" if shown == total else f"{shown} of {total} measures", "dim"))


# Up to this many rows `list` folds long texts inside the table; a longer listing keeps each
# measure on one line with its full text last (nothing wrapped or cut, so grep, wc -l and cut
# work on it; the terminal wraps what is too wide). Scripts use --format json/csv.
FOLD_MAX_ROWS = 300


def measures_table(
    measures: Sequence[Measure], total: int, colours: dict[int, str | None] | None = None
) -> Doc:
    """`colours`: the 督办 colour of each measure id (derived.py), shown on the id; a Due
    column appears when any listed measure has a due date. Beyond FOLD_MAX_ROWS the Measure
    column comes last and is never folded."""
    colours = colours or {}
    labels: dict[str, tuple[str, str]] = {}  # per distinct value: a listing may have 10,000 rows
    sectors: dict[str, str] = {}
    ids, sector_cells, status_cells, texts, dues, notes = [], [], [], [], [], []
    for m in measures:
        note_at = m.latest_note_at
        style = ATTENTION_STYLE.get(colours.get(m.id) or "", "") if colours else ""
        ids.append((str(m.id), style) if style else str(m.id))
        sector_cells.append(sectors.get(m.sector) or sectors.setdefault(m.sector, sector_label(m.sector)))
        status_cells.append(labels.get(m.status) or labels.setdefault(m.status, status_cell(m.status)))
        texts.append(m.text)
        dues.append((m.due or "-", style) if style else m.due or "-")
        notes.append(note_at[:10] if note_at else "-")
    with_due = any(m.due for m in measures)
    return listing_table(ids, sector_cells, status_cells, texts, dues if with_due else None, notes, total)


def listing_table(ids: list, sectors: list, statuses: list, texts: list[str], dues: list | None,
                  notes: list[str], total: int) -> Doc:
    """The table of `list` from its cells, column by column (measures_table, or the store
    index's columns, listing.py): `dues` None leaves out the Due column. The one layout."""
    one_line = len(ids) > FOLD_MAX_ROWS
    columns = [Column("ID", right=True), Column("Sector"), Column("Status")]
    text_column = Column("Measure", fold=0 if one_line else 1, min_width=16)
    cells: list[list] = [ids, sectors, statuses]
    if not one_line:
        columns.append(text_column)
        cells.append(texts)
    if dues is not None:
        columns.append(Column("Due"))
        cells.append(dues)
    columns.append(Column("Last note"))
    cells.append(notes)
    if one_line:
        columns.append(text_column)
        cells.append(texts)
    table = Table(columns)
    table.rows = list(zip(*cells))
    return [table, _summary(len(ids), total)]


def _document_rows(m: Measure) -> list[tuple[str, str]]:
    """Where an imported measure stands in its document, and who the document names (as written)
    for each of its sentences; nothing for a measure typed in by hand."""
    rows = []
    if m.number or m.path:
        rows.append(("Item", " › ".join([*m.path, m.number] if m.number else m.path)))
    if m.lead_written is not None or m.partners_written:
        rows.append(("As written", "、".join([m.lead_written or "-", *m.partners_written])))
    for k, a in enumerate(m.assignments, start=1):
        rows.append((f"Clause {k}", f"{a.get('raw') or '、'.join(a['agencies'])}: {a['sentence']}"))
    return rows


def measure_detail(m: Measure, derived: Any = None) -> Doc:
    """`derived`: derived.Derived (flags, regions, commitment) shown below the stored fields."""
    fields = Table([Column(), Column(fold=1)], gap=2, show_header=False, first_style="field")
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
        *_document_rows(m),
        ("Created", m.created or "-"),
        ("Updated", m.updated or "-"),
    ]
    if derived is not None:
        from imtrack.vocab.commitment import label as commitment_label

        rows += [
            ("Regions", "、".join(derived.regions) or "-"),
            ("Commitment", f"{commitment_label(derived.commitment)} ({derived.commitment})"),
            ("Flags", ", ".join(derived.flags.names()) or "-"),
        ]
    for name, value in rows:
        style = ""
        if name == "Flags" and derived is not None:
            style = ATTENTION_STYLE.get(derived.attention or "", "")
        fields.add_row(name, (value, style))
    parts: Doc = [fields, Para(), Para(("Text", "bold")), Para(m.text), Para()]

    if m.notes:
        notes = Table([Column("When"), Column("Note", fold=1)], title="Notes")
        for n in m.notes:
            notes.add_row(n.at, n.text)
        parts.append(notes)
    else:
        parts.append(Para(("No notes yet.", "dim")))
    parts.append(Para())
    if m.history:
        history = Table([Column("When"), Column("Field"), Column("From", fold=1), Column("To", fold=1)],
                        title="History")
        for c in m.history:
            history.add_row(c.at, c.field, display_value(c.field, c.old), display_value(c.field, c.new))
        parts.append(history)
    else:
        parts.append(Para(("No changes yet.", "dim")))
    return parts


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


def _bar(percent: float) -> list[tuple[str, str]]:
    # ASCII on purpose: block characters (█ ░) have East Asian "ambiguous" width and are drawn
    # two cells wide in CJK-locale terminals, which breaks the table's alignment (pitfalls §2b).
    filled = round(percent / 100 * BAR_WIDTH)
    if percent > 0 and filled == 0:
        filled = 1  # something started shows as something
    return [("#" * filled, "bar.done"), ("." * (BAR_WIDTH - filled), "bar.todo")]


DIMENSION_HEADER = {
    "sector": "Sector",
    "status": "Status",
    "lead": "Lead",
    "region": "Region",
    "source": "Source",
    "commitment": "Commitment",
}


def progress_table(report: ProgressReport) -> Doc:
    # Only the label column may fold: when 80 columns are tight, long agency names and source
    # titles fold while the numbers and the status headers stay whole.
    t = report.total
    columns = [
        Column(DIMENSION_HEADER.get(report.by, report.by.title()), fold=1, footer=t.label),
        Column("Total", right=True, footer=str(t.total)),
        *(Column(s.label, right=True, footer=str(t.counts[s.value])) for s in Status),
        Column("Done", right=True, footer=f"{t.percent_done:.1f}%"),
        Column("Progress", footer=_bar(t.percent_done)),
        Column("逾期", right=True, footer=_late(t.overdue)),
    ]
    table = Table(columns, gap=2)

    def cells(row: ProgressRow) -> list:
        return [
            row.label,
            str(row.total),
            *(str(row.counts[s.value]) for s in Status),
            f"{row.percent_done:.1f}%",
            _bar(row.percent_done),
            _late(row.overdue),
        ]

    for row in report.rows:
        table.rows.append(cells(row))
    overall = [(f"Overall: {t.done} of {t.total} measures done ({t.percent_done:.1f}%)", "bold")]
    if t.overdue:
        overall.append((f", {t.overdue} overdue", "late"))
    parts: Doc = [table, Para(*overall)]
    if report.settings is not None:
        parts += [Para(), *attention_table(report)]
    return parts


def _late(count: int) -> tuple[str, str]:
    return (str(count), "late" if count else "dim")


# A report is read by people: the most urgent rows, then a count and where to find the rest.
ATTENTION_ROWS = 20


def attention_table(report: ProgressReport) -> Doc:
    """The 督办 list: red overdue, yellow due soon, blue stale (flags.py)."""
    s = report.settings
    if not report.attention:
        return [Para((
            (f"Attention (督办): nothing overdue, due within {s.soon_days} days or silent for "
            f"{s.stale_days} days."),
            "dim",
        ))]
    table = Table(
        [Column(""), Column("ID", right=True), Column("Due"), Column("Lead", fold=2, min_width=8, max_width=16),
         Column("Measure", fold=1, min_width=16)],
        title=f"Attention (督办) on {s.today.isoformat()}: red overdue, yellow due within "
        f"{s.soon_days} days, blue no update for {s.stale_days} days",
    )
    for a in report.attention[:ATTENTION_ROWS]:
        style = ATTENTION_STYLE[a.colour]
        if a.colour == "red":
            when = f"{a.due} ({-(a.days_left or 0)}d late)"
        elif a.colour == "yellow":
            when = f"{a.due} (in {a.days_left}d)"
        else:
            when = f"last {a.last_activity or '-'}"
        table.add_row(
            ({"red": "红", "yellow": "黄", "blue": "蓝"}[a.colour], style),
            (str(a.id), style),
            (when, style),
            a.lead or "-",
            short(a.text, 26),
        )
    counts = report.attention.colour_counts()
    summary = Para((
        f"{counts['red']} overdue (红), {counts['yellow']} due soon (黄), {counts['blue']} without update (蓝)",
        "bold",
    ))
    hidden = len(report.attention) - ATTENTION_ROWS
    if hidden <= 0:
        return [table, summary]
    more = Para((
        (f"... and {hidden} more, most urgent first above; all of them: imtrack list --overdue, "
        "--due-soon or --stale (or report --format json)"),
        "dim",
    ))
    return [table, more, summary]


def short(text: str, cells: int = 36) -> str:
    """The start of a measure's text, at most `cells` terminal cells, with an ASCII "..." (the
    ellipsis character has ambiguous width, pitfalls §2b); lists with ids do not need it all."""
    if cell_width(text) <= cells:
        return text
    from imtrack.output.table import char_width

    out, used = [], 0
    for ch in text:
        used += char_width(ch)
        if used > cells - 3:
            break
        out.append(ch)
    return "".join(out) + "..."


def sectors_table(counts: dict[str, int]) -> Doc:
    table = Table([Column("Sector"), Column("领域"), Column("Measures", right=True)])
    for s in SECTORS:
        table.add_row(s.slug, s.label, str(counts.get(s.slug, 0)))
    return [table]


def fields_table(head: Sequence[str], rows: Sequence[Sequence[object]], total: int) -> Doc:
    """`list --fields`: the chosen ledger columns; long text columns fold first, short ones
    only when the long ones cannot give enough room."""
    columns = []
    for name in head:
        if name in ("text", "任务", "latest_note", "最新进展", "partners", "配合单位"):
            columns.append(Column(name, fold=1, min_width=12))
        else:
            columns.append(Column(name, fold=2, right=name in ("id", "序号")))
    table = Table(columns)
    for row in rows:
        table.rows.append([str(v) for v in row])
    return [table, _summary(len(rows), total)]


def import_table(added: Sequence[Measure], updated: Sequence[tuple[Measure, dict]], skipped: Sequence[Measure]) -> Doc:
    """What an import adds, fills in and skips (for `imtrack import --dry-run`)."""
    table = Table([Column("Action"), Column("ID", right=True), Column("Sector"),
                   Column("Lead", fold=2, min_width=8, max_width=20), Column("Measure", fold=1, min_width=16)])
    for m in added:
        table.add_row("add", str(m.id), sector_label(m.sector), m.lead or "-", m.text)
    for m, filled in updated:
        table.add_row("fill " + ",".join(filled), str(m.id), sector_label(m.sector), m.lead or "-", m.text)
    for m in skipped:
        table.add_row(("skip", "dim"), str(m.id), sector_label(m.sector), m.lead or "-", m.text)
    return [table]


_PREVIEW = 30
_LEVEL_WORDS = {"national": "national (国务院)", "region": "region (自治区)", "city": "city", "province": "province"}


# Control characters from a damaged document shown as their Unicode pictures (ESC -> ␛): printed
# raw they would drive the terminal.
_CONTROLS = {**{c: 0x2400 + c for c in range(0x20)}, 0x7F: 0x2421}


def _visible(text: str) -> str:
    return text.translate(_CONTROLS)


def _preview(text: str) -> str:
    flat = _visible(text.replace("\n", " / "))
    # "..." rather than "…": the ellipsis is ambiguous-width and misaligns CJK terminals (§2b)
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "..."


def _names(written: Sequence[str], level: str, place: str) -> str:
    from imtrack.vocab.agencies import canonical_at

    out = []
    for name in written:
        canon = canonical_at(name, level, place)
        out.append(name if canon == name else f"{name} ({canon})")
    return _visible("、".join(out))


def reading_doc(reading: Any) -> Doc:
    """The structure `import --dry-run` read in a document (parser.Reading): its header, its
    headings indented by depth, each measure with its number, agencies (as written, with the
    canonical name at the document's level where it differs) and due date, and what was skipped
    and why, in document order."""
    level = _LEVEL_WORDS.get(reading.level, reading.level) + (f" {reading.place}" if reading.level in ("city", "province") else "")
    head = _visible(", ".join(x for x in (reading.doc_number, reading.issuer, reading.date) if x)) or "no 文号 or signature"
    parts: Doc = [Para((f"Reading: {head}; agencies read at {level} level", "bold"))]
    events: list[tuple[int, int, Para]] = []
    for h in reading.headings:
        mark = "  (preamble: not measures)" if h.preamble else ""
        events.append((h.line, 0, Para("  " * max(h.level - 1, 0) + _visible(h.text), (mark, "dim"))))
    for m in reading.measures:
        indent = "  " * len(m.path)
        events.append((m.line, 1, Para(f"{indent}{_visible(m.number)} {_preview(m.text)}")))
        facts = [
            f"lead {_names([m.lead], reading.level, reading.place)}" if m.lead else "no lead",
            f"partners {_names(m.partners, reading.level, reading.place)}" if m.partners else "",
            f"due {m.due}" if m.due else "",
            f"{len(m.clauses)} clauses" if len(m.clauses) > 1 else "",
            "CUT OFF mid-sentence: imported with tag 原文不完整" if m.incomplete else "",
        ]
        events.append((m.line, 2, Para((f"{indent}    " + "; ".join(f for f in facts if f), "dim"))))
    for s in reading.skipped:
        events.append((s.line, 3, Para((f"  skipped line {s.line} {_preview(s.text)}: {s.why}", "dim"))))
    parts.extend(p for _, _, p in sorted(events, key=lambda e: (e[0], e[1])))
    parts.append(Para())
    return parts


def sources_table(rows: Sequence[tuple[str, int, int]]) -> Doc:
    table = Table([Column("Source", fold=1), Column("Measures", right=True), Column("Done", right=True)])
    for source, count, done in rows:
        table.add_row(source or "-", str(count), str(done))
    return [table]


# -- ledger work: edits, undo, period report, log --------------------------------------------

def change_text(field: str, old: object, new: object) -> str:
    return f"{field}: {display_value(field, old)} -> {display_value(field, new)}"


def plan_table(plan: Any, verb: str) -> Doc:
    """What an edit will do (or did): one row per measure it changes."""
    table = Table([Column("ID", right=True), Column("Measure", fold=1, min_width=16),
                   Column("Change", fold=1, min_width=16)])
    for item in plan.touched:
        lines = [change_text(f, o, n) for f, o, n in item.changes if f != "sector_pinned"]
        if item.note:
            lines.append(f"note: {item.note}")
        table.add_row(str(item.measure.id), short(item.measure.text), "\n".join(lines))
    n = len(plan.touched)
    summary = f"{verb} {n} measure{'s' if n != 1 else ''}"
    if plan.untouched:
        summary += f"; {len(plan.untouched)} already as asked: " + ", ".join(
            str(i.measure.id) for i in plan.untouched
        )
    return [table, Para((summary, "dim"))]


def period_tables(report: Any) -> Doc:
    """`report --since`: the period report to send upward."""
    parts: Doc = [Para((f"Period {report.since.isoformat()} to {report.until.isoformat()}", "bold"))]
    parts.append(Para(
        f"{len(report.completed)} completed, {len(report.status_changes)} status changes, "
        f"{len(report.notes)} new notes, {len(report.newly_overdue)} newly overdue\n"
        f"{len(report.no_update)} of {report.total} measures with no update in the period"
    ))

    def section(title: str, rows: list, columns: list[Column], cells: Any) -> None:
        parts.append(Para())
        if not rows:
            parts.append(Para((f"{title}: none", "dim")))
            return
        table = Table(columns, title=f"{title} ({len(rows)})")
        for r in rows:
            table.rows.append(list(cells(r)))
        parts.append(table)

    def idc() -> Column:
        return Column("ID", right=True)

    def text() -> Column:
        return Column("Measure", fold=1, min_width=16)

    def lead() -> Column:
        return Column("Lead", fold=2, min_width=8, max_width=16)

    section(
        "Completed",
        report.completed,
        [idc(), Column("Done on"), lead(), text()],
        lambda r: (str(r["id"]), r["at"][:10] + (" late" if r["late"] else ""), r["lead"] or "-", short(r["text"])),
    )
    section(
        "Status changes",
        report.status_changes,
        [Column("When"), idc(), Column("From"), Column("To"), text()],
        lambda r: (r["at"][:16].replace("T", " "), str(r["id"]), status_cell(r["from"]), status_cell(r["to"]), short(r["text"], 30)),
    )
    section(
        "New notes",
        report.notes,
        [Column("When"), idc(), Column("Note", fold=1)],
        lambda r: (r["at"][:16].replace("T", " "), str(r["id"]), r["text"]),
    )
    section(
        "Newly overdue",
        report.newly_overdue,
        [idc(), Column("Due"), Column("Status"), lead(), text()],
        lambda r: ((str(r["id"]), "late"), r["due"], status_cell(r["status"]), r["lead"] or "-", short(r["text"], 30)),
    )
    parts.append(Para())
    if report.no_update:
        ids = ", ".join(str(r["id"]) for r in report.no_update)
        parts.append(Para((f"No update in the period ({len(report.no_update)}): ", "bold"), (ids, "")))
    else:
        parts.append(Para(("No update in the period: none", "dim")))
    return parts


def log_table(entries: Sequence[Any]) -> Doc:
    if not entries:
        return [Para(("No changes recorded.", "dim"))]
    table = Table([Column("When"), Column("ID", right=True), Column("Field"), Column("Change", fold=1, min_width=16)])
    for e in entries:
        if e.kind == "note":
            change: Any = e.text or ""
        elif e.field == "note":  # an undo removed a note
            change = (f"removed: {e.old}", "dim")
        else:
            change = f"{display_value(e.field, e.old)} -> {display_value(e.field, e.new)}"
        table.add_row(e.at[:16].replace("T", " "), str(e.id), e.field, change)
    n = len(entries)
    return [table, Para((f"{n} record{'s' if n != 1 else ''}, newest first", "dim"))]
