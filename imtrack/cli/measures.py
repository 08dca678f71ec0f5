"""Commands on measures: list, show, note, set-sector, reclassify, sectors and path."""

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from imtrack.cli.common import (
    CommitmentFilter,
    DueAfterFilter,
    DueBeforeFilter,
    DueSoonDays,
    DueSoonFilter,
    FormatOption,
    GrepFilter,
    LeadFilter,
    LedgerFormatOption,
    OnOption,
    OutputFormat,
    OverdueFilter,
    RegionFilter,
    SectorFilter,
    SortKey,
    SourceFilter,
    StaleDays,
    StaleFilter,
    StatusFilter,
    TagFilter,
    _complete_sector,
    _complete_sector_after_id,
    _json,
    _location,
    _parse_id,
    _print,
    _say,
    _store,
    app,
    measure_filter,
)
from imtrack.i18n import N_, _


@app.command("list")
def list_(
    ctx: typer.Context,
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
    sort: Annotated[SortKey, typer.Option("--sort", help="Order: id, due (earliest first), updated (latest first), sector, status.")] = None,  # type: ignore[assignment]
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", min=1, help="Show at most N measures.")] = None,
    due_soon_days: DueSoonDays = 30,
    stale_days: StaleDays = 30,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="F1,F2",
            help="Only these columns, in this order, for any format: id, text, sector, lead, partners, "
            "due, status, latest_note, updated.",
        ),
    ] = None,
    fmt: LedgerFormatOption = OutputFormat.table,
) -> None:
    """List measures, optionally filtered; filters combine."""
    from imtrack.domain.query import sort_measures

    flt = measure_filter(
        sector, status, grep, source, lead, region, tag, commitment,
        overdue, due_soon, stale, due_before, due_after, due_soon_days, stale_days,
    )
    settings = flt.settings
    store = _store(ctx)
    from imtrack.output.plainlist import FOLD_MAX_ROWS

    if fields is None and fmt is OutputFormat.table and not flt.stale and (limit is None or limit > FOLD_MAX_ROWS):
        # The table: light summaries first (Store.summaries), and the measures themselves only
        # when there are few enough for the Rich table; a long listing prints the summaries.
        rows = store.summaries(flt)
        if sort is not None:
            rows = sort_measures(rows, sort.value)
        if limit is not None:
            rows = rows[:limit]
        if len(rows) > FOLD_MAX_ROWS:  # one plain line per measure, no Rich (plainlist.py)
            _long_listing(rows, store.count())
            return
        from imtrack.errors import NotFound

        try:
            _table(store.get_many([r.id for r in rows]), store.count(), settings)
            return
        except NotFound:  # one was removed since: read them again, as below
            pass
    # A limit goes to the store only when the order is the store's own (id order).
    measures = store.find(flt, limit=limit if sort in (None, SortKey.id) else None)
    if sort is not None:
        measures = sort_measures(measures, sort.value)
    if limit is not None:
        measures = measures[:limit]
    total = store.count()
    if fields is not None or fmt in (OutputFormat.csv, OutputFormat.markdown):
        from imtrack.cli.exchange import print_fields

        print_fields(measures, fields, fmt, total=total)
    elif fmt is OutputFormat.json:
        from imtrack.output.serialize import ledger_record

        _json([ledger_record(m, settings) for m in measures])
    elif len(measures) > FOLD_MAX_ROWS:
        _long_listing(measures, total)
    else:
        _table(measures, total, settings)


def _long_listing(measures: Sequence[Any], total: int) -> None:
    """Measures or Store summaries as plain lines (plainlist.py)."""
    from imtrack.output.plainlist import one_line_listing
    from imtrack.vocab.sectors import label as sector_label

    due = [m.due or "-" for m in measures]
    notes = [m.latest_note_at[:10] if m.latest_note_at else "-" for m in measures]
    one_line_listing([str(m.id) for m in measures], [sector_label(m.sector) for m in measures],
                     [m.status for m in measures], [m.text for m in measures],
                     due if any(m.due for m in measures) else None, notes, total=total)


def _table(measures: list[Any], total: int, settings: Any) -> None:
    from imtrack.domain.flags import attention
    from imtrack.output.render import measures_table

    colours = {m.id: attention(m, settings.today, settings.soon_days, settings.stale_days) for m in measures}
    _print(measures_table(measures, total=total, colours=colours))


@app.command()
def show(
    ctx: typer.Context,
    measure_id: Annotated[int, typer.Argument(metavar="ID", help="The measure's id (see `imtrack list`).", parser=_parse_id)],
    due_soon_days: Annotated[int, typer.Option("--due-soon-days", metavar="N", help="Due soon = due within N days.")] = 30,
    stale_days: Annotated[int, typer.Option("--stale-days", metavar="N", help="Stale = no note or change for N days.")] = 30,
    fmt: LedgerFormatOption = OutputFormat.table,
) -> None:
    """Show one measure: every field, derived flags, regions, notes and the change history."""
    from imtrack.core.tracker import get_measure
    from imtrack.domain.derived import Settings, derive

    settings = Settings(soon_days=due_soon_days, stale_days=stale_days)
    measure = get_measure(_store(ctx), measure_id)
    if fmt in (OutputFormat.csv, OutputFormat.markdown):
        from imtrack.cli.exchange import print_detail

        print_detail(measure, fmt)
    elif fmt is OutputFormat.json:
        from imtrack.output.serialize import ledger_record

        _json(ledger_record(measure, settings))
    else:
        from imtrack.output.render import measure_detail

        _print(measure_detail(measure, derive(measure, settings)))


@app.command()
def note(
    ctx: typer.Context,
    measure_id: Annotated[int, typer.Argument(metavar="ID", help="The measure's id.", parser=_parse_id, show_default=False)],
    text: Annotated[str, typer.Argument(help="What happened, e.g. '已完成可研批复'.", show_default=False)],
    on: OnOption = None,
) -> None:
    """Record a timestamped note (progress, a problem, a next step) on a measure."""
    from imtrack.core.edits import before_created, effective_on_value
    from imtrack.core.tracker import add_note

    day = effective_on_value(on) if on is not None else None
    measure, added = add_note(_store(ctx), measure_id, text, day)
    for warning in before_created([measure], day):
        typer.echo(_("imtrack: warning: {warning}").format(warning=warning), err=True)
    if added.effective:
        _say(_("{id}: note added at {at}, effective {day}").format(id=measure.id, at=added.at, day=added.effective))
    else:
        _say(_("{id}: note added at {at}").format(id=measure.id, at=added.at))


@app.command("set-sector")
def set_sector(
    ctx: typer.Context,
    ids: Annotated[
        list[int],
        typer.Argument(
            metavar="ID...",
            help="One or more measure ids.",
            parser=_parse_id,
            show_default=False,
            autocompletion=_complete_sector_after_id,
        ),
    ],
    sector: Annotated[
        str,
        typer.Argument(
            metavar="SECTOR",
            help="Sector slug or Chinese label (see `imtrack sectors`).",
            autocompletion=_complete_sector,
            show_default=False,
        ),
    ],
) -> None:
    """Override the sector the keyword rules chose; `reclassify` never undoes it."""
    from imtrack.core.tracker import set_sector as core_set_sector
    from imtrack.vocab.sectors import label

    for m in core_set_sector(_store(ctx), ids, sector):
        _say(_("{id}: sector set to {value} ({sector})").format(id=m.id, value=label(m.sector), sector=m.sector))


@app.command()
def reclassify(ctx: typer.Context) -> None:
    """Apply the sector keyword rules again (after editing them); hand-set sectors are kept."""
    from imtrack.core.tracker import reclassify as core_reclassify
    from imtrack.core.tracker import rules_path_for
    from imtrack.vocab.sectors import label, load_rules

    location = _location(ctx)
    rules = load_rules(rules_path_for(location.path))
    moved = core_reclassify(_store(ctx), rules)
    for m, before in moved:
        _say(_("{id}: {value} -> {value2}").format(id=m.id, value=label(before), value2=label(m.sector)))
    _say(_("{value} measures moved (rules: {path})").format(value=len(moved), path=rules.path))


@app.command()
def sectors(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The sector vocabulary (slug and Chinese label) with the number of measures in each."""
    from imtrack.core.report import sector_counts
    from imtrack.vocab.sectors import SECTORS

    counts = sector_counts(_store(ctx))
    if fmt is OutputFormat.json:
        _json([{"sector": s.slug, "label": s.label, "count": counts.get(s.slug, 0)} for s in SECTORS])
    else:
        from imtrack.output.render import sectors_table

        _print(sectors_table(counts))


ENGINE_NAMES = {"tinydb": N_("TinyDB (one JSON file)"), "sqlite": "SQLite", "postgresql": "PostgreSQL"}


@app.command()
def path(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Print which ledger is in use (its engine and where it lives), why, and which sector rules apply to it."""
    from imtrack.cli.arguments import shown
    from imtrack.core.tracker import rules_path_for
    from imtrack.errors import ImtrackError
    from imtrack.resources import data_file
    from imtrack.storage.engines import open_store

    location = _location(ctx)
    store = open_store(location, command="path")
    problem: ImtrackError | None = None
    try:
        exists = store.exists()
        if exists:
            store.meta()  # reads the ledger, every record checked: a damaged one is named
    except ImtrackError as exc:  # an unreachable server or a damaged file: still say which
        exists, problem = False, exc
    finally:
        store.close()
    rules = rules_path_for(location.path) if location.path is not None else data_file("sector-rules.toml")
    info = {
        "database": shown(location.display),  # never a password; undecodable bytes as \xNN
        "engine": location.engine,
        "origin": location.origin,
        "exists": exists,
        "sector_rules": shown(str(rules)),
    }
    if fmt is OutputFormat.json:
        _json(info)
    else:
        if problem is not None:
            note = _("; cannot open it: {problem}").format(problem=problem)
        elif exists:
            note = ""
        elif location.engine == "tinydb":
            note = _("; created on first use")
        else:
            note = _("; created empty by the first change, or by `imtrack db copy`")
        _say(_("database:     {path}  (from {origin}{note})").format(path=info["database"], origin=location.origin, note=note))
        _say(_("sector rules: {value}").format(value=info["sector_rules"]))
        _say(_("engine:       {value}").format(value=_(ENGINE_NAMES.get(location.engine, location.engine))))
    if problem is not None:
        # After the answer to "where is it", the problem on stderr and exit 1, as any command
        # that cannot use the ledger.
        raise problem
