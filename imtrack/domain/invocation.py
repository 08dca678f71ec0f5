"""The command line being run, set by the CLI for the length of one command and recorded with
each history transaction (history.begin), so that `undo` can name the command it reverts.

A module global rather than a parameter: every changing operation opens its transaction
through history.begin, and none of them should need to know it is run from a command line. A
process runs one command at a time (the CLI restores the previous value when it ends, for
in-process callers such as the tests). Free of imports: the CLI sets it on every run."""

from __future__ import annotations

command_line: str | None = None
