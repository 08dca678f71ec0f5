"""The TinyDB engine: the whole ledger in one readable JSON file, the default.

TinyDB's own API over a storage class of ours (`LedgerStorage`):

* tables `measures` ({doc id: measure}), `meta` (one document, id 1) and `commands` ({txn:
  {at, command, author, ids}}, what `undo` and `log` read);
* document ids passed explicitly: TinyDB's own max(id)+1 would hand a removed measure's id out
  again, so the next id lives in meta (`next_id`);
* the file is read and parsed once per command and written at most once: TinyDB's tables write
  through to the storage on every operation, so the storage keeps the parsed tables in memory
  and only `flush()` (at commit) writes the file, as TinyDB's CachingMiddleware does;
* written atomically (a temp file in the same directory, fsync, os.replace, fsync of the
  directory) with orjson, UTF-8 as it is (no \\u escapes), indented, measures in id order, so
  the file stays readable and diffable;
* changing commands hold an inter-process lock (`<file>.lock`, lockfile.py) across the whole
  read-modify-write, so concurrent writers lose nothing; readers need no lock (os.replace is
  atomic);
* a file that cannot be read as a ledger (bad JSON, a duplicated key, a wrong shape) is
  reported naming the path and the fault, and never written over.

Whole-file by design: past a few thousand measures every command parses megabytes, which is
what the SQLite engine is for (`Store.hints`)."""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from imtrack.domain.flags import latest_day, latest_iso_day
from imtrack.domain.models import Measure, check_record, effective_day
from imtrack.errors import Conflict, CorruptStore, InvalidValue, NotFound, StoreError
from imtrack.i18n import _
from imtrack.storage import migrations
from imtrack.storage.base import (
    COUNT_DIMENSIONS,
    CommandRecord,
    HistoryEntry,
    Store,
    StoreInfo,
    Summary,
    Transaction,
    check_summary_filter,
    file_author,
    missing_ids_message,
)
from imtrack.storage.fileio import (
    READ,
    WRITE,
    atomic_write,
    check_file,
    leftover_temps,
    read_bytes,
    remove_temps,
    restore_hint,
)
from imtrack.storage.records import NESTING_LIMIT, check_ledger, ledger_problems

MEASURES = "measures"
META = "meta"
COMMANDS = "commands"
META_DOC = 1
LOCK_TIMEOUT_ENV = "IMTRACK_LOCK_TIMEOUT"
# Past this many measures every command of the whole-file engine parses megabytes; SQLite reads
# only what a command needs (bench/RESULTS.md).
LARGE = 5000


# -- the file ----------------------------------------------------------------------------------


def parse(raw: bytes, path: Path) -> dict[str, Any]:
    """The file parsed and checked: TinyDB's layout, no duplicated key anywhere; else
    CorruptStore naming the path and the fault."""
    import orjson

    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of new containers, none of them garbage yet
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        _raise_json_error(raw, path)
    finally:
        if enabled:
            gc.enable()
    problem = _shape_problem(data)
    if problem:
        raise CorruptStore(_("database {path} is JSON but not an imtrack database ({problem}); {hint}").format(
            path=path, problem=problem, hint=restore_hint(path)))
    _check_no_duplicate_keys(raw, data, path)
    return data


def _raise_json_error(raw: bytes, path: Path) -> None:
    import json

    try:
        json.loads(raw.decode("utf-8"))
    except RecursionError:  # deeper than orjson's limit (1,024) and Python's
        _raise_too_deep(raw, path)
    except UnicodeDecodeError as exc:
        raise CorruptStore(_("database {path} is not UTF-8 text (byte {byte}); {hint}").format(
            path=path, byte=exc.start, hint=restore_hint(path))) from None
    except json.JSONDecodeError as exc:
        raise CorruptStore(
            _("database {path} is not valid JSON (line {line}, column {column}: {problem}); {hint}").format(
                path=path, line=exc.lineno, column=exc.colno, problem=exc.msg, hint=restore_hint(path))
        ) from None
    raise CorruptStore(_("database {path} is not valid JSON; {hint}").format(path=path, hint=restore_hint(path)))


def _check_no_duplicate_keys(raw: bytes, data: Any, path: Path) -> None:
    """orjson keeps the last of two equal keys silently, and the next write would drop the
    other one. The cheap check, done in C: every key is a string, so a duplicate that orjson
    dropped leaves the parsed data, encoded again, with fewer `"` than the file (a quote inside
    a string is escaped as \\" in both, so it counts alike). Only when the counts differ (a
    duplicate, or an unusual hand edit such as \\u0022) the exact, slower pass runs, and
    names the duplicated key. About 25 ms at 10,000 measures; parsing takes 60."""
    import orjson

    try:
        encoded = orjson.dumps(data)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (255): never a ledger
        _raise_too_deep(raw, path)
    if raw.count(b'"') == encoded.count(b'"'):
        return
    import json

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _value in items:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(raw.decode("utf-8"), object_pairs_hook=pairs)
    except _Duplicate as dup:
        raise CorruptStore(
            _("database {path} has the key {key!r} twice in one object (a hand edit?); keep the "
              "right one and delete the other in an editor; {hint}").format(path=path, key=dup.key, hint=restore_hint(path))
        ) from None


def _raise_too_deep(raw: bytes, path: Path) -> None:
    """Name where the file nests lists or objects past NESTING_LIMIT: the line, and the table
    and document it is in. Walks the tokens (strings skipped whole) without recursion."""
    import re

    depth = 0
    keys: list[str] = ["", ""]  # the table, then the document, being read
    for match in re.finditer(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > NESTING_LIMIT:
                line = raw.count(b"\n", 0, match.start()) + 1
                where = "/".join(k for k in keys if k)
                message = (_("database {path} nests lists or objects deeper than {n} levels (line {line}, in "
                             "{where}), which no imtrack ledger does; {hint}") if where else
                           _("database {path} nests lists or objects deeper than {n} levels (line {line}), "
                             "which no imtrack ledger does; {hint}"))
                raise CorruptStore(message.format(path=path, n=NESTING_LIMIT, line=line, where=where,
                                                  hint=restore_hint(path)))
        elif token in (b"]", b"}"):
            depth -= 1
        elif depth in (1, 2) and raw[match.end():match.end() + 16].lstrip()[:1] == b":":
            keys[depth - 1] = token[1:-1].decode("utf-8", "replace")
            if depth == 1:
                keys[1] = ""
    raise CorruptStore(_("database {path} nests too deeply to be read; {hint}").format(path=path, hint=restore_hint(path)))


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _shape_problem(data: Any) -> str | None:
    """What keeps `data` from being TinyDB's layout {table: {"<int id>": {document}}}, if
    anything (TinyDB itself fails on it with a bare ValueError or TypeError)."""
    if not isinstance(data, dict):
        return _("top level is a {type}, not an object").format(type=type(data).__name__)
    for name, table in data.items():
        if not isinstance(table, dict):
            return _("table {name!r} is not an object").format(name=name)
        for key, doc in table.items():
            if not (key.isascii() and key.isdigit()):
                return _("table {name!r} has a non-numeric id {key!r}").format(name=name, key=key)
            if not isinstance(doc, dict):
                return _("document {name}/{key} is not an object").format(name=name, key=key)
    return None


def encode(data: dict[str, Any]) -> bytes:
    """The file's bytes: indented UTF-8, measures in id order (TinyDB appends; a restored
    backup may bring lower ids)."""
    import orjson

    table = data.get(MEASURES)
    if table:
        keys = list(table)
        numbers = [int(k) for k in keys]
        if any(a >= b for a, b in itertools.pairwise(numbers)):
            data = {**data, MEASURES: {k: table[k] for _, k in sorted(zip(numbers, keys))}}
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


class LedgerStorage(Storage):
    """TinyDB storage over one file: parsed once, kept in memory, written once by `flush()`.
    TinyDB calls read() and write() for every table operation; both touch only memory."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path  # the file itself (symlinks resolved by fileio.check_file)
        self.data: dict[str, Any] | None = data
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True

    def flush(self) -> None:
        if not self.dirty or self.data is None:
            return
        check_file(self.path, WRITE)  # a read-only ledger is refused, not replaced through the rename
        try:
            atomic_write(self.path, encode(self.data))
        except OSError as exc:
            raise StoreError(_("cannot write database {path}: {problem}; nothing was changed").format(
                path=self.path, problem=exc.strerror or exc)) from exc
        self.dirty = False

    def close(self) -> None:
        pass


def _db(storage: LedgerStorage) -> TinyDB:
    return TinyDB(storage=lambda: storage)  # type: ignore[arg-type]


# -- the store ---------------------------------------------------------------------------------


def _measure(path: Path, doc_id: int, doc: Any) -> Measure:
    try:
        return Measure.from_dict({**doc, "id": doc_id}, checked=True)  # by _Snapshot, on reading
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptStore(_("database {path}: measure {id} is malformed ({problem!r}); {hint}").format(
            path=path, id=doc_id, problem=exc, hint=restore_hint(path))) from None


def _document(measure: Measure) -> dict[str, Any]:
    # The id is the TinyDB document id (the JSON key); storing it twice would let them disagree.
    doc = measure.to_dict()
    del doc["id"]
    doc["revision"] = measure.revision
    return doc


def _day(stamp: Any) -> str | None:
    return stamp[:10] if isinstance(stamp, str) and len(stamp) >= 10 else None


class _Snapshot:
    """One parsed reading of the file: its tables, and the measures built from them on demand.
    A file of an older schema is checked, then upgraded in memory (storage/migrations.py), so
    every command sees the current layout; `upgraded_from` is the schema it had, and the file
    itself changes only when a command writes (after a backup copy)."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.upgraded_from: Any = None
        self.table: dict[str, Any] = data.get(MEASURES) or {}
        metas = data.get(META) or {}
        meta = metas.get(str(META_DOC)) or {}
        if not isinstance(meta, dict) or not isinstance(meta.get("schema_version"), int):
            # every release has written one; without it the file is not one imtrack wrote
            raise CorruptStore(_("database {path} has no schema version; {hint}").format(path=path, hint=restore_hint(path)))
        migrations.check_readable(meta, path)
        # Every record, before anything (an upgrade, a command) reads one: a damaged file is
        # refused whole, naming the record and the field, and never repaired.
        check_ledger(self.table, meta, data.get(COMMANDS), str(path))
        if migrations.tinydb_needs_upgrade(data):
            self.upgraded_from = meta["schema_version"]
            migrations.upgrade_tinydb(data)
            meta = data[META][str(META_DOC)]
        self.table = data.get(MEASURES) or {}
        self.meta: dict[str, Any] = meta

    def ids(self) -> list[int]:
        return sorted(map(int, self.table))

    def raw(self, measure_id: int) -> Any:
        return self.table.get(str(measure_id))

    def build(self, measure_id: int) -> Measure | None:
        doc = self.table.get(str(measure_id))
        return None if doc is None else _measure(self.path, measure_id, doc)

    def missing(self, wanted: list[int]) -> NotFound:
        ids = self.ids()
        return NotFound(missing_ids_message(wanted, ids[0] if ids else None, ids[-1] if ids else None))

    def find(self, flt: Any, limit: int | None = None) -> list[Measure]:
        found: list[Measure] = []
        pre = _prefilter(flt)
        for measure_id in self.ids():
            doc = self.table[str(measure_id)]
            if pre is not None and not pre(doc):
                continue
            measure = _measure(self.path, measure_id, doc)
            if flt is None or flt.matches(measure):
                found.append(measure)
                if limit is not None and len(found) >= limit:
                    break
        return found


    def summaries(self, flt: Any) -> list[Summary]:
        """Store.summaries from the parsed (and checked) documents."""
        check_summary_filter(flt)
        found: list[Summary] = []
        pre = _prefilter(flt)
        table = self.table
        for measure_id in self.ids():
            doc = table[str(measure_id)]
            if pre is not None and not pre(doc):
                continue
            try:
                summary = _summary(measure_id, doc)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise CorruptStore(
                    _("database {path}: measure {id} is malformed ({problem!r}); {hint}").format(
                        path=self.path, id=measure_id, problem=exc, hint=restore_hint(self.path))
                ) from None
            if flt is None or flt.matches(summary):
                found.append(summary)
        return found


def _summary(measure_id: int, doc: dict[str, Any]) -> Summary:
    """Store.summaries of one document, which _Snapshot has checked (records.py), as _measure
    builds it."""
    get = doc.get
    notes = get("notes") or ()
    history = get("history") or ()
    status = get("status", "not-started")
    created, updated = get("created", ""), get("updated", "")
    done_day = None
    if status == "done":
        for c in reversed(history):
            if c["field"] == "status" and c.get("to") == "done":
                done_day = effective_day(c["at"], c.get("effective"))
                break
    stamps = [created, updated, *[n["at"] for n in notes], *[c["at"] for c in history]]
    last = latest_iso_day(max(stamps)) or latest_day(stamps)  # checked: every stamp is text
    return Summary(measure_id, doc["text"], doc["sector"], status, get("source", ""), get("lead"), get("due"),
                   list(get("tags") or ()), updated, last, done_day, notes[-1]["at"] if notes else None)


def _prefilter(flt: Any) -> Callable[[dict[str, Any]], bool] | None:
    """A cheap test on the stored document for the filters that read a stored field as it is
    (sector, status), so most documents are never built into Measures; `flt.matches` still
    decides for those that pass."""
    if flt is None or not (flt.sectors or flt.statuses):
        return None
    sectors, statuses = flt.sectors, flt.statuses

    def test(doc: dict[str, Any]) -> bool:
        if sectors and doc.get("sector") not in sectors:
            return False
        return not (statuses and doc.get("status", "not-started") not in statuses)

    return test


class TinyDBStore(Store):
    engine = "tinydb"

    def __init__(self, path: Path, seed: Callable[[], list[Measure]] | None = None) -> None:
        self.path = Path(path)
        self._seed = seed
        self._size: int | None = None
        self._read: tuple[tuple[int, int, int], _Snapshot] | None = None

    # -- reading ---------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        """The file as it is now; a ledger that does not exist yet is created (and seeded)
        first, as every imtrack command has always done on first use. A command that asks
        several questions (a report: measures, meta, history) parses the file once: the parse
        is kept while the file's identity (inode, size, modification time) stays the same,
        which os.replace by any writer changes."""
        real = check_file(self.path, READ)
        try:
            st = os.stat(real)
        except OSError:
            st = None
        if st is not None and self._read is not None and self._read[0] == (st.st_ino, st.st_size, st.st_mtime_ns):
            return self._read[1]
        self._read = None
        raw = read_bytes(real)
        if raw is None:
            with self.transaction():
                pass
            raw = read_bytes(real)
            if raw is None:  # pragma: no cover - removed between the write and the read
                raise StoreError(_("database {path} vanished while it was being created").format(path=self.path))
        else:
            self._tidy(real)
        snapshot = _Snapshot(self.path, parse(raw, self.path))
        self._size = len(snapshot.table)
        if st is not None:
            self._read = ((st.st_ino, st.st_size, st.st_mtime_ns), snapshot)
        return snapshot

    def get(self, measure_id: int) -> Measure:
        snapshot = self._snapshot()
        measure = snapshot.build(measure_id)
        if measure is None:
            raise snapshot.missing([measure_id])
        return measure

    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        snapshot = self._snapshot()
        wanted = list(dict.fromkeys(ids))
        missing = [i for i in wanted if snapshot.raw(i) is None]
        if missing:
            raise snapshot.missing(missing)
        return [_measure(self.path, i, snapshot.raw(i)) for i in wanted]

    def find(self, flt: Any = None, *, limit: int | None = None) -> list[Measure]:
        return self._snapshot().find(flt, limit)

    def summaries(self, flt: Any = None) -> list[Summary]:
        return self._snapshot().summaries(flt)

    def count(self) -> int:
        return len(self._snapshot().table)

    def ids(self) -> list[int]:
        return self._snapshot().ids()

    def next_id(self) -> int:
        snapshot = self._snapshot()
        stored = snapshot.meta.get("next_id")
        ids = snapshot.ids()
        return max(int(stored) if stored is not None else 1, (ids[-1] + 1) if ids else 1)

    def counts(self, by: str) -> dict[str, dict[str, int]]:
        if by not in COUNT_DIMENSIONS:
            raise InvalidValue(_("cannot count by {by!r}; use one of: {choices}").format(
                by=by, choices=", ".join(COUNT_DIMENSIONS)))
        result: dict[str, dict[str, int]] = {}
        for doc in self._snapshot().table.values():
            status = doc.get("status", "not-started")
            key = status if by == "status" else (doc.get(by) or "")
            row = result.setdefault(key, {})
            row[status] = row.get(status, 0) + 1
        return result

    def history(
        self, since: str | None = None, until: str | None = None, measure_id: int | None = None
    ) -> list[HistoryEntry]:
        snapshot = self._snapshot()
        if measure_id is not None:
            if snapshot.raw(measure_id) is None:
                raise snapshot.missing([measure_id])
            ids = [measure_id]
        else:
            ids = snapshot.ids()

        def inside(record: dict[str, Any]) -> bool:
            if since is None and until is None:
                return True
            # The effective day: the one given with --on, else the day the record was made.
            day = record.get("effective") or _day(record["at"])
            return day is not None and (since is None or day >= since) and (until is None or day <= until)

        # From the stored documents, checked as a measure is, without building the measures:
        # `log` and `report --since` read the records of every measure.
        entries: list[HistoryEntry] = []
        for i in ids:
            doc = snapshot.raw(i)
            try:
                check_record(doc)
                for c in doc.get("history") or ():
                    if inside(c):
                        entries.append(HistoryEntry(i, c["at"], "change", c["field"], c.get("from"), c.get("to"),
                                                    None, c.get("txn"), c.get("author"), c.get("effective")))
                for n in doc.get("notes") or ():
                    if inside(n):
                        entries.append(HistoryEntry(i, n["at"], "note", "note", None, None, n["text"],
                                                    n.get("txn"), n.get("author"), n.get("effective")))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise CorruptStore(
                    _("database {path}: measure {id} is malformed ({problem!r}); {hint}").format(
                        path=self.path, id=i, problem=exc, hint=restore_hint(self.path))
                ) from None
        return entries

    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        table = self._snapshot().data.get(COMMANDS) or {}
        return _commands(table, author, limit)

    def meta(self) -> dict[str, Any]:
        return dict(self._snapshot().meta)

    def exists(self) -> bool:
        return check_file(self.path, READ).exists()

    def info(self) -> StoreInfo:
        # The file rules apply here too: `path` on a FIFO, a device or an emptied file says so.
        real = check_file(self.path, READ)
        details = {"file": str(real)} if real != self.path.absolute() else {}
        return StoreInfo(self.engine, str(self.path), real.exists(), details)

    def integrity_problems(self) -> list[str]:
        """Every record's problems at once (records.ledger_problems in collect mode), where a
        command stops at the first; a file that cannot be read as JSON at all is one problem,
        raised as every command raises it."""
        raw = read_bytes(check_file(self.path, READ))
        if raw is None:
            return []
        data = parse(raw, self.path)
        meta = (data.get(META) or {}).get(str(META_DOC))
        problems = ledger_problems(data.get(MEASURES) or {}, meta if meta is not None else {}, data.get(COMMANDS))
        return [str(p) for p in problems]

    def hints(self) -> list[str]:
        if self._size is not None and self._size > LARGE:
            return [
                _("this ledger holds {n} measures; the SQLite engine reads only what a command "
                  "needs: imtrack db copy {path} {target}").format(
                    n=self._size, path=self.path, target=self.path.with_suffix(".sqlite"))
            ]
        return []

    # -- changing --------------------------------------------------------------------------

    def _tidy(self, real: Path) -> None:
        """Remove the temp files a killed write left beside the ledger, when there are any and
        no writer is at work (the lock is free: taken without waiting, else left to the next
        command)."""
        temps = leftover_temps(real)
        if not temps:
            return
        from imtrack.storage.lockfile import FileLock, LockTimeout

        lock = FileLock(str(real) + ".lock", timeout=0)
        try:
            lock.acquire()
        except (LockTimeout, OSError):
            return
        try:
            remove_temps(leftover_temps(real))
        finally:
            lock.release()

    def _lock(self, real: Path) -> Any:
        from imtrack.storage.lockfile import FileLock

        raw = os.environ.get(LOCK_TIMEOUT_ENV, "30")
        try:
            timeout = float(raw)
        except ValueError:
            raise InvalidValue(
                _("{name}={value!r} is not a number of seconds; set it to e.g. 30, or unset it").format(
                    name=LOCK_TIMEOUT_ENV, value=raw)
            ) from None
        # The lock of the resolved file: clerks reaching one ledger through a link and through
        # its target take the same lock.
        return FileLock(str(real) + ".lock", timeout=timeout)

    @contextmanager
    def transaction(self, *, seed: bool = True) -> Iterator[Transaction]:
        from imtrack.storage.lockfile import LockTimeout

        # READ: a transaction that changes nothing (undo --dry-run) works on a read-only ledger;
        # the write itself is checked again at flush.
        real = check_file(self.path, READ)
        if not real.parent.is_dir():
            raise StoreError(_("directory {parent} does not exist; create it or choose another --db").format(parent=real.parent))
        lock = self._lock(real)
        try:
            lock.acquire()
        except LockTimeout:
            raise StoreError(
                _("database {path} is busy: another imtrack command holds {lock}; try again").format(
                    path=self.path, lock=lock.lock_file)
            ) from None
        except OSError as exc:
            raise StoreError(_("cannot lock database {path}: {problem}").format(path=self.path, problem=exc.strerror or exc)) from exc
        try:
            remove_temps(leftover_temps(real))  # under the lock: any temp file is a dead writer's
            check_file(self.path, READ)  # again, under the lock: another command may have replaced it
            raw = read_bytes(real)
            if raw is None:
                storage = LedgerStorage(real, migrations.new_tinydb_ledger())
                storage.dirty = True
                tx = TinyDBTransaction(storage, file_author(), self.command, new=True)
                if seed and self._seed is not None:
                    for measure in self._seed():
                        tx.add(measure)
                tx.created()
            else:
                snapshot = _Snapshot(self.path, parse(raw, self.path))  # refuses a newer schema
                storage = LedgerStorage(real, snapshot.data)
                tx = TinyDBTransaction(storage, file_author(), self.command)
            yield tx
            self._read = None
            if tx.changed or storage.dirty:
                if raw is not None and snapshot.upgraded_from is not None:
                    migrations.backup(real, raw, snapshot.upgraded_from)
                    tx.meta.changed = True  # the upgraded meta goes to the file with the change
                tx.commit()
                storage.flush()
                self._size = len((storage.data or {}).get(MEASURES) or {})
                _drop_stale_index(real)
        finally:
            lock.release()


def _drop_stale_index(path: Path) -> None:
    """Older releases kept a byte-span index beside the file (`<file>.idx`); nothing reads it
    now, and after this write it would describe a file that no longer exists."""
    try:
        os.unlink(str(path) + ".idx")
    except OSError:
        pass


def _commands(table: dict[str, Any], author: str | None, limit: int | None) -> list[CommandRecord]:
    records: list[CommandRecord] = []
    for key in sorted(table, key=int, reverse=True):
        doc = table[key]
        who = doc.get("author") or ""
        if author is not None and who != author:
            continue
        records.append(
            CommandRecord(int(key), doc.get("at", ""), doc.get("command", ""), who, tuple(doc.get("ids", ())))
        )
        if limit is not None and len(records) >= limit:
            break
    return records


class _Meta(dict):  # type: ignore[type-arg]
    """The meta document; remembers that it was assigned to, so that it is written back."""

    changed = False

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed = True

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed = True

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.changed = True

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.changed = True
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.changed = True
        return super().pop(key, *default)


class TinyDBTransaction(Transaction):
    """A changing command's view of the file: measures built on first use; at commit the
    changed ones go back through TinyDB's table API in two batch operations, then the storage
    writes the file once."""

    def __init__(self, storage: LedgerStorage, author: str, command: str, new: bool = False) -> None:
        self._storage = storage
        self._path = storage.path
        self._db = _db(storage)
        data = storage.data or {}
        self._table: dict[str, Any] = data.get(MEASURES) or {}
        metas = data.get(META) or {}
        self.meta = _Meta(metas.get(str(META_DOC)) or {})
        self.meta.changed = new
        self.author = author
        self.command = command
        self._built: dict[int, Measure] = {}
        self._dirty: set[int] = set()
        self._added: set[int] = set()
        self._removed: set[int] = set()
        self._txn: int | None = None
        self._restoring = False  # restore_commands: a copy records no command of its own
        self._new = new
        self._creation: set[int] = set()

    def created(self) -> None:
        """What was done so far created the ledger (and seeded it): written, but not a command
        of anyone's, so it takes no txn and undo never reverts it."""
        self._creation = set(self._dirty)
        self.meta.changed = False

    # -- the transaction id ------------------------------------------------------------------

    @property  # type: ignore[override]
    def txn(self) -> int:
        """Allocated on first use; the counter in meta moves at commit, and only when the
        command changed something, so a command that changes nothing writes nothing."""
        if self._txn is None:
            self._txn = int(self.meta.get("next_txn", 1))
        return self._txn

    def reserve_txns(self, next_txn: int) -> None:
        if next_txn > int(self.meta.get("next_txn", 1)):
            self.meta["next_txn"] = next_txn
        if self._txn is not None and self._txn < next_txn:
            self._txn = next_txn

    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        return _commands((self._storage.data or {}).get(COMMANDS) or {}, author, limit)

    # -- reading ---------------------------------------------------------------------------

    def lookup(self, measure_id: int) -> Measure | None:
        measure = self._built.get(measure_id)
        if measure is None and measure_id not in self._removed:
            doc = self._table.get(str(measure_id))
            if doc is not None:
                measure = self._built[measure_id] = _measure(self._path, measure_id, doc)
        return measure

    def ids(self) -> list[int]:
        present = {int(k) for k in self._table} | set(self._built)
        return sorted(present - self._removed)

    def _missing(self, wanted: list[int]) -> NotFound:
        ids = self.ids()
        return NotFound(missing_ids_message(wanted, ids[0] if ids else None, ids[-1] if ids else None))

    def get(self, measure_id: int) -> Measure:
        measure = self.lookup(measure_id)
        if measure is None:
            raise self._missing([measure_id])
        return measure

    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        wanted = list(dict.fromkeys(ids))
        found = {i: self.lookup(i) for i in wanted}
        missing = [i for i, m in found.items() if m is None]
        if missing:
            raise self._missing(missing)
        return [m for m in found.values() if m is not None]

    def find(self, flt: Any = None) -> list[Measure]:
        found = []
        pre = _prefilter(flt)
        for measure_id in self.ids():
            if pre is not None and measure_id not in self._built:
                doc = self._table.get(str(measure_id))
                if doc is not None and not pre(doc):
                    continue  # as stored it cannot match, and this command has not changed it
            measure = self.lookup(measure_id)
            if measure is not None and (flt is None or flt.matches(measure)):
                found.append(measure)
        return found

    # -- changing --------------------------------------------------------------------------

    @property
    def next_id(self) -> int:
        stored = self.meta.get("next_id")
        if stored is not None:
            return int(stored)
        ids = self.ids()
        return (ids[-1] if ids else 0) + 1

    def reserve_ids(self, next_id: int) -> None:
        if next_id > self.next_id or "next_id" not in self.meta:
            self.meta["next_id"] = max(next_id, self.next_id)

    def add(self, measure: Measure) -> Measure:
        measure.id = self.next_id
        measure.revision = 0
        self.meta["next_id"] = measure.id + 1
        self._built[measure.id] = measure
        self._added.add(measure.id)
        self._dirty.add(measure.id)
        return measure

    def put(self, measure: Measure) -> Measure:
        current = self.lookup(measure.id)
        if current is not None and measure.revision and current.revision != measure.revision:
            raise Conflict(
                _("measure {id} was changed by another command since it was read "
                  "(revision {current}, not {revision}); nothing was changed: run the command again").format(
                    id=measure.id, current=current.revision, revision=measure.revision)
            )
        if current is not None:
            measure.revision = current.revision
        else:
            measure.revision = 0
            self._added.add(measure.id)
        self._built[measure.id] = measure
        self._removed.discard(measure.id)
        self._dirty.add(measure.id)
        self._creation.discard(measure.id)
        self.reserve_ids(measure.id + 1)
        return measure

    def remove(self, measure_id: int) -> Measure:
        measure = self.get(measure_id)
        self.reserve_ids(self.next_id)
        self._built.pop(measure_id, None)
        self._dirty.discard(measure_id)
        self._added.discard(measure_id)
        self._creation.discard(measure_id)
        self._removed.add(measure_id)
        return measure

    def mark_changed(self, measure: Measure) -> None:
        if self._built.get(measure.id) is not measure:
            raise Conflict(_("measure {id} was not read in this command; read it again and retry").format(id=measure.id))
        self._dirty.add(measure.id)
        self._creation.discard(measure.id)  # changed after the ledger was created: by this command

    @property
    def changed(self) -> bool:
        return bool(self._new or self._dirty or self._removed or self.meta.changed)

    def restore_commands(self, records: Iterable[CommandRecord], *, replace: bool = False) -> None:
        data = self._storage.data if self._storage.data is not None else {}
        table = data.setdefault(COMMANDS, {})
        if replace:
            table.clear()
        top = 0
        for r in records:
            table[str(r.txn)] = {"at": r.at, "command": r.command, "author": r.author, "ids": list(r.ids)}
            top = max(top, r.txn)
        self._storage.data = data
        self._storage.dirty = True
        self._restoring = True
        self.reserve_txns(top + 1)

    def commit(self) -> None:
        """Hand the changes to TinyDB: two table operations for the measures (each one pass
        over the table whatever the number of documents), one for the meta document, one for
        the command record; the storage writes the file once afterwards."""
        measures = self._db.table(MEASURES)
        stored_ids = [i for i in (self._dirty | self._removed) if str(i) in self._table]
        if stored_ids:
            measures.remove(doc_ids=stored_ids)
        docs = []
        for measure_id in sorted(self._dirty):
            measure = self._built[measure_id]
            measure.revision += 1
            docs.append(Document(_document(measure), doc_id=measure_id))
        if docs:
            measures.insert_multiple(docs)
        touched = sorted((self._dirty | self._removed) - self._creation)
        if (touched or self.meta.changed) and not self._restoring:
            from imtrack.domain.clock import timestamp

            txn = self.txn
            self.meta["next_txn"] = max(int(self.meta.get("next_txn", 1)), txn + 1)
            self._db.table(COMMANDS).insert(Document(
                {"at": timestamp(), "command": self.command, "author": self.author, "ids": touched},
                doc_id=txn,
            ))
        if self.meta.changed or self._new:
            # Replaced whole, not upserted: TinyDB's update merges, which would keep deleted keys.
            meta_table = self._db.table(META)
            if meta_table.contains(doc_id=META_DOC):
                meta_table.remove(doc_ids=[META_DOC])
            meta_table.insert(Document(dict(self.meta), doc_id=META_DOC))
        self._dirty.clear()
        self._removed.clear()
        self._added.clear()
        self.meta.changed = self._new = False
