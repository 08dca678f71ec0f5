"""Where the data lives and on which engine: `--db`, else the `IMTRACK_DB` environment variable,
else a file in the per-user data directory (e.g. ~/.local/share/imtrack/imtrack.json on Linux).

What is named chooses the engine (storage/engines.py):

* a path ending in `.json`: the TinyDB file engine (the default);
* a path ending in `.sqlite` or `.db`, or `sqlite:///PATH`: SQLite;
* `postgresql://…` (or `postgres://…`): PostgreSQL, the shared ledger of an office.
"""

from __future__ import annotations

import os
from pathlib import Path

from imtrack.domain.frozen import Frozen
from imtrack.errors import InvalidValue
from imtrack.i18n import N_, _

ENV_DB = "IMTRACK_DB"
DB_FILENAME = "imtrack.json"
RULES_FILENAME = "sector-rules.toml"

TINYDB = "tinydb"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINES = (TINYDB, SQLITE, POSTGRESQL)

_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
_ENGINE_CHOICES = N_(
    "a .json path (TinyDB), a .sqlite or .db path or sqlite:///PATH (SQLite), "
    "or postgresql://USER@HOST/DBNAME (PostgreSQL)"
)


class DbLocation(Frozen):
    """A ledger's address. `path` is the file for the file engines (TinyDB, SQLite) and None
    for PostgreSQL; `url` is what was given (a path as a string, or the URL)."""

    __slots__ = ("path", "origin", "engine", "url")
    path: Path | None
    origin: str  # "--db", "IMTRACK_DB" or "default"
    engine: str
    url: str

    def __init__(self, path: Path | None, origin: str, engine: str = TINYDB, url: str = "") -> None:
        for name, value in zip(self.__slots__, (path, origin, engine, url)):
            object.__setattr__(self, name, value)

    @property
    def is_default(self) -> bool:
        return self.origin == "default"

    @property
    def display(self) -> str:
        """The address to print: the path, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        return redact(self.url)

    @property
    def rules_dir(self) -> Path | None:
        """The directory whose sector-rules.toml applies (beside a file ledger); None for a
        server ledger, which uses the bundled rules."""
        return self.path.parent if self.path is not None else None


def redact(url: str) -> str:
    """`url` with any password replaced by ***, for messages and `imtrack path`."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def default_db_path() -> Path:
    # platformdirs rather than typer.get_app_dir: the core must not import the CLI framework.
    from platformdirs import user_data_path

    return user_data_path("imtrack", appauthor=False) / DB_FILENAME


def locate(name: str | os.PathLike[str], origin: str) -> DbLocation:
    """The location and engine of what --db or IMTRACK_DB names; InvalidValue (naming the
    choices) when no engine fits."""
    text = os.fspath(name)
    lowered = text.lower()
    if lowered.startswith(("postgresql://", "postgres://")):
        return DbLocation(None, origin, POSTGRESQL, text)
    if lowered.startswith("sqlite://"):
        rest = text[len("sqlite://"):]
        if not rest.startswith("/") or rest == "/":
            raise InvalidValue(
                _("{origin}: {text!r} is not a SQLite URL; write sqlite:///relative/path.sqlite or "
                  "sqlite:////absolute/path.sqlite").format(origin=origin, text=text)
            )
        _refuse_directory_name(rest[1:], origin)
        path = _expand(rest[1:], origin)
        return DbLocation(path, origin, SQLITE, text)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise InvalidValue(_("{origin}: imtrack has no {scheme!r} engine; use {choices}").format(
            origin=origin, scheme=scheme, choices=_(_ENGINE_CHOICES)))
    _refuse_directory_name(text, origin)
    path = _expand(text, origin)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return DbLocation(path, origin, TINYDB, text)
    if suffix in _SQLITE_SUFFIXES:
        return DbLocation(path, origin, SQLITE, text)
    if path.is_dir():
        from imtrack.errors import StoreError

        raise StoreError(_("database path {path} is a directory; give a file name, e.g. {example}").format(
            path=path, example=path / DB_FILENAME))
    sniffed = _sniff(path)
    if sniffed is not None:  # an existing ledger named without a suffix keeps working
        return DbLocation(path, origin, sniffed, text)
    raise InvalidValue(_("{origin}: cannot tell the engine of {text!r}; use {choices}").format(
        origin=origin, text=text, choices=_(_ENGINE_CHOICES)))


def _expand(text: str, origin: str) -> Path:
    """`~` and `~user` expanded; a user with no home directory is a usage error, not a crash."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = text[1:].split("/", 1)[0]
        raise InvalidValue(
            _("{origin}: {text!r} starts with ~{user}, but user {user!r} has no home directory here; "
              "give the path in full").format(origin=origin, text=text, user=user)
        ) from None


def _refuse_directory_name(text: str, origin: str) -> None:
    """A name ending in "/" names a directory; Path would drop the "/" and create a file."""
    if text.endswith(("/", os.sep)):
        from imtrack.storage.fileio import refuse_trailing_separator

        refuse_trailing_separator(text, origin)


def _sniff(path: Path) -> str | None:
    """The engine of an existing file by its first bytes: SQLite's header, or a JSON object.
    Only a regular file is opened (a FIFO would block here; the engine then says what it is)."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    if head.startswith(b"SQLite format 3\0"):
        return SQLITE
    if head.lstrip()[:1] == b"{":
        return TINYDB
    return None


def resolve_db(option: str | os.PathLike[str] | None) -> DbLocation:
    if option:
        return locate(option, "--db")
    env = os.environ.get(ENV_DB)
    if env:
        return locate(env, ENV_DB)
    return DbLocation(default_db_path(), "default", TINYDB)


def local_rules_path(db_path: Path) -> Path:
    """A `sector-rules.toml` next to the database replaces the bundled rules for that database."""
    return db_path.with_name(RULES_FILENAME)
