"""Tables for people: what each command shows, as Rich tables, paragraphs and rules.

Rich lays out every table (column widths, CJK cell widths, padding, styles); only where a long
cell breaks is ours: `Folded` hands Rich's column width to fold.py, which keeps the kinsoku rule
(no line starts with ，。、）). A table is drawn by Rich wherever it goes; colour only on a
terminal (Rich's rules: NO_COLOR, TERM=dumb, FORCE_COLOR, TTY_COMPATIBLE). JSON, CSV and Markdown
never come here, so they never import Rich.

User text (measures, notes, sources, agencies) reaches Rich only as `Text` or `Folded`, made
visible first (display.visible: escape codes, bare CRs and bidi overrides shown, not obeyed), and
the console parses no markup, emoji or highlighting, so "[/]" or "[bold red]x" shows as typed
(pitfalls §2a). Rules are ASCII "-" and bars "#"/".": box drawing and block characters are
ambiguous-width and CJK terminals draw them two cells wide (§2b)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from rich.box import Box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from imtrack.domain.models import Measure, Status
from imtrack.i18n import _, ngettext
from imtrack.output.display import change_text, display_value, visible
from imtrack.output.fold import cell_width, char_width, fold
from imtrack.output.plainlist import FOLD_MAX_ROWS
from imtrack.vocab.sectors import SECTORS
from imtrack.vocab.sectors import label as sector_label

if TYPE_CHECKING:  # annotations only: `list` should not pay for importing the report module
    from imtrack.core.report import ProgressReport, ProgressRow

Doc = list  # of Rich renderables, printed one after the other

STATUS_STYLE = {
    "not-started": "dim",
    "in-progress": "yellow",
    "done": "green",
    "blocked": "bold red",
}
# The three 督办 colours (flags.py): red overdue, yellow due soon, blue stale.
ATTENTION_STYLE = {"red": "bold red", "yellow": "yellow", "blue": "blue"}
ATTENTION_MARK = {"red": "红", "yellow": "黄", "blue": "蓝"}
LATE = "bold red"
BAR_WIDTH = 10

# Rich's SIMPLE box (a rule under the header and above the footer, no borders) drawn in ASCII.
RULES = Box(
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


# -- output -----------------------------------------------------------------------------------


def console(stream: IO[str] | None = None, width: int | None = None) -> Console:
    """A Rich console on `stream` (stdout) that interprets nothing in the text it prints."""
    return Console(
        file=stream or sys.stdout,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        no_color=os.environ.get("NO_COLOR", "") != "" or None,
    )


class _Trimmed:
    """The stream Rich writes to, minus the spaces Rich pads each table line with at its end
    (they would make every line of a file or a copied screen as wide as the widest)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(_TRAILING.sub("", text))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"


_TRAILING = re.compile(r" +(?=(?:\x1b\[0?m)*$)", re.MULTILINE)


def emit(doc: Any, stream: IO[str] | None = None) -> None:
    """Print a document (a renderable or a list of them) to `stream` (stdout): as wide as the
    terminal ($COLUMNS, else 80 in a pipe or file)."""
    stream = stream or sys.stdout
    out = console(_Trimmed(stream))  # type: ignore[arg-type]
    for block in doc if isinstance(doc, list) else [doc]:
        if isinstance(block, _PlainListing):
            block.write(stream)
        else:
            out.print(block)
    out.file.flush()


def blank() -> Text:
    return Text("")


class Folded:
    """A long cell (or paragraph) of user text: Rich decides its width, fold.py where its lines
    break (at ASCII spaces, between CJK characters, never before closing punctuation)."""

    __slots__ = ("style", "text")

    def __init__(self, text: str, style: str = "") -> None:
        self.text = visible(text)
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max(map(cell_width, self.text.split("\n")))
        return Measurement(min(widest, 8), min(widest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        style = console.get_style(self.style) if self.style else None
        width = max(options.max_width, 1)
        for line in self.text.split("\n"):
            for a, b, _w in fold(line, width):
                yield Segment(line[a:b], style)
                yield Segment.line()


def table(title: str | None = None, show_header: bool = True, footer: bool = False, gap: int = 3) -> Table:
    """A Rich table in our style: `gap` spaces between columns (3, or 2 for tables of numbers)."""
    return Table(
        padding=(0, 1) if gap == 3 else (0, 0, 0, gap - 1),
        title=visible(title) if title else None,
        title_justify="left",
        title_style="italic",
        box=RULES,
        show_edge=False,
        pad_edge=False,
        show_header=show_header,
        show_footer=footer,
        header_style="bold",
        footer_style="bold",
    )


def short_column(t: Table, header: str, right: bool = False, **kw: Any) -> None:
    """A column of short values (ids, dates, labels) that Rich never wraps."""
    t.add_column(header, justify="right" if right else "left", no_wrap=True, **kw)


def text_column(t: Table, header: str, **kw: Any) -> None:
    """The column that gives way when the terminal is narrow: its cells are Folded."""
    t.add_column(header, **kw)


def cell(value: str, style: str = "") -> Text:
    return Text(visible(value), style=style)


# -- what commands show -----------------------------------------------------------------------


def status_cell(status: str) -> Text:
    try:
        shown = Status(status).label
    except ValueError:
        shown = status
    return cell(shown, STATUS_STYLE.get(status, ""))


def _summary(shown: int, total: int) -> Text:
    if shown == total:
        words = ngettext("{n} measure", "{n} measures", total).format(n=total)
    else:
        words = ngettext("{shown} of {n} measure", "{shown} of {n} measures", total).format(shown=shown, n=total)
    return Text(words, style="dim")


class _PlainListing:
    """A long listing inside a document: plainlist's lines, written by emit() as they are
    (Rich would crop them to the screen)."""

    def __init__(self, *args: Any) -> None:
        self.args = args

    def write(self, stream: IO[str]) -> None:
        from imtrack.output.plainlist import one_line_listing

        one_line_listing(*self.args, stream=stream)


def measures_table(
    measures: Sequence[Measure], total: int, colours: dict[int, str | None] | None = None
) -> Doc:
    """`colours`: the 督办 colour of each measure id (derived.py), shown on the id; a Due
    column appears when any listed measure has a due date."""
    colours = colours or {}
    ids, sectors, statuses, texts, dues, notes = [], [], [], [], [], []
    for m in measures:
        note_at = m.latest_note_at
        style = ATTENTION_STYLE.get(colours.get(m.id) or "", "")
        ids.append((str(m.id), style))
        sectors.append(sector_label(m.sector))
        statuses.append(m.status)
        texts.append(m.text)
        dues.append((m.due or "-", style))
        notes.append(note_at[:10] if note_at else "-")
    with_due = any(m.due for m in measures)
    return listing_table(ids, sectors, statuses, texts, dues if with_due else None, notes, total)


def listing_table(ids: list, sectors: list, statuses: list, texts: list[str], dues: list | None,
                  notes: list[str], total: int) -> Doc:
    """The `list` output from its columns: `ids` and `dues` are strings or (string, style);
    `statuses` are status names or ready cells; `dues` None leaves out the Due column."""
    if len(ids) > FOLD_MAX_ROWS:  # callers print these with plainlist directly, without Rich
        return [_PlainListing(ids, sectors, statuses, texts, dues, notes, total)]
    t = table()
    short_column(t, _("ID"), right=True)
    short_column(t, _("Sector"))
    short_column(t, _("Status"))
    text_column(t, _("Measure"))
    if dues is not None:
        short_column(t, _("Due"))
    short_column(t, _("Last note"))
    for i, text in enumerate(texts):
        row: list[Any] = [_styled(ids[i]), cell(sectors[i]), _status(statuses[i]), Folded(text)]
        if dues is not None:
            row.append(_styled(dues[i]))
        row.append(cell(notes[i]))
        t.add_row(*row)
    return [t, _summary(len(ids), total)]


def _styled(value: Any) -> Text:
    return cell(*value) if isinstance(value, tuple) else cell(value)


def _status(value: Any) -> Any:
    if isinstance(value, Text):
        return value
    if isinstance(value, tuple):  # (label, style name of the old renderer: "status.done")
        return cell(value[0], STATUS_STYLE.get(value[1].removeprefix("status."), ""))
    return status_cell(value)


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


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
    fields = table(show_header=False)
    short_column(fields, "", style="bold")
    text_column(fields, "")
    status_label = f"{_status_label(m.status)} ({m.status})"
    sector_text = f"{sector_label(m.sector)} ({m.sector}{_(', set by hand') if m.sector_pinned else ''})"
    rows = [
        (_("ID"), str(m.id)),
        (_("Status"), status_label),
        (_("Sector"), sector_text),
        (_("Lead"), m.lead or "-"),
        (_("Partners"), "、".join(m.partners) or "-"),
        (_("Due"), _due_line(m, derived)),
        (_("Progress"), f"{m.progress}%" if m.progress is not None else "-"),
        (_("Tags"), "、".join(m.tags) or "-"),
        (_("Source"), m.source or "-"),
        (_("Section"), m.section or "-"),
        *_document_rows(m),
        (_("Created"), m.created or "-"),
        (_("Updated"), m.updated or "-"),
    ]
    flags_style = ""
    if derived is not None:
        from imtrack.vocab.commitment import label as commitment_label

        rows += [
            (_("Regions"), "、".join(derived.regions) or "-"),
            (_("Commitment"), f"{commitment_label(derived.commitment)} ({derived.commitment})"),
            (_("Flags"), ", ".join(derived.flags.names()) or "-"),
        ]
        flags_style = ATTENTION_STYLE.get(derived.attention or "", "")
    for name, value in rows:
        fields.add_row(Text(name), Folded(value, flags_style if name == _("Flags") else ""))
    parts: Doc = [fields, blank(), Text(_("Text"), style="bold"), Folded(m.text), blank()]

    if m.notes:
        notes = table(title=_("Notes"))
        short_column(notes, _("When"))
        text_column(notes, _("Note"))
        for n in m.notes:
            notes.add_row(cell(n.at), Folded(n.text))
        parts.append(notes)
    else:
        parts.append(Text(_("No notes yet."), style="dim"))
    parts.append(blank())
    if m.history:
        history = table(title=_("History"))
        short_column(history, _("When"))
        short_column(history, _("Field"))
        text_column(history, _("From"))
        text_column(history, _("To"))
        for c in m.history:
            history.add_row(cell(c.at), cell(c.field), Folded(display_value(c.field, c.old)),
                            Folded(display_value(c.field, c.new)))
        parts.append(history)
    else:
        parts.append(Text(_("No changes yet."), style="dim"))
    return parts


def _due_line(m: Measure, derived: Any) -> str:
    if not m.due:
        return "-"
    if m.due == "ongoing":
        return _("持续推进 (ongoing, no deadline)")
    days = derived.days_left if derived is not None else None
    if days is None or m.status == Status.DONE.value:
        return m.due
    if days < 0:
        return ngettext("{due} (overdue by {n} day)", "{due} (overdue by {n} days)", -days).format(due=m.due, n=-days)
    if days == 0:
        return _("{due} (due today)").format(due=m.due)
    return ngettext("{due} (in {n} day)", "{due} (in {n} days)", days).format(due=m.due, n=days)


def _bar(percent: float) -> Text:
    # ASCII on purpose: block characters (█ ░) have East Asian "ambiguous" width and are drawn
    # two cells wide in CJK-locale terminals, which breaks the table's alignment (pitfalls §2b).
    filled = round(percent / 100 * BAR_WIDTH)
    if percent > 0 and filled == 0:
        filled = 1  # something started shows as something
    return Text.assemble(("#" * filled, "green"), ("." * (BAR_WIDTH - filled), "dim"))


def dimension_header(by: str) -> str:
    return {
        "sector": _("Sector"),
        "status": _("Status"),
        "lead": _("Lead"),
        "region": _("Region"),
        "source": _("Source"),
        "commitment": _("Commitment"),
    }.get(by, by.title())


class _Fit:
    """The progress table at the width Rich offers: with the progress bars when they fit
    beside whole labels, else without them, so an agency name is never folded beside its
    numbers while a column of bars takes the room."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        full = self.build(True)
        if Measurement.get(console, options.update(width=10_000), full).maximum <= options.max_width:
            yield full
        else:
            yield self.build(False)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.build(True))


def progress_table(report: ProgressReport) -> Doc:
    t = report.total

    def build(with_bars: bool) -> Table:
        out = table(footer=True, gap=2)
        text_column(out, dimension_header(report.by), footer=cell(t.label))
        short_column(out, _("Total"), right=True, footer=str(t.total))
        for s in Status:
            short_column(out, s.label, right=True, footer=str(t.counts[s.value]))
        short_column(out, _("Done"), right=True, footer=f"{t.percent_done:.1f}%")
        if with_bars:
            short_column(out, _("Progress"), footer=_bar(t.percent_done))
        short_column(out, "逾期", right=True, footer=_late(t.overdue))
        for row in report.rows:
            out.add_row(*cells(row, with_bars))
        return out

    def cells(row: ProgressRow, with_bars: bool) -> list:
        return [
            Folded(row.label),
            str(row.total),
            *(str(row.counts[s.value]) for s in Status),
            f"{row.percent_done:.1f}%",
            *([_bar(row.percent_done)] if with_bars else []),
            _late(row.overdue),
        ]

    overall = Text(
        _("Overall: {done} of {total} measures done ({percent:.1f}%)").format(
            done=t.done, total=t.total, percent=t.percent_done
        ),
        style="bold",
    )
    if t.overdue:
        overall.append(ngettext(", {n} overdue", ", {n} overdue", t.overdue).format(n=t.overdue), style=LATE)
    parts: Doc = [_Fit(build), overall]
    if report.settings is not None:
        parts += [blank(), *attention_table(report)]
    return parts


def _late(count: int) -> Text:
    return Text(str(count), style=LATE if count else "dim")


# A report is read by people: the most urgent rows, then a count and where to find the rest.
ATTENTION_ROWS = 20


def attention_table(report: ProgressReport) -> Doc:
    """The 督办 list: red overdue, yellow due soon, blue stale (flags.py)."""
    s = report.settings
    if not report.attention:
        return [Text(
            _("Attention (督办): nothing overdue, due within {soon} days or silent for {stale} days.").format(
                soon=s.soon_days, stale=s.stale_days
            ),
            style="dim",
        )]
    t = table(
        title=_("Attention (督办) on {today}: red overdue, yellow due within {soon} days, "
                "blue no update for {stale} days").format(today=s.today.isoformat(), soon=s.soon_days, stale=s.stale_days),
    )
    short_column(t, "")
    short_column(t, _("ID"), right=True)
    short_column(t, _("Due"))
    t.add_column(_("Lead"), max_width=16)
    text_column(t, _("Measure"))
    for a in report.attention[:ATTENTION_ROWS]:
        style = ATTENTION_STYLE[a.colour]
        if a.colour == "red":
            when = _("{due} ({n}d late)").format(due=a.due, n=-(a.days_left or 0))
        elif a.colour == "yellow":
            when = _("{due} (in {n}d)").format(due=a.due, n=a.days_left)
        else:
            when = _("last {day}").format(day=a.last_activity or "-")
        t.add_row(cell(ATTENTION_MARK[a.colour], style), cell(str(a.id), style), cell(when, style),
                  Folded(a.lead or "-"), Folded(a.text))
    counts = report.attention.colour_counts()
    summary = Text(
        _("{red} overdue (红), {yellow} due soon (黄), {blue} without update (蓝)").format(**counts),
        style="bold",
    )
    hidden = len(report.attention) - ATTENTION_ROWS
    if hidden <= 0:
        return [t, summary]
    more = Text(
        _("... and {n} more, most urgent first above; all of them: imtrack list --overdue, "
          "--due-soon or --stale (or report --format json)").format(n=hidden),
        style="dim",
    )
    return [t, more, summary]


def short(text: str, cells: int = 36) -> str:
    """The start of a measure's text, at most `cells` terminal cells, with an ASCII "..." (the
    ellipsis character has ambiguous width, pitfalls §2b), for one-line confirmations."""
    if cell_width(text) <= cells:
        return text
    out, used = [], 0
    for ch in text:
        used += char_width(ch)
        if used > cells - 3:
            break
        out.append(ch)
    return "".join(out) + "..."


def sectors_table(counts: dict[str, int]) -> Doc:
    t = table()
    short_column(t, _("Slug"))
    short_column(t, "领域")
    short_column(t, _("Measures"), right=True)
    for s in SECTORS:
        t.add_row(s.slug, s.label, str(counts.get(s.slug, 0)))
    return [t]


def fields_table(head: Sequence[str], rows: Sequence[Sequence[object]], total: int) -> Doc:
    """`list --fields`: the chosen ledger columns; long text columns fold, short ones do not."""
    t = table()
    long = ("text", "任务", "latest_note", "最新进展", "partners", "配合单位")
    for name in head:
        if name in long:
            text_column(t, name)
        else:
            t.add_column(name, justify="right" if name in ("id", "序号") else "left")
    for row in rows:
        t.add_row(*(Folded(str(v)) if name in long else cell(str(v)) for name, v in zip(head, row)))
    return [t, _summary(len(rows), total)]


def import_table(added: Sequence[Measure], updated: Sequence[tuple[Measure, dict]], skipped: Sequence[Measure]) -> Doc:
    """What an import adds, fills in and skips (for `imtrack import --dry-run`)."""
    t = table()
    short_column(t, _("Action"))
    short_column(t, _("ID"), right=True)
    short_column(t, _("Sector"))
    t.add_column(_("Lead"), max_width=20)
    text_column(t, _("Measure"))
    for m in added:
        t.add_row(_("add"), str(m.id), cell(sector_label(m.sector)), Folded(m.lead or "-"), Folded(m.text))
    for m, filled in updated:
        t.add_row(_("fill") + " " + ",".join(filled), str(m.id), cell(sector_label(m.sector)),
                  Folded(m.lead or "-"), Folded(m.text))
    for m in skipped:
        t.add_row(Text(_("skip"), style="dim"), str(m.id), cell(sector_label(m.sector)),
                  Folded(m.lead or "-"), Folded(m.text))
    return [t]


_PREVIEW = 30
_LEVEL_WORDS = {"national": "national (国务院)", "region": "region (自治区)", "city": "city", "province": "province"}


def _visible(text: str) -> str:
    """A line of a document's reading: its controls made visible like every user text."""
    return visible(text, keep_newlines=False)


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
    parts: Doc = [Text.assemble((f"Reading: {head}; agencies read at {level} level", "bold"))]
    events: list[tuple[int, int, Text]] = []
    for h in reading.headings:
        mark = "  (preamble: not measures)" if h.preamble else ""
        events.append((h.line, 0, Text.assemble("  " * max(h.level - 1, 0) + _visible(h.text), (mark, "dim"))))
    for m in reading.measures:
        indent = "  " * len(m.path)
        events.append((m.line, 1, Text.assemble(f"{indent}{_visible(m.number)} {_preview(m.text)}")))
        facts = [
            f"lead {_names([m.lead], reading.level, reading.place)}" if m.lead else "no lead",
            f"partners {_names(m.partners, reading.level, reading.place)}" if m.partners else "",
            f"due {m.due}" if m.due else "",
            f"{len(m.clauses)} clauses" if len(m.clauses) > 1 else "",
            "CUT OFF mid-sentence: imported with tag 原文不完整" if m.incomplete else "",
        ]
        events.append((m.line, 2, Text.assemble((f"{indent}    " + "; ".join(f for f in facts if f), "dim"))))
    for s in reading.skipped:
        events.append((s.line, 3, Text.assemble((f"  skipped line {s.line} {_preview(s.text)}: {s.why}", "dim"))))
    parts.extend(p for _, _, p in sorted(events, key=lambda e: (e[0], e[1])))
    parts.append(blank())
    return parts


def sources_table(rows: Sequence[tuple[str, int, int]]) -> Doc:
    t = table()
    text_column(t, _("Source"))
    short_column(t, _("Measures"), right=True)
    short_column(t, _("Done"), right=True)
    for source, count, done in rows:
        t.add_row(Folded(source or "-"), str(count), str(done))
    return [t]


# -- ledger work: edits, undo, period report, log --------------------------------------------


def plan_table(plan: Any, will: bool) -> Doc:
    """What an edit will do (`will`) or would do (a dry run): one row per measure it changes."""
    t = table()
    short_column(t, _("ID"), right=True)
    text_column(t, _("Measure"))
    text_column(t, _("Change"))
    for item in plan.touched:
        lines = [change_text(f, o, n) for f, o, n in item.changes if f != "sector_pinned"]
        if item.note:
            lines.append(_("note: {text}").format(text=item.note))
        t.add_row(str(item.measure.id), Folded(item.measure.text), Folded("\n".join(lines)))
    n = len(plan.touched)
    if will:
        summary = ngettext("will change {n} measure", "will change {n} measures", n).format(n=n)
    else:
        summary = ngettext("would change {n} measure", "would change {n} measures", n).format(n=n)
    if plan.untouched:
        summary += _("; {n} already as asked: {ids}").format(
            n=len(plan.untouched), ids=", ".join(str(i.measure.id) for i in plan.untouched)
        )
    return [t, Text(summary, style="dim")]


def period_tables(report: Any) -> Doc:
    """`report --since`: the period report to send upward. Measure texts are whole (folded)."""
    parts: Doc = [Text(_("Period {since} to {until}").format(
        since=report.since.isoformat(), until=report.until.isoformat()), style="bold")]
    parts.append(Text(
        _("{completed} completed, {changes} status changes, {notes} new notes, {overdue} newly overdue").format(
            completed=len(report.completed), changes=len(report.status_changes), notes=len(report.notes),
            overdue=len(report.newly_overdue),
        ) + "\n" + _("{silent} of {total} measures with no update in the period").format(
            silent=len(report.no_update), total=report.total
        )
    ))

    def section(title: str, rows: list, columns: list[tuple[str, str]], cells: Any) -> None:
        parts.append(blank())
        if not rows:
            parts.append(Text(_("{title}: none").format(title=title), style="dim"))
            return
        t = table(title=f"{title} ({len(rows)})")
        for header, kind in columns:
            if kind == "text":
                text_column(t, header)
            elif kind == "lead":
                t.add_column(header, max_width=16)
            else:
                short_column(t, header, right=kind == "id")
        for r in rows:
            t.add_row(*cells(r))
        parts.append(t)

    def when(at: str) -> Text:
        return cell(at[:16].replace("T", " "))

    section(
        _("Completed"),
        report.completed,
        [(_("ID"), "id"), (_("Done on"), ""), (_("Lead"), "lead"), (_("Measure"), "text")],
        lambda r: (str(r["id"]), r["at"][:10] + (" " + _("late") if r["late"] else ""),
                   Folded(r["lead"] or "-"), Folded(r["text"])),
    )
    section(
        _("Status changes"),
        report.status_changes,
        [(_("When"), ""), (_("ID"), "id"), (_("From"), ""), (_("To"), ""), (_("Measure"), "text")],
        lambda r: (when(r["at"]), str(r["id"]), status_cell(r["from"]), status_cell(r["to"]), Folded(r["text"])),
    )
    section(
        _("New notes"),
        report.notes,
        [(_("When"), ""), (_("ID"), "id"), (_("Note"), "text")],
        lambda r: (when(r["at"]), str(r["id"]), Folded(r["text"])),
    )
    section(
        _("Newly overdue"),
        report.newly_overdue,
        [(_("ID"), "id"), (_("Due"), ""), (_("Status"), ""), (_("Lead"), "lead"), (_("Measure"), "text")],
        lambda r: (cell(str(r["id"]), LATE), r["due"], status_cell(r["status"]), Folded(r["lead"] or "-"),
                   Folded(r["text"])),
    )
    parts.append(blank())
    if report.no_update:
        ids = ", ".join(str(r["id"]) for r in report.no_update)
        parts.append(Folded(_("No update in the period ({n}): {ids}").format(n=len(report.no_update), ids=ids)))
    else:
        parts.append(Text(_("No update in the period: none"), style="dim"))
    return parts


def log_table(entries: Sequence[Any]) -> Doc:
    if not entries:
        return [Text(_("No changes recorded."), style="dim")]
    t = table()
    short_column(t, _("When"))
    short_column(t, _("ID"), right=True)
    short_column(t, _("Field"))
    text_column(t, _("Change"))
    for e in entries:
        if e.kind == "note":
            change = Folded(e.text or "")
        elif e.field == "note":  # an undo removed a note
            change = Folded(_("removed: {text}").format(text=e.old), "dim")
        else:
            change = Folded(f"{display_value(e.field, e.old)} -> {display_value(e.field, e.new)}")
        t.add_row(cell(e.at[:16].replace("T", " ")), str(e.id), cell(e.field), change)
    n = len(entries)
    return [t, Text(ngettext("{n} record, newest first", "{n} records, newest first", n).format(n=n), style="dim")]
