"""Choosing the engine from what --db / IMTRACK_DB names (config.locate, storage/engines.py),
and the advice a large TinyDB ledger gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imtrack.config import POSTGRESQL, SQLITE, TINYDB, locate, redact
from imtrack.errors import InvalidValue, StoreError
from imtrack.storage import tinydb_store


@pytest.mark.parametrize(
    "name, engine, path",
    [
        ("ledger.json", TINYDB, "ledger.json"),
        ("~/x/Ledger.JSON", TINYDB, str(Path("~/x/Ledger.JSON").expanduser())),
        ("big.sqlite", SQLITE, "big.sqlite"),
        ("big.db", SQLITE, "big.db"),
        ("sqlite:///rel/big.sqlite", SQLITE, "rel/big.sqlite"),
        ("sqlite:////abs/big.sqlite", SQLITE, "/abs/big.sqlite"),
        ("postgresql://clerk@db.office/ledger", POSTGRESQL, None),
        ("postgres://clerk@db.office/ledger", POSTGRESQL, None),
    ],
)
def test_the_name_chooses_the_engine(name: str, engine: str, path: str | None) -> None:
    location = locate(name, "--db")
    assert location.engine == engine
    assert (str(location.path) if location.path is not None else None) == path


@pytest.mark.parametrize(
    "name, says",
    [
        ("ledger.txt", "cannot tell the engine of 'ledger.txt'"),
        ("ledger", "cannot tell the engine of 'ledger'"),
        ("mysql://u@h/db", "imtrack has no 'mysql' engine"),
        ("sqlite://relative.sqlite", "is not a SQLite URL"),
    ],
)
def test_a_name_no_engine_fits_is_refused_naming_the_choices(name: str, says: str) -> None:
    with pytest.raises(InvalidValue) as info:
        locate(name, "IMTRACK_DB")
    message = str(info.value)
    assert message.startswith("IMTRACK_DB: ") and says in message
    if "cannot tell" in says or "no 'mysql'" in says:
        assert ".json path (TinyDB)" in message and "postgresql://" in message


def test_an_existing_ledger_named_without_a_suffix_keeps_working(tmp_path: Path) -> None:
    (tmp_path / "ledger").write_bytes(b'{"measures": {}}')
    (tmp_path / "big").write_bytes(b"SQLite format 3\0" + bytes(84))
    (tmp_path / "notes").write_bytes("会议记录".encode())
    assert locate(tmp_path / "ledger", "--db").engine == TINYDB
    assert locate(tmp_path / "big", "--db").engine == SQLITE
    with pytest.raises(InvalidValue, match="cannot tell the engine"):
        locate(tmp_path / "notes", "--db")


def test_a_directory_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory; give a file name"):
        locate(tmp_path, "--db")


def test_passwords_are_never_shown() -> None:
    location = locate("postgresql://clerk:s3cret@db.office:5433/ledger", "--db")
    assert location.display == "postgresql://clerk:***@db.office:5433/ledger"
    assert "s3cret" not in repr(redact(location.url))
    assert redact("postgresql://clerk@db.office/ledger") == "postgresql://clerk@db.office/ledger"


def test_cli_refuses_an_unknown_engine_in_one_line(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_DB", "ledger.xml")
    assert "cannot tell the engine of 'ledger.xml'" in run.fail("list", code=2).stderr


def test_a_large_tinydb_ledger_suggests_sqlite_on_stderr(run, db_path, monkeypatch: pytest.MonkeyPatch) -> None:
    run.ok("list")
    assert "hint" not in run.ok("list", "--format", "json").stderr  # 34 measures: no advice
    monkeypatch.setattr(tinydb_store, "LARGE", 30)
    result = run.ok("list", "--format", "json")
    assert len(json.loads(result.stdout)) == 34  # the output itself is untouched
    hint = result.stderr.strip().splitlines()
    assert len(hint) == 1 and hint[0].startswith("imtrack: hint: this ledger holds 34 measures")
    assert f"imtrack db copy {db_path} {db_path.with_suffix('.sqlite')}" in hint[0]
