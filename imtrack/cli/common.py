"""What every command module shares: the Typer app with its error funnel, the --db and
--format options, the filters of `list`, and the helpers that open the store and print.
Nothing here touches the database file or computes anything a script could not get from the core.

Start-up matters (a tracker is opened dozens of times a day): Rich, TinyDB and the core are
imported inside the commands that need them, not at module level."""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from click import exceptions as click_exceptions
from typer.core import TyperGroup

from imtrack import __version__
from imtrack.errors import ImtrackError
from imtrack.i18n import _

if TYPE_CHECKING:
    from imtrack.storage.base import Store


_ABORTS: tuple[type[BaseException], ...] = (click_exceptions.Abort,)


def _fail(message: str, code: int) -> None:
    from imtrack.cli.arguments import shown
    from imtrack.output.display import visible

    # user text in a message (an unknown status, a file name) is shown, never obeyed; an
    # argument holding undecodable bytes is shown with \xNN escapes
    sys.stderr.write(_("imtrack: error: {message}").format(message=visible(shown(message), keep_newlines=False)) + "\n")
    sys.stderr.flush()
    sys.exit(code)


class _Interrupted(Exception):
    """Ctrl-C while a command ran. At a prompt nothing has been written yet, and a write is
    atomic, so the ledger holds the command wholly or not at all. 130 = 128 + SIGINT, as
    shells report it."""

    exit_code = 130


def _wrap(text: str, width: int) -> list[str]:
    """Help text folded to `width` terminal cells: paragraphs (blank-line separated) rejoined,
    broken at spaces or between CJK characters, never inside an ASCII word that fits a line,
    never before closing punctuation (fold.py)."""
    from imtrack.output.fold import fold

    lines: list[str] = []
    for i, block in enumerate(text.split("\n\n")):
        para = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if i:
            lines.append("")
        lines.extend(para[a:b] for a, b, _w in fold(para, max(width, 10)))
    return lines


class HelpFormatter(click.HelpFormatter):
    """click's help layout measured in terminal cells (a Chinese character takes two) and
    wrapped by fold.py, so a value list or a word is never broken in the middle."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in _wrap(text, self.width - self.current_indent):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        from imtrack.output.fold import cell_width

        rows = list(rows)
        first_col = min(max((cell_width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cell_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrap(second, max(self.width - first_col - self.current_indent, 10))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class ImtrackContext(click.Context):
    formatter_class = HelpFormatter


def _translate_help(command: click.Command) -> None:
    """The help of `command` and its parameters in the interface language (i18n.py): typer
    builds the click commands anew for every run, so the language of this run applies."""
    import inspect

    command.context_class = ImtrackContext
    if command.help:
        command.help = _(inspect.cleandoc(command.help))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():  # a command group such as `db`
        _translate_help(sub)


class ImtrackGroup(TyperGroup):
    """The one error funnel: every expected failure becomes one line on stderr and an exit
    code (2 for usage errors, 1 for the rest). Anything else is a bug and keeps its traceback.
    Help is click's plain layout (no Rich for --help), in the interface language."""

    context_class = ImtrackContext

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        # typer adds the completion options after making the group: translate when it runs
        _translate_help(self)
        for command in self.commands.values():
            _translate_help(command)
        return self._main(*args, standalone_mode=standalone_mode, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with the first paragraph of its help, whole (click cuts it with "...")."""
        rows = [(name, command.short_help or (command.help or "").split("\n\n")[0])
                for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def _main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        try:
            argv = list(sys.argv[1:] if argv is None else argv)
            if any("\udc80" <= ch <= "\udcff" for arg in argv for ch in arg):  # rare: import only then
                from imtrack.cli.arguments import check_arguments

                check_arguments(self, argv)
            from imtrack.domain import invocation

            previous, invocation.command_line = invocation.command_line, _command_line(argv)
            try:
                result = super().main(*args, standalone_mode=False, **kwargs)
            finally:  # in-process callers (tests) run many commands in one interpreter
                invocation.command_line = previous
        except click_exceptions.NoArgsIsHelpError as exc:  # `imtrack` alone: the help, and fine
            sys.stdout.write(exc.ctx.get_help() + "\n")
            sys.exit(0)
        except click_exceptions.NoSuchOption as exc:
            _fail(exc.format_message() + _dash_hint(exc, args[0] if args else kwargs.get("args")), exc.exit_code)
        except click_exceptions.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = _(" (see '{command} --help')").format(command=exc.ctx.command_path)
            _fail(exc.format_message() + hint, exc.exit_code)
        except ImtrackError as exc:
            _fail(str(exc), exc.exit_code)
        except click_exceptions.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except _ABORTS:
            _fail(_("aborted"), 1)
        except _Interrupted:
            sys.stderr.write("\n")  # the terminal shows ^C after the prompt: start a new line
            _fail(_("aborted"), _Interrupted.exit_code)
        except BrokenPipeError:
            # `imtrack list | head`: the reader left, which is not an error. Point stdout at
            # devnull so the interpreter's final flush does not complain either.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        # Caught here, inside typer's main, which would turn it into a silent exit code 130.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None


def _command_line(argv: list[str]) -> str | None:
    """What history records for undo to name (domain/invocation.py): the command and its
    arguments, without the global options before it (--db PATH)."""
    rest = list(argv)
    while rest and (rest[0] == "--db" or rest[0].startswith("--db=")):
        rest = rest[2:] if rest[0] == "--db" else rest[1:]

    def word(arg: str) -> str:  # shlex.quote would quote every Chinese word too
        plain = arg and not any(ch.isspace() or ch in "'\"\\$`!*?[](){}<>|&;#~" for ch in arg)
        if plain:
            return arg
        import shlex  # only now: most command lines need no quoting (start-up)

        return shlex.quote(arg)

    if not rest:
        return None
    if any("\udc80" <= ch <= "\udcff" for arg in rest for ch in arg):
        from imtrack.cli.arguments import shown

        # only a file name can still hold undecodable bytes here, and history is text
        rest = [shown(arg) for arg in rest]
    return " ".join(map(word, rest))


def ask_yes_no(question: str, err: bool = False) -> bool | None:
    """Ask on the terminal; True for y/yes/是, False for anything else (the default is no), None
    when no answer can be read (stdin closed: a script, a cron job). Ctrl-C is not caught here:
    KeyboardInterrupt reaches the error funnel, which says "aborted" and exits 130 (click's
    confirm turns it into the same Abort as a closed stdin, so it is not used)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{question} [y/N]: ")
    stream.flush()
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:  # an answer typed in another encoding (是 from a GBK terminal)
        line = "?\n"  # not a yes: nothing is changed without a clear one
    if not line:
        stream.write("\n")
        return None
    return line.strip().casefold() in ("y", "yes", "是", "好")


def _dash_hint(exc: click_exceptions.NoSuchOption, args: Any) -> str:
    """`imtrack note 25 "-30%资金已到位"`: click reads "-3" as an option. When the word is not
    an option of any command, say how to pass it as text."""
    import shlex

    argv = list(args) if args is not None else sys.argv[1:]
    word = next((a for a in argv if a.startswith(exc.option_name) and not a.startswith("--")), None)
    if word is None or exc.possibilities:
        return ""
    at = argv.index(word)
    fixed = " ".join(shlex.quote(a) for a in [*argv[:at], "--", *argv[at:]])
    return _(" If {word} is text, not an option, put -- before it: imtrack {fixed}").format(
        word=shlex.quote(word), fixed=fixed
    )


app = typer.Typer(
    cls=ImtrackGroup,
    name="imtrack",
    help="Track policy measures (任务台账): list, update, annotate and report progress.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class _Formats(click.Choice):
    """Some of the OutputFormat values (typer makes the OutputFormat): each command offers only
    the formats it can write."""

    def __init__(self, *formats: OutputFormat) -> None:
        super().__init__([f.value for f in formats])


# One --format option per set of formats: table|json for every command that prints data, and
# the ledger formats too for list and show.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        click_type=_Formats(OutputFormat.table, OutputFormat.json),
        help="table for people, json for scripts.",
    ),
]
LedgerFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        click_type=_Formats(*OutputFormat),
        help="table for people, json for scripts, csv or markdown for the office.",
    ),
]


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
        raise typer.BadParameter(_("{value!r} is not a measure id; ids are whole numbers, e.g. 25").format(value=value)) from None
    if number < 1:
        raise typer.BadParameter(_("{value!r} is not a measure id; ids start at 1").format(value=value))
    return number


def _version(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # arguments.check_arguments parses resiliently first
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
    """The ledger's store, recording the command line with each change (so `undo` and `log` can
    name it); its advice (a large TinyDB ledger suggesting SQLite) goes to stderr when the
    command ends."""
    from imtrack.core.tracker import open_store
    from imtrack.domain import invocation

    store = open_store(_location(ctx), command=invocation.command_line or ctx.info_name or "")

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


def _say(line: str) -> None:
    """One line of a command's report on stdout; user text in it (notes, texts, agency names)
    is shown visibly, never obeyed as terminal codes (display.visible)."""
    from imtrack.output.display import visible

    typer.echo(visible(line, keep_newlines=False))


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
        metavar="SECTOR",
        help="Only this sector (slug or Chinese label, e.g. transport or 交通); repeat for several.",
        autocompletion=_complete_sector,
    ),
]
StatusFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only this status (e.g. in-progress or 推进中); repeat for several.",
        autocompletion=_complete_status,
    ),
]
GrepFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--grep",
        "-g",
        metavar="WORDS",
        help="Only measures whose text contains this (full-width and half-width forms match alike); "
        "repeat to require several.",
    ),
]
SourceFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="DOCUMENT",
        help="Only measures from this document (as `imtrack sources` shows it); repeat for several.",
    ),
]
LeadFilter = Annotated[
    list[str] | None,
    typer.Option("--lead", metavar="AGENCY", help="Only measures led by this agency (any alias, e.g. 发改委); repeat for several."),
]
RegionFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        metavar="REGION",
        help="Only measures mentioning this 盟市 (包头, 兴安盟, ordos...); repeat for several.",
        autocompletion=_complete_region,
    ),
]
TagFilter = Annotated[list[str] | None, typer.Option("--tag", metavar="TAG", help="Only measures with this tag; repeat for several.")]
CommitmentFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--commitment",
        metavar="TYPE",
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
