"""Persistence. The only module that knows the database file.

The file keeps TinyDB's layout ({"measures": {"1": {...}}, "meta": {"1": {...}}}), but TinyDB
itself is no longer in the path: its JSONStorage writes in place without a lock and re-reads the
whole file on every query (pitfalls §1), and its table layer copies every document into a
Document on each read and rebuilds the whole table on each write, which dominated every command
at 10,000 measures (bench/RESULTS.md). Here a command reads the file once (orjson when
installed, see jsoncodec), builds Measures lazily, and writes at most once: only the changed
documents are replaced in the parsed tables, then the whole file goes to a temporary file in the
same directory, fsynced, then `os.replace`d over the database. Changing commands hold an
inter-process lock (lockfile.py: flock, as filelock takes it) across the whole read-modify-write, so two processes writing at
once lose nothing. A file that cannot be parsed is reported and never written over.

With a trusted index beside the file (storeindex.py, `<db>.idx`) a command parses nothing but
the documents it reaches, and a write that only changed existing measures (and the metadata)
splices their new encodings into the old bytes, byte for byte what the full dump would write
(jsoncodec.encode_document), the unchanged bytes copied file to file (filebytes.py). Adds,
removes and files without a trusted index go the full way above, and leave a fresh index.

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

from imtrack.domain.ledger import Ledger, MeasureMap
from imtrack.domain.models import Measure, check_record
from imtrack.errors import CorruptStore, InvalidValue, StoreError
from imtrack.storage import jsoncodec
from imtrack.storage.digest import digest_of
from imtrack.storage.filebytes import CAN_PREAD, FileSlices, write_pieces
from imtrack.storage.storeindex import (
    NULL,
    Columns,
    StoreIndex,
    columns_of,
    index_path,
    read_index,
    signature,
    splice,
    write_index,
)

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


def atomic_write(path: Path, data: bytes | list[Any]) -> None:
    """Replace `path` with `data` so that a reader or a crash sees the old file or the new one,
    never a mixture (pitfalls §1b). `data`: bytes, or pieces written one after the other, each
    bytes or a filebytes.Segment of the old file (copied by the kernel where it can)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb", buffering=0):
            write_pieces(fd, [data] if isinstance(data, bytes) else data)
            os.fsync(fd)
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


class Snapshot:
    """The bytes of the database file as one read saw them, the signature (storeindex) of the
    file they came from, and its index if that index describes exactly this file."""

    __slots__ = ("buf", "index", "mode", "signature")

    def __init__(self, buf: Any, st: os.stat_result, index: StoreIndex | None):
        self.buf, self.index = buf, index
        self.signature, self.mode = signature(st), stat.S_IMODE(st.st_mode)


def read_snapshot(path: Path, lazy: bool = False, indexed: bool = True) -> Snapshot | None:
    """The one read of a command: None when the file does not exist (or is empty: never
    written). With a trusted index and `lazy`, only the slices asked for are read (FileSlices)."""
    index = read_index(index_path(path)) if indexed else None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"database path {path} is a directory; give a file name, e.g. {path / 'imtrack.json'}") from None
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(f"database path {path} is a directory; give a file name, e.g. {path / 'imtrack.json'}")
        if index is not None and (index.signature != signature(st) or index.layout != jsoncodec.layout()):
            index = None
        if not st.st_size:
            return None
        if index is not None and lazy and CAN_PREAD:
            slices, fd = FileSlices(fd, st.st_size), -1  # the descriptor is its to close
            return Snapshot(slices, st, index)
        with open(fd, "rb", closefd=False) as fh:
            buf = fh.read()
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror or exc}") from exc
    finally:
        if fd >= 0:
            os.close(fd)
    if not buf:
        return None
    return Snapshot(buf, st, index)


def parse_database(raw: bytes, path: Path) -> dict[str, Any]:
    """The whole file parsed and checked for TinyDB's layout, or CorruptStore naming it."""
    try:
        with _gc_paused():
            data = jsoncodec.loads(raw)
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


def read_database_file(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when it does not exist (or is empty: never written)."""
    snapshot = read_snapshot(path, indexed=False)
    return None if snapshot is None else parse_database(snapshot.buf, path)


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
        snapshot = read_snapshot(self.path, lazy=True)
        if snapshot is None:
            with self.transaction() as ledger:
                return ledger
        if snapshot.index is not None:
            return self._ledger_from_index(snapshot.buf, snapshot.index)
        data = parse_database(snapshot.buf, self.path)
        ledger = self._ledger_from(data)
        # A file in imtrack's own layout (written by an imtrack without the index, or the index
        # was lost) gets one, once; any other layout waits for imtrack's next write. No lock:
        # the index names the file it was made from, so a race leaves only a stale index.
        self._index_if_canonical(snapshot, data)
        return ledger

    def _check_meta(self, meta: dict[str, Any]) -> None:
        version = meta.get("schema_version")
        if not isinstance(version, int):
            raise CorruptStore(f"database {self.path} has no schema version; {_restore_hint(self.path)}")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} was written by a newer imtrack (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade imtrack: pip install -U imtrack"
            )

    def _ledger_from(self, data: dict[str, Any]) -> Ledger:
        meta_docs = list((data.get(META) or {}).values())
        meta = dict(meta_docs[0]) if meta_docs and isinstance(meta_docs[0], dict) else {}
        self._check_meta(meta)
        try:
            docs = {int(key): doc for key, doc in (data.get(MEASURES) or {}).items()}
        except ValueError as exc:
            raise CorruptStore(
                f"database {self.path}: a measure has a non-numeric id ({exc}); {_restore_hint(self.path)}"
            ) from None
        # Measures are built lazily (MeasureMap): a malformed one is reported when a command
        # reaches it, still before anything is written.
        return Ledger(MeasureMap(docs, self._measure_from, self._digest_from), meta)

    def _ledger_from_index(self, buf: Any, index: StoreIndex) -> Ledger:
        """A ledger whose measures are parsed from their spans in `buf` when first reached."""
        meta = self._doc_at(buf, index.meta, "the meta document")
        if not isinstance(meta, dict):
            raise CorruptStore(f"database {self.path}: the meta document is not an object; {_restore_hint(self.path)}")
        self._check_meta(meta)
        digests: dict[str, Any] = {}

        def build(measure_id: int, position: int) -> Measure:
            span = index.doc_span(position)
            return self._measure_from(measure_id, self._doc_at(buf, span, f"measure {measure_id}"))

        def digest(measure_id: int, position: int) -> dict[str, Any]:
            found = None
            part = index.digest_part(position)
            if part != NULL:
                try:
                    found = jsoncodec.loads(part)
                except ValueError:
                    pass
            if isinstance(found, dict):
                return found
            doc = self._doc_at(buf, index.doc_span(position), f"measure {measure_id}")
            return self._digest_from(measure_id, doc)

        def all_digests() -> dict[int, dict[str, Any]] | None:
            if "all" not in digests:
                try:
                    digests["all"] = {i: d for i, d in zip(index.ids, index.digest_list()) if isinstance(d, dict)}
                except ValueError:
                    digests["all"] = None
            return digests["all"]

        return Ledger(MeasureMap(index.positions(), build, digest, all_digests, index.column_view), meta)

    def _doc_at(self, buf: Any, span: tuple[int, int], what: str) -> Any:
        try:
            return jsoncodec.loads(buf[span[0]:span[1]])
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptStore(
                f"database {self.path}: {what} is malformed ({exc.__class__.__name__}); "
                f"{_restore_hint(self.path)}"
            ) from None

    def _digest_from(self, measure_id: int, doc: Any) -> dict[str, Any]:
        try:
            check_record(doc)
            return digest_of(doc)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptStore(
                f"database {self.path}: measure {measure_id} is malformed ({exc!r}); "
                f"{_restore_hint(self.path)}"
            ) from None

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
        from imtrack.storage.lockfile import FileLock

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
        from imtrack.storage.lockfile import LockTimeout

        if not self.path.parent.is_dir():
            raise StoreError(
                f"directory {self.path.parent} does not exist; create it or choose another --db"
            )
        lock = self._lock()
        try:
            lock.acquire()
        except LockTimeout:
            raise StoreError(
                f"database {self.path} is busy: another imtrack command holds {lock.lock_file}; try again"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot lock database {self.path}: {exc.strerror or exc}") from exc
        try:
            snapshot = read_snapshot(self.path, lazy=True)
            data: dict[str, Any] | None = None
            index = None
            if snapshot is None:
                data = {}
                ledger = Ledger(meta={"schema_version": SCHEMA_VERSION, "next_id": 1})
                ledger.meta_dirty = True
                for measure in self._seed() if self._seed else []:
                    ledger.add(measure)
            elif snapshot.index is not None:
                index = snapshot.index
                ledger = self._ledger_from_index(snapshot.buf, index)
            else:
                data = parse_database(snapshot.buf, self.path)
                ledger = self._ledger_from(data)
            yield ledger
            if ledger.changed:
                if index is not None and _spliceable(ledger, index):
                    assert snapshot is not None
                    raw, new_index = self._spliced(snapshot.buf, index, ledger)
                else:
                    if data is None:  # adds or removes on an indexed file: the whole way
                        assert snapshot is not None
                        data = parse_database(_whole(snapshot.buf), self.path)
                    _merge(data, ledger)
                    raw, spans = jsoncodec.dump_database_spans(data)
                    new_index = self._index_for(data, spans, index, ledger.dirty)
                try:
                    atomic_write(self.path, raw)
                except OSError as exc:
                    raise StoreError(
                        f"cannot write database {self.path}: {exc.strerror or exc}; nothing was changed"
                    ) from exc
                ledger.dirty.clear()
                ledger.removed.clear()
                ledger.meta_dirty = False
                if new_index is not None:  # still under the lock: no writer can come between
                    try:
                        st = os.stat(self.path)
                    except OSError:
                        pass
                    else:
                        new_index.signature = signature(st)
                        write_index(index_path(self.path), new_index, stat.S_IMODE(st.st_mode))
        finally:
            lock.release()

    # -- the index (storeindex.py) ---------------------------------------------------------

    def _spliced(self, buf: Any, index: StoreIndex, ledger: Ledger) -> tuple[bytes, StoreIndex]:
        """The file with only the changed documents re-encoded in place: byte for byte what
        _merge and dump_database would write, without parsing or encoding the rest."""
        edits: dict[int, bytes] = {}
        digests: dict[int, bytes] = {}
        columns: dict[int, Columns | None] = {}
        texts: dict[int, bytes] = {}
        for measure_id in ledger.dirty:
            doc = _stored(ledger.measures[measure_id])
            edits[measure_id] = jsoncodec.encode_document(doc)
            digests[measure_id], columns[measure_id], texts[measure_id] = _digest_part(doc)
        meta = jsoncodec.encode_document(ledger.meta) if ledger.meta_dirty else None
        spans = [(*index.span(measure_id), body) for measure_id, body in edits.items()]
        if meta is not None:
            spans.append((*index.meta, meta))
        return splice(buf, spans), index.spliced(edits, meta, digests, columns, texts)

    def _index_for(
        self,
        data: dict[str, Any],
        spans: jsoncodec.Spans,
        old: StoreIndex | None = None,
        changed: set[int] | frozenset[int] = frozenset(),
    ) -> StoreIndex | None:
        """The index of the file dump_database_spans made from `data`, or None when the file is
        not one an index can describe (the meta document must be the first of its table, as
        _ledger_from reads it, and ids must be written canonically). Digests of measures that
        `old` (trusted) describes and that did not change are taken over, not recomputed."""
        meta_spans = spans.get(META) or {}
        if list(meta_spans)[:1] != [str(_META_DOC)]:
            return None
        measure_spans = spans.get(MEASURES) or {}
        ids = [int(key) for key in measure_spans]
        if [str(i) for i in ids] != list(measure_spans):
            return None
        docs = data.get(MEASURES) or {}
        parts, columns, texts = [], [], []
        for key, measure_id in zip(measure_spans, ids):
            position = old.position(measure_id) if old is not None and measure_id not in changed else None
            if old is not None and position is not None:
                parts.append(old.digest_part(position))
                columns.append(old.column_values(position))
                texts.append(old.text_part(position))
            else:
                part, values, text = _digest_part(docs[key])
                parts.append(part)
                columns.append(values)
                texts.append(text)
        return StoreIndex.build(jsoncodec.layout(), meta_spans[str(_META_DOC)],
                                zip(ids, measure_spans.values()), parts, columns,
                                old.codes if old is not None else None, texts)

    def _index_if_canonical(self, snapshot: Snapshot, data: dict[str, Any]) -> None:
        if not os.access(self.path.parent, os.W_OK):
            return  # a read-only directory: computing an index that cannot be kept is waste
        try:
            spans = jsoncodec.canonical_spans(data, snapshot.buf)
        except (TypeError, ValueError, OverflowError):  # a value the codec will not write
            return
        if spans is None:
            return
        index = self._index_for(data, spans)
        if index is not None:
            index.signature = snapshot.signature
            write_index(index_path(self.path), index, snapshot.mode)


def _whole(buf: Any) -> bytes:
    return buf.whole() if isinstance(buf, FileSlices) else buf


def _spliceable(ledger: Ledger, index: StoreIndex) -> bool:
    """Only existing documents changed: no measure added, none removed."""
    return not ledger.removed and all(index.position(i) is not None for i in ledger.dirty)


def _digest_part(doc: Any) -> tuple[bytes, Columns | None, bytes]:
    """The encoded digest of a stored document, its columns (storeindex.columns_of) and its
    encoded text, or null, None and null when it is too malformed to digest (the index then
    leaves it to the document itself, read when asked for); columns None and text null alone
    when a value is not one they can hold."""
    try:
        check_record(doc)  # a digest obeys the rules a built Measure does (models.check_record)
        digest = digest_of(doc)
        part = jsoncodec.dumps_compact(digest)
    except (KeyError, TypeError, ValueError, AttributeError):
        return NULL, None, NULL
    try:
        return part, columns_of(digest), jsoncodec.dumps_compact(digest["text"])
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return part, None, NULL


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
