"""The database file itself, for every file engine (TinyDB's JSON, SQLite's .sqlite): what
imtrack agrees to read and write (`check_file`), whole-file reads, atomic replacement, and the
clean-up of temp files a crashed write left behind.

The rules, each learnt from a damaged ledger (README, "What imtrack refuses, and why"):

* only a regular file is a ledger: a FIFO would hang the command, a device (/dev/null) would
  be replaced by a regular file at the first write, a directory or a name ending in "/" is a
  mistake in --db;
* a 0-byte (or blank) file is refused, never refilled: imtrack never leaves a ledger empty, so
  an empty one was truncated by something else, and starting anew must be the user's choice;
* a read-only file can be read, and a write to it is refused: the atomic rename would otherwise
  replace it whatever its mode;
* a symlink is followed: the target is read, written and locked, so two clerks using the link
  and the target share one ledger and one lock; a hard-linked file is not written by replacing
  it (its other names would keep the old ledger: two ledgers where there was one).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from imtrack.errors import CorruptStore, StoreError
from imtrack.i18n import N_, _


class EmptyFile(CorruptStore):
    """The ledger file is 0 bytes (or blank). An engine whose driver creates the file before it
    writes anything (sqlite3) may be looking at another command's ledger in creation: it waits
    for that command's creation lock and checks again before it reports this."""


READ = "read"
WRITE = "write"
# A blank file longer than this is not mistaken for anything: reading its head costs one page.
_BLANK_PROBE = 4096
_TEMP_SUFFIX = ".tmp"


def restore_hint(path: Path | str) -> str:
    """The end of every message about a ledger imtrack will not touch."""
    return _("it was left untouched. Restore it from a backup, or move it aside "
             "(mv '{path}' '{path}.broken') and imtrack will start a new database").format(path=path)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return N_("a FIFO (named pipe)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("a device")
    if stat.S_ISSOCK(mode):
        return N_("a socket")
    return N_("not a regular file")


def has_trailing_separator(text: str) -> bool:
    """`Path` drops a trailing "/", so a name typed as a directory must be caught as typed."""
    seps = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return len(text) > 1 and text.endswith(seps)


def refuse_trailing_separator(text: str, where: str) -> None:
    """A usage error (exit 2), like any --db that names no ledger."""
    from imtrack.errors import InvalidValue

    if has_trailing_separator(text):
        trimmed = text.rstrip("/" + (os.altsep or ""))
        raise InvalidValue(
            _("{where}: database path {text} ends in '{sep}', so it names a directory; give a file name, "
              "e.g. {example}").format(where=where, text=text, sep=os.sep, example=trimmed or os.sep)
        )


def check_file(path: Path, intent: str, *, replaced: bool = True) -> Path:
    """The file to use for `path`, checked for `intent` (READ or WRITE); the one gate every
    file engine passes before it opens, locks or replaces its file. `replaced`: the engine
    writes by replacing the file (TinyDB's atomic rename), which would split a file with
    several hard links in two; SQLite writes in place and passes False.

    Returns the path with symlinks resolved: the engine reads, writes and locks that file
    (`<returned>.lock`). A path that does not exist yet is returned resolved too (a new ledger
    is created there). Raises StoreError (CorruptStore for an empty file) naming the path and
    the fix; nothing is ever changed on disk."""
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if intent == WRITE and not real.parent.is_dir():
            raise StoreError(_("directory {parent} does not exist; create it or choose another --db").format(
                parent=real.parent)) from None
        return real
    except OSError as exc:
        raise StoreError(_("cannot read database {path}: {problem}").format(path=path, problem=exc.strerror or exc)) from exc
    shown = str(path) if os.path.abspath(path) == str(real) else _("{path} (a link to {target})").format(
        path=path, target=real)
    _refuse_unusable(real, shown, st)
    if intent == WRITE and not _writable(real, st):
        raise StoreError(
            _("database {path} is read-only (mode {mode}); nothing was changed. To change "
              "it, make it writable (chmod u+w '{real}'), or work on a copy with --db").format(
                path=shown, mode=stat.filemode(st.st_mode), real=real)
        )
    if intent == WRITE and replaced and st.st_nlink > 1:
        raise StoreError(
            _("database {path} has {n} hard links; a write replaces the file, so the other names would "
              "keep the old ledger and nothing was changed. Keep one name and make the others symlinks "
              "(ln -sf '{real}' OTHER)").format(path=shown, n=st.st_nlink, real=real)
        )
    return real


def _refuse_unusable(real: Path, shown: str, st: os.stat_result, blank: bool | None = None) -> None:
    kind = _kind(st.st_mode)
    if kind == "a directory":
        raise StoreError(_("database path {path} is a directory; give a file name, e.g. {example}").format(
            path=shown, example=real / "imtrack.json"))
    if kind is not None:
        raise StoreError(
            _("database path {path} is {kind}, not a regular file; imtrack neither reads nor replaces it: "
              "give the path of a ledger file with --db or IMTRACK_DB").format(path=shown, kind=_(kind))
        )
    if blank is None:
        blank = st.st_size == 0 or (st.st_size <= _BLANK_PROBE and _blank(real))
    if blank:
        raise EmptyFile(
            _("database {path} is empty ({size} bytes); imtrack never leaves a ledger empty, so something "
              "else cut it short; {hint}").format(path=shown, size=st.st_size, hint=restore_hint(real))
        )


def _blank(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return not fh.read(_BLANK_PROBE).strip()
    except OSError:
        return False  # the read that follows reports it


def writable(path: Path) -> bool:
    """Whether a write to the existing file `path` would be allowed by check_file."""
    try:
        return _writable(path, os.stat(path))
    except OSError:
        return False


def _writable(path: Path, st: os.stat_result) -> bool:
    """Writable as its mode says: root may write any file, but a ledger its owner made read-only
    (no write bit at all) is meant to stay as it is."""
    return bool(st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(path, os.W_OK)


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def leftover_temps(path: Path) -> list[Path]:
    """Temp files of `path` (and of the copies kept beside it) that a write killed before its
    rename left behind (atomic_write names them `.<name>.<random>.tmp`)."""
    prefix = temp_prefix(path)
    try:
        with os.scandir(path.parent) as entries:
            return [
                Path(e.path) for e in entries
                if e.name.startswith(prefix) and e.name.endswith(_TEMP_SUFFIX) and e.is_file(follow_symlinks=False)
            ]
    except OSError:
        return []


def remove_temps(temps: list[Path]) -> None:
    """Remove temp files left by crashed writes. Call only under the ledger's lock: every
    writer holds it from before it creates its temp file until after the rename, so whatever
    temp file exists while the lock is held is a dead writer's."""
    for temp in temps:
        try:
            os.unlink(temp)
        except OSError:
            pass  # gone already, or a directory we cannot write: harmless, tried again next time


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader or a crash sees the old file or the new one,
    never a mixture (pitfalls §1b)."""
    import tempfile

    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable; not every platform can open a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_bytes(path: Path) -> bytes | None:
    """The bytes of `path` (a path check_file returned), or None when it does not exist. Opened
    without blocking and checked again once open, so a FIFO or an emptied file put there after
    check_file is refused all the same, never waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(_("database path {path} is a directory; give a file name, e.g. {example}").format(
            path=path, example=path / "imtrack.json")) from None
    except OSError as exc:
        raise StoreError(_("cannot read database {path}: {problem}").format(path=path, problem=exc.strerror or exc)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            _refuse_unusable(path, str(path), st, blank=False)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read()
    except OSError as exc:
        raise StoreError(_("cannot read database {path}: {problem}").format(path=path, problem=exc.strerror or exc)) from exc
    finally:
        os.close(fd)
    if not raw or raw.isspace():
        _refuse_unusable(path, str(path), st, blank=True)
    return raw
