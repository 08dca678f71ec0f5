"""The Typer layer: parse arguments, make one core call, render. Nothing here touches the
database file or computes anything a script could not get from the core.

Start-up matters (a tracker is opened dozens of times a day): Rich, TinyDB and the core are
imported inside the commands that need them, not at module level."""

import copy
import gc
import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

import imtrack
from imtrack import __version__
from imtrack.errors import ImtrackError

try:  # typer >= 0.28 vendors click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses the click package
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

if TYPE_CHECKING:
    from imtrack.store import JsonStore


# typer >= 0.28's vendored click has no exceptions.Abort (typer.Abort is it); naming the missing
# attribute in an except clause raised AttributeError for every unexpected exception.
_ABORTS: tuple[type[BaseException], ...] = tuple(
    {getattr(click_exceptions, "Abort", typer.Abort), typer.Abort}
)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"imtrack: error: {message}\n")
    sys.stderr.flush()
    sys.exit(code)


class ImtrackGroup(TyperGroup):
    """The one error funnel: every expected failure becomes one line on stderr and an exit
    code (2 for usage errors, 1 for the rest). Anything else is a bug and keeps its traceback."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click_exceptions.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(exc.format_message() + hint, exc.exit_code)
        except ImtrackError as exc:
            _fail(str(exc), exc.exit_code)
        except click_exceptions.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except _ABORTS:
            _fail("aborted", 1)
        except BrokenPipeError:
            # `imtrack list | head`: the reader left, which is not an error. Point stdout at
            # devnull so the interpreter's final flush does not complain either.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


app = typer.Typer(
    cls=ImtrackGroup,
    name="imtrack",
    help="Track policy measures (任务台账): list, update, annotate and report progress.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


# One --format option, shared by every command that prints data.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output format: a table for people, JSON for scripts; list and show also write CSV and Markdown.",
    ),
]


def _only_table_or_json(fmt: OutputFormat) -> None:
    """csv and markdown are ledger formats (list, show, export); other commands say so."""
    if fmt not in (OutputFormat.table, OutputFormat.json):
        from imtrack.errors import InvalidValue

        raise InvalidValue(f"this command prints table or json, not {fmt.value}; csv and markdown are for list, show and export")


class SortKey(str, Enum):
    id = "id"
    due = "due"
    updated = "updated"
    sector = "sector"
    status = "status"


def _offer(pairs: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """Completion for a vocabulary typed as slug or Chinese label: each form, with the other
    as its description."""
    return [
        (name, other)
        for slug, label in pairs
        for name, other in ((slug, label), (label, slug))
        if name.startswith(incomplete)
    ]


def _complete_sector(incomplete: str) -> list[tuple[str, str]]:
    from imtrack.sectors import SECTORS

    return _offer([(s.slug, s.label) for s in SECTORS], incomplete)


def _complete_status(incomplete: str) -> list[tuple[str, str]]:
    from imtrack.models import Status

    return _offer([(s.value, s.label) for s in Status], incomplete)


def _typed_an_id(ctx: typer.Context) -> bool:
    # ID... is variadic, so the shell is still completing it when the value after the ids comes
    # next; once one id is typed, offer the values (click gives a lone word to the last argument).
    return bool(ctx.params.get("ids") or ctx.params.get("status") or ctx.params.get("sector"))


def _complete_status_after_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _complete_status(incomplete) if _typed_an_id(ctx) else []


def _complete_sector_after_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _complete_sector(incomplete) if _typed_an_id(ctx) else []


def _parse_id(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a measure id; ids are whole numbers, e.g. 25") from None
    if number < 1:
        raise typer.BadParameter(f"{value!r} is not a measure id; ids start at 1")
    return number


def _version(value: bool) -> None:
    if value:
        typer.echo(f"imtrack {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file to use. Default: $IMTRACK_DB, else imtrack.json in the per-user "
            "data directory (see `imtrack path`).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Track policy measures (任务台账): list, update, annotate and report progress.

    On first use the database is created with the 34 measures of 国发〔2023〕16号 task area ②.
    """
    ctx.obj = db


def _location(ctx: typer.Context) -> Any:
    from imtrack.config import resolve_db

    return resolve_db(ctx.obj)


def _store(ctx: typer.Context) -> "JsonStore":
    from imtrack.tracker import open_store

    return open_store(_location(ctx))


def _print(doc: Any) -> None:
    """Write a render.py document: plain text, or styled on a terminal (render.emit)."""
    from imtrack.render import emit

    emit(doc)


def _json(data: Any) -> None:
    from imtrack.serialize import write_json

    write_json(data)


def _complete_region(incomplete: str) -> list[tuple[str, str]]:
    from imtrack.regions import REGIONS

    return _offer([(r.slug, r.name) for r in REGIONS], incomplete)


# The filters of `list`, shared by every command that selects measures the same way (export).
SectorFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        help="Only this sector (slug or Chinese label, e.g. transport or 交通); repeat for several.",
        autocompletion=_complete_sector,
    ),
]
StatusFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="Only this status (e.g. in-progress or 推进中); repeat for several.",
        autocompletion=_complete_status,
    ),
]
GrepFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--grep",
        "-g",
        help="Only measures whose text contains this (full-width and half-width forms match alike); "
        "repeat to require several.",
    ),
]
SourceFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        help="Only measures from this document (as `imtrack sources` shows it); repeat for several.",
    ),
]
LeadFilter = Annotated[
    list[str] | None,
    typer.Option("--lead", help="Only measures led by this agency (any alias, e.g. 发改委); repeat for several."),
]
RegionFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        help="Only measures mentioning this 盟市 (包头, 兴安盟, ordos...); repeat for several.",
        autocompletion=_complete_region,
    ),
]
TagFilter = Annotated[list[str] | None, typer.Option("--tag", help="Only measures with this tag; repeat for several.")]
CommitmentFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--commitment",
        help="Only this commitment type: study 研究, support 支持, encourage 鼓励, advance 推进, implement 实施, other.",
    ),
]
OverdueFilter = Annotated[bool, typer.Option("--overdue", help="Only overdue measures (past due, not done).")]
DueSoonFilter = Annotated[bool, typer.Option("--due-soon", help="Only measures due within --due-soon-days.")]
StaleFilter = Annotated[bool, typer.Option("--stale", help="Only measures without a note or change for --stale-days.")]
DueBeforeFilter = Annotated[
    str | None,
    typer.Option("--due-before", metavar="DATE", help="Only measures due on or before DATE (2025-12-31, 年底, +2w...)."),
]
DueAfterFilter = Annotated[
    str | None, typer.Option("--due-after", metavar="DATE", help="Only measures due on or after DATE.")
]
DueSoonDays = Annotated[int, typer.Option("--due-soon-days", metavar="N", help="Due soon = due within N days.")]
StaleDays = Annotated[int, typer.Option("--stale-days", metavar="N", help="Stale = no note or change for N days.")]


def measure_filter(
    sector: list[str] | None,
    status: list[str] | None,
    grep: list[str] | None,
    source: list[str] | None,
    lead: list[str] | None,
    region: list[str] | None,
    tag: list[str] | None,
    commitment: list[str] | None,
    overdue: bool,
    due_soon: bool,
    stale: bool,
    due_before: str | None,
    due_after: str | None,
    due_soon_days: int,
    stale_days: int,
) -> Any:
    """The MeasureFilter of the shared filter options (validated: bad values exit 2)."""
    from imtrack.derived import Settings
    from imtrack.query import MeasureFilter

    return MeasureFilter.build(
        sector or (),
        status or (),
        grep,
        sources=source or (),
        leads=lead or (),
        regions=region or (),
        tags=tag or (),
        commitments=commitment or (),
        overdue=overdue,
        due_soon=due_soon,
        stale=stale,
        due_before=due_before,
        due_after=due_after,
        settings=Settings(soon_days=due_soon_days, stale_days=stale_days),
    )


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
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List measures, optionally filtered; filters combine."""
    from imtrack.digest import summaries
    from imtrack.query import sort_measures

    flt = measure_filter(
        sector, status, grep, source, lead, region, tag, commitment,
        overdue, due_soon, stale, due_before, due_after, due_soon_days, stale_days,
    )
    settings = flt.settings
    store = _store(ctx)
    ledger = store.load()
    if fmt is OutputFormat.table and fields is None and sort in (None, SortKey.id) and _list_from_columns(ledger, flt, limit):
        return
    # Filter and order the digests (digest.py), then build full measures only for the rows a
    # format prints in full: at 10,000 measures that is most of the command's time (issue 6).
    measures = flt.apply(summaries(ledger))
    if sort is not None:
        measures = sort_measures(measures, sort.value)
    if limit is not None:
        measures = measures[:limit]
    if fields is not None or fmt in (OutputFormat.csv, OutputFormat.markdown):
        from imtrack.cli_exchange import print_fields

        print_fields(ledger.get_many(m.id for m in measures), fields, fmt, total=len(ledger))
    elif fmt is OutputFormat.json:
        from imtrack.serialize import ledger_record

        _json([ledger_record(ledger.get(m.id), settings) for m in measures])
    else:
        from imtrack.render import FOLD_MAX_ROWS, measures_table

        colours = None
        if len(measures) <= FOLD_MAX_ROWS:  # long listings are one line per measure, uncoloured
            from imtrack.flags import attention

            colours = {m.id: attention(m, settings.today, settings.soon_days, settings.stale_days) for m in measures}
        _print(measures_table(measures, total=len(ledger), colours=colours))


def _list_from_columns(ledger: Any, flt: Any, limit: int | None) -> bool:
    """A long plain listing from the store index's columns (listing.py), parsing no digest;
    False (nothing printed) when the columns cannot give exactly the digest path's output."""
    from imtrack import listing
    from imtrack.render import FOLD_MAX_ROWS, listing_table, sector_label, status_cell

    view = ledger.measures.columns() if listing.exact_for_columns(flt) else None
    if view is None:
        return False
    rows = listing.positions(view, flt.sectors, flt.statuses, limit)
    if len(rows) <= FOLD_MAX_ROWS:  # coloured by attention: the digests' way (few rows)
        return False
    texts = view.texts()
    if texts is None:
        return False
    _print(listing_table(*listing.cells(view, texts, rows, sector_label, status_cell), total=len(ledger)))
    return True


@app.command()
def show(
    ctx: typer.Context,
    measure_id: Annotated[int, typer.Argument(metavar="ID", help="The measure's id (see `imtrack list`).", parser=_parse_id)],
    due_soon_days: Annotated[int, typer.Option("--due-soon-days", metavar="N", help="Due soon = due within N days.")] = 30,
    stale_days: Annotated[int, typer.Option("--stale-days", metavar="N", help="Stale = no note or change for N days.")] = 30,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show one measure: every field, derived flags, regions, notes and the change history."""
    from imtrack.derived import Settings, derive
    from imtrack.tracker import get_measure

    settings = Settings(soon_days=due_soon_days, stale_days=stale_days)
    measure = get_measure(_store(ctx), measure_id)
    if fmt in (OutputFormat.csv, OutputFormat.markdown):
        from imtrack.cli_exchange import print_detail

        print_detail(measure, fmt)
    elif fmt is OutputFormat.json:
        from imtrack.serialize import ledger_record

        _json(ledger_record(measure, settings))
    else:
        from imtrack.render import measure_detail

        _print(measure_detail(measure, derive(measure, settings)))


@app.command()
def note(
    ctx: typer.Context,
    measure_id: Annotated[int, typer.Argument(metavar="ID", help="The measure's id.", parser=_parse_id, show_default=False)],
    text: Annotated[str, typer.Argument(help="What happened, e.g. '已完成可研批复'.", show_default=False)],
) -> None:
    """Record a timestamped note (progress, a problem, a next step) on a measure."""
    from imtrack.tracker import add_note

    measure, added = add_note(_store(ctx), measure_id, text)
    typer.echo(f"{measure.id}: note added at {added.at}")


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
    from imtrack.sectors import label
    from imtrack.tracker import set_sector as core_set_sector

    for m in core_set_sector(_store(ctx), ids, sector):
        typer.echo(f"{m.id}: sector set to {label(m.sector)} ({m.sector})")


@app.command()
def reclassify(ctx: typer.Context) -> None:
    """Apply the sector keyword rules again (after editing them); hand-set sectors are kept."""
    from imtrack.sectors import label, load_rules
    from imtrack.tracker import reclassify as core_reclassify
    from imtrack.tracker import rules_path_for

    location = _location(ctx)
    rules = load_rules(rules_path_for(location.path))
    moved = core_reclassify(_store(ctx), rules)
    for m, before in moved:
        typer.echo(f"{m.id}: {label(before)} -> {label(m.sector)}")
    typer.echo(f"{len(moved)} measures moved (rules: {rules.path})")


@app.command()
def sectors(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The sector vocabulary (slug and Chinese label) with the number of measures in each."""
    _only_table_or_json(fmt)
    from imtrack.report import sector_counts
    from imtrack.sectors import SECTORS

    counts = sector_counts(_store(ctx).load())
    if fmt is OutputFormat.json:
        _json([{"sector": s.slug, "label": s.label, "count": counts.get(s.slug, 0)} for s in SECTORS])
    else:
        from imtrack.render import sectors_table

        _print(sectors_table(counts))


@app.command()
def path(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Print which database file is in use, why, and which sector rules apply to it."""
    _only_table_or_json(fmt)
    from imtrack.tracker import rules_path_for

    location = _location(ctx)
    info = {
        "database": str(location.path),
        "origin": location.origin,
        "exists": location.path.exists(),
        "sector_rules": str(rules_path_for(location.path)),
    }
    if fmt is OutputFormat.json:
        _json(info)
    else:
        typer.echo(f"database:     {info['database']}  (from {location.origin}"
                   f"{'' if info['exists'] else '; created on first use'})")
        typer.echo(f"sector rules: {info['sector_rules']}")


# The commands this module defines (the others are in COMMAND_MODULES).
_OWN_COMMANDS = frozenset({"list", "show", "note", "set-sector", "reclassify", "sectors", "path"})


def _invoked_app(argv: list[str]) -> typer.Typer:
    """The app with only the command that argv names. Typer builds a click command for every
    registered command on each run (signatures, annotations: ~3 ms each here, the largest cost
    after `import typer`; bench/RESULTS.md). Help, completion, options before the command other
    than --db, and unknown names all get the full app, so their output is unchanged."""
    if any(key.endswith("_COMPLETE") for key in os.environ):
        register_all()
        return app
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif not arg.startswith("--db="):
            break
    else:
        register_all()
        return app
    if arg.startswith("-"):
        register_all()
        return app
    from typer.main import get_command_name

    if arg not in _OWN_COMMANDS:
        _register(arg)

    keep = [c for c in app.registered_commands
            if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == arg]
    if len(keep) != 1:
        register_all()
        return app
    pruned = copy.copy(app)
    pruned.registered_commands = keep
    return pruned


def main() -> None:
    # Chinese output must not depend on the locale (a cp1252 or C locale stdout would raise).
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    # One short process: a large ledger is hundreds of thousands of containers, none of them in
    # reference cycles, which the cyclic collector would scan again and again (bench/RESULTS.md).
    gc.disable()
    try:
        _invoked_app(sys.argv[1:])(prog_name="imtrack")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    # Freeing every object of a large ledger one by one at exit costs a good part of a second
    # at 100k measures; the database is already written and closed, so flush the output and go.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stderr closed by the funnel
            pass
    os._exit(code or 0)


# Commands defined in other modules register themselves on `app` when imported. Importing this
# module gives the whole app; the `imtrack` script (imtrack.__main__.main) sets
# imtrack.commands_on_demand first, and then _invoked_app imports only the module of the command
# it runs (about 2.5 ms for these three, start-up, issue 6).
COMMAND_MODULES: dict[str, str] = {
    "export": "cli_exchange",
    "import": "cli_import",
    "sources": "cli_import",
    "set-status": "cli_ledger",
    "update": "cli_ledger",
    "undo": "cli_ledger",
    "log": "cli_ledger",
    "report": "cli_ledger",
}


def register_all() -> None:
    """Import every module of COMMAND_MODULES (each registers its commands on `app`)."""
    # __import__ rather than importlib.import_module: -X importtime reports only the former
    for module in sorted(set(COMMAND_MODULES.values())):
        __import__(f"imtrack.{module}")


def _register(name: str) -> None:
    module = COMMAND_MODULES.get(name)
    if module is None:
        register_all()  # an unknown name: the full app says so, with the full command list
    else:
        __import__(f"imtrack.{module}")


if not imtrack.commands_on_demand:
    register_all()
