"""Errors a user can act on. The CLI prints the message on one line to stderr and exits
with `exit_code`; anything that is not an ImtrackError is a bug and keeps its traceback."""

from __future__ import annotations


class ImtrackError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence that names the fix."""

    exit_code = 1


class InvalidValue(ImtrackError):
    """A value typed by the user is not acceptable (a usage error, like click's)."""

    exit_code = 2


class NotFound(ImtrackError):
    """A well-formed reference (an id, a file) that does not exist."""


class StoreError(ImtrackError):
    """The database file cannot be read, locked or written."""


class CorruptStore(StoreError):
    """The database file exists but is not a database imtrack can read; it is left untouched."""


class Conflict(StoreError):
    """A change based on a measure another command has changed since it was read."""


class MergeConflict(ImtrackError):
    """A returned sheet changed a cell that the ledger also changed since the export, to a
    different value: applied only when the user chooses a side."""
