"""The SQLite engine: a ledger in one `.sqlite` / `.db` file (or `sqlite:///PATH`), through the
standard library's sqlite3. Everything but the connection is shared with PostgreSQL (sql.py).

WAL journal (readers never wait for the writer, and a crash leaves the last committed state),
`synchronous=FULL` (a committed command survives a power cut), one writer at a time through
`BEGIN IMMEDIATE` with a busy timeout (IMTRACK_LOCK_TIMEOUT seconds, 30 by default), so a
command reads and writes under one lock and no change is ever lost. A ledger written by an older
release is upgraded when this release first opens it, after a backup copy of the file beside it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from imtrack.errors import CorruptStore, InvalidValue, StoreError
from imtrack.storage import sql_migrations as schema
from imtrack.storage.sql import NEXT_TXN_KEY, SqlStore, loads

LOCK_TIMEOUT_ENV = "IMTRACK_LOCK_TIMEOUT"


def lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "30")
    try:
        return float(raw)
    except ValueError:
        raise InvalidValue(
            f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds; set it to e.g. 30, or unset it"
        ) from None


def _restore_hint(path: Path) -> str:
    return (
        f"it was left untouched. Restore it from a backup, or move it aside "
        f"(mv '{path}' '{path}.broken') and imtrack will start a new, empty ledger"
    )


class SQLiteStore(SqlStore):
    engine = schema.SQLITE

    def __init__(self, location: Any) -> None:
        super().__init__(location.display)
        self.path = Path(location.path)

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        path = self.path
        if path.is_dir():
            raise StoreError(f"database path {path} is a directory; give a file name, e.g. {path / 'imtrack.sqlite'}")
        if not create and not (path.exists() and path.stat().st_size):
            return None
        if create and not path.parent.is_dir():
            raise StoreError(f"directory {path.parent} does not exist; create it or choose another --db")
        mode = "rwc" if create else ("rw" if os.access(path, os.W_OK) else "ro")  # a read-only copy still reads
        uri = f"file:{quote(str(path.absolute()))}?mode={mode}"
        # isolation_level=None: the module opens no transactions of its own; each command
        # says BEGIN (a read snapshot) or BEGIN IMMEDIATE (the write lock) itself.
        # check_same_thread=False: a store is used by one thread at a time, but may be closed
        # by another (as the PostgreSQL driver allows).
        conn = sqlite3.connect(uri, uri=True, timeout=lock_timeout(), isolation_level=None,
                               check_same_thread=False)  # fmt: skip
        try:
            conn.execute("PRAGMA synchronous = FULL")
            self._upgrade(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a ledger of an older release up to this one's schema, after a backup."""
        applied = self._applied(conn)
        if applied is None or not schema.pending(applied):
            return
        self._refuse_newer(conn, applied)
        backup = self.path.with_name(f"{self.path.name}.schema{len(applied)}.bak")
        target = sqlite3.connect(backup)
        try:
            conn.backup(target)
        finally:
            target.close()
        conn.execute("BEGIN IMMEDIATE")
        try:
            applied = self._applied(conn) or set()
            self._apply_migrations(conn, applied)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def migrate(self) -> list[str]:
        """A SQLite ledger is upgraded when this release first opens it (after a backup):
        opening it is the migration. The names applied."""
        with self._driver_errors():
            if self._conn is None and self.path.exists() and self.path.stat().st_size:
                probe = sqlite3.connect(f"file:{quote(str(self.path.absolute()))}?mode=ro", uri=True)
                try:
                    before = self._applied(probe) or set()
                finally:
                    probe.close()
                self._connection(create=False)
                return [m.name for m in schema.pending(before)]
        return []

    def _engine_integrity(self, conn: sqlite3.Connection) -> list[str]:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else [f"SQLite integrity check: {r}" for r in rows]

    def _begin_read(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")

    def _begin_write(self, conn: sqlite3.Connection) -> None:
        if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # A new ledger: WAL is a property of the file, set once, outside any transaction.
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")

    def _prepare(self, conn: sqlite3.Connection) -> None:
        applied = self._applied(conn)
        if applied is None:
            self._apply_migrations(conn, set())
            return
        self._refuse_newer(conn, applied)
        if schema.pending(applied):  # another process began an upgrade after we opened
            self._apply_migrations(conn, applied)

    def _tables(self, conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _author(self, conn: sqlite3.Connection) -> str:
        from imtrack.storage.base import file_author

        return file_author()

    def _next_txn(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (NEXT_TXN_KEY,)).fetchone()
        if row is not None:
            return int(loads(row[0]))
        top = conn.execute("SELECT max(txn) FROM txns").fetchone()[0]
        return int(top or 0) + 1

    def _allocate_txn(self, conn: sqlite3.Connection) -> int:
        # Under BEGIN IMMEDIATE: no other writer can take the same id; a command that rolls
        # back gives it back.
        txn = self._next_txn(conn)
        self._put_meta(conn, NEXT_TXN_KEY, txn + 1)
        return txn

    def _reserve_txns(self, conn: sqlite3.Connection, next_txn: int) -> None:
        if next_txn > self._next_txn(conn):
            self._put_meta(conn, NEXT_TXN_KEY, next_txn)

    def _translate(self, exc: BaseException) -> BaseException | None:
        if not isinstance(exc, sqlite3.Error):
            return None
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError):
            if "locked" in text or "busy" in text:
                return StoreError(
                    f"database {self.path} is busy: another imtrack command is writing; try again "
                    f"(IMTRACK_LOCK_TIMEOUT sets how many seconds to wait)"
                )
            if "unable to open" in text or "readonly" in text or "disk" in text:
                return StoreError(f"cannot use database {self.path}: {text}")
        if isinstance(exc, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text or "corrupt" in text or "no such" in text
        ):
            return CorruptStore(f"database {self.path} is not a readable imtrack ledger ({text}); {_restore_hint(self.path)}")
        return None
