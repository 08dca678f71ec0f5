"""Where the bundled data files are: inside the installed package (`imtrack/data`, put there by
the wheel build) or, when running from a source checkout, the repository's top-level `data/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from imtrack.i18n import _

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    for candidate in (_PACKAGE / "data", _PACKAGE.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"imtrack's data directory is missing (looked in {_PACKAGE})")


def data_file(name: str) -> Path:
    return data_dir() / name


def load_toml(path: Path, what: str = "data file") -> dict[str, Any]:
    """An editable data file, parsed; a missing or broken one is an error naming the file and
    the fix (the user may have edited it), never a traceback."""
    import tomllib

    from imtrack.errors import StoreError

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise StoreError(_("cannot read {what} {path}: {value}").format(what=what, path=path, value=exc.strerror or exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(_("{what} {path} is not valid TOML ({exc}); fix the file").format(what=what, path=path, exc=exc)) from exc
