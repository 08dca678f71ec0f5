"""Where the data lives: `--db PATH`, else the `IMTRACK_DB` environment variable, else a file in
the per-user data directory (e.g. ~/.local/share/imtrack/imtrack.json on Linux)."""

from __future__ import annotations

import os
from pathlib import Path

from imtrack.domain.frozen import Frozen

ENV_DB = "IMTRACK_DB"
DB_FILENAME = "imtrack.json"
RULES_FILENAME = "sector-rules.toml"


class DbLocation(Frozen):
    __slots__ = ("path", "origin")
    path: Path
    origin: str  # "--db", "IMTRACK_DB" or "default"

    def __init__(self, path: Path, origin: str) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "origin", origin)

    @property
    def is_default(self) -> bool:
        return self.origin == "default"


def default_db_path() -> Path:
    # platformdirs rather than typer.get_app_dir: the core must not import the CLI framework.
    from platformdirs import user_data_path

    return user_data_path("imtrack", appauthor=False) / DB_FILENAME


def resolve_db(option: str | os.PathLike[str] | None) -> DbLocation:
    if option:
        return DbLocation(Path(option).expanduser(), "--db")
    env = os.environ.get(ENV_DB)
    if env:
        return DbLocation(Path(env).expanduser(), ENV_DB)
    return DbLocation(default_db_path(), "default")


def local_rules_path(db_path: Path) -> Path:
    """A `sector-rules.toml` next to the database replaces the bundled rules for that database."""
    return db_path.with_name(RULES_FILENAME)
