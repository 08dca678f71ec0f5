"""Choosing the engine: `open_store(location)` gives the Store for what --db / IMTRACK_DB names
(config.locate decides the engine from the name). Each engine's module is imported only here
and only when chosen, so a TinyDB user never pays for sqlite3 or psycopg at start-up."""

from __future__ import annotations

from collections.abc import Callable

from imtrack.config import POSTGRESQL, SQLITE, TINYDB, DbLocation
from imtrack.domain.models import Measure
from imtrack.errors import StoreError
from imtrack.i18n import _
from imtrack.storage.base import Store


def open_store(
    location: DbLocation,
    *,
    command: str = "",
    seed: Callable[[], list[Measure]] | None = None,
) -> Store:
    """The store for `location`. `seed` gives the measures a new TinyDB ledger starts with
    (the bundled dataset); SQL ledgers always start empty (`db copy` or `import` fills them).
    `command` is recorded with every transaction (CommandRecord.command)."""
    store: Store
    if location.engine == TINYDB:
        from imtrack.storage.tinydb_store import TinyDBStore

        assert location.path is not None
        if location.is_default:
            location.path.parent.mkdir(parents=True, exist_ok=True)
        store = TinyDBStore(location.path, seed=seed)
    elif location.engine == SQLITE:
        from imtrack.storage.sqlite_store import SQLiteStore

        store = SQLiteStore(location)
    elif location.engine == POSTGRESQL:
        from imtrack.storage.postgres_store import PostgresStore

        store = PostgresStore(location)
    else:
        raise StoreError(_("unknown engine {engine!r} for {location}").format(engine=location.engine, location=location.display))
    store.command = command
    return store
