"""Named migrations, as llm's migrations.py: each schema change is a function with a name, and
a ledger records the names applied to it. A ledger written by an older release is read as it
is and upgraded on its first write, after a backup copy of the old file next to it; a ledger
that names a migration this release does not know was written by a newer release and is
refused, naming the release to install.

This module holds the mechanism and the TinyDB file's migrations; the SQL engines keep theirs
beside their schema and use `Migration`, `check_version` and `known_names` the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from imtrack import __version__
from imtrack.domain.frozen import Frozen
from imtrack.errors import StoreError
from imtrack.i18n import _

MEASURES, META, COMMANDS = "measures", "meta", "commands"
META_DOC = "1"


class Migration(Frozen):
    """A schema change with a name: `apply` upgrades the tables of one ledger in place."""

    __slots__ = ("name", "apply")
    name: str
    apply: Callable[[dict[str, Any]], None]

    def __init__(self, name: str, apply: Callable[[dict[str, Any]], None]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "apply", apply)


def _initial(data: dict[str, Any]) -> None:
    """The layout of the first releases: measures and one meta document."""
    data.setdefault(MEASURES, {})
    data.setdefault(META, {}).setdefault(META_DOC, {})


def _revisions_and_commands(data: dict[str, Any]) -> None:
    """Every measure gets a revision; the commands table is rebuilt from the txn ids the
    history, the notes and meta's created/replaced lists carry, so `undo` finds the commands
    of older releases (their author is unknown: "")."""
    found: dict[int, dict[str, Any]] = {}

    def seen(txn: Any, at: Any, measure_id: int) -> None:
        if not isinstance(txn, int):
            return
        entry = found.setdefault(txn, {"at": at or "", "command": "", "author": "", "ids": []})
        if isinstance(at, str) and at and (not entry["at"] or at < entry["at"]):
            entry["at"] = at
        if measure_id not in entry["ids"]:
            entry["ids"].append(measure_id)

    for key, doc in (data.get(MEASURES) or {}).items():
        doc.setdefault("revision", 1)
        for record in (*(doc.get("history") or ()), *(doc.get("notes") or ())):
            if isinstance(record, dict):
                seen(record.get("txn"), record.get("at"), int(key))
    meta = data.get(META, {}).get(META_DOC, {})
    for name in ("created", "replaced"):
        for entry in meta.get(name, ()):
            for measure_id in entry.get("ids", ()):
                seen(entry.get("txn"), entry.get("at"), int(measure_id))
    table = data.setdefault(COMMANDS, {})
    for txn in sorted(found):
        found[txn]["ids"].sort()
        table.setdefault(str(txn), found[txn])


TINYDB_MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _initial),
    Migration("0002_revisions_and_commands", _revisions_and_commands),
)
SCHEMA_VERSION = len(TINYDB_MIGRATIONS)


def known_names(migrations: tuple[Migration, ...]) -> list[str]:
    return [m.name for m in migrations]


def applied(meta: dict[str, Any]) -> list[str]:
    """The names applied to a ledger; files of the first release carry only schema_version 1."""
    names = meta.get("migrations")
    if isinstance(names, list):
        return [str(n) for n in names]
    version = meta.get("schema_version")
    return known_names(TINYDB_MIGRATIONS)[: version if isinstance(version, int) else 1]


def check_version(applied_names: list[str], known: list[str], release: Any, schema: Any, where: str) -> None:
    """Refuse a ledger that names a migration this release does not know: a newer release wrote
    it, and writing it with this one could lose what that release added."""
    unknown = [n for n in applied_names if n not in known]
    newer_number = isinstance(schema, int) and schema > len(known)
    if unknown or newer_number:
        # A release that names itself is the one to install; a file that only carries a larger
        # schema number (or this very release number, from a development build) says less.
        named = bool(release) and release != __version__
        by = _("a newer imtrack ({release})").format(release=release) if named else _("a newer imtrack")
        need = f"'imtrack>={release}'" if named else "imtrack"
        raise StoreError(
            _("database {where} was written by {by} (schema {schema}); this imtrack {version} reads "
              "up to schema {known}: install that release or later (pip install -U {need})").format(
                where=where, by=by, schema=schema, version=__version__, known=len(known), need=need)
        )


def check_readable(meta: dict[str, Any], path: Path) -> None:
    check_version(applied(meta), known_names(TINYDB_MIGRATIONS), meta.get("release"),
                  meta.get("schema_version"), str(path))


def new_tinydb_ledger() -> dict[str, Any]:
    """The tables of a new ledger, every migration recorded as applied."""
    return {
        MEASURES: {},
        META: {META_DOC: {
            "schema_version": SCHEMA_VERSION,
            "migrations": known_names(TINYDB_MIGRATIONS),
            "release": __version__,
            "next_id": 1,
        }},
        COMMANDS: {},
    }


def tinydb_needs_upgrade(data: dict[str, Any]) -> bool:
    meta = (data.get(META) or {}).get(META_DOC) or {}
    return applied(meta) != known_names(TINYDB_MIGRATIONS)


def backup_path(path: Path, schema: Any) -> Path:
    return path.with_name(f"{path.name}.schema{schema}.bak")


def backup(path: Path, raw: bytes, schema: Any) -> Path:
    """Keep the file as the older release wrote it (schema `schema`), beside it, before the
    upgraded file first replaces it."""
    from imtrack.storage.fileio import atomic_write

    target = backup_path(path, schema)
    if not target.exists():
        try:
            atomic_write(target, raw)
        except OSError as exc:
            raise StoreError(
                _("cannot keep a copy of {path} before upgrading it ({target}: {problem}); "
                  "nothing was changed").format(path=path, target=target, problem=exc.strerror or exc)
            ) from exc
    return target


def upgrade_tinydb(data: dict[str, Any]) -> list[str]:
    """Apply, in order, the migrations the file lacks; returns their names."""
    meta = data.setdefault(META, {}).setdefault(META_DOC, {})
    done = applied(meta)
    ran = []
    for migration in TINYDB_MIGRATIONS:
        if migration.name not in done:
            migration.apply(data)
            done.append(migration.name)
            ran.append(migration.name)
    meta = data[META][META_DOC]
    meta["migrations"] = done
    meta["schema_version"] = len(done)
    meta["release"] = __version__
    return ran
