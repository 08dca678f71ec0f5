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
from imtrack.i18n import _
from imtrack.storage import sql_migrations as schema
from imtrack.storage.fileio import READ, WRITE, EmptyFile, check_file, writable
from imtrack.storage.sql import NEXT_TXN_KEY, SqlStore, loads

LOCK_TIMEOUT_ENV = "IMTRACK_LOCK_TIMEOUT"


def lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "30")
    try:
        return float(raw)
    except ValueError:
        raise InvalidValue(
            _("{name}={value!r} is not a number of seconds; set it to e.g. 30, or unset it").format(
                name=LOCK_TIMEOUT_ENV, value=raw)
        ) from None


def _restore_hint(path: Path) -> str:
    return _("it was left untouched. Restore it from a backup, or move it aside "
             "(mv '{path}' '{path}.broken') and imtrack will start a new, empty ledger").format(path=path)


class SQLiteStore(SqlStore):
    engine = schema.SQLITE

    def __init__(self, location: Any) -> None:
        super().__init__(location.display)
        self.path = Path(location.path)
        self._file = self.path  # the file itself, symlinks resolved, once _connect has checked it

    def _before_write(self) -> None:
        # A connection opened for reading is reused by a write: the write is checked here.
        try:
            check_file(self.path, WRITE, replaced=False)
        except EmptyFile as empty:
            self._after_creation(WRITE, empty)

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        # The file rules every file engine keeps (fileio.check_file): a FIFO, a device, a
        # directory, a 0-byte file or a read-only file for a write is refused, never opened;
        # SQLite writes in place, so hard links are no concern (replaced=False). The resolved
        # path is what is opened, so the -wal/-shm files and SQLite's locks are the target's,
        # whichever name a clerk used.
        intent = WRITE if create else READ
        try:
            path = check_file(self.path, intent, replaced=False)
        except EmptyFile as empty:
            path = self._after_creation(intent, empty)
        if not path.exists():
            if not create:
                return None
            path = self._create(path)
        self._file = path
        mode = "rwc" if create else ("rw" if writable(path) else "ro")  # a read-only copy still reads
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

    def _creation_lock(self, path: Path) -> Any:
        from imtrack.storage.lockfile import FileLock

        return FileLock(str(path) + ".lock", timeout=lock_timeout())

    def _create(self, path: Path) -> Path:
        """Make the new ledger's file under the creation lock, its header written before the
        lock is released, so that no other command ever takes the file sqlite3 creates empty
        for a damaged one. The schema follows in the write transaction (_prepare)."""
        lock = self._creation_lock(path)
        lock.acquire()
        try:
            path = check_file(self.path, WRITE, replaced=False)  # under the lock: as it is now
            if not path.exists():
                conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=rwc", uri=True,
                                       isolation_level=None)  # fmt: skip
                try:
                    conn.execute("PRAGMA journal_mode = WAL")  # writes the header: never 0 bytes again
                finally:
                    conn.close()
        finally:
            lock.release()
        return path

    def _after_creation(self, intent: str, empty: EmptyFile) -> Path:
        """A 0-byte file may be a ledger another command is creating (_create): once its
        creation lock is free, the file has its header, or it was damaged and is reported."""
        from imtrack.storage.lockfile import LockTimeout

        lock = self._creation_lock(Path(os.path.realpath(self.path)))
        try:
            lock.acquire()
        except (LockTimeout, OSError):
            raise empty from None
        try:
            return check_file(self.path, intent, replaced=False)
        finally:
            lock.release()

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a ledger of an older release up to this one's schema, after a backup."""
        applied = self._applied(conn)
        if applied is None or not schema.pending(applied):
            return
        self._refuse_newer(conn, applied)
        backup = self._file.with_name(f"{self._file.name}.schema{len(applied)}.bak")
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
        return [] if rows == ["ok"] else [_("SQLite integrity check: {result}").format(result=r) for r in rows]

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
                    _("database {path} is busy: another imtrack command is writing; try again "
                      "(IMTRACK_LOCK_TIMEOUT sets how many seconds to wait)").format(path=self.path)
                )
            if "unable to open" in text or "readonly" in text or "disk" in text:
                return StoreError(_("cannot use database {path}: {problem}").format(path=self.path, problem=text))
        if isinstance(exc, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text or "corrupt" in text or "no such" in text
        ):
            return CorruptStore(_("database {path} is not a readable imtrack ledger ({problem}); {hint}").format(
                path=self.path, problem=text, hint=_restore_hint(self.path)))
        return None
