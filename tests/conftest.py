"""Every test gets its own database (IMTRACK_DB in a temp dir), a fixed 80-column plain
terminal, and the real clock unless it sets IMTRACK_NOW; no test touches the user's data."""

from __future__ import annotations

from pathlib import Path

import pytest

# The session's private PostgreSQL server (started only when a test asks for it).
from pgserver import pg_server, pg_url  # noqa: F401

# imtrack.cli first: it installs the interface language before click is imported (i18n.py)
from imtrack.cli.app import app  # isort: skip
from typer.testing import CliRunner  # isort: skip

AUTHOR = "测试员"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "db.json"
    monkeypatch.setenv("IMTRACK_DB", str(db))
    monkeypatch.setenv("IMTRACK_USER", AUTHOR)  # every record names its author: one known name
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("IMTRACK_LANG", "en")  # tests of the Chinese interface set zh
    monkeypatch.delenv("IMTRACK_NOW", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("IMTRACK_CACHE_DIR", str(tmp_path / "cache"))  # datacache.py
    return db


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env


class Run:
    """Invoke the CLI in-process. `ok()` asserts success; `fail()` asserts a clean failure:
    the expected exit code, a one-line message on stderr, no traceback."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, list(args), input=input, prog_name="imtrack")

    def ok(self, *args: str, input: str | None = None):
        result = self(*args, input=input)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def fail(self, *args: str, code: int = 1):
        result = self(*args)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(("imtrack: error: ", "imtrack：错误：")), result.stderr
        return result


@pytest.fixture
def run() -> Run:
    return Run()


# -- the CLI tests marked `engines` run on every engine ---------------------------------------

ENGINES = ("tinydb", "sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("engines"):
        if "ledger_engine" not in metafunc.fixturenames:
            metafunc.fixturenames.append("ledger_engine")
        metafunc.parametrize("ledger_engine", ENGINES, indirect=True)


@pytest.fixture
def ledger_engine(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's ledger on the engine it is parametrised with: the default JSON ledger as
    usual, or the same seeded ledger copied (`db copy`) into SQLite or into a PostgreSQL
    database on the session's server, reached as a database role named like IMTRACK_USER so
    that authors read the same on every engine. Set up after the test's other fixtures, so a
    fixed clock (IMTRACK_NOW) already holds for the seed."""
    engine = request.param
    if engine == "tinydb":
        return engine
    from imtrack.config import locate
    from imtrack.core.ledgerdb import copy_ledger
    from imtrack.core.tracker import open_store

    if engine == "sqlite":
        target = str(tmp_path / "db.sqlite")
    else:
        server = request.getfixturevalue("pg_server")
        target = server.role(AUTHOR, request.getfixturevalue("pg_url"))
    seeded = open_store(locate(str(tmp_path / "seed.json"), "--db"))
    with seeded.transaction():
        pass  # a new JSON ledger is created with the bundled dataset
    ledger = open_store(locate(target, "--db"))
    try:
        copy_ledger(seeded, ledger)
    finally:
        ledger.close()
    monkeypatch.setenv("IMTRACK_DB", target)
    return engine
