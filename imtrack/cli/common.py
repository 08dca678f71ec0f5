"""What every command module shares: the Typer app with its error funnel, the --db and
--format options, the filters of `list`, and the helpers that open the store and print.
Nothing here touches the database file or computes anything a script could not get from the core.

Start-up matters (a tracker is opened dozens of times a day): Rich, TinyDB and the core are
imported inside the commands that need them, not at module level."""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from imtrack import __version__
from imtrack.errors import ImtrackError

try:  # typer >= 0.28 vendors click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses the click package
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

if TYPE_CHECKING:
    from imtrack.storage.base import Store


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
    from imtrack.vocab.sectors import SECTORS

    return _offer([(s.slug, s.label) for s in SECTORS], incomplete)


def _complete_status(incomplete: str) -> list[tuple[str, str]]:
    from imtrack.domain.models import Status

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
            metavar="PATH|URL",
            help="Ledger to use: a .json file (TinyDB), a .sqlite/.db file or sqlite:///PATH "
            "(SQLite), or postgresql://USER@HOST/DBNAME. Default: $IMTRACK_DB, else imtrack.json "
            "in the per-user data directory (see `imtrack path`).",
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


def _store(ctx: typer.Context) -> "Store":
    """The ledger's store, recording the command's name with each change; its advice (a large
    TinyDB ledger suggesting SQLite) goes to stderr when the command ends."""
    from imtrack.core.tracker import open_store

    store = open_store(_location(ctx), command=ctx.info_name or "")

    def finish() -> None:
        for hint in store.hints():
            sys.stderr.write(f"imtrack: hint: {hint}\n")
        store.close()

    ctx.call_on_close(finish)
    return store


def _print(doc: Any) -> None:
    """Write a render.py document: plain text, or styled on a terminal (render.emit)."""
    from imtrack.output.render import emit

    emit(doc)


def _json(data: Any) -> None:
    from imtrack.output.serialize import write_json

    write_json(data)


def _complete_region(incomplete: str) -> list[tuple[str, str]]:
    from imtrack.vocab.regions import REGIONS

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
    from imtrack.domain.derived import Settings
    from imtrack.domain.query import MeasureFilter

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
