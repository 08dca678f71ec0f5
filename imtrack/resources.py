"""Where the bundled data files are: inside the installed package (`imtrack/data`, put there by
the wheel build) or, when running from a source checkout, the repository's top-level `data/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    for candidate in (_PACKAGE / "data", _PACKAGE.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"imtrack's data directory is missing (looked in {_PACKAGE})")


def data_file(name: str) -> Path:
    return data_dir() / name


def load_toml(path: Path) -> dict[str, Any]:
    import tomllib

    with path.open("rb") as fh:
        return tomllib.load(fh)
