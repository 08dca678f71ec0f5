"""Whole-file reads and atomic replacement, for the file engine and the copies migrations keep."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from imtrack.errors import StoreError


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
    """The file's bytes, or None when it does not exist or is empty (never written)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"database path {path} is a directory; give a file name, e.g. {path / 'imtrack.json'}") from None
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror or exc}") from exc
    return raw or None
