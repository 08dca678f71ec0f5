"""Persistence. The only module that knows the database file.

The file keeps TinyDB's layout ({"measures": {"1": {...}}, "meta": {"1": {...}}}), but TinyDB
itself is no longer in the path: its JSONStorage writes in place without a lock and re-reads the
whole file on every query (pitfalls §1), and its table layer copies every document into a
Document on each read and rebuilds the whole table on each write, which dominated every command
at 10,000 measures (bench/RESULTS.md). Here a command reads the file once (orjson when
installed, see jsoncodec), builds Measures lazily, and writes at most once: only the changed
documents are replaced in the parsed tables, then the whole file goes to a temporary file in the
same directory, fsynced, then `os.replace`d over the database. Changing commands hold an
inter-process lock (filelock) across the whole read-modify-write, so two processes writing at
once lose nothing. A file that cannot be parsed is reported and never written over.

`Store` is the interface the rest of imtrack uses, so a shared server backend can come later.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from imtrack import jsoncodec
from imtrack.errors import CorruptStore, InvalidValue, StoreError
from imtrack.ledger import Ledger, MeasureMap
from imtrack.models import Measure

SCHEMA_VERSION = 1
MEASURES = "measures"
META = "meta"
_META_DOC = 1
LOCK_TIMEOUT_ENV = "IMTRACK_LOCK_TIMEOUT"


class Store(Protocol):
    """What commands need from a backend: a read-only snapshot, or a locked transaction."""

    def load(self) -> Ledger: ...

    def transaction(self) -> Any: ...  # context manager yielding a Ledger, committed on success


def _restore_hint(path: Path) -> str:
    return (
        f"it was left untouched. Restore it from a backup, or move it aside "
        f"(mv '{path}' '{path}.broken') and imtrack will start a new database"
    )


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader or a crash sees the old file or the new one,
    never a mixture (pitfalls §1b)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile

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
    try:  # make the rename itself durable; not all platforms allow opening a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing a large file creates hundreds of thousands of containers; the cyclic collector
    would scan them again and again while none of them can be garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_database_file(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when it does not exist (or is empty: never written)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"database path {path} is a directory; give a file name, e.g. {path / 'imtrack.json'}") from None
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror or exc}") from exc
    if not raw:
        return None
    try:
        with _gc_paused():
            data = jsoncodec.loads(raw)
        del raw
    except UnicodeDecodeError as exc:
        raise CorruptStore(f"database {path} is not UTF-8 text (byte {exc.start}); {_restore_hint(path)}") from None
    except ValueError as exc:  # json.JSONDecodeError, imported only when a file is broken
        where = f"line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')}"
        raise CorruptStore(
            f"database {path} is not valid JSON ({where}: {getattr(exc, 'msg', exc)}); "
            f"{_restore_hint(path)}"
        ) from None
    problem = _shape_problem(data)
    if problem:
        raise CorruptStore(f"database {path} is JSON but not an imtrack database ({problem}); {_restore_hint(path)}")
    return data


def _shape_problem(data: Any) -> str | None:
    """What keeps `data` from being TinyDB's layout {table: {"<int id>": {document}}}, if anything.
    Checked here because TinyDB itself fails on it with a bare ValueError or TypeError."""
    if not isinstance(data, dict):
        return f"top level is a {type(data).__name__}, not an object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object"
        for key, doc in table.items():
            if not (key.isascii() and key.isdigit()):
                return f"table {name!r} has a non-numeric id {key!r}"
            if not isinstance(doc, dict):
                return f"document {name}/{key} is not an object"
    return None


class JsonStore:
    """The single-file JSON backend (TinyDB's file layout, see the module docstring)."""

    def __init__(self, path: Path, seed: Callable[[], list[Measure]] | None = None):
        self.path = Path(path)
        self._seed = seed

    # -- reading ---------------------------------------------------------------------------

    def load(self) -> Ledger:
        """A snapshot for read-only commands; creates and seeds the database on first use."""
        data = read_database_file(self.path)
        if data is None:
            with self.transaction() as ledger:
                return ledger
        return self._ledger_from(data)

    def _ledger_from(self, data: dict[str, Any]) -> Ledger:
        meta_docs = list((data.get(META) or {}).values())
        meta = dict(meta_docs[0]) if meta_docs and isinstance(meta_docs[0], dict) else {}
        version = meta.get("schema_version")
        if not isinstance(version, int):
            raise CorruptStore(f"database {self.path} has no schema version; {_restore_hint(self.path)}")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} was written by a newer imtrack (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade imtrack: pip install -U imtrack"
            )
        try:
            docs = {int(key): doc for key, doc in (data.get(MEASURES) or {}).items()}
        except ValueError as exc:
            raise CorruptStore(
                f"database {self.path}: a measure has a non-numeric id ({exc}); {_restore_hint(self.path)}"
            ) from None
        # Measures are built lazily (MeasureMap): a malformed one is reported when a command
        # reaches it, still before anything is written.
        return Ledger(MeasureMap(docs, self._measure_from), meta)

    def _measure_from(self, measure_id: int, doc: Any) -> Measure:
        try:
            return Measure.from_dict({**doc, "id": measure_id})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptStore(
                f"database {self.path}: measure {measure_id} is malformed ({exc!r}); "
                f"{_restore_hint(self.path)}"
            ) from None

    # -- writing ---------------------------------------------------------------------------

    def _lock(self) -> Any:
        from filelock import FileLock

        raw = os.environ.get(LOCK_TIMEOUT_ENV, "30")
        try:
            timeout = float(raw)
        except ValueError:
            raise InvalidValue(
                f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds; set it to e.g. 30, or unset it"
            ) from None
        return FileLock(str(self.path) + ".lock", timeout=timeout)

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """Locked read-modify-write: yields the ledger; writes it once if the block changed it
        and raised nothing. An exception leaves the file exactly as it was."""
        from filelock import Timeout

        if not self.path.parent.is_dir():
            raise StoreError(
                f"directory {self.path.parent} does not exist; create it or choose another --db"
            )
        lock = self._lock()
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(
                f"database {self.path} is busy: another imtrack command holds {lock.lock_file}; try again"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot lock database {self.path}: {exc.strerror or exc}") from exc
        try:
            data = read_database_file(self.path)
            if data is None:
                data = {}
                ledger = Ledger(meta={"schema_version": SCHEMA_VERSION, "next_id": 1})
                ledger.meta_dirty = True
                for measure in self._seed() if self._seed else []:
                    ledger.add(measure)
            else:
                ledger = self._ledger_from(data)
            yield ledger
            if ledger.changed:
                _merge(data, ledger)
                try:
                    atomic_write(self.path, jsoncodec.dump_database(data))
                except OSError as exc:
                    raise StoreError(
                        f"cannot write database {self.path}: {exc.strerror or exc}; nothing was changed"
                    ) from exc
                ledger.dirty.clear()
                ledger.removed.clear()
                ledger.meta_dirty = False
        finally:
            lock.release()


def _merge(data: dict[str, Any], ledger: Ledger) -> None:
    """Put the changed measures and the metadata into the file's tables ({doc_id: document}),
    drop the documents of removed measures (Ledger.remove),
    leaving every untouched document exactly as it was read."""
    table = data.setdefault(MEASURES, {})
    last = int(next(reversed(table))) if table else 0
    new_ids = sorted(i for i in ledger.dirty if str(i) not in table)
    for measure_id in sorted(ledger.dirty):
        table[str(measure_id)] = _stored(ledger.measures[measure_id])
    for measure_id in ledger.removed:
        table.pop(str(measure_id), None)
    if new_ids and new_ids[0] < last:
        # Documents stay in id order, so the file reads like the ledger it is.
        data[MEASURES] = dict(sorted(table.items(), key=lambda kv: int(kv[0])))
    if ledger.meta_dirty:
        data.setdefault(META, {})[str(_META_DOC)] = ledger.meta


def _stored(measure: Measure) -> dict[str, Any]:
    # The id is the TinyDB document id (the JSON key); storing it twice would let them disagree.
    record = measure.to_dict()
    del record["id"]
    return record
