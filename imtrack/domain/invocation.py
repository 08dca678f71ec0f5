"""The command line being run, set once by the CLI and recorded with each history transaction
(history.begin), so that `undo` can name the command it reverts. A context variable rather than
a parameter: every changing operation opens its transaction through history.begin, and none of
them should need to know it is run from a command line. Kept free of imports: the CLI sets it
on every run."""

from __future__ import annotations

from contextvars import ContextVar

COMMAND_LINE: ContextVar[str | None] = ContextVar("imtrack_command_line", default=None)
