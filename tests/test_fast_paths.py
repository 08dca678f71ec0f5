"""Behaviour that must survive any change of speed: a damaged measure or file fails cleanly and
is never written over, the long plain listing, the CLI building only the command it runs, and
real processes' outputs and exit codes. (The file engine's own guarantees are in
tests/storage/test_tinydb.py.)"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from imtrack.cli.app import _invoked_app, app
from imtrack.domain.models import Measure
from imtrack.output.fold import cell_width
from imtrack.output.render import emit, measures_table


def test_malformed_measure_fails_list_cleanly_and_note_leaves_file(run, db_path):
    run.ok("list", "--format", "json")
    data = json.loads(db_path.read_text(encoding="utf-8"))
    data["measures"]["7"]["notes"] = "not a list"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()
    result = run.fail("list")
    assert "measure 7, field 'notes': must be a list" in result.stderr
    run.fail("note", "7", "x")
    assert db_path.read_bytes() == before


def test_corrupt_file_is_never_overwritten(run, db_path):
    db_path.write_text("{", encoding="utf-8")
    result = run.fail("note", "1", "进展")
    assert "is not valid JSON (line 1" in result.stderr
    assert db_path.read_text(encoding="utf-8") == "{"


@pytest.fixture
def long_ledger(db_path):
    """More measures than `list` folds inside the table (render.FOLD_MAX_ROWS)."""
    from imtrack.config import resolve_db
    from imtrack.core.tracker import open_store
    from imtrack.output.render import FOLD_MAX_ROWS

    store = open_store(resolve_db(db_path))
    seed = store.count()  # creates the default 34
    with store.transaction() as ledger:
        for i in range(FOLD_MAX_ROWS):
            base = ledger.get(1 + i % 34)
            ledger.add(Measure(id=0, text=f"{base.text}（{i}）", sector=base.sector))
    return seed + FOLD_MAX_ROWS


def test_plain_listing_has_every_measure_on_one_line(run, long_ledger):
    out = run.ok("list").stdout.splitlines()
    assert out[0].split() == ["ID", "Sector", "Status", "Last", "note", "Measure"]
    assert set(out[1]) == {"-"} and len(out[1]) == 80  # the rule under the header, as wide as the screen
    assert len(out) == 2 + long_ledger + 1
    assert out[-1] == f"{long_ledger} measures"
    assert out[3].split()[:3] == ["2", "科技创新", "未启动"]
    assert out[3].endswith("支持呼包鄂按程序申请创建国家自主创新示范区。")  # full text, not cut


def test_short_listing_is_a_table_even_in_a_pipe(run):
    out = run.ok("list").stdout.splitlines()  # CliRunner output is not a terminal
    assert out[0].split() == ["ID", "Sector", "Status", "Measure", "Last", "note"]


def test_plain_listing_aligns_by_display_width():
    ms = [Measure(id=1, text="甲", sector="transport"), Measure(id=12, text="乙", sector="digital")]
    ms = ms * 160  # beyond FOLD_MAX_ROWS: one line per measure, its text last
    out = io.StringIO()
    emit(measures_table(ms, total=500), out)
    lines = out.getvalue().splitlines()
    starts = [cell_width(line[: line.index(text)]) for line, text in zip(lines[2:4], "甲乙")]
    assert starts[0] == starts[1]  # 交通 and 数字基础设施 padded by columns, not characters
    assert lines[-1] == "320 of 500 measures"
    assert cell_width("交通ab") == 6


def test_filtered_plain_listing_and_json_agree(run, long_ledger):
    run.ok("set-status", "2", "done")
    lines = run.ok("list", "--status", "未启动").stdout.splitlines()
    records = json.loads(run.ok("list", "--status", "not-started", "--format", "json").stdout)
    assert len(records) == long_ledger - 1  # enough for the plain listing
    assert [line.split()[0] for line in lines[2:-1]] == [str(r["id"]) for r in records]
    assert lines[-1] == f"{len(records)} of {long_ledger} measures"


@pytest.mark.parametrize(
    ("argv", "commands"),
    [
        (["list"], ["list"]),
        (["--db", "x.json", "set-status", "1", "done"], ["set-status"]),
        (["--db=x.json", "show", "3"], ["show"]),
        (["--help"], None),
        ([], None),
        (["nosuch"], None),
        (["--version"], None),
    ],
)
def test_only_the_invoked_command_is_built(argv, commands):
    invoked = _invoked_app(argv)
    if commands is None:
        assert invoked is app
    else:
        names = [c.name or c.callback.__name__ for c in invoked.registered_commands]
        assert names == commands
        assert len(app.registered_commands) > 1  # the shared app is not changed


def test_completion_keeps_every_command(monkeypatch):
    monkeypatch.setenv("_IMTRACK_COMPLETE", "complete_bash")
    assert _invoked_app(["list"]) is app


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imtrack", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, check=False)


def test_real_process_outputs_and_exit_codes(db_path):
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    ok = _cli("list", "--format", "json", env=env)
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)) == 34
    bad = _cli("show", "abc", env=env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("imtrack: error: ") and len(bad.stderr.splitlines()) == 1
    missing = _cli("show", "999", env=env)
    assert missing.returncode == 1 and "no measure with id 999" in missing.stderr
    noted = _cli("note", "3", "已完成", env=env)
    assert noted.returncode == 0 and noted.stdout.startswith("3: note added at ")
    assert json.loads(_cli("show", "3", "--format", "json", env=env).stdout)["notes"][0]["text"] == "已完成"
