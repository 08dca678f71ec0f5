"""Working the ledger: `set-status` and `update` on ids or a --where filter (with confirmation
for bulk edits, --yes, --dry-run), `undo`, `log`, and `report` (progress by a dimension with the
督办 attention list, or the period report with --since). The work is in imtrack.core.edits,
imtrack.domain.query and imtrack.core.report; this module parses and prints."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from imtrack.cli.common import (
    DueSoonDays,
    FormatOption,
    LeadFilter,
    OnOption,
    OutputFormat,
    SectorFilter,
    SourceFilter,
    StaleDays,
    _complete_sector,
    _complete_status,
    _complete_status_after_id,
    _json,
    _parse_id,
    _print,
    _say,
    _store,
    app,
)
from imtrack.i18n import _, ngettext

if TYPE_CHECKING:
    from imtrack.core.edits import EditPlan, EditResult, Selection

# periods.HELP_EXAMPLES, copied so that --help does not import the grammar (start-up); a test
# checks the two agree and that every example is accepted.
PERIOD_EXAMPLES = "2026-11-16, 2026-11, 2026年11月, 一季度, 上半年, 本周, 上月, 今年, -7d, 最近30天"


# -- options shared by the ledger commands ---------------------------------------------------

YesOption = Annotated[
    bool,
    typer.Option("--yes", "-y", help="Do not ask before changing more than 3 measures."),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Show what would change and change nothing."),
]
Ids = Annotated[
    list[int] | None,
    typer.Argument(metavar="[ID]...", help="Measure ids; or select with --where-... filters instead.", parser=_parse_id, show_default=False),
]
# set-status: the word after the ids is the status, so complete statuses once an id is typed
StatusIds = Annotated[
    list[int] | None,
    typer.Argument(
        metavar="[ID]...",
        help="Measure ids; or select with --where-... filters instead.",
        parser=_parse_id,
        show_default=False,
        autocompletion=_complete_status_after_id,
    ),
]
WhereSector = Annotated[
    list[str] | None,
    typer.Option("--where-sector", metavar="SECTOR", help="Select measures of this sector (repeatable).", autocompletion=_complete_sector),
]
WhereStatus = Annotated[
    list[str] | None,
    typer.Option("--where-status", metavar="STATUS", help="Select measures with this status (repeatable).", autocompletion=_complete_status),
]
WhereLead = Annotated[
    list[str] | None,
    typer.Option("--where-lead", metavar="AGENCY", help="Select measures led by this agency (any alias; repeatable)."),
]
WhereTag = Annotated[list[str] | None, typer.Option("--where-tag", metavar="TAG", help="Select measures with this tag (repeatable).")]
WhereRegion = Annotated[
    list[str] | None, typer.Option("--where-region", metavar="REGION", help="Select measures mentioning this 盟市 (repeatable).")
]
WhereGrep = Annotated[
    list[str] | None, typer.Option("--where-grep", metavar="WORDS", help="Select measures whose text contains this; repeat to require several.")
]
WhereOverdue = Annotated[bool, typer.Option("--where-overdue", help="Select overdue measures.")]


def _selection(
    ids: list[int] | None,
    sector: list[str] | None,
    status: list[str] | None,
    lead: list[str] | None,
    tag: list[str] | None,
    region: list[str] | None,
    grep: list[str] | None,
    overdue: bool,
) -> Selection:
    from imtrack.core.edits import Selection
    from imtrack.domain.query import MeasureFilter

    given = bool(sector or status or lead or tag or region or grep or overdue)
    where = (
        MeasureFilter.build(
            sector or (), status or (), grep, leads=lead or (), tags=tag or (), regions=region or (), overdue=overdue
        )
        if given
        else None
    )
    return Selection(tuple(ids or ()), where)


def _asker(yes: bool, fmt: OutputFormat) -> Any:
    """The confirmation the core calls for an edit of more than 3 measures (None with --yes)."""
    if yes:
        return None

    def ask(plan: EditPlan) -> bool:
        from imtrack.core.edits import Declined
        from imtrack.output.render import plan_table

        n = len(plan.touched)
        if fmt is OutputFormat.table:
            _print(plan_table(plan, will=True))
        from imtrack.cli.common import ask_yes_no

        # Ctrl-C here ends the command in the error funnel: "aborted", exit 130, nothing written.
        answer = ask_yes_no(_("Change these {n} measures?").format(n=n), err=fmt is not OutputFormat.table)
        if answer is None:
            raise Declined(
                _("this changes {n} measures and needs a yes, but no answer could be read (no terminal?); "
                  "nothing was changed; add --yes to apply without asking").format(n=n)
            )
        return answer

    return ask


def _report_edit(result: EditResult, fmt: OutputFormat, dry_run: bool, lines: Any) -> None:
    if fmt is OutputFormat.json:
        on = result.plan.edit.on
        _json({**result.plan.to_dict(), "applied": result.applied, "dry_run": dry_run, "txn": result.txn,
               "effective": on.isoformat() if on else None})
        return
    if dry_run:
        from imtrack.output.render import plan_table

        _print(plan_table(result.plan, will=False))
        _say(_("dry run: nothing was changed"))
        return
    on = result.plan.edit.on
    for line in lines(result):
        _say(line)
    if on is not None and result.plan.touched:
        _say(_("effective {day} (recorded now)").format(day=on))


def _warn_before_created(result: EditResult) -> None:
    from imtrack.core.edits import before_created

    for warning in before_created((i.measure for i in result.plan.touched), result.plan.edit.on):
        typer.echo(_("imtrack: warning: {warning}").format(warning=warning), err=True)


# -- commands ----------------------------------------------------------------------------------


@app.command("set-status")
def set_status(
    ctx: typer.Context,
    ids: StatusIds = None,
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help="not-started 未启动, in-progress 推进中, done 已完成 or blocked 受阻.",
            autocompletion=_complete_status,
            show_default=False,
        ),
    ] = ...,  # type: ignore[assignment]
    note: Annotated[str | None, typer.Option("--note", "-n", metavar="TEXT", help="Also record this note on each measure.")] = None,
    on: OnOption = None,
    where_sector: WhereSector = None,
    where_status: WhereStatus = None,
    where_lead: WhereLead = None,
    where_tag: WhereTag = None,
    where_region: WhereRegion = None,
    where_grep: WhereGrep = None,
    where_overdue: WhereOverdue = False,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Set the status of measures given by id or by --where-... filters; kept in their history.

    More than 3 measures: shows the change and asks first, unless --yes. One `imtrack undo`
    reverts the whole command."""
    from imtrack.core.edits import Edit, apply_edit
    from imtrack.domain.models import Status

    if not ids and status.strip().isdigit():
        from imtrack.domain.models import status_choices
        from imtrack.errors import InvalidValue

        # `set-status 25`: click read the id as the STATUS; say what is really missing
        raise InvalidValue(
            _("missing STATUS after id {value}, e.g. imtrack set-status {value} in-progress; use one of: {value2}").format(value=status.strip(), value2=status_choices())
        )
    selection = _selection(ids, where_sector, where_status, where_lead, where_tag, where_region, where_grep, where_overdue)
    edit = Edit.build(status=status, note=note, on=on)
    result = apply_edit(_store(ctx), selection, edit, dry_run=dry_run, confirm=_asker(yes, fmt))
    _warn_before_created(result)
    target = Status(edit.sets[0][1])
    label = f"{target.label} ({target.value})"

    def lines(r: EditResult) -> list[str]:
        out = []
        for item in r.plan.items:
            if any(f == "status" for f, _, _ in item.changes):
                out.append(_("{id}: status set to {status}").format(id=item.measure.id, status=label))
            elif note:
                out.append(_("{id}: already {status}, note added").format(id=item.measure.id, status=label))
            else:
                out.append(_("{id}: already {status}").format(id=item.measure.id, status=label))
        return out

    _report_edit(result, fmt, dry_run, lines)


@app.command()
def update(
    ctx: typer.Context,
    ids: Ids = None,
    lead: Annotated[str | None, typer.Option("--lead", metavar="AGENCY", help="Lead agency (牵头单位); aliases become the canonical name; '' clears.")] = None,
    partner: Annotated[
        list[str] | None,
        typer.Option("--partner", metavar="AGENCY", help="Partner agency (配合单位), repeatable: REPLACES the partner list; --partner '' clears it."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="DATE", help="Deadline: 2025-12-31, 2025年底, 6月底前, 一季度末, +3m, eoy, 持续推进 (none clears)."),
    ] = None,
    sector: Annotated[str | None, typer.Option("--sector", metavar="SECTOR", help="Set (and pin) the sector.", autocompletion=_complete_sector)] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", metavar="TAG", help="Add a tag (repeatable).")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag (repeatable).")] = None,
    progress: Annotated[int | None, typer.Option("--progress", metavar="N", help="Percent complete, 0-100.")] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", metavar="TEXT", help="Also record this note on each measure.")] = None,
    on: OnOption = None,
    where_sector: WhereSector = None,
    where_status: WhereStatus = None,
    where_lead: WhereLead = None,
    where_tag: WhereTag = None,
    where_region: WhereRegion = None,
    where_grep: WhereGrep = None,
    where_overdue: WhereOverdue = False,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Set lead, partners, deadline, sector, tags or progress of measures (by id or --where-...).

    Recorded in history like status changes; more than 3 measures asks first unless --yes;
    one `imtrack undo` reverts the whole command."""
    from imtrack.core.edits import Edit, apply_edit
    from imtrack.output.display import change_text

    selection = _selection(ids, where_sector, where_status, where_lead, where_tag, where_region, where_grep, where_overdue)
    edit = Edit.build(
        lead=lead,
        partners=partner,
        due=due,
        sector=sector,
        tags=tag or (),
        untags=untag or (),
        progress=progress,
        note=note,
        on=on,
    )
    for warning in edit.warnings:
        typer.echo(_("imtrack: warning: {warning}").format(warning=warning), err=True)
    result = apply_edit(_store(ctx), selection, edit, dry_run=dry_run, confirm=_asker(yes, fmt))
    _warn_before_created(result)

    def lines(r: EditResult) -> list[str]:
        out = []
        for item in r.plan.items:
            parts = [change_text(f, o, n) for f, o, n in item.changes if f != "sector_pinned"]
            if item.note:
                parts.append(_("note added: {note}").format(note=item.note))
            if parts:
                out.append(_("{id}: {changes}").format(id=item.measure.id, changes=_("; ").join(parts)))
            else:
                out.append(_("{id}: unchanged (already as asked)").format(id=item.measure.id))
        touched = len(r.plan.touched)
        if len(r.plan.items) > 1:
            out.append(ngettext("{touched} of {n} measure changed", "{touched} of {n} measures changed",
                                len(r.plan.items)).format(touched=touched, n=len(r.plan.items)))
        return out

    _report_edit(result, fmt, dry_run, lines)


@app.command()
def undo(ctx: typer.Context, dry_run: DryRunOption = False, fmt: FormatOption = OutputFormat.table) -> None:
    """Revert the last changing command as a whole; run again to walk further back.

    Names the command it reverts and its measures; --dry-run shows it and changes nothing."""
    from imtrack.core.edits import undo as core_undo

    done = core_undo(_store(ctx), dry_run=dry_run)
    if fmt is OutputFormat.json:
        _json(
            {
                "txn": done.txn,
                "by": None if dry_run else done.by,
                "at": done.at,
                "command": done.command,
                "dry_run": dry_run,
                "measures": done.measure_ids,
                "changes": [
                    {"id": r.measure_id, "field": r.field, "from": r.undone, "to": r.restored} for r in done.changes
                ],
                "notes_removed": [{"id": i, "at": n.at, "text": n.text} for i, n in done.notes],
                "removed": [{"id": m.id, "text": m.text} for m in done.removed],
            }
        )
        return
    from imtrack.output.display import change_text

    _say((_("would undo {summary}") if dry_run else _("undid {summary}")).format(summary=done.summary()))
    for r in done.changes:
        if r.field != "sector_pinned":
            _say(_("{measure_id}: {value}").format(measure_id=r.measure_id, value=change_text(r.field, r.undone, r.restored)))
    for measure_id, removed in done.notes:
        _say(_("{measure_id}: note removed: {text}").format(measure_id=measure_id, text=removed.text))
    for m in done.removed:
        _say(_("{id}: removed (added by that command; its id is not reused): {text}").format(id=m.id, text=m.text))
    if dry_run:
        _say(_("dry run: nothing was changed"))


@app.command()
def log(
    ctx: typer.Context,
    measure_id: Annotated[
        int | None,
        typer.Argument(metavar="[ID]", help="Only this measure's history.", parser=_parse_id, show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="PERIOD",
            help=f"Only records from the first day of this period on, e.g. {PERIOD_EXAMPLES}.",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", min=1, help="At most N records.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The change history (field changes and notes), newest first."""
    from imtrack.core.report import log_entries, log_since
    from imtrack.domain.derived import today

    day = log_since(since, today()) if since is not None else None
    entries = log_entries(_store(ctx), measure_id, day)
    if limit is not None:
        entries = entries[:limit]
    if fmt is OutputFormat.json:
        _json([e.to_dict() for e in entries])
    else:
        from imtrack.output.render import log_table

        _print(log_table(entries))


class ReportBy(str, Enum):
    sector = "sector"
    status = "status"
    lead = "lead"
    region = "region"
    source = "source"
    commitment = "commitment"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    docx = "docx"
    html = "html"


@app.command()
def report(
    ctx: typer.Context,
    by: Annotated[
        ReportBy,
        typer.Option("--by", help="One row per sector (default), status, lead, region, source or commitment type."),
    ] = None,  # type: ignore[assignment]
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="PERIOD",
            help="Period report from the first day of this period: completions, status changes, notes, "
            f"newly overdue, silent measures; e.g. {PERIOD_EXAMPLES}.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="PERIOD",
            help=f"To the last day of this period (default today), e.g. {PERIOD_EXAMPLES}.",
        ),
    ] = None,
    sector: SectorFilter = None,
    lead: LeadFilter = None,
    source: SourceFilter = None,
    due_soon_days: DueSoonDays = 30,
    stale_days: StaleDays = 30,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="table or json; docx: the bulletin (通报) for Word; html: one page with charts.",
        ),
    ] = ReportFormat.table,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Where docx (required) or html (- or none: stdout) goes."),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", metavar="FILE.docx", help="docx: fill this office template ({{正文}} marks the place)."),
    ] = None,
) -> None:
    """Progress by sector (or --by ...) with overdue counts and the 督办 attention list;
    with --since, the period report to send upward; docx/html: both, with charts."""
    from imtrack.domain.derived import Settings

    settings = Settings(soon_days=due_soon_days, stale_days=stale_days)
    where = None
    if sector or lead or source:
        from imtrack.domain.query import MeasureFilter

        where = MeasureFilter.build(sector or (), sources=source or (), leads=lead or (), settings=settings)
    if fmt in (ReportFormat.docx, ReportFormat.html):
        _document(ctx, fmt, output, template, (by or ReportBy.sector).value, since, until, settings, where,
                  {"sector": sector or [], "lead": lead or [], "source": source or []})
        return
    if output is not None or template is not None:
        from imtrack.errors import InvalidValue

        raise InvalidValue(_("--{option} is for --format docx or html").format(
            option="output" if output is not None else "template"))
    store = _store(ctx)
    if since is None:
        if until is not None:
            from imtrack.errors import InvalidValue

            raise InvalidValue(_("--until needs --since: give the period's first day, e.g. --since -7d"))
        from imtrack.core.report import store_progress

        result = store_progress(store, (by or ReportBy.sector).value, settings, where)
        if fmt is ReportFormat.json:
            _json(result.to_dict())
        else:
            from imtrack.output.render import progress_table

            _print(progress_table(result))
        return
    if by is not None:
        from imtrack.errors import InvalidValue

        raise InvalidValue(_("--by applies to the progress report, not to the period report (--since); drop one"))
    from imtrack.core.report import period_bounds, period_report

    first, last = period_bounds(since, until, settings.today)
    period = period_report(store, first, last, where)
    if fmt is ReportFormat.json:
        _json(period.to_dict())
    else:
        from imtrack.output.render import period_tables

        _print(period_tables(period))


def _document(
    ctx: typer.Context, fmt: ReportFormat, output: str | None, template: Path | None, by: str,
    since: str | None, until: str | None, settings: Any, where: Any, filters: dict[str, list[str]],
) -> None:
    """report --format docx|html: the progress and period reports with charts, in one file."""
    from imtrack.errors import InvalidValue

    if output == "":
        raise InvalidValue(_("--output is empty; give a file name, or - for stdout (html)"))
    if fmt is ReportFormat.docx and output in (None, "-"):
        raise InvalidValue(_("docx is a Word document and is not written to the terminal; add --output bulletin.docx"))
    if output not in (None, "-") and Path(output).is_dir():
        raise InvalidValue(_("{path} is a directory; give a file name, e.g. {value}").format(
            path=output, value=Path(output) / f"report.{fmt.value}"))
    if template is not None and fmt is not ReportFormat.docx:
        raise InvalidValue(_("--template is a Word template; use it with --format docx"))
    if until is not None and since is None:
        raise InvalidValue(_("--until needs --since: give the period's first day, e.g. --since -7d"))
    from imtrack.core.report import period_bounds
    from imtrack.exchange.report_facts import gather

    first, last = period_bounds(since, until, settings.today) if since is not None else (None, settings.today)
    facts = gather(_store(ctx), by, settings, first, last, where, filters)
    if fmt is ReportFormat.docx:
        from imtrack.exchange.bulletin import document_bytes

        data = document_bytes(facts, template)
    else:
        from imtrack.exchange.report_html import page

        data = page(facts).encode("utf-8")
    if output in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from imtrack.cli.arguments import shown
    from imtrack.exchange.sheets import write_file

    write_file(Path(output), data)
    typer.echo(_("wrote the {format} report to {path}").format(format=fmt.value, path=shown(output)))
