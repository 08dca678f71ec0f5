"""What the SQLite and PostgreSQL engines share: the Store and Transaction over the schema of
sql_migrations.py, written once in the SQL both understand. An engine module (sqlite_store.py,
postgres_store.py) supplies only the connection, how a reading snapshot and a write transaction
begin, how rows are locked, who the author is, how transaction ids are handed out, and how its
driver's errors read to a user.

How one command stays whole and loses nothing under concurrent writers:

* a changing command is one database transaction (SQLite: `BEGIN IMMEDIATE`, one writer at a
  time; PostgreSQL: `SELECT … FOR UPDATE` on every measure the command reads, so a second clerk
  on the same measure waits for the first to commit and then reads what the first wrote);
* every measure row carries a revision; a write goes through only where the row still holds
  the revision the command read (`UPDATE … WHERE revision = ?`), so a change based on a stale
  read (a measure `put` back from an older export) is refused as a Conflict, never written over;
* notes and history are rows of their own: a command appends its notes and changes rather than
  rewriting the measure's lists, and metadata keys are merged key by key (lists that both
  commands extended keep both tails), so two plain commands on one measure both land.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from imtrack.domain.flags import latest_day, latest_iso_day
from imtrack.domain.models import Change, Measure, Note, Status, effective_day
from imtrack.errors import Conflict, CorruptStore, ImtrackError, InvalidValue, NotFound, StoreError
from imtrack.i18n import _
from imtrack.storage import sql_migrations as schema
from imtrack.storage.base import (
    COUNT_DIMENSIONS,
    CommandRecord,
    HistoryEntry,
    Store,
    StoreInfo,
    Summary,
    Transaction,
    check_summary_filter,
    missing_ids_message,
)

try:  # orjson is a dependency; the standard library keeps a broken install readable
    import orjson

    def dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    loads = orjson.loads
except ImportError:  # pragma: no cover - orjson is installed with imtrack
    import json

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    loads = json.loads

MEASURE_COLUMNS = (
    "id, revision, text, sector, status, source, section, lead, partners, due, tags, progress, "
    "sector_pinned, created, updated, document"
)
# The fields a measure carries from its source document (models.Measure), kept as one JSON column.
DOCUMENT_FIELDS = ("number", "path", "lead_written", "partners_written", "assignments")
NOTE_COLUMNS = "measure_id, seq, at, text, txn, author, effective"
CHANGE_COLUMNS = "measure_id, seq, at, field, old, new, txn, author, effective"
# Meta keys the store keeps itself; the rest of the metadata belongs to the core (history.py).
SCHEMA_VERSION_KEY = "schema_version"
RELEASE_KEY = "release"
NEXT_ID_KEY = "next_id"
NEXT_TXN_KEY = "next_txn"
INTERNAL_META = frozenset({SCHEMA_VERSION_KEY, RELEASE_KEY, NEXT_ID_KEY, NEXT_TXN_KEY})
_MISSING: Any = object()
DONE = Status.DONE.value
# Ids per `IN (…)` list: well under SQLite's limit on bound parameters.
_CHUNK = 500


def _release() -> str:
    from imtrack import __version__

    return __version__


# -- rows <-> measures ------------------------------------------------------------------------


def _vocabulary() -> frozenset[tuple[str, str]]:
    """Every (status, sector) pair a sound row can hold."""
    from imtrack.domain.models import Status
    from imtrack.vocab.sectors import SECTORS

    return frozenset((status.value, sector.slug) for status in Status for sector in SECTORS)


def _measure_params(m: Measure, revision: int) -> tuple[Any, ...]:
    return (
        m.id, revision, m.text, m.sector, m.status, m.source, m.section, m.lead,
        dumps(list(m.partners)), m.due, dumps(list(m.tags)), m.progress, int(bool(m.sector_pinned)),
        m.created, m.updated, _document(m),
    )  # fmt: skip


def _document(m: Measure) -> str | None:
    fields = {name: getattr(m, name) for name in DOCUMENT_FIELDS if getattr(m, name)}
    return dumps(fields) if fields else None


def _note_rows(m: Measure, start: int = 0) -> list[tuple[Any, ...]]:
    return [(m.id, seq, n.at, n.text, n.txn, n.author, n.effective) for seq, n in enumerate(m.notes[start:], start)]


def _change_rows(m: Measure, start: int = 0) -> list[tuple[Any, ...]]:
    return [
        (m.id, seq, c.at, c.field, dumps(c.old), dumps(c.new), c.txn, c.author, c.effective)
        for seq, c in enumerate(m.history[start:], start)
    ]


def _note_key(n: Note) -> tuple[Any, ...]:
    return (n.at, n.text, n.txn, n.author, n.effective)


def _change_key(c: Change) -> tuple[Any, ...]:
    return (c.at, c.field, dumps(c.old), dumps(c.new), c.txn, c.author, c.effective)


class _Fetched:
    """What a transaction read of one measure: the revision it must still hold when written,
    and its notes and history as read, so the write appends only what the command added."""

    __slots__ = ("changes", "notes", "revision")

    def __init__(self, m: Measure) -> None:
        self.revision = m.revision
        self.notes = [_note_key(n) for n in m.notes]
        self.changes = [_change_key(c) for c in m.history]


# -- the store --------------------------------------------------------------------------------


class SqlStore(Store):
    """A ledger in an SQL database (see the module docstring). Subclasses fill in the hooks
    marked below; everything else is shared."""

    engine = ""
    #: the driver's placeholder; the SQL here is written with "?" and translated once
    placeholder = "?"
    #: appended to a SELECT inside a write transaction to lock the rows it reads
    lock_rows = ""
    #: makes a text comparison go by code point, as Python's (SQLite's default already does)
    binary = ""

    def __init__(self, display: str) -> None:
        self.display = display
        self._conn: Any = None
        self._schema_checked = False
        self._sql_cache: dict[str, str] = {}

    # -- engine hooks ----------------------------------------------------------------------

    def _connect(self, create: bool) -> Any:
        """A connection (autocommit: transactions are begun explicitly), or None when the
        ledger does not exist and `create` is False."""
        raise NotImplementedError

    def _before_write(self) -> None:
        """Refuse a write the ledger's file may not take (a file engine's rules), before any."""

    def _begin_read(self, conn: Any) -> None:
        """Begin a read-only snapshot: every SELECT until _end sees one committed state."""
        raise NotImplementedError

    def _begin_write(self, conn: Any) -> None:
        raise NotImplementedError

    def _author(self, conn: Any) -> str:
        raise NotImplementedError

    def _allocate_txn(self, conn: Any) -> int:
        raise NotImplementedError

    def _reserve_txns(self, conn: Any, next_txn: int) -> None:
        raise NotImplementedError

    def _next_txn(self, conn: Any) -> int:
        """The id the next transaction would get (for meta() and `db copy`)."""
        raise NotImplementedError

    def _lock_key(self, conn: Any, key: str) -> None:
        """Serialise writers of one metadata key until the transaction ends (a key not yet
        stored has no row to lock)."""

    def _prepare(self, conn: Any) -> None:
        """Inside a write transaction: create the schema of a new ledger, or bring an older
        one up to date where this engine may (see sql_migrations); refuse a newer one."""
        raise NotImplementedError

    def _translate(self, exc: BaseException) -> BaseException | None:
        """The ImtrackError a driver error means for a user, or None for a bug."""
        raise NotImplementedError

    def _tables(self, conn: Any) -> set[str]:
        raise NotImplementedError

    # -- plumbing --------------------------------------------------------------------------

    def q(self, sql: str) -> str:
        translated = self._sql_cache.get(sql)
        if translated is None:
            translated = sql if self.placeholder == "?" else sql.replace("?", self.placeholder)
            self._sql_cache[sql] = translated
        return translated

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self.q(sql), params)

    def executemany(self, conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            cur = conn.cursor()
            try:
                cur.executemany(self.q(sql), rows)
            finally:
                cur.close()

    def _connection(self, create: bool) -> Any:
        if self._conn is None:
            self._conn = self._connect(create)
        return self._conn

    @contextmanager
    def _driver_errors(self) -> Iterator[None]:
        try:
            yield
        except ImtrackError:
            raise
        except Exception as exc:
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from None

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """A connection inside one consistent read snapshot, or None when the ledger does not
        exist yet (reads of a new ledger see an empty one)."""
        with self._driver_errors():
            conn = self._connection(create=False)
            if conn is None:
                yield None
                return
            self._begin_read(conn)
            try:
                if not self._schema_checked:
                    if not self._check_schema(conn, for_write=False):
                        yield None
                        return
                    self._schema_checked = True
                yield conn
            finally:
                self._end(conn, commit=False)

    def _end(self, conn: Any, commit: bool) -> None:
        try:
            conn.execute("COMMIT" if commit else "ROLLBACK")
        except Exception:
            if commit:
                raise

    def _applied(self, conn: Any) -> set[str] | None:
        """The migrations the ledger has applied; None when it has no imtrack schema at all."""
        tables = self._tables(conn)
        if "migrations" not in tables:
            if tables:  # someone else's database: never add imtrack's tables to it
                raise CorruptStore(
                    _("{ledger} holds tables that are not an imtrack ledger ({tables}); it was left "
                      "untouched. Give imtrack a database of its own").format(
                        ledger=self.display, tables=", ".join(sorted(tables)[:5]))
                )
            return None
        return {row[0] for row in self.execute(conn, "SELECT name FROM migrations")}

    def _check_schema(self, conn: Any, for_write: bool) -> bool:
        """False when the ledger has no schema yet; raises when it is newer than this release,
        or (reading) older in a way this release cannot read."""
        applied = self._applied(conn)
        if applied is None:
            return False
        self._refuse_newer(conn, applied)
        if schema.pending(applied) and not for_write:
            self._older_for_read(conn, applied)
        return True

    def _refuse_newer(self, conn: Any, applied: set[str]) -> None:
        if schema.unknown(applied):
            from imtrack.storage.migrations import check_version

            meta = dict(self.execute(conn, "SELECT key, value FROM meta WHERE key IN (?, ?)",
                                     (RELEASE_KEY, SCHEMA_VERSION_KEY)).fetchall())  # fmt: skip
            release = loads(meta[RELEASE_KEY]) if RELEASE_KEY in meta else None
            version = loads(meta[SCHEMA_VERSION_KEY]) if SCHEMA_VERSION_KEY in meta else None
            known = [m.name for m in schema.MIGRATIONS]
            check_version(sorted(applied), known, release, version, self.display)

    def _older_for_read(self, conn: Any, applied: set[str]) -> None:
        """Reading a ledger whose schema is older than this release's: refused until
        `imtrack db migrate` (SQLite never gets here: it upgrades the file when it opens it)."""
        missing = ", ".join(m.name for m in schema.pending(applied))
        raise StoreError(_("{ledger} needs the schema upgrade {missing}; run `imtrack db migrate`").format(
            ledger=self.display, missing=missing))

    def _apply_migrations(self, conn: Any, applied: set[str]) -> None:
        """Apply every pending migration inside the caller's write transaction."""
        from imtrack.domain import clock

        self.execute(conn, schema.MIGRATIONS_TABLE)
        for migration in schema.pending(applied):
            for statement in migration.statements(self.engine):
                self.execute(conn, statement)
            self.execute(conn, "INSERT INTO migrations (name, applied) VALUES (?, ?)",
                         (migration.name, clock.timestamp()))  # fmt: skip
        self._put_meta(conn, SCHEMA_VERSION_KEY, len(schema.MIGRATIONS))
        self._put_meta(conn, RELEASE_KEY, _release())
        row = self.execute(conn, "SELECT value FROM meta WHERE key = ?", (NEXT_ID_KEY,)).fetchone()
        if row is None:
            self._put_meta(conn, NEXT_ID_KEY, 1)

    def _put_meta(self, conn: Any, key: str, value: Any) -> None:
        self.execute(
            conn,
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, dumps(value)),
        )

    # -- reading ---------------------------------------------------------------------------

    def fetch(self, conn: Any, where: str = "", params: Sequence[Any] = (), lock: bool = False,
              limit: int | None = None) -> list[Measure]:  # fmt: skip
        """The measures the WHERE clause selects, in id order, with their notes and history.

        Rows are turned into objects as they stream from the cursor (no list of every note row
        held beside the notes built from it), and the values that repeat across a ledger
        (sector, status, source, section, lead, agencies, tags, authors, field names) are kept
        once: at 100,000 measures both halve the peak memory of a full read."""
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        lock_clause = self.lock_rows if lock else ""
        pool: dict[Any, Any] = {}
        same = pool.setdefault
        found: dict[int, Measure] = {}
        cursor = self.execute(
            conn, f"SELECT {MEASURE_COLUMNS} FROM measures{where} ORDER BY id{tail}{lock_clause}", params
        )
        for row in cursor:
            measure = self._build(row, same)
            found[measure.id] = measure
        if not found:
            return []
        if limit is None and len(found) > _CHUNK:
            sub = f" WHERE measure_id IN (SELECT id FROM measures{where})" if where else ""
            self._attach(conn, found, [(sub, list(params))], same)
        else:
            ids = list(found)
            queries = []
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                queries.append((f" WHERE measure_id IN ({', '.join('?' * len(chunk))})", chunk))
            self._attach(conn, found, queries, same)
        return list(found.values())

    def _attach(self, conn: Any, found: dict[int, Measure], queries: list[tuple[str, list[Any]]],
                same: Any) -> None:  # fmt: skip
        """Append the notes and history rows the queries select to their measures, in order."""
        mid = None
        try:
            for where, params in queries:
                for mid, _seq, at, text, txn, author, effective in self.execute(
                    conn, f"SELECT {NOTE_COLUMNS} FROM notes{where} ORDER BY measure_id, seq", params
                ):
                    found[mid].notes.append(
                        Note(at, text, txn, author if author is None else same(author, author), effective)
                    )
                for mid, _seq, at, field, old, new, txn, author, effective in self.execute(
                    conn, f"SELECT {CHANGE_COLUMNS} FROM changes{where} ORDER BY measure_id, seq", params
                ):
                    old, new = loads(old), loads(new)
                    if type(old) is str:
                        old = same(old, old)
                    if type(new) is str:
                        new = same(new, new)
                    found[mid].history.append(Change(
                        at, same(field, field), old, new, txn, author if author is None else same(author, author),
                        effective,
                    ))  # fmt: skip
        except ValueError as exc:
            raise CorruptStore(_("{ledger}: a history entry of measure {id} is not JSON ({problem})").format(
                ledger=self.display, id=mid, problem=exc)) from None
        except KeyError:
            raise CorruptStore(_("{ledger}: notes or history of measure {id} changed while read").format(
                ledger=self.display, id=mid)) from None

    def _build(self, row: tuple[Any, ...], same: Any) -> Measure:
        (mid, revision, text, sector, status, source, section, lead, partners, due, tags, progress,
         pinned, created, updated, document) = row  # fmt: skip
        self._check_row(row)
        try:
            measure = Measure(
                int(mid), text, same(sector, sector), same(status, status), same(source, source),
                same(section, section), lead if lead is None else same(lead, lead),
                [same(p, p) for p in loads(partners)] if partners != "[]" else [], due,
                [same(t, t) for t in loads(tags)] if tags != "[]" else [], progress, bool(pinned),
                created, updated, [], [], revision=int(revision),
            )  # fmt: skip
            if document is not None:
                fields = loads(document)
                measure.number = str(fields.get("number", ""))
                measure.path = [str(h) for h in fields.get("path", ())]
                measure.lead_written = fields.get("lead_written")
                measure.partners_written = [str(a) for a in fields.get("partners_written", ())]
                measure.assignments = [dict(a) for a in fields.get("assignments", ())]
            return measure
        except (TypeError, ValueError, AttributeError) as exc:
            raise CorruptStore(_("{ledger}: measure {id} is malformed ({problem})").format(
                ledger=self.display, id=mid, problem=exc)) from None

    def _row_doc(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """A measure row as the stored record the rules of records.py read."""
        (mid, _revision, text, sector, status, source, section, lead, partners, due, tags, progress,
         pinned, created, updated, document) = row  # fmt: skip
        try:
            doc: dict[str, Any] = {
                "text": text, "sector": sector, "status": status, "source": source, "section": section,
                "lead": lead, "partners": loads(partners), "due": due, "tags": loads(tags),
                "progress": progress, "sector_pinned": bool(pinned), "created": created, "updated": updated,
            }
            if document is not None:
                doc.update(loads(document))
        except (TypeError, ValueError) as exc:
            raise CorruptStore(_("{ledger}: measure {id} is malformed ({problem})").format(
                ledger=self.display, id=mid, problem=exc)) from None
        return doc

    def _check_row(self, row: tuple[Any, ...]) -> None:
        """A row checked by the rules every engine reads with (records.py): SQLite keeps any
        value in any column, and a hand-edited database must be named, not half-read."""
        from imtrack.storage.records import check_measure

        check_measure(str(row[0]), self._row_doc(row), self.display, hint=_(
            "it was left untouched; `imtrack db check` lists every problem; correct the row or restore "
            "the ledger from a backup"))

    def missing(self, conn: Any, missing: Sequence[int]) -> NotFound:
        low, high = (None, None)
        if conn is not None:
            low, high = self.execute(conn, "SELECT min(id), max(id) FROM measures").fetchone()
        return NotFound(missing_ids_message(missing, low, high))

    def get(self, measure_id: int) -> Measure:
        return self.get_many([measure_id])[0]

    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        with self._reading() as conn:
            found: dict[int, Measure] = {}
            if conn is not None and wanted:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start:start + _CHUNK]
                    where = f" WHERE id IN ({', '.join('?' * len(chunk))})"
                    found.update((m.id, m) for m in self.fetch(conn, where, chunk))
            missing = [i for i in wanted if i not in found]
            if missing:
                raise self.missing(conn, missing)
            return [found[i] for i in wanted]

    def find(self, flt: Any = None, *, limit: int | None = None) -> list[Measure]:
        where, params, exact = pushdown(flt)
        with self._reading() as conn:
            if conn is None:
                return []
            measures = self.fetch(conn, where, params, limit=limit if exact else None)
        if not exact:
            measures = [m for m in measures if flt.matches(m)]
        return measures[:limit] if limit is not None else measures

    def summaries(self, flt: Any = None) -> list[Summary]:
        """Store.summaries in one query: the measures' columns beside, per measure, the latest
        note and change stamps (GROUP BY over the notes and changes tables, each read once in
        key order), the latest note and the change that made it done; no note or change is
        built."""
        check_summary_filter(flt)
        where, params, exact = pushdown(flt, "m.")
        latest = f"max(at{self.binary})"
        sql = (
            "SELECT m.id, m.text, m.sector, m.status, m.source, m.lead, m.due, m.tags, m.created, m.updated, "
            "n.latest, ln.at, c.latest, d.at, d.effective FROM measures m "
            f"LEFT JOIN (SELECT measure_id, max(seq) AS seq, {latest} AS latest FROM notes "
            "GROUP BY measure_id) n ON n.measure_id = m.id "
            "LEFT JOIN notes ln ON ln.measure_id = n.measure_id AND ln.seq = n.seq "
            f"LEFT JOIN (SELECT measure_id, {latest} AS latest FROM changes GROUP BY measure_id) c "
            "ON c.measure_id = m.id "
            "LEFT JOIN (SELECT dc.measure_id, dc.at, dc.effective FROM changes dc JOIN (SELECT measure_id, "
            "max(seq) AS seq FROM changes WHERE field = 'status' AND new = ? GROUP BY measure_id) dl "
            "ON dc.measure_id = dl.measure_id AND dc.seq = dl.seq) d ON d.measure_id = m.id AND m.status = ?"
            f"{where} ORDER BY m.id"
        )
        with self._reading() as conn:
            if conn is None:
                return []
            found: list[Summary] = []
            recheck: list[Summary] = []
            pool: dict[Any, Any] = {}
            same = pool.setdefault
            known = _vocabulary()
            for (mid, text, sector, status, source, lead, due, tags, created, updated, note_last, note_at,
                 change_last, done_at, done_effective) in self.execute(
                    conn, sql, [dumps(DONE), DONE, *params]):  # fmt: skip
                if (status, sector) not in known or type(text) is not str or type(lead) not in (str, type(None)):
                    # the rules every engine reads with (records.py): counted from a summary, a
                    # damaged row would be reported as a status or sector of its own
                    self._check_row((mid, 0, text, sector, status, source, "", lead, "[]", due, tags,
                                     None, 0, created, updated, None))
                # created and updated are never NULL; "" (none recorded) orders first
                top = max(created, updated, note_last or "", change_last or "")
                day = latest_iso_day(top)
                try:
                    summary = Summary(
                        int(mid), text, same(sector, sector), same(status, status), same(source, source),
                        lead if lead is None else same(lead, lead), due,
                        [same(t, t) for t in loads(tags)] if tags != "[]" else [], updated, day,
                        None if done_at is None else effective_day(done_at, done_effective), note_at,
                    )  # fmt: skip
                except (TypeError, ValueError) as exc:
                    raise CorruptStore(_("{ledger}: measure {id} is malformed ({problem})").format(
                        ledger=self.display, id=mid, problem=exc)) from None
                if day is None and top:
                    recheck.append(summary)
                found.append(summary)
            if recheck:
                self._exact_last_activity(conn, recheck)
        if not exact:
            found = [s for s in found if flt.matches(s)]
        return found

    def _exact_last_activity(self, conn: Any, summaries: list[Summary]) -> None:
        """Last activity from every stamp (flags.latest_day), for summaries whose latest stamp
        may not tell it."""
        by_id = {s.id: s for s in summaries}
        stamps: dict[int, list[Any]] = {}
        ids = list(by_id)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for mid, created, updated in self.execute(
                conn, f"SELECT id, created, updated FROM measures WHERE id IN ({marks})", chunk
            ):
                stamps.setdefault(int(mid), []).extend((created, updated))
            for table in ("notes", "changes"):
                for mid, at in self.execute(conn, f"SELECT measure_id, at FROM {table} WHERE measure_id IN ({marks})", chunk):
                    stamps.setdefault(int(mid), []).append(at)
        for mid, summary in by_id.items():
            summary.last_activity = latest_day(stamps.get(mid, []))

    def count(self) -> int:
        with self._reading() as conn:
            return 0 if conn is None else int(self.execute(conn, "SELECT count(*) FROM measures").fetchone()[0])

    def ids(self) -> list[int]:
        with self._reading() as conn:
            if conn is None:
                return []
            return [int(r[0]) for r in self.execute(conn, "SELECT id FROM measures ORDER BY id")]

    def counts(self, by: str) -> dict[str, dict[str, int]]:
        if by not in COUNT_DIMENSIONS:
            raise InvalidValue(_("cannot count by {by!r}; use one of: {choices}").format(
                by=by, choices=", ".join(COUNT_DIMENSIONS)))
        result: dict[str, dict[str, int]] = {}
        with self._reading() as conn:
            if conn is None:
                return result
            rows = self.execute(
                conn, f"SELECT coalesce({by}, ''), status, count(*) FROM measures GROUP BY 1, 2 ORDER BY 1, 2"
            )
            for value, status, n in rows:
                result.setdefault(value, {})[status] = int(n)
        return result

    def history(
        self, since: str | None = None, until: str | None = None, measure_id: int | None = None
    ) -> list[HistoryEntry]:
        clauses, params = [], []
        # The effective day: the one given with --on, else the day the record was made.
        day = "COALESCE(effective, substr(at, 1, 10))"
        if since is not None:
            clauses.append(f"{day} >= ?")
            params.append(since)
        if until is not None:
            clauses.append(f"{day} <= ?")
            params.append(until)
        if measure_id is not None:
            clauses.append("measure_id = ?")
            params.append(int(measure_id))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._reading() as conn:
            if measure_id is not None:
                exists = conn is not None and self.execute(
                    conn, "SELECT 1 FROM measures WHERE id = ?", (int(measure_id),)
                ).fetchone()
                if not exists:
                    raise self.missing(conn, [int(measure_id)])
            if conn is None:
                return []
            changes = self.execute(
                conn, f"SELECT {CHANGE_COLUMNS} FROM changes{where} ORDER BY measure_id, seq", params
            ).fetchall()
            notes = self.execute(
                conn, f"SELECT {NOTE_COLUMNS} FROM notes{where} ORDER BY measure_id, seq", params
            ).fetchall()
        by_measure: dict[int, list[HistoryEntry]] = {}
        for mid, _seq, at, field, old, new, txn, author, effective in changes:
            by_measure.setdefault(mid, []).append(
                HistoryEntry(int(mid), at, "change", field, loads(old), loads(new), None, txn, author, effective)
            )
        for mid, _seq, at, text, txn, author, effective in notes:
            by_measure.setdefault(mid, []).append(
                HistoryEntry(int(mid), at, "note", "note", None, None, text, txn, author, effective)
            )
        return [entry for mid in sorted(by_measure) for entry in by_measure[mid]]

    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        with self._reading() as conn:
            return [] if conn is None else self.command_records(conn, author, limit)

    def command_records(self, conn: Any, author: str | None, limit: int | None) -> list[CommandRecord]:
        where, params = (" WHERE author = ?", [author]) if author is not None else ("", [])
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self.execute(
            conn, f"SELECT txn, at, author, command, ids FROM txns{where} ORDER BY txn DESC{tail}", params
        ).fetchall()
        return [CommandRecord(int(t), at, command, who, tuple(loads(ids))) for t, at, who, command, ids in rows]

    def next_id(self) -> int:
        with self._reading() as conn:
            if conn is None:
                return 1
            row = self.execute(conn, "SELECT value FROM meta WHERE key = ?", (NEXT_ID_KEY,)).fetchone()
            top = self.execute(conn, "SELECT max(id) FROM measures").fetchone()[0]
            return max(int(loads(row[0])) if row else 1, int(top or 0) + 1)

    def meta(self) -> dict[str, Any]:
        with self._reading() as conn:
            if conn is None:
                return {}
            meta = {key: loads(value) for key, value in self.execute(conn, "SELECT key, value FROM meta")}
            meta[NEXT_TXN_KEY] = self._next_txn(conn)
        return meta

    def exists(self) -> bool:
        with self._reading() as conn:
            return conn is not None

    def info(self) -> StoreInfo:
        details: dict[str, Any] = {}
        with self._reading() as conn:
            if conn is not None:
                row = self.execute(conn, "SELECT value FROM meta WHERE key = ?", (SCHEMA_VERSION_KEY,)).fetchone()
                details["schema"] = loads(row[0]) if row else None
                details["measures"] = int(self.execute(conn, "SELECT count(*) FROM measures").fetchone()[0])
        return StoreInfo(self.engine, self.display, bool(details), details)

    def integrity_problems(self) -> list[str]:
        problems: list[str] = []
        with self._reading() as conn:
            if conn is None:
                return problems
            problems += self._engine_integrity(conn)
            applied = self._applied(conn) or set()
            missing = [m.name for m in schema.pending(applied)]
            if missing:
                problems.append(_("schema upgrade pending ({missing}): run `imtrack db migrate`").format(
                    missing=", ".join(missing)))
            for table in ("notes", "changes"):
                orphans = [int(r[0]) for r in self.execute(
                    conn, f"SELECT DISTINCT measure_id FROM {table} WHERE measure_id NOT IN (SELECT id FROM measures) "
                    "ORDER BY measure_id")]  # fmt: skip
                if orphans:
                    problems.append(_("{table} rows belong to measures that do not exist: {ids}").format(
                        table=table, ids=_ids(orphans)))
            for key, value in self.execute(conn, "SELECT key, value FROM meta ORDER BY key"):
                try:
                    loads(value)
                except ValueError:
                    problems.append(_("meta {key!r} is not JSON: {value!r}").format(key=key, value=value[:40]))
            problems += self._row_problems(conn)
        return problems

    def _row_problems(self, conn: Any) -> list[str]:
        """Every measure row's faults by the rules of records.py, all of them (db check)."""
        from imtrack.storage.records import measure_problems

        found: list[str] = []
        for row in self.execute(conn, f"SELECT {MEASURE_COLUMNS} FROM measures ORDER BY id"):
            try:
                doc = self._row_doc(row)
            except CorruptStore as exc:
                found.append(str(exc))
                continue
            found += [str(problem) for problem in measure_problems(str(row[0]), doc)]
        return found

    def _engine_integrity(self, conn: Any) -> list[str]:
        """The database's own consistency check, where it has one."""
        return []

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
                self._schema_checked = False

    # -- changing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, seed: bool = True) -> Iterator[SqlTransaction]:
        """One command, whole or not at all. SQL ledgers are never seeded (`seed` is the file
        engine's): a new one starts empty, filled by `db copy` or `import`."""
        with self._driver_errors():
            self._before_write()
            conn = self._connection(create=True)
            self._begin_write(conn)
            try:
                self._prepare(conn)
                self._schema_checked = True
                tx = SqlTransaction(self, conn)
                yield tx
                if tx.changed:
                    tx.flush()
                    self._end(conn, commit=True)
                    tx.committed()
                else:
                    self._end(conn, commit=False)
                    self._schema_checked = False  # a new ledger's schema went with the rollback
            except BaseException:
                self._end(conn, commit=False)
                self._schema_checked = False
                raise


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:20])) + (f" (and {len(ids) - 20} more)" if len(ids) > 20 else "")


def pushdown(flt: Any, table: str = "") -> tuple[str, list[Any], bool]:
    """The WHERE clause for what of a MeasureFilter the indexed columns can decide exactly
    (sector, status), its parameters, and whether that is the whole filter (else the caller
    applies `flt.matches` to the rows: agency aliases, folded text, derived flags)."""
    if flt is None:
        return "", [], True
    clauses, params = [], []
    for column, values in (("sector", flt.sectors), ("status", flt.statuses)):
        if values:
            chosen = sorted(values)
            clauses.append(f"{table}{column} IN ({', '.join('?' * len(chosen))})")
            params += chosen
    rest = type(flt)(**{name: getattr(flt, name) for name in flt.__slots__ if name not in ("sectors", "statuses")})
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, params, rest.is_empty


class SqlTransaction(Transaction):
    """A changing command on an SQL ledger (base.Transaction): measures are read, and on
    PostgreSQL locked, when first asked for; everything is written by `flush` at the end."""

    def __init__(self, store: SqlStore, conn: Any) -> None:
        self.store, self.conn = store, conn
        self.command = store.command
        self.author = store._author(conn)
        self._txn: int | None = None
        self._measures: dict[int, Measure] = {}
        self._fetched: dict[int, _Fetched] = {}
        self._absent: set[int] = set()  # ids read and found missing
        self._dirty: set[int] = set()
        self._added: set[int] = set()
        self._replaced: set[int] = set()
        self._removed: set[int] = set()
        self._next_id: int | None = None
        self._next_id0: int | None = None
        self._txn_floor: int | None = None
        self._commands: list[CommandRecord] = []
        self._known_ids: set[int] | None = None
        self._restoring = False  # restore_commands: a copy records no command of its own
        self._replace_commands = False
        rows = store.execute(conn, "SELECT key, value FROM meta").fetchall()
        self._meta0 = {k: loads(v) for k, v in rows if k not in INTERNAL_META}
        self.meta = copy.deepcopy(self._meta0)

    # -- reading ---------------------------------------------------------------------------

    @property
    def txn(self) -> int:  # type: ignore[override]
        """Allocated when first asked for, after any `reserve_txns` of this command."""
        if self._txn is None:
            if self._txn_floor is not None:
                self.store._reserve_txns(self.conn, self._txn_floor)
                self._txn_floor = None
            self._txn = self.store._allocate_txn(self.conn)
        return self._txn

    def _load(self, ids: Sequence[int]) -> None:
        wanted = [i for i in ids if i not in self._measures and i not in self._absent and i not in self._removed]
        for start in range(0, len(wanted), _CHUNK):
            chunk = sorted(wanted[start:start + _CHUNK])  # one lock order for every command
            where = f" WHERE id IN ({', '.join('?' * len(chunk))})"
            for m in self.store.fetch(self.conn, where, chunk, lock=True):
                self._remember(m)
            self._absent.update(i for i in chunk if i not in self._measures)

    def _remember(self, m: Measure) -> None:
        self._measures[m.id] = m
        self._fetched[m.id] = _Fetched(m)

    def lookup(self, measure_id: int) -> Measure | None:
        measure_id = int(measure_id)
        self._load([measure_id])
        return self._measures.get(measure_id)

    def get(self, measure_id: int) -> Measure:
        return self.get_many([measure_id])[0]

    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        self._load(wanted)
        missing = [i for i in wanted if i not in self._measures]
        if missing:
            raise self._missing(missing)
        return [self._measures[i] for i in wanted]

    def _missing(self, missing: list[int]) -> NotFound:
        present = self.ids()
        return NotFound(missing_ids_message(missing, present[0] if present else None,
                                            present[-1] if present else None))  # fmt: skip

    def find(self, flt: Any = None) -> list[Measure]:
        where, params, _exact = pushdown(flt)
        for m in self.store.fetch(self.conn, where, params, lock=True):
            if m.id not in self._measures and m.id not in self._removed:
                self._remember(m)
        # This command's own view: what it changed, added or removed counts, not what is stored.
        chosen = [m for m in self._measures.values() if flt is None or flt.matches(m)]
        return sorted(chosen, key=lambda m: m.id)

    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        return self.store.command_records(self.conn, author, limit)

    def ids(self) -> list[int]:
        stored = {int(r[0]) for r in self.store.execute(self.conn, "SELECT id FROM measures")}
        return sorted((stored - self._removed) | self._added | self._replaced)

    # -- changing --------------------------------------------------------------------------

    @property
    def next_id(self) -> int:
        if self._next_id is None:
            row = self.store.execute(
                self.conn, f"SELECT value FROM meta WHERE key = ?{self.store.lock_rows}", (NEXT_ID_KEY,)
            ).fetchone()
            stored = int(loads(row[0])) if row else 1
            top = self.store.execute(self.conn, "SELECT max(id) FROM measures").fetchone()[0]
            self._next_id0 = stored
            self._next_id = max(stored, int(top or 0) + 1)
        return self._next_id

    def reserve_ids(self, next_id: int) -> None:
        if next_id > self.next_id:
            self._next_id = next_id

    def reserve_txns(self, next_txn: int) -> None:
        if self._txn is None:
            self._txn_floor = max(next_txn, self._txn_floor or 0)
        elif self._txn < next_txn:  # this command's own id moves up too
            self.store._reserve_txns(self.conn, next_txn)
            self._txn = self.store._allocate_txn(self.conn)
        else:
            self.store._reserve_txns(self.conn, next_txn)

    def add(self, measure: Measure) -> Measure:
        measure.id = self.next_id
        self._next_id = measure.id + 1
        measure.revision = 0
        self._measures[measure.id] = measure
        self._added.add(measure.id)
        return measure

    def _stored_ids(self) -> set[int]:
        """The ids stored when this command first asked (a `db copy` into an empty ledger
        then reads no measure back for each one it puts)."""
        if self._known_ids is None:
            self._known_ids = {int(r[0]) for r in self.store.execute(self.conn, "SELECT id FROM measures")}
        return self._known_ids

    def put(self, measure: Measure) -> Measure:
        measure_id = int(measure.id)
        stored = measure_id in self._measures or measure_id in self._stored_ids()
        current = self.lookup(measure_id) if stored else None
        if current is not None and measure.revision and measure.revision != current.revision:
            raise Conflict(
                _("measure {id} was changed by another command since it was read "
                  "(revision {revision}, now {current}); nothing was changed; "
                  "read it again (imtrack show {id}) and repeat the change").format(
                    id=measure_id, revision=measure.revision, current=current.revision)
            )
        self._removed.discard(measure_id)
        self._measures[measure_id] = measure
        if measure_id in self._fetched:
            self._replaced.add(measure_id)
        else:
            self._added.add(measure_id)
        self.reserve_ids(measure_id + 1)
        return measure

    def remove(self, measure_id: int) -> Measure:
        measure = self.get(measure_id)
        self.reserve_ids(self.next_id)  # the id stays retired
        del self._measures[measure.id]
        for group in (self._dirty, self._added, self._replaced):
            group.discard(measure.id)
        if measure.id in self._fetched:
            self._removed.add(measure.id)
        return measure

    def mark_changed(self, measure: Measure) -> None:
        if self._measures.get(measure.id) is not measure:
            raise Conflict(_("measure {id} was not read in this command; read it again and retry").format(id=measure.id))
        if measure.id not in self._added and measure.id not in self._replaced:
            self._dirty.add(measure.id)

    def restore_commands(self, records: Iterable[CommandRecord], *, replace: bool = False) -> None:
        if replace:
            self._commands, self._replace_commands = [], True
        self._restoring = True
        self._commands += list(records)
        if self._commands:
            self.reserve_txns(max(r.txn for r in self._commands) + 1)

    def _meta_changes(self) -> list[str]:
        keys = self.meta.keys() | self._meta0.keys()
        return sorted(k for k in keys if self.meta.get(k, _MISSING) != self._meta0.get(k, _MISSING))

    @property
    def changed(self) -> bool:
        return bool(
            self._dirty or self._added or self._replaced or self._removed or self._meta_changes()
            or (self._next_id is not None and self._next_id != self._next_id0)
            or self._txn_floor is not None or self._restoring
        )

    # -- writing ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything this command changed, inside its transaction."""
        store, conn = self.store, self.conn
        cols = MEASURE_COLUMNS
        marks = ", ".join("?" * len(cols.split(",")))
        for measure_id in sorted(self._removed):
            for table, key in (("notes", "measure_id"), ("changes", "measure_id"), ("measures", "id")):
                store.execute(conn, f"DELETE FROM {table} WHERE {key} = ?", (measure_id,))
        inserts = [self._measures[i] for i in sorted(self._added)]
        store.executemany(conn, f"INSERT INTO measures ({cols}) VALUES ({marks})",
                          [_measure_params(m, 1) for m in inserts])  # fmt: skip
        notes = [row for m in inserts for row in _note_rows(m)]
        changes = [row for m in inserts for row in _change_rows(m)]
        assignments = ", ".join(f"{c.strip()} = ?" for c in cols.split(",")[2:])
        update = f"UPDATE measures SET {assignments}, revision = revision + 1 WHERE id = ? AND revision = ?"
        for measure_id in sorted(self._replaced | self._dirty):
            m = self._measures[measure_id]
            fetched = self._fetched[measure_id]
            params = _measure_params(m, 0)[2:] + (measure_id, fetched.revision)
            if store.execute(conn, update, params).rowcount != 1:
                raise Conflict(
                    _("measure {id} was changed by another command while this one ran; "
                      "nothing was changed; run the command again").format(id=measure_id)
                )
            note_keys = [_note_key(n) for n in m.notes]
            if measure_id in self._dirty and note_keys[: len(fetched.notes)] == fetched.notes:
                notes += _note_rows(m, len(fetched.notes))
            else:
                store.execute(conn, "DELETE FROM notes WHERE measure_id = ?", (measure_id,))
                notes += _note_rows(m)
            change_keys = [_change_key(c) for c in m.history]
            if measure_id in self._dirty and change_keys[: len(fetched.changes)] == fetched.changes:
                changes += _change_rows(m, len(fetched.changes))
            else:
                store.execute(conn, "DELETE FROM changes WHERE measure_id = ?", (measure_id,))
                changes += _change_rows(m)
        store.executemany(conn, f"INSERT INTO notes ({NOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", notes)
        store.executemany(conn, f"INSERT INTO changes ({CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", changes)
        meta_changed = self._meta_changes()
        for key in meta_changed:
            self._merge_meta(key)
        if self._next_id is not None and self._next_id != self._next_id0:
            store._put_meta(conn, NEXT_ID_KEY, self._next_id)
        if self._replace_commands:
            store.execute(conn, "DELETE FROM txns")
        store.executemany(
            conn,
            "INSERT INTO txns (txn, at, author, command, ids) VALUES (?, ?, ?, ?, ?) ON CONFLICT (txn) DO UPDATE "
            "SET at = excluded.at, author = excluded.author, command = excluded.command, ids = excluded.ids",
            [(r.txn, r.at, r.author, r.command, dumps(list(r.ids))) for r in self._commands],
        )
        touched = sorted(self._added | self._replaced | self._dirty | self._removed)
        if self._txn_floor is not None:
            store._reserve_txns(conn, self._txn_floor)
        # A command that changed measures or metadata is recorded; one that only moved counters
        # is not, and a copy (restore_commands) keeps the source's records instead of its own.
        if (touched or meta_changed) and not self._restoring:
            from imtrack.domain import clock

            store.execute(
                conn,
                "INSERT INTO txns (txn, at, author, command, ids) VALUES (?, ?, ?, ?, ?)",
                (self.txn, clock.timestamp(), self.author, self.command, dumps(touched)),
            )

    def _merge_meta(self, key: str) -> None:
        """Write one changed metadata key, merged with what another command committed to it
        since this one read it: lists both extended keep both tails; anything else that moved
        under this command is a Conflict."""
        store, conn = self.store, self.conn
        store._lock_key(conn, key)
        row = store.execute(conn, f"SELECT value FROM meta WHERE key = ?{store.lock_rows}", (key,)).fetchone()
        current = loads(row[0]) if row else _MISSING
        base, ours = self._meta0.get(key, _MISSING), self.meta.get(key, _MISSING)
        if current == base:
            new = ours
        elif isinstance(ours, list) and isinstance(current, list) and (
            base is _MISSING or (isinstance(base, list) and ours[: len(base)] == base)
        ):
            new = current + ours[len(base) if base is not _MISSING else 0:]
        else:
            raise Conflict(
                _("the ledger's {key!r} was changed by another command while this one ran; "
                  "nothing was changed; run the command again").format(key=key)
            )
        if new is _MISSING:
            store.execute(conn, "DELETE FROM meta WHERE key = ?", (key,))
        else:
            store._put_meta(conn, key, new)

    def committed(self) -> None:
        """After the commit: the measures this command holds carry their new revisions."""
        for measure_id in self._added:
            self._measures[measure_id].revision = 1
        for measure_id in self._replaced | self._dirty:
            if measure_id in self._fetched:
                self._measures[measure_id].revision = self._fetched[measure_id].revision + 1
            else:
                self._measures[measure_id].revision = 1
