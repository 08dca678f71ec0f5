"""Every command end to end through CliRunner, its error paths, markup-looking user text, and
the 80-column layout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len

from imtrack import __version__
from imtrack.cli.app import app
from imtrack.config import DbLocation
from imtrack.core.tracker import open_store
from imtrack.domain.models import Measure
from imtrack.vocab.sectors import SECTORS

NOW = "2026-03-01T09:30:00+08:00"
M25 = (
    "研究强化呼南通道与包（银）海通道之间的衔接，推动包头经鄂尔多斯至榆林铁路、临河至哈密铁路临河至"
    "额济纳段扩能改造工程等项目建设，研究建设齐齐哈尔至海拉尔、海拉尔至黑山头铁路，推进乌兰浩特至"
    "阿尔山至海拉尔铁路开行动车改造，构建贯通内蒙古东中西部的铁路大通道。"
)
M26 = (
    "在严格防范地方债务风险的前提下，推动国家高速公路主线内蒙古段全部贯通、盟市高速公路互通、"
    "城区人口10万以上旗县高速公路连通、重点口岸高速公路接通。"
)
TRANSPORT = [17, 25, 26, 27, 28, 30]
DIGITAL = [29, 31, 32, 33, 34]
MARKUP = ["[/]", "[bold red]x[/bold red]", "C:\\data\\[new]"]


def ids_json(run, *args: str) -> list[int]:
    return [m["id"] for m in json.loads(run.ok("list", *args, "--format", "json").stdout)]


def show_json(run, measure_id: int) -> dict:
    return json.loads(run.ok("show", str(measure_id), "--format", "json").stdout)


def table_ids(output: str) -> list[int]:
    return [int(m) for m in re.findall(r"^\s*(\d+)\s{2,}", output, flags=re.MULTILINE)]


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    return NOW


@pytest.fixture
def created(run, db_path) -> Path:
    run.ok("path")
    run.ok("list")
    assert db_path.exists()
    return db_path


# -- list -------------------------------------------------------------------------------------


@pytest.mark.engines
def test_list_shows_all_34_with_the_columns(run):
    out = run.ok("list").stdout
    header = out.splitlines()[0].split()
    assert header == ["ID", "Sector", "Status", "Measure", "Last", "note"]
    assert table_ids(out) == list(range(1, 35))
    assert out.rstrip().endswith("34 measures")
    assert "未启动" in out and "科技创新" in out


@pytest.mark.parametrize("sector", ["transport", "交通", "TRANSPORT", "ｔｒａｎｓｐｏｒｔ"])
def test_list_by_sector_slug_or_label(run, sector):
    assert ids_json(run, "--sector", sector) == TRANSPORT
    out = run.ok("list", "--sector", sector).stdout
    assert table_ids(out) == TRANSPORT
    assert "6 of 34 measures" in out
    for phrase in ("榆林铁路", "高速公路主线", "农村牧区公路", "通用机场"):
        assert phrase in measure_column(out)


def test_list_repeated_sector_is_either(run):
    assert ids_json(run, "--sector", "transport", "-s", "数字基础设施") == sorted(TRANSPORT + DIGITAL)


@pytest.mark.engines
def test_list_by_status(run):
    run.ok("set-status", "3", "4", "推进中")
    run.ok("set-status", "26", "done")
    assert ids_json(run, "--status", "in-progress") == [3, 4]
    assert ids_json(run, "--status", "已完成") == [26]
    assert ids_json(run, "--status", "推进中", "--status", "done") == [3, 4, 26]
    assert len(ids_json(run, "--status", "not-started")) == 31
    assert ids_json(run, "--status", "blocked") == []
    assert run.ok("list", "--status", "blocked").stdout.strip().endswith("0 of 34 measures")


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("(银)", [25]),  # half-width parentheses find the text's full-width （银）
        ("（银）", [25]),
        ("１０万", [26]),  # full-width digits find 10万
        ("10万", [26]),
        ("铁路", [25]),
        ("“东数西算”", [31]),
        ("互联网", [32, 33]),
        ("不存在的词", []),
        ("a+b", []),  # not a regular expression
        ("包(银", [25]),  # a literal substring, not a broken regular expression
    ],
)
def test_list_grep_is_width_insensitive(run, pattern, expected):
    assert ids_json(run, "--grep", pattern) == expected


@pytest.mark.engines
def test_list_filters_combine(run):
    run.ok("set-status", "26", "27", "32", "done")
    assert ids_json(run, "--sector", "transport", "--status", "done") == [26, 27]
    assert ids_json(run, "--sector", "交通", "--grep", "公路") == [17, 26, 27]
    assert ids_json(run, "--sector", "transport", "--sector", "digital", "--status", "done", "--grep", "网络") == [32]
    assert ids_json(run, "--sector", "finance", "--grep", "铁路") == []


@pytest.mark.engines
def test_list_json_fields(run, now):
    run.ok("note", "25", "可研已批复")
    records = json.loads(run.ok("list", "--format", "json").stdout)
    assert isinstance(records, list) and len(records) == 34
    for record in records:
        assert {"id", "text", "sector", "status", "notes", "history", "source"} <= set(record)
    m25 = records[24]
    assert m25["id"] == 25
    assert m25["text"] == M25
    assert m25["sector"] == "transport"
    assert m25["status"] == "not-started"
    assert m25["notes"] == [{"at": NOW, "text": "可研已批复", "txn": 1, "author": "测试员"}]
    assert m25["history"] == []
    assert "国发〔2023〕16号" in m25["source"]


def test_list_shows_latest_note_date(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-02-01T10:00:00+08:00")
    run.ok("note", "28", "first")
    monkeypatch.setenv("IMTRACK_NOW", "2026-04-15T10:00:00+08:00")
    run.ok("note", "28", "second")
    line = next(line for line in run.ok("list", "--sector", "transport").stdout.splitlines() if line.startswith("28 "))
    assert line.rstrip().endswith("2026-04-15")


def test_list_json_is_utf8_unescaped(run):
    out = run.ok("list", "--format", "json").stdout
    assert "研究" in out and "\\u" not in out


# -- show -------------------------------------------------------------------------------------


@pytest.mark.engines
def test_show_table_has_full_text_fields_notes_and_history(run, now):
    run.ok("set-status", "25", "in-progress", "--note", "开工")
    run.ok("note", "25", "完成第一段")
    out = run.ok("show", "25").stdout
    flat = re.sub(r"\s+", "", out)
    assert M25 in flat
    for expected in ("ID", "25", "推进中(in-progress)", "交通(transport)", "国发〔2023〕16号", "七个方面主要任务②"):
        assert expected in flat
    assert "Notes" in out and "开工" in out and "完成第一段" in out
    assert "History" in out
    history_line = next(line for line in out.splitlines() if "status" in line and "未启动" in line)
    assert history_line.split() == [NOW, "status", "未启动", "推进中"]


def test_show_without_notes_or_history(run):
    out = run.ok("show", "1").stdout
    assert "No notes yet." in out and "No changes yet." in out


def test_show_json_is_one_object(run, now):
    run.ok("note", "26", "已招标")
    record = show_json(run, 26)
    assert isinstance(record, dict)
    assert record["id"] == 26 and record["text"] == M26
    assert record["notes"] == [{"at": NOW, "text": "已招标", "txn": 1, "author": "测试员"}]
    assert record["sector_label"] == "交通" and record["status_label"] == "未启动"


# -- set-status and note ----------------------------------------------------------------------


@pytest.mark.engines
def test_set_status_several_ids_chinese_status_note_and_history(run, now):
    out = run.ok("set-status", "26", "27", "已完成", "--note", "通车").stdout
    assert out.splitlines() == ["26: status set to 已完成 (done)", "27: status set to 已完成 (done)"]
    for measure_id in (26, 27):
        record = show_json(run, measure_id)
        assert record["status"] == "done"
        # one command, one transaction (txn) for every measure it changed: one undo reverts it
        assert record["history"] == [{"at": NOW, "field": "status", "from": "not-started", "to": "done", "txn": 1, "author": "测试员"}]
        assert record["notes"] == [{"at": NOW, "text": "通车", "txn": 1, "author": "测试员"}]
        assert record["updated"] == NOW
    assert show_json(run, 28)["status"] == "not-started"


@pytest.mark.engines
def test_set_status_again_records_no_new_history(run, now, db_path):
    run.ok("set-status", "5", "blocked")
    before = db_path.read_bytes()
    out = run.ok("set-status", "5", "受阻").stdout
    assert out.strip() == "5: already 受阻 (blocked)"
    assert db_path.read_bytes() == before
    assert len(show_json(run, 5)["history"]) == 1


def test_set_status_repeated_id_counts_once(run, now):
    assert run.ok("set-status", "7", "7", "done", "--note", "一次").stdout.splitlines() == ["7: status set to 已完成 (done)"]
    record = show_json(run, 7)
    assert len(record["history"]) == 1 and len(record["notes"]) == 1


def test_history_keeps_each_change_in_order(run, monkeypatch):
    for at, status in [("2026-01-01T08:00:00+08:00", "推进中"), ("2026-02-01T08:00:00+08:00", "受阻"), ("2026-03-01T08:00:00+08:00", "done")]:
        monkeypatch.setenv("IMTRACK_NOW", at)
        run.ok("set-status", "9", status)
    history = show_json(run, 9)["history"]
    assert [(h["at"], h["from"], h["to"]) for h in history] == [
        ("2026-01-01T08:00:00+08:00", "not-started", "in-progress"),
        ("2026-02-01T08:00:00+08:00", "in-progress", "blocked"),
        ("2026-03-01T08:00:00+08:00", "blocked", "done"),
    ]


def test_timestamp_without_imtrack_now_is_local_time_with_offset(run):
    run.ok("note", "1", "现在")
    at = show_json(run, 1)["notes"][0]["at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", at), at


@pytest.mark.engines
def test_note(run, now):
    out = run.ok("note", "25", "  已完成可研批复  ").stdout
    assert out.strip() == f"25: note added at {NOW}"
    run.ok("note", "25", "第二条")
    assert show_json(run, 25)["notes"] == [
        {"at": NOW, "text": "已完成可研批复", "txn": 1, "author": "测试员"},
        {"at": NOW, "text": "第二条", "txn": 2, "author": "测试员"},
    ]
    assert show_json(run, 25)["status"] == "not-started"


# -- set-sector and reclassify ----------------------------------------------------------------


def test_set_sector_pins_and_reclassify_leaves_it(run, db_path, now):
    out = run.ok("set-sector", "18", "29", "交通").stdout
    assert out.splitlines() == ["18: sector set to 交通 (transport)", "29: sector set to 交通 (transport)"]
    record = show_json(run, 18)
    assert record["sector"] == "transport" and record["sector_pinned"] is True
    assert record["history"] == [
        {"at": NOW, "field": "sector", "from": "services", "to": "transport", "txn": 1, "author": "测试员"},
        {"at": NOW, "field": "sector_pinned", "from": False, "to": True, "txn": 1, "author": "测试员"},
    ]
    assert "set by hand" in run.ok("show", "18").stdout

    out = run.ok("reclassify").stdout
    assert out.strip().startswith("0 measures moved")
    assert show_json(run, 18)["sector"] == "transport"
    assert show_json(run, 29)["sector"] == "transport"


def test_reclassify_with_local_rules(run, db_path, now):
    run.ok("set-sector", "34", "ecology")
    rules = db_path.with_name("sector-rules.toml")
    rules.write_text(
        '[[rule]]\nsector = "social"\nstrong = ["银发经济"]\n\n[[rule]]\nsector = "digital"\nstrong = ["通信"]\n',
        encoding="utf-8",
    )
    assert run.ok("path").stdout.splitlines()[1].split() == ["sector", "rules:", str(rules)]
    out = run.ok("reclassify").stdout
    assert "18: 服务业 -> 民生与社会事业" in out
    assert f"(rules: {rules})" in out
    assert show_json(run, 18)["sector"] == "social"
    assert show_json(run, 18)["history"][-1] == {
        "at": NOW, "field": "sector", "from": "services", "to": "social", "txn": 2, "author": "测试员"
    }
    assert show_json(run, 34)["sector"] == "ecology"  # pinned by hand: kept
    assert show_json(run, 29)["sector"] == "other"  # 电信 is not 通信 and no other rule matches
    assert ids_json(run, "--sector", "transport") == []


def test_new_database_uses_local_rules(run, db_path):
    db_path.with_name("sector-rules.toml").write_text('[[rule]]\nsector = "talent"\nstrong = ["铁路"]\n', encoding="utf-8")
    assert ids_json(run, "--sector", "talent") == [25]
    assert len(ids_json(run, "--sector", "other")) == 33


def test_reclassify_with_broken_local_rules_changes_nothing(run, created):
    rules = created.with_name("sector-rules.toml")
    before = created.read_bytes()
    rules.write_text('[[rule]]\nsector = "roads"\n', encoding="utf-8")
    result = run.fail("reclassify", code=1)
    assert str(rules) in result.stderr and "unknown sector 'roads'" in result.stderr
    rules.write_text("[[rule]\n", encoding="utf-8")
    assert "not valid TOML" in run.fail("reclassify", code=1).stderr
    assert created.read_bytes() == before


# -- report, sectors, path, version -----------------------------------------------------------


@pytest.mark.engines
def test_report_after_one_done(run):
    run.ok("set-status", "26", "已完成")
    data = json.loads(run.ok("report", "--format", "json").stdout)
    assert data["by"] == "sector"
    assert data["total"]["total"] == 34 and data["total"]["done"] == 1
    assert data["total"]["counts"] == {"not-started": 33, "in-progress": 0, "done": 1, "blocked": 0}
    transport = next(r for r in data["rows"] if r["key"] == "transport")
    assert transport == {
        "key": "transport",
        "label": "交通",
        "total": 6,
        "counts": {"not-started": 5, "in-progress": 0, "done": 1, "blocked": 0},
        "done": 1,
        "percent_done": 16.7,
        "overdue": 0,
    }
    assert sum(r["total"] for r in data["rows"]) == 34
    assert all(r["total"] > 0 for r in data["rows"])  # empty sectors are left out

    out = run.ok("report").stdout
    assert "Overall: 1 of 34 measures done (2.9%)" in out
    row = next(line for line in out.splitlines() if line.startswith("交通"))
    assert row.split()[:7] == ["交通", "6", "5", "0", "1", "0", "16.7%"]
    total = next(line for line in out.splitlines() if line.startswith("合计"))
    assert total.split()[:7] == ["合计", "34", "33", "0", "1", "0", "2.9%"]
    assert all(cell_len(line) <= 80 for line in out.splitlines())


def test_report_on_fresh_database(run, db_path):
    data = json.loads(run.ok("report", "--format", "json").stdout)
    assert data["total"]["total"] == 34 and data["total"]["done"] == 0
    assert "Overall: 0 of 34 measures done (0.0%)" in run.ok("report").stdout


@pytest.mark.engines
def test_sectors(run):
    out = run.ok("sectors").stdout
    for s in SECTORS:
        assert re.search(rf"^{re.escape(s.slug)}\s+{s.label}\s+\d+\s*$", out, flags=re.MULTILINE), s.slug
    assert re.search(r"^transport\s+交通\s+6\s*$", out, flags=re.MULTILINE)
    data = json.loads(run.ok("sectors", "--format", "json").stdout)
    assert [d["sector"] for d in data] == [s.slug for s in SECTORS]
    counts = {d["sector"]: d["count"] for d in data}
    assert sum(counts.values()) == 34
    assert counts["transport"] == 6 and counts["digital"] == 5 and counts["energy"] == 0


def test_path_precedence(run, tmp_path, monkeypatch):
    env_db = tmp_path / "env.json"
    opt_db = tmp_path / "opt.json"
    monkeypatch.setenv("IMTRACK_DB", str(env_db))
    info = json.loads(run.ok("--db", str(opt_db), "path", "--format", "json").stdout)
    assert info["database"] == str(opt_db) and info["origin"] == "--db"
    info = json.loads(run.ok("path", "--format", "json").stdout)
    assert info["database"] == str(env_db) and info["origin"] == "IMTRACK_DB"
    assert info["exists"] is False
    monkeypatch.delenv("IMTRACK_DB")
    info = json.loads(run.ok("path", "--format", "json").stdout)
    assert info["origin"] == "default"
    assert info["database"] == str(tmp_path / "xdg-data" / "imtrack" / "imtrack.json")
    out = run.ok("path").stdout
    assert out.splitlines()[0].split()[:2] == ["database:", info["database"]]
    assert "(from default; created on first use)" in out
    assert info["engine"] == "tinydb" and "engine:       TinyDB (one JSON file)" in out


def test_db_option_is_the_file_commands_use(run, tmp_path, db_path):
    other = tmp_path / "other.json"
    run.ok("--db", str(other), "set-status", "1", "done")
    assert other.exists() and not db_path.exists()
    assert ids_json(run, "--status", "done") == []  # IMTRACK_DB's database is a different one
    assert [m["id"] for m in json.loads(run.ok("--db", str(other), "list", "--status", "done", "-f", "json").stdout)] == [1]


def test_default_location_is_created(run, tmp_path, monkeypatch):
    monkeypatch.delenv("IMTRACK_DB")
    run.ok("list")
    assert (tmp_path / "xdg-data" / "imtrack" / "imtrack.json").exists()


def test_version(run):
    assert run.ok("--version").stdout.strip() == f"imtrack {__version__}"


def test_python_dash_m_version(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "imtrack", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "IMTRACK_DB": str(tmp_path / "db.json")},
        timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imtrack {__version__}"
    assert result.stderr == ""


def test_runs_from_any_directory_with_an_ascii_locale(tmp_path):
    # data files come from the package, not the working directory; output is UTF-8 regardless
    env = {**os.environ, "IMTRACK_DB": str(tmp_path / "db.json"), "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-m", "imtrack", "list", "--sector", "交通", "--format", "json"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    records = json.loads(result.stdout.decode("utf-8"))
    assert [r["id"] for r in records] == TRANSPORT
    assert records[1]["text"] == M25


def test_version_does_not_import_rich_or_tinydb(tmp_path):
    # start-up time: heavy modules are imported inside the commands that need them
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imtrack", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "imtrack.cli.app" in imported
    assert not imported & {"rich", "tinydb", "dateutil", "imtrack.storage.store", "imtrack.output.render"}


def test_no_arguments_prints_help(run):
    result = run(* ())
    assert "Usage" in result.stdout and "set-status" in result.stdout


# -- help on everything -----------------------------------------------------------------------


def commands() -> dict:
    return typer.main.get_command(app).commands


def test_every_command_and_option_has_help(run):
    group = typer.main.get_command(app)
    assert group.help
    names = sorted(commands())
    assert {"list", "show", "set-status", "note", "set-sector", "reclassify", "report", "sectors", "path"} <= set(names)
    for param in group.params:
        assert getattr(param, "help", None), f"global option {param.name} has no help"
    for name, command in commands().items():
        assert command.help and command.help.strip(), f"{name} has no help"
        for param in command.params:
            assert getattr(param, "help", None), f"{name}: {param.name} has no help"
        out = run.ok(name, "--help").stdout
        assert command.help.strip().splitlines()[0] in re.sub(r"\s+", " ", out)
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in out, f"{name} --help does not mention {opt}"
    assert "--db" in run.ok("--help").stdout


def test_format_option_on_every_data_command():
    for name in ("list", "show", "report", "sectors", "path"):
        opts = [o for p in commands()[name].params for o in getattr(p, "opts", [])]
        assert "--format" in opts, name


# -- shell completion -------------------------------------------------------------------------


def complete(run, words: str, cword: int | None = None) -> list[str]:
    cword = len(words.split()) - 1 if cword is None else cword
    result = run.runner.invoke(
        app,
        [],
        prog_name="imtrack",
        env={"_IMTRACK_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout.split()


def test_completion_offers_sectors(run):
    assert complete(run, "imtrack list --sector tr") == ["transport"]
    assert complete(run, "imtrack list --sector 交") == ["交通"]
    assert set(complete(run, "imtrack list --sector ", 3)) == {s.slug for s in SECTORS} | {s.label for s in SECTORS}


def test_completion_offers_statuses(run):
    assert complete(run, "imtrack list --status 推") == ["推进中"]
    assert complete(run, "imtrack list --status d") == ["done"]
    assert complete(run, "imtrack set-status 1 2 已") == ["已完成"]
    assert complete(run, "imtrack set-status 26 d") == ["done"]
    assert set(complete(run, "imtrack set-status 26 ", 3)) >= {"not-started", "未启动", "done", "已完成", "blocked"}
    assert complete(run, "imtrack set-sector 18 交") == ["交通"]


def test_completion_offers_no_values_in_place_of_the_first_id(run):
    assert complete(run, "imtrack set-status d") == []


def test_completion_offers_commands(run):
    assert "set-status" in complete(run, "imtrack set")


# -- error paths: exit code, one line naming the fix, no traceback, nothing changed ------------

ERRORS = [
    # (args, exit code, words the message must contain)
    (["show", "99"], 1, ["no measure with id 99", "ids run from 1 to 34", "imtrack list"]),
    (["set-status", "26", "99", "100", "done"], 1, ["no measure with ids 99, 100", "ids run from 1 to 34"]),
    (["note", "35", "x"], 1, ["no measure with id 35"]),
    (["set-sector", "99", "transport"], 1, ["no measure with id 99"]),
    (["show", "abc"], 2, ["'abc' is not a measure id", "whole numbers"]),
    (["set-status", "1", "x2", "done"], 2, ["'x2' is not a measure id"]),
    (["note", "1.5", "x"], 2, ["'1.5' is not a measure id"]),
    (["show", "0"], 2, ["'0' is not a measure id", "ids start at 1"]),
    (["set-status", "1", "-3", "done"], 2, []),
    (["set-status", "25", "finished"], 2, ["unknown status 'finished'", "not-started (未启动)", "done (已完成)"]),
    (["list", "--status", "完了"], 2, ["unknown status '完了'", "use one of"]),
    (["list", "--sector", "roads"], 2, ["unknown sector 'roads'", "transport (交通)"]),
    (["set-sector", "25", "铁路"], 2, ["unknown sector '铁路'", "use one of"]),
    (["note", "25", ""], 2, ["the note is empty", "imtrack note 25"]),
    (["note", "25", " \t\u3000\n "], 2, ["the note is empty"]),
    (["set-status", "25", "done", "--note", "  "], 2, ["the note is empty"]),
    (["list", "--format", "xml"], 2, ["--format"]),
    (["frobnicate"], 2, ["No such command"]),
    (["set-status", "25"], 2, ["missing STATUS after id 25", "imtrack set-status 25 in-progress"]),
]


@pytest.mark.parametrize("args, code, words", ERRORS, ids=[" ".join(e[0]) for e in ERRORS])
def test_error_paths(run, created, args, code, words):
    before = created.read_bytes()
    result = run.fail(*args, code=code)
    for word in words:
        assert word in result.stderr, result.stderr
    assert result.stdout == ""
    assert created.read_bytes() == before


@pytest.mark.parametrize(
    "var, value, words",
    [
        ("IMTRACK_NOW", "bogus", ["IMTRACK_NOW='bogus' is not an ISO 8601 timestamp", "unset it"]),
        ("IMTRACK_NOW", "2026-13-01", ["IMTRACK_NOW='2026-13-01'"]),
        ("IMTRACK_LOCK_TIMEOUT", "soon", ["IMTRACK_LOCK_TIMEOUT='soon' is not a number of seconds"]),
    ],
)
def test_bad_environment_values(run, created, monkeypatch, var, value, words):
    before = created.read_bytes()
    monkeypatch.setenv(var, value)
    result = run.fail("note", "1", "x", code=2)
    for word in words:
        assert word in result.stderr
    assert created.read_bytes() == before


def test_a_bad_id_among_good_ones_changes_none(run, created):
    run.fail("set-status", "25", "26", "999", "done")
    assert ids_json(run, "--status", "done") == []
    run.fail("set-sector", "25", "0", "digital", code=2)
    assert show_json(run, 25)["sector"] == "transport"


@pytest.mark.parametrize(
    "args",
    [["list"], ["show", "1"], ["set-status", "1", "done"], ["note", "1", "x"], ["report"], ["sectors"], ["set-sector", "1", "energy"], ["reclassify"]],
)
def test_corrupt_database(run, db_path, args):
    db_path.write_bytes(b'{"measures": {"1": {"text": "\xe7\xa0\x94\xe7\xa9\xb6"')  # truncated
    before = db_path.read_bytes()
    result = run.fail(*args, code=1)
    assert str(db_path) in result.stderr
    assert "not valid JSON" in result.stderr and "left untouched" in result.stderr
    assert f"mv '{db_path}' '{db_path}.broken'" in result.stderr
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("args", [["list"], ["report"], ["note", "1", "x"]])
def test_db_in_a_missing_directory(run, tmp_path, args):
    missing = tmp_path / "no-such-dir" / "db.json"
    result = run.fail("--db", str(missing), *args, code=1)
    assert f"directory {missing.parent} does not exist" in result.stderr
    assert "create it or choose another --db" in result.stderr
    assert not missing.parent.exists()


def test_db_that_is_a_directory(run, tmp_path):
    result = run.fail("--db", str(tmp_path), "list", code=1)
    assert "is a directory; give a file name" in result.stderr


# -- markup in user text (never interpreted) -----------------------------------------------


@pytest.mark.engines
def test_markup_in_notes_is_stored_and_shown_literally(run, now):
    for text in MARKUP:
        run.ok("note", "25", text)
    run.ok("set-status", "26", "done", "--note", MARKUP[0])
    assert [n["text"] for n in show_json(run, 25)["notes"]] == MARKUP
    assert [n["text"] for n in json.loads(run.ok("list", "-f", "json", "-g", "包(银)").stdout)[0]["notes"]] == MARKUP
    out = run.ok("show", "25").stdout
    for text in MARKUP:
        assert text in out
    assert "[/]" in run.ok("show", "26").stdout


def test_markup_in_measure_text_is_shown_literally(run, db_path):
    text = "支持[/]与[bold red]x[/bold red]项目，见C:\\data\\[new]。"
    store = open_store(DbLocation(db_path, "IMTRACK_DB"))
    store.count()  # created and seeded
    with store.transaction() as ledger:
        ledger.add(Measure(id=0, text=text, sector="other"))
    out = run.ok("list", "--grep", "[bold red]").stdout
    assert table_ids(out) == [35]
    assert re.sub(r"\s+", "", text) in re.sub(r"\s+", "", measure_column(out))
    assert text in run.ok("show", "35").stdout
    assert json.loads(run.ok("show", "35", "-f", "json").stdout)["text"] == text


# -- 80 columns -------------------------------------------------------------------------------


def _cell_slice(line: str, start: int, end: int | None) -> str:
    """The characters of `line` between terminal cells `start` and `end`."""
    out, pos = [], 0
    for ch in line:
        if pos >= start and (end is None or pos < end):
            out.append(ch)
        pos += cell_len(ch)
    return "".join(out)


def measure_column(output: str) -> str:
    """The Measure column of a `list` table, its wrapped lines joined again."""
    lines = output.splitlines()
    header = lines[0]
    start = cell_len(header[: header.index("Measure")])
    end = cell_len(header[: header.index("Last note")])
    return "".join(_cell_slice(line, start, end).strip() for line in lines[2:])


def test_list_fits_80_columns_and_keeps_the_whole_text(run):
    out = run.ok("list").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    column = measure_column(out)
    assert M25 in column and M26 in column
    # the whole table, with layout removed, also contains it
    # (the table's rules and the "no note yet" marker are ASCII "-"; M25 itself has none)
    assert "-" not in M25
    flat = re.sub(r"[\s\-─━│┃┏┓┗┛┡┩╇╈┼]+", "", out)
    assert re.sub(r"\s+", "", M25) in flat
    assert "…" not in out  # nothing cut with an ellipsis


def test_show_fits_80_columns(run):
    run.ok("note", "25", "很长的备注" * 30)
    out = run.ok("show", "25").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "很长的备注" * 30 in re.sub(r"\s+", "", out)


# -- the error funnel -------------------------------------------------------------------------


def test_unexpected_exceptions_stay_visible(run, monkeypatch):
    import imtrack.core.tracker

    def bug(*args):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(imtrack.core.tracker, "get_measure", bug)
    result = run("show", "1")
    assert isinstance(result.exception, RuntimeError), repr(result.exception)


def test_abort_is_one_line(run, monkeypatch):
    import imtrack.core.tracker

    def abort(*args):
        raise typer.Abort()

    monkeypatch.setattr(imtrack.core.tracker, "get_measure", abort)
    assert run.fail("show", "1", code=1).stderr.strip() == "imtrack: error: aborted"


@pytest.mark.engines
def test_repeated_grep_requires_every_term(run):
    """`--grep A --grep B` keeps measures containing both, not only the last term."""
    both = json.loads(run.ok("list", "--grep", "机场", "--grep", "旗县", "--format", "json").stdout)
    airport = json.loads(run.ok("list", "--grep", "机场", "--format", "json").stdout)
    county = json.loads(run.ok("list", "--grep", "旗县", "--format", "json").stdout)
    assert both and {m["id"] for m in both} == {m["id"] for m in airport} & {m["id"] for m in county}
    assert len(airport) > len(both) or len(county) > len(both)
    assert all("机场" in m["text"] and "旗县" in m["text"] for m in both)


def test_repeated_where_grep_selects_measures_with_every_term(run):
    result = run.ok("set-status", "--where-grep", "机场", "--where-grep", "旗县", "in-progress", "--format", "json")
    ids = [m["id"] for m in json.loads(result.stdout)["measures"]]
    texts = [m["text"] for m in json.loads(run.ok("list", "--status", "in-progress", "--format", "json").stdout)]
    assert ids and len(texts) == len(ids) and all("机场" in t and "旗县" in t for t in texts)
