"""The PostgreSQL engine: the shared ledger of an office, through psycopg 3 (imported only
here, and this module only when --db names `postgresql://…`). Everything but the connection is
shared with SQLite (sql.py).

Several clerks on several machines write at once: each command is one transaction at READ
COMMITTED that locks the measures it reads (`SELECT … FOR UPDATE`), so a second clerk on the
same measure waits for the first and builds on what the first committed; both notes land. The
author of every change is the authenticated database user (`current_user`), not a name the
clerk's machine claims. Connect and lock timeouts are set (PGCONNECT_TIMEOUT, else 10 s;
IMTRACK_LOCK_TIMEOUT, else 30 s); `.pgpass`, `service=` and the other libpq settings work as
libpq reads them, and a password is never printed. The schema changes only through
`imtrack db migrate`, under an advisory lock, since it changes the ledger of the whole office.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pg_errors

from imtrack.errors import Conflict, CorruptStore, InvalidValue, StoreError
from imtrack.i18n import _
from imtrack.storage import sql_migrations as schema
from imtrack.storage.sql import SqlStore
from imtrack.storage.sqlite_store import lock_timeout

# pg_advisory_xact_lock key for creating and migrating the schema ("imtrack" in ASCII).
MIGRATE_LOCK = 0x696D747261636B


class PostgresStore(SqlStore):
    engine = schema.POSTGRESQL
    placeholder = "%s"
    lock_rows = " FOR UPDATE"
    binary = ' COLLATE "C"'

    def __init__(self, location: Any) -> None:
        super().__init__(location.display)
        self.url = location.url
        self._user: str | None = None

    # -- connection ------------------------------------------------------------------------

    def _connect(self, create: bool) -> psycopg.Connection:
        options: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self.url and not os.environ.get("PGCONNECT_TIMEOUT"):
            options["connect_timeout"] = 10
        conn = psycopg.connect(self.url, **options)
        conn.execute(f"SET lock_timeout = {int(lock_timeout() * 1000)}")
        return conn

    def _begin_read(self, conn: psycopg.Connection) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _begin_write(self, conn: psycopg.Connection) -> None:
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")

    def _tables(self, conn: psycopg.Connection) -> set[str]:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {r[0] for r in rows}

    def _author(self, conn: psycopg.Connection) -> str:
        if self._user is None:
            self._user = str(conn.execute("SELECT current_user").fetchone()[0])
        return self._user

    # -- schema ----------------------------------------------------------------------------

    def _prepare(self, conn: psycopg.Connection) -> None:
        applied = self._applied(conn)
        if applied is None:
            # A new ledger: the first write creates the schema; two first writers at once
            # queue on the lock and the second finds the tables made.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            applied = self._applied(conn)
            if applied is None:
                self._apply_migrations(conn, set())
                return
        self._refuse_newer(conn, applied)
        if schema.pending(applied):
            self._older_for_read(conn, applied)

    def migrate(self) -> list[str]:
        """`imtrack db migrate`: apply the pending migrations (creating a new ledger's schema)
        under the advisory lock; the names applied, none when up to date."""
        with self._driver_errors():
            conn = self._connection(create=True)
            self._begin_write(conn)
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
                applied = self._applied(conn)
                if applied is not None:
                    self._refuse_newer(conn, applied)
                names = [m.name for m in schema.pending(applied or set())]
                if names:
                    self._apply_migrations(conn, applied or set())
                self._end(conn, commit=True)
            except BaseException:
                self._end(conn, commit=False)
                raise
        self._schema_checked = False
        return names

    # -- transaction ids -------------------------------------------------------------------

    def _next_txn(self, conn: psycopg.Connection) -> int:
        last, called = conn.execute("SELECT last_value, is_called FROM txn_ids").fetchone()
        return int(last) + 1 if called else int(last)

    def _allocate_txn(self, conn: psycopg.Connection) -> int:
        return int(conn.execute("SELECT nextval('txn_ids')").fetchone()[0])

    def _reserve_txns(self, conn: psycopg.Connection, next_txn: int) -> None:
        if next_txn > self._next_txn(conn):
            conn.execute("SELECT setval('txn_ids', %s, true)", (next_txn - 1,))

    def _lock_key(self, conn: psycopg.Connection, key: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"imtrack.meta.{key}",))

    # -- errors ----------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        """A driver message without the password, whatever libpq put in it."""
        try:
            password = urlsplit(self.url).password
        except ValueError:
            password = None
        if password:
            text = text.replace(password, "***")
        return " ".join(text.split())

    def _translate(self, exc: BaseException) -> BaseException | None:
        if not isinstance(exc, psycopg.Error):
            return None
        text = self._scrub(str(exc))
        if isinstance(exc, pg_errors.LockNotAvailable):
            return StoreError(
                _("ledger {ledger} is busy: another clerk's command holds the measures this one "
                  "needs; try again (IMTRACK_LOCK_TIMEOUT sets how many seconds to wait)").format(ledger=self.display)
            )
        if isinstance(exc, pg_errors.DeadlockDetected | pg_errors.SerializationFailure):
            return StoreError(
                _("ledger {ledger}: another clerk's command changed the same measures at the same "
                  "moment; nothing was changed; run the command again").format(ledger=self.display)
            )
        if isinstance(exc, psycopg.DataError) and "NUL" in text:
            return InvalidValue(
                _("ledger {ledger}: PostgreSQL cannot store the NUL character (U+0000) a text "
                  "holds; remove it and run the command again; nothing was changed").format(ledger=self.display)
            )
        if isinstance(exc, pg_errors.UniqueViolation):
            return Conflict(
                _("ledger {ledger}: another clerk's command stored the same measure or command id "
                  "at the same moment; nothing was changed; run the command again").format(ledger=self.display)
            )
        if isinstance(exc, pg_errors.InsufficientPrivilege):
            return StoreError(
                _("ledger {ledger}: permission denied ({problem}); ask the ledger's owner to grant "
                  "your database role access (README: Where the data lives)").format(ledger=self.display, problem=text)
            )
        if isinstance(exc, pg_errors.DataCorrupted | pg_errors.IndexCorrupted):
            return CorruptStore(_("ledger {ledger} is damaged ({problem}); restore it from a backup").format(
                ledger=self.display, problem=text))
        if isinstance(exc, psycopg.OperationalError):
            return StoreError(_("cannot reach the ledger {ledger}: {problem}").format(ledger=self.display, problem=text))
        return None
