"""Start-up discipline, checked without timing anything: what a read-only command
imports, the command modules the script loads on demand, and the data-file cache
(datacache.py) that keeps tomllib out of every run while an edited file still takes effect."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imtrack.cli.app import COMMAND_MODULES, app, register_all
from imtrack.errors import StoreError
from imtrack.resources import data_dir
from imtrack.vocab import datacache
from imtrack.vocab.regions import load_gazetteer
from imtrack.vocab.sectors import load_rules

# Modules `list --format json` must never need: every one of them is a start-up cost that only
# some other command should pay (rendering, parsing, writing, the sheet, the TOML parser).
NOT_FOR_LIST_JSON = (
    "tomllib",  # the data-file cache is warm
    "rich",
    "openpyxl",
    "dateutil",
    "filelock",  # read-only: no lock
    "platformdirs",  # IMTRACK_DB and IMTRACK_CACHE_DIR are set
    "tempfile",
    "imtrack.ingest.parser",
    "imtrack.domain.dates",
    "imtrack.domain.history",
    "imtrack.core.edits",
    "imtrack.exchange.sheets",
    "imtrack.core.report",
    "imtrack.output.render",
    "imtrack.plain",
    "imtrack.cli.ledger",
    "imtrack.cli.exchange",
    "imtrack.cli.imports",
)


def _imported(args: list[str], env: dict[str, str]) -> set[str]:
    """The modules a `python -X importtime -m imtrack ARGS` run imported (or, for ["-c", CODE],
    that code)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *(args if args[0] == "-c" else ["-m", "imtrack", *args])],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _settle_data_files() -> None:
    """Files modified in the last two seconds are not cached (datacache): wait them out."""
    newest = max(p.stat().st_mtime for p in data_dir().iterdir())
    wait = newest + 2.5 - time.time()
    if wait > 0:
        time.sleep(wait)


@pytest.fixture
def script_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(IMTRACK_DB=str(tmp_path / "db.json"), IMTRACK_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("IMTRACK_NOW", None)
    return env


def test_list_json_imports_only_what_it_needs(script_env):
    _settle_data_files()
    _imported(["list", "--format", "json"], script_env)  # seeds the database, warms the cache
    assert list(Path(script_env["IMTRACK_CACHE_DIR"]).glob("gazetteer-*.marshal"))
    imported = _imported(["list", "--format", "json"], script_env)
    assert "imtrack.domain.derived" in imported  # the run did list with the derived facts
    typer_needs = _imported(["-c", "import typer"], script_env)  # not ours to avoid
    unwanted = sorted(m for m in NOT_FOR_LIST_JSON if m in imported - typer_needs)
    assert not unwanted, f"`imtrack list --format json` imports {unwanted}: import them where used"


def test_list_as_a_table_needs_no_derived_facts_but_the_flags(script_env):
    _settle_data_files()
    _imported(["list"], script_env)
    imported = _imported(["list"], script_env)
    assert "imtrack.domain.flags" in imported
    unwanted = {"tomllib", "imtrack.vocab.regions", "imtrack.vocab.commitment", "imtrack.domain.dates",
                "imtrack.domain.history", "imtrack.ingest.parser", "dateutil", "filelock", "openpyxl"} & imported
    assert not unwanted, f"`imtrack list` imports {sorted(unwanted)}: import them where used"


def test_a_command_in_another_module_loads_only_that_module(script_env):
    _imported(["list", "--format", "json"], script_env)
    imported = _imported(["sources", "--format", "json"], script_env)
    assert "imtrack.cli.imports" in imported
    assert "imtrack.cli.ledger" not in imported and "imtrack.cli.exchange" not in imported


def test_help_still_lists_every_command(script_env):
    proc = subprocess.run([sys.executable, "-m", "imtrack", "--help"], capture_output=True,
                          text=True, env=script_env, check=True)
    for name in ("list", "report", "export", "import", "undo"):
        assert f" {name} " in proc.stdout


def test_command_modules_name_where_each_command_lives():
    register_all()
    for command in app.registered_commands:
        module = command.callback.__module__.removeprefix("imtrack.")
        name = command.name or command.callback.__name__.replace("_", "-")
        if module in COMMAND_MODULES.values():
            assert COMMAND_MODULES.get(name) == module, name


# -- the data-file cache -----------------------------------------------------------------------

GAZETTEER = """
[[region]]
name = "包头"
places = ["{place}"]
"""


def _write(path: Path, text: str, age: float = 60) -> None:
    """Write `text` and date the file `age` seconds back (old enough to be cached)."""
    path.write_text(text, encoding="utf-8")
    past = time.time() - age
    os.utime(path, (past, past))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.marshal"))


def test_an_edited_data_file_is_read_again(tmp_path):
    places = tmp_path / "places.toml"
    _write(places, GAZETTEER.format(place="白云鄂博"))
    assert load_gazetteer(places).regions_of("白云鄂博矿区") == ["包头"]
    assert len(_entries(tmp_path / "cache")) == 1
    assert load_gazetteer(places).regions_of("白云鄂博矿区") == ["包头"]  # from the cache
    # same size, another name: only the modification time tells the versions apart
    _write(places, GAZETTEER.format(place="满都拉镇"), age=30)
    assert load_gazetteer(places).regions_of("白云鄂博矿区") == []
    assert load_gazetteer(places).regions_of("满都拉镇") == ["包头"]


def test_a_local_rules_file_edit_changes_reclassify_on_the_next_run(run, db_path):
    run.ok("list")
    rules = db_path.with_name("sector-rules.toml")
    _write(rules, '[[rule]]\nsector = "finance"\nstrong = ["铁路"]\nkeywords = []\n')
    first = run.ok("reclassify").stdout
    assert "-> 金融" in first
    _write(rules, '[[rule]]\nsector = "energy"\nstrong = ["铁路"]\nkeywords = []\n', age=30)
    assert load_rules(rules).rules[0].sector == "energy"
    assert "金融 -> 能源" in run.ok("reclassify").stdout


def test_a_recently_modified_file_is_not_cached(tmp_path):
    places = tmp_path / "places.toml"
    places.write_text(GAZETTEER.format(place="白云鄂博"), encoding="utf-8")
    assert load_gazetteer(places).regions_of("白云鄂博") == ["包头"]
    assert _entries(tmp_path / "cache") == []


def test_a_broken_cache_entry_is_ignored_and_replaced(tmp_path):
    places = tmp_path / "places.toml"
    _write(places, GAZETTEER.format(place="白云鄂博"))
    load_gazetteer(places)
    (entry,) = _entries(tmp_path / "cache")
    for junk in (b"", b"\x00garbage", entry.read_bytes()[:7]):
        entry.write_bytes(junk)
        assert load_gazetteer(places).regions_of("白云鄂博") == ["包头"]
    assert load_gazetteer(places) == load_gazetteer(places)


def test_an_unwritable_cache_is_ignored(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("IMTRACK_CACHE_DIR", str(blocker / "cache"))
    places = tmp_path / "places.toml"
    _write(places, GAZETTEER.format(place="白云鄂博"))
    assert load_gazetteer(places).regions_of("白云鄂博") == ["包头"]


def test_a_broken_data_file_is_never_cached(tmp_path):
    places = tmp_path / "places.toml"
    _write(places, '[[region]]\nname = "Gotham"\n')
    for _ in range(2):
        with pytest.raises(StoreError, match="not one of the 12"):
            load_gazetteer(places)
    assert _entries(tmp_path / "cache") == []


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("IMTRACK_CACHE_DIR", str(tmp_path / "c"))
    assert datacache.cache_dir() == tmp_path / "c"
    if sys.platform not in ("win32", "darwin"):
        monkeypatch.delenv("IMTRACK_CACHE_DIR")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert datacache.cache_dir() == tmp_path / "xdg" / "imtrack"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
        assert datacache.cache_dir() == Path.home() / ".cache" / "imtrack"


# -- Frozen: the value classes keep what frozen dataclasses gave them ---------------------------


def test_frozen_value_classes_behave_like_frozen_dataclasses():
    import copy
    import dataclasses
    import pickle
    from datetime import date

    from imtrack.domain.derived import Settings
    from imtrack.domain.flags import Flags
    from imtrack.vocab.regions import REGIONS, Region

    s = Settings(today=date(2026, 1, 2), soon_days=7)
    assert s == Settings(date(2026, 1, 2), 7, 30) and s != Settings(date(2026, 1, 2))
    assert hash(s) == hash(Settings(date(2026, 1, 2), 7))
    assert repr(s) == "Settings(today=datetime.date(2026, 1, 2), soon_days=7, stale_days=30)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.soon_days = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.other = 1  # type: ignore[attr-defined]
    for clone in (copy.copy(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert clone == s and clone is not s
    assert Region("包头", "baotou") == REGIONS[1] and Region("包头", "baotou") != ("包头", "baotou")
    assert Flags(True, False, False, False).attention == "red"


def test_editing_the_builder_code_retires_its_entries(tmp_path, monkeypatch):
    places = tmp_path / "places.toml"
    _write(places, GAZETTEER.format(place="白云鄂博"))
    calls = []

    def build(path: Path) -> list[str]:
        calls.append(path)
        return ["built"]

    build.__module__ = "imtrack.vocab.regions"
    assert datacache.cached(places, "test", build) == datacache.cached(places, "test", build) == ["built"]
    assert len(calls) == 1
    real_stat = os.stat

    def newer_source(p, *args, **kwargs):
        st = real_stat(p, *args, **kwargs)
        if str(p).endswith("regions.py"):
            return os.stat_result((*st[:8], st.st_mtime + 1, st.st_ctime))
        return st

    monkeypatch.setattr(datacache.os, "stat", newer_source)
    datacache.cached(places, "test", build)
    assert len(calls) == 2


def test_no_home_directory_means_no_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("IMTRACK_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(datacache.Path, "home", staticmethod(no_home))
    places = tmp_path / "places.toml"
    _write(places, GAZETTEER.format(place="白云鄂博"))
    assert load_gazetteer(places).regions_of("白云鄂博") == ["包头"]
