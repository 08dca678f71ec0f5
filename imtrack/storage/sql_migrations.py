"""The SQL ledgers' schema, as named migrations (as llm's migrations.py): each migration is a
name and the statements that take a ledger from the previous schema to the next, for SQLite
and for PostgreSQL. A ledger records the names it has applied (table `migrations`) and its
schema version (meta `schema_version`: the number of migrations applied) with the release
that wrote it (meta `release`), so a ledger written by a newer release is refused by name.

Applied in order inside a write transaction: on SQLite when a release that knows more
migrations first opens the file (after a backup copy beside it, sqlite_store.py: reading an
older layout would need code for every older layout), on
PostgreSQL only by `imtrack db migrate` under an advisory lock (postgres_store.py), since
one clerk's upgrade changes the ledger of the whole office.

The layout: a measure's filtered and counted fields are indexed columns; its notes and its
history are rows of their own (so `log` and `report --since` read them by day, and a note
appends one row instead of rewriting the measure); `txns` records each committed command with
its author; `meta` holds the ledger's JSON metadata by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    statements: Callable[[str], list[str]]  # dialect -> the statements, in order


def _initial(dialect: str) -> list[str]:
    big = "BIGINT" if dialect == POSTGRESQL else "INTEGER"
    statements = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE measures (
            id {big} PRIMARY KEY,
            revision {big} NOT NULL,
            text TEXT NOT NULL,
            sector TEXT NOT NULL,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            section TEXT NOT NULL,
            lead TEXT,
            partners TEXT NOT NULL,
            due TEXT,
            tags TEXT NOT NULL,
            progress INTEGER,
            sector_pinned INTEGER NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX measures_sector ON measures (sector, status)",
        "CREATE INDEX measures_status ON measures (status)",
        "CREATE INDEX measures_lead ON measures (lead)",
        "CREATE INDEX measures_source ON measures (source)",
        "CREATE INDEX measures_due ON measures (due)",
        "CREATE INDEX measures_updated ON measures (updated)",
        f"""CREATE TABLE notes (
            measure_id {big} NOT NULL,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            text TEXT NOT NULL,
            txn {big},
            author TEXT,
            PRIMARY KEY (measure_id, seq)
        )""",
        "CREATE INDEX notes_at ON notes (at)",
        "CREATE INDEX notes_txn ON notes (txn)",
        f"""CREATE TABLE changes (
            measure_id {big} NOT NULL,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            field TEXT NOT NULL,
            old TEXT NOT NULL,
            new TEXT NOT NULL,
            txn {big},
            author TEXT,
            PRIMARY KEY (measure_id, seq)
        )""",
        "CREATE INDEX changes_at ON changes (at)",
        "CREATE INDEX changes_txn ON changes (txn)",
        f"""CREATE TABLE txns (
            txn {big} PRIMARY KEY,
            at TEXT NOT NULL,
            author TEXT NOT NULL,
            command TEXT NOT NULL,
            ids TEXT NOT NULL
        )""",
        "CREATE INDEX txns_author ON txns (author, txn)",
    ]
    if dialect == POSTGRESQL:
        # Transaction ids from a sequence: concurrent commands need not queue for a counter row
        # (a rolled-back command leaves a gap, which nothing relies on).
        statements.append("CREATE SEQUENCE txn_ids")
    return statements


def _document_fields(dialect: str) -> list[str]:
    # Where an imported measure stands in its document (number, headings, the agencies as
    # written, every responsibility clause): JSON, NULL for a measure not read from a document.
    return ["ALTER TABLE measures ADD COLUMN document TEXT"]


MIGRATIONS: tuple[Migration, ...] = (
    Migration("m001_initial", _initial),
    Migration("m002_document_fields", _document_fields),
)

SCHEMA_VERSION = len(MIGRATIONS)
KNOWN = frozenset(m.name for m in MIGRATIONS)

# The bookkeeping table itself is created before any migration runs (it names them).
MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)"


def pending(applied: set[str]) -> list[Migration]:
    """The migrations a ledger that has applied `applied` still needs, in order."""
    return [m for m in MIGRATIONS if m.name not in applied]


def unknown(applied: set[str]) -> list[str]:
    """Migrations a newer release applied that this one does not know."""
    return sorted(applied - KNOWN)
