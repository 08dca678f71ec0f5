"""A disk cache of what imtrack builds from its editable data files (places.toml,
commitments.toml, agencies.toml, sector-rules.toml), so that a command does not import tomllib,
parse the TOML and fold hundreds of names on every run (start-up, issue 6).

`cached(path, kind, build)` returns `build(path)`, a value made of plain containers, strings and
numbers, memoised in one small `marshal` file per data file in the user cache directory:
`$IMTRACK_CACHE_DIR`, else `$XDG_CACHE_HOME/imtrack` or `~/.cache/imtrack` on Linux and other
Unixes, else platformdirs' user cache directory (macOS, Windows).

An entry records the data file's path, size, modification time (ns) and inode, and the size and
mtime of the module that built it and of textnorm.py; when any of them differs the file is read
and built again, so an edited TOML (or builder) takes effect on the next run. A file
modified in the last two seconds is not cached at all (an edit within the same clock tick would
keep its size and mtime). The cache is only ever a copy: an entry that cannot be read, is stale
or was written by another Python or another version of imtrack is ignored, an error while
writing one is ignored, and deleting the directory is always safe. A data file with a mistake in
it is never cached: `build` raises and the error reaches the user as before."""

from __future__ import annotations

import marshal
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV_CACHE_DIR = "IMTRACK_CACHE_DIR"
# Bump when what a builder returns changes shape; entries of another format are ignored.
FORMAT = 1
_RECENT_NS = 2_000_000_000


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env).expanduser()
    if sys.platform in ("win32", "darwin"):
        from platformdirs import user_cache_path

        return user_cache_path("imtrack", appauthor=False)
    # platformdirs' Unix rule, without its import (about 7 ms, more than the cache saves)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "imtrack"


def _entry(path: Path, kind: str) -> Path:
    import zlib

    digest = zlib.crc32(os.fsencode(path))
    return cache_dir() / f"{kind}-{digest:08x}.{sys.implementation.cache_tag}.marshal"


def _code_stamp(build: Callable[[Path], Any]) -> tuple[Any, ...]:
    """Size and mtime of the builder's module and of textnorm (whose folding makes the keys), so
    that editing the code that builds an entry also retires it (editable installs)."""
    stamp: list[Any] = []
    for name in (build.__module__, "imtrack.vocab.textnorm"):
        st = os.stat(sys.modules[name].__file__ or "")
        stamp += [st.st_size, st.st_mtime_ns]
    return tuple(stamp)


def _key(path: Path, kind: str, st: os.stat_result, build: Callable[[Path], Any]) -> tuple[Any, ...]:
    from imtrack import __version__

    return (FORMAT, __version__, kind, str(path), st.st_size, st.st_mtime_ns, st.st_ino, _code_stamp(build))


def cached(path: Path, kind: str, build: Callable[[Path], Any]) -> Any:
    """`build(path)`, from the cache when the file is unchanged since it was cached."""
    try:
        st = os.stat(path)
        key = _key(path, kind, st, build)
        entry = _entry(path, kind)
    except (OSError, RuntimeError, KeyError):
        # the file is missing (let the builder name the problem), or there is no cache directory
        # (no home directory) or no source file to stamp: build without the cache
        return build(path)
    try:
        with open(entry, "rb") as fh:
            raw = fh.read()
        stored_key, value = marshal.loads(raw)  # (marshal.load(fh) reads in small pieces: 4x slower)
        if stored_key == key:
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass  # absent, truncated, foreign: build it again
    value = build(path)
    if time.time_ns() - st.st_mtime_ns >= _RECENT_NS:
        _write(entry, (key, value))
    return value


def _write(entry: Path, data: Any) -> None:
    """Write atomically (a temporary file renamed over the entry); any failure is ignored."""
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        raw = marshal.dumps(data)
        entry.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, entry)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
