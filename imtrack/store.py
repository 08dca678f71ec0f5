"""Persistence. The only module that knows TinyDB.

TinyDB's JSONStorage writes in place without a lock and re-reads the whole file on every
query (pitfalls §1). Here a command sees the file through `AtomicJSONStorage`, which reads it
once, keeps TinyDB's writes in memory, and commits them once: to a temporary file in the same
directory, fsynced, then `os.replace`d over the database. Changing commands hold an
inter-process lock (filelock) across the whole read-modify-write, so two processes writing at
once lose nothing. A file that cannot be parsed is reported and never written over.

`Store` is the interface the rest of imtrack uses, so a shared server backend can come later.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from imtrack.errors import CorruptStore, InvalidValue, StoreError
from imtrack.ledger import Ledger
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


def _tinydb_storage_class() -> type:
    from tinydb.storages import Storage

    class AtomicJSONStorage(Storage):
        """Read once, buffer writes, commit once atomically (see module docstring)."""

        def __init__(self, path: str | Path, **_: Any) -> None:
            self.path = Path(path)
            self._data: dict[str, Any] | None = None
            self._loaded = False
            self.dirty = False

        def read(self) -> dict[str, Any] | None:
            if not self._loaded:
                self._data = read_database_file(self.path)
                self._loaded = True
            return self._data

        def write(self, data: dict[str, Any]) -> None:
            self._data = data
            self._loaded = True
            self.dirty = True

        def commit(self) -> None:
            if self.dirty and self._data is not None:
                # Documents in id order, so the file reads like the ledger it is.
                data = {
                    name: dict(sorted(table.items(), key=lambda kv: int(kv[0])))
                    for name, table in self._data.items()
                }
                text = json.dumps(data, ensure_ascii=False, indent=1)
                atomic_write(self.path, (text + "\n").encode("utf-8"))
                self.dirty = False

        def close(self) -> None:
            pass

    return AtomicJSONStorage


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
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorruptStore(f"database {path} is not UTF-8 text (byte {exc.start}); {_restore_hint(path)}") from None
    except json.JSONDecodeError as exc:
        raise CorruptStore(
            f"database {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
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
    """The single-file TinyDB backend."""

    def __init__(self, path: Path, seed: Callable[[], list[Measure]] | None = None):
        self.path = Path(path)
        self._seed = seed

    # -- reading ---------------------------------------------------------------------------

    def load(self) -> Ledger:
        """A snapshot for read-only commands; creates and seeds the database on first use."""
        from tinydb import TinyDB

        storage_cls = _tinydb_storage_class()
        db = TinyDB(self.path, storage=storage_cls)
        if db.storage.read() is None:
            with self.transaction() as ledger:
                return ledger
        return self._ledger_from(db)

    def _ledger_from(self, db: Any) -> Ledger:
        meta_docs = db.table(META, cache_size=0).all()
        meta = dict(meta_docs[0]) if meta_docs else {}
        version = meta.get("schema_version")
        if not isinstance(version, int):
            raise CorruptStore(f"database {self.path} has no schema version; {_restore_hint(self.path)}")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} was written by a newer imtrack (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade imtrack: pip install -U imtrack"
            )
        measures = []
        for doc in db.table(MEASURES, cache_size=0).all():
            try:
                measures.append(Measure.from_dict({**doc, "id": doc.doc_id}))
            except (KeyError, TypeError, ValueError) as exc:
                raise CorruptStore(
                    f"database {self.path}: measure {doc.doc_id} is malformed ({exc!r}); "
                    f"{_restore_hint(self.path)}"
                ) from None
        return Ledger(measures, meta)

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
        from tinydb import TinyDB
        from tinydb.table import Document

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
            db = TinyDB(self.path, storage=_tinydb_storage_class())
            if db.storage.read() is None:
                ledger = Ledger(meta={"schema_version": SCHEMA_VERSION, "next_id": 1})
                ledger.meta_dirty = True
                for measure in self._seed() if self._seed else []:
                    ledger.add(measure)
            else:
                ledger = self._ledger_from(db)
            yield ledger
            if ledger.changed:
                _write_measures(db.table(MEASURES, cache_size=0), ledger)
                if ledger.meta_dirty:
                    db.table(META, cache_size=0).upsert(Document(ledger.meta, doc_id=_META_DOC))
                try:
                    db.storage.commit()
                except OSError as exc:
                    raise StoreError(
                        f"cannot write database {self.path}: {exc.strerror or exc}; nothing was changed"
                    ) from exc
                ledger.dirty.clear()
                ledger.meta_dirty = False
        finally:
            lock.release()


def _write_measures(table: Any, ledger: Ledger) -> None:
    """Replace the changed documents with two whole-table operations: TinyDB rebuilds the table
    on every call, so per-document upserts would be quadratic for a bulk change."""
    from tinydb.table import Document

    if not ledger.dirty:
        return
    ids = sorted(ledger.dirty)
    existing = [i for i in ids if table.contains(doc_id=i)]
    if existing:
        table.remove(doc_ids=existing)
    table.insert_multiple(Document(_stored(ledger.measures[i]), doc_id=i) for i in ids)


def _stored(measure: Measure) -> dict[str, Any]:
    # The id is the TinyDB document id (the JSON key); storing it twice would let them disagree.
    record = measure.to_dict()
    del record["id"]
    return record
