"""The Store interface: what commands, reports, exchange and import may ask of a ledger, one
method per use (as llm's LogStore), so every engine (TinyDB file, SQLite, PostgreSQL) can serve
each use its own way: an SQL engine pushes filters and counts down to indexed columns and never
loads every measure for `show`, `note` or a filtered `list`; the file engine reads its one file
once per command.

Two halves:

* `Store`: the reading side (get, find, counts, history, commands, meta) and the way into a
  change, `Store.transaction()`.
* `Transaction`: the unit of work a changing command holds (get/get_many/find/add/put/remove,
  next id, meta), whose measures are fetched on demand and which is committed whole or not at
  all when its `with` block ends without an exception. It records the command, its author and
  its changes (every Note and Change the command writes carries the transaction id `txn` and
  the author), for `log` and `undo`.

Rules every engine keeps (tests/storage/test_contract.py checks them on each one):

* Ids are never reused: a removed measure's id stays retired (`reserve_ids` moves the counter).
* Every measure carries a `revision`, incremented by each committed change to it. A change
  based on a stale revision (a measure read before another command changed it, then `put`
  back) raises `errors.Conflict` and the whole transaction is rolled back. Plain concurrent
  commands (each reading inside its own transaction) both land.
* Only a committed transaction changes anything; an exception inside the block leaves the
  ledger exactly as it was.
* A damaged ledger raises `errors.CorruptStore` naming where it is and is never written over.
* A ledger written by an older release is upgraded on its first write (storage/migrations.py);
  one written by a newer release is refused, naming the release to install.

Engines are chosen by `storage.engines.open_store(location)` from what --db / IMTRACK_DB names
(config.py) and imported lazily, so `import psycopg` costs only PostgreSQL users.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from imtrack.domain.frozen import Frozen, Record
from imtrack.domain.models import Measure, effective_day
from imtrack.i18n import _, ngettext

ENV_USER = "IMTRACK_USER"


def file_author() -> str:
    """Who is running the command, for the file engines: IMTRACK_USER, else the login name.
    (PostgreSQL records the authenticated database user instead.)"""
    name = os.environ.get(ENV_USER, "").strip()
    if not name:
        import getpass

        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container without a passwd entry)
            return "unknown"
    return _text(name)


def _text(value: str) -> str:
    """An environment value as storable text: bytes the locale could not decode (a UTF-8 name
    under a GBK locale) are read as UTF-8 if they are UTF-8, else kept visible as \\xNN."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = os.fsencode(value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")



# The report's dimensions an engine can count without building measures (Store.counts).
COUNT_DIMENSIONS = ("sector", "status", "source", "lead")


# Value classes on frozen.Frozen rather than dataclasses: every command imports this module, and
# each dataclass costs about 1 ms at import (bench/RESULTS.md, start-up).


class HistoryEntry(Frozen):
    """One recorded fact about a measure: a field change or a note, as `log` and
    `report --since` read them. `author` is None on records written before authors existed."""

    __slots__ = ("measure_id", "at", "kind", "field", "old", "new", "text", "txn", "author", "effective")
    measure_id: int
    at: str  # when it was recorded
    kind: str  # "change" or "note"
    field: str  # the changed field; "note" for a note
    old: Any
    new: Any
    text: str | None  # the note's text
    txn: int | None
    author: str | None
    effective: str | None  # the ISO day it took effect (--on); None: the day of `at`

    def __init__(
        self, measure_id: int, at: str, kind: str, field: str, old: Any = None, new: Any = None,
        text: str | None = None, txn: int | None = None, author: str | None = None,
        effective: str | None = None,
    ) -> None:
        values = (measure_id, at, kind, field, old, new, text, txn, author, effective)
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    @property
    def day(self) -> date | None:
        """The day it took effect: what `log`, `report --since` and the burn-up count by."""
        return effective_day(self.at, self.effective)


class Summary(Record):
    """One measure as `report` and a long `list` read it (Store.summaries): its own fields that
    filters, counts and the printed rows use, and the days flags.py derives from its notes and
    history, worked out by the store without building the measure. A MeasureFilter without
    `stale` matches a Summary as it matches the Measure; sort_measures orders them alike."""

    __slots__ = ("id", "text", "sector", "status", "source", "lead", "due", "tags", "updated",
                 "last_activity", "done_day", "latest_note_at")
    id: int
    text: str
    sector: str
    status: str
    source: str
    lead: str | None
    due: str | None
    tags: list[str]
    updated: str
    last_activity: date | None  # flags.last_activity(): creation, update, notes, changes
    done_day: date | None  # flags.done_on(): None unless done with a record of it
    latest_note_at: str | None  # Measure.latest_note_at: the last note's recorded time

    def __init__(
        self, id: int, text: str, sector: str, status: str, source: str, lead: str | None, due: str | None,
        tags: list[str], updated: str, last_activity: date | None, done_day: date | None,
        latest_note_at: str | None,
    ) -> None:
        self.id = id
        self.text = text
        self.sector = sector
        self.status = status
        self.source = source
        self.lead = lead
        self.due = due
        self.tags = tags
        self.updated = updated
        self.last_activity = last_activity
        self.done_day = done_day
        self.latest_note_at = latest_note_at

    @classmethod
    def of(cls, m: Measure) -> Summary:
        """The summary of a built measure (what every engine's summaries must equal)."""
        from imtrack.domain import flags

        return cls(m.id, m.text, m.sector, m.status, m.source, m.lead, m.due, list(m.tags), m.updated,
                   flags.last_activity(m), flags.done_on(m), m.latest_note_at)


def check_summary_filter(flt: Any) -> None:
    """Store.summaries cannot decide `stale` (it reads last activity from a measure's notes)."""
    if flt is not None and flt.stale:
        raise ValueError("Store.summaries cannot filter by stale; use Store.find")


class CommandRecord(Frozen):
    """One committed changing command (a transaction): who ran what, when, on which measures.
    `undo` takes the caller's latest one; `log` can name the command of each txn."""

    __slots__ = ("txn", "at", "command", "author", "ids")
    txn: int
    at: str
    command: str  # e.g. "set-status", "import"; "" when the caller named none
    author: str
    ids: tuple[int, ...]  # the measures it changed, added or removed

    def __init__(self, txn: int, at: str, command: str, author: str, ids: tuple[int, ...] = ()) -> None:
        for name, value in zip(self.__slots__, (txn, at, command, author, tuple(ids))):
            object.__setattr__(self, name, value)


class StoreInfo(Frozen):
    """What `imtrack path` prints about a store."""

    __slots__ = ("engine", "location", "exists", "details")
    engine: str  # "tinydb", "sqlite" or "postgresql"
    location: str  # a path, or a URL with any password removed
    exists: bool
    details: dict[str, Any]  # engine specific, e.g. the schema

    def __init__(self, engine: str, location: str, exists: bool, details: dict[str, Any] | None = None) -> None:
        for name, value in zip(self.__slots__, (engine, location, exists, dict(details or {}))):
            object.__setattr__(self, name, value)


class Transaction(ABC):
    """A changing command's unit of work (see the module docstring). Obtained only from
    `Store.transaction()`; the measures it hands out are its own copies, changed in place by
    the core, which then calls `mark_changed` (history.record and history.add_note do)."""

    #: the transaction id every Note and Change of this command carries (history.py); allocated
    #: on first use and used up only if the transaction commits a change
    txn: int
    #: who runs the command: IMTRACK_USER, else the login name; the database user on PostgreSQL
    author: str
    #: the command's name, recorded with it (CommandRecord.command)
    command: str
    #: the ledger's metadata (schema, undo bookkeeping...); changes to it are committed with the
    #: transaction. Engines keep track of which keys were set (assigning a key marks it).
    meta: dict[str, Any]

    @abstractmethod
    def get(self, measure_id: int) -> Measure:
        """The measure, or errors.NotFound naming the ids that exist."""

    @abstractmethod
    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        """The measures in the order asked (duplicates once), or NotFound naming every missing
        id before anything changes."""

    @abstractmethod
    def lookup(self, measure_id: int) -> Measure | None:
        """The measure, or None when there is none with that id."""

    @abstractmethod
    def find(self, flt: Any = None) -> list[Measure]:
        """Measures matching a domain.query.MeasureFilter (None: all), in id order."""

    @abstractmethod
    def ids(self) -> list[int]:
        """Every measure id, ascending."""

    @abstractmethod
    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        """Committed commands, newest first (as Store.commands), read in this transaction so
        that `undo` decides on what it then changes."""

    def __iter__(self) -> Iterator[Measure]:
        """Every measure in id order (loads them all: for commands that touch every measure,
        e.g. reclassify and a sheet import)."""
        return iter(self.find())

    def __len__(self) -> int:
        return len(self.ids())

    def __contains__(self, measure_id: object) -> bool:
        return isinstance(measure_id, int) and self.lookup(measure_id) is not None

    @abstractmethod
    def add(self, measure: Measure) -> Measure:
        """Insert a new measure under the next id (set on `measure.id`, revision 1)."""

    @abstractmethod
    def put(self, measure: Measure) -> Measure:
        """Insert or replace a measure under its own id (restoring a backup): the id counter
        moves past it. Replacing a stored measure whose revision differs from
        `measure.revision` (when that is not 0: a record with no revision, e.g. from a backup,
        replaces whatever is stored) raises errors.Conflict."""

    @abstractmethod
    def remove(self, measure_id: int) -> Measure:
        """Take a measure out (undoing its creation); its id stays retired."""

    @abstractmethod
    def mark_changed(self, measure: Measure) -> None:
        """`measure` (obtained from this transaction) was changed in place: write it at commit."""

    @property
    @abstractmethod
    def next_id(self) -> int:
        """The id the next `add` will give."""

    @abstractmethod
    def reserve_ids(self, next_id: int) -> None:
        """Never hand out ids below `next_id` (a restored backup's retired ids stay retired)."""

    @abstractmethod
    def reserve_txns(self, next_txn: int) -> None:
        """Never give a transaction an id below `next_txn` (restored history keeps its own txn
        ids, so one undo must not revert a restored record with a new command). This
        transaction's own id moves up too when it is lower: call it before recording anything."""

    @property
    @abstractmethod
    def changed(self) -> bool:
        """Whether committing would write anything."""

    @abstractmethod
    def restore_commands(self, records: Iterable[CommandRecord], *, replace: bool = False) -> None:
        """Keep the command records of another ledger under their own txn ids (`db copy`), so
        `log` and `undo` see the copied history as the source had it; `replace`: drop every
        record this ledger held first. The txn counter moves past them. A transaction that
        restores records is a copy, not a command: it records no command of its own."""


class Store(ABC):
    """One ledger, on one engine. Reading methods see the last committed state; each call may
    be a separate read (use a Transaction for reads that must agree with a write)."""

    #: "tinydb", "sqlite" or "postgresql"
    engine: str
    #: the command name recorded with each transaction (CommandRecord.command); set by the CLI
    command: str = ""

    # -- reading ---------------------------------------------------------------------------

    @abstractmethod
    def get(self, measure_id: int) -> Measure:
        """One measure, or errors.NotFound with a hint at the ids that exist."""

    @abstractmethod
    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        """The measures in the order asked, or NotFound naming every missing id."""

    @abstractmethod
    def find(self, flt: Any = None, *, limit: int | None = None) -> list[Measure]:
        """Measures matching a domain.query.MeasureFilter (None: all), in id order, at most
        `limit`. An engine may push down what it can (sector, status, lead, source, tag, due
        range, text) but must still apply `flt.matches` to what it returns, so the derived
        filters (overdue, stale, region, commitment) hold on every engine alike."""

    @abstractmethod
    def summaries(self, flt: Any = None) -> list[Summary]:
        """One Summary per measure a MeasureFilter selects (None: all; not `stale`), in id
        order: what `report` and a long `list` need, read without building every measure with
        its notes and history (an SQL engine works out the days in the query)."""

    @abstractmethod
    def count(self) -> int:
        """How many measures the ledger holds."""

    @abstractmethod
    def ids(self) -> list[int]:
        """Every measure id, ascending."""

    @abstractmethod
    def next_id(self) -> int:
        """The id the next added measure will get (a JSON backup records it, so that a restore
        keeps retired ids retired)."""

    @abstractmethod
    def counts(self, by: str) -> dict[str, dict[str, int]]:
        """Measures per value of a report dimension (one of COUNT_DIMENSIONS) and status:
        {value: {status: n}}. `lead` counts the stored lead as written (None as ""); the
        report canonicalises agency names itself."""

    @abstractmethod
    def history(
        self, since: str | None = None, until: str | None = None, measure_id: int | None = None
    ) -> list[HistoryEntry]:
        """The recorded changes and notes whose effective day (`effective` when a clerk gave
        one with --on, else the first ten characters of their ISO timestamp, as recorded) lies
        in [since, until] (ISO days, inclusive; None: open), of one measure or all, in stored
        order (per measure: history, then notes). For `log` and the period facts of
        `report --since`."""

    @abstractmethod
    def commands(self, author: str | None = None, limit: int | None = None) -> list[CommandRecord]:
        """Committed transactions, newest first; only `author`'s when given."""

    @abstractmethod
    def meta(self) -> dict[str, Any]:
        """A copy of the ledger's metadata."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the ledger has been created (a TinyDB file is created, and the default one
        seeded, on first use; an SQL ledger by its first write or `db copy`)."""

    @abstractmethod
    def info(self) -> StoreInfo:
        """Engine, location (never a password) and whether it exists, for `imtrack path`."""

    # -- changing --------------------------------------------------------------------------

    @abstractmethod
    def transaction(self, *, seed: bool = True) -> AbstractContextManager[Transaction]:
        """A changing command: `with store.transaction() as tx:` ... committed whole when the
        block ends normally, rolled back on an exception. `seed=False`: a ledger that does not
        exist yet starts empty even where it would be seeded with the bundled dataset (a
        backup restored into a new ledger becomes the whole ledger)."""

    # -- advice and clean-up ---------------------------------------------------------------

    def hints(self) -> Sequence[str]:
        """One-line advice the CLI prints on stderr after the command (e.g. a large TinyDB
        ledger suggesting `imtrack db copy` to SQLite); empty by default."""
        return ()

    def close(self) -> None:
        """Release connections; the file engine holds none between calls."""

    # -- maintenance (`imtrack db`) --------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """What the engine itself finds wrong with the ledger's structure (`db check`: the
        database's own integrity check, tables, schema, orphaned rows), one sentence each; the
        checks of measures, ids, dates and history that hold on every engine are db check's."""
        return []

    def migrate(self) -> list[str]:
        """`imtrack db migrate`: apply the pending schema migrations now (the names applied).
        Only PostgreSQL needs it: a TinyDB file upgrades on its first write, an SQLite file when a
        newer release first opens it (after a backup copy), which this does for SQLite."""
        from imtrack.errors import InvalidValue

        raise InvalidValue(
            _("`imtrack db migrate` is for PostgreSQL ledgers; a {engine} ledger is upgraded "
              "by its first write (after a backup copy)").format(engine=self.engine)
        )


def missing_ids_message(missing: Sequence[int], lowest: int | None, highest: int | None) -> str:
    """The NotFound message every engine gives for absent ids (lowest/highest: the ids the
    ledger holds, None when it holds none)."""
    names = ", ".join(map(str, missing))
    if lowest is None or highest is None:
        return ngettext("no measure with id {ids}; the database has no measures yet",
                        "no measure with ids {ids}; the database has no measures yet", len(missing)).format(ids=names)
    return ngettext("no measure with id {ids}; ids run from {lowest} to {highest}; see `imtrack list`",
                    "no measure with ids {ids}; ids run from {lowest} to {highest}; see `imtrack list`",
                    len(missing)).format(ids=names, lowest=lowest, highest=highest)
