"""When it happened: `--on DAY` on set-status, note and update records the day a change took
effect beside the real time it was recorded; `log`, `report --since` and flags count by the
effective day. A scripted week: the ledger is made on Monday, a clerk records on Friday what
happened on Tuesday."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from imtrack.domain.periods import effective_on
from imtrack.errors import InvalidValue

MONDAY = "2026-11-23T09:00:00+08:00"
WEDNESDAY = "2026-11-25T11:00:00+08:00"
FRIDAY = "2026-11-27T16:00:00+08:00"


@pytest.fixture
def week(monkeypatch: pytest.MonkeyPatch):
    """Sets the clock; the ledger (on every engine) is made on Monday."""
    monkeypatch.setenv("IMTRACK_NOW", MONDAY)

    def at(stamp: str) -> None:
        monkeypatch.setenv("IMTRACK_NOW", stamp)

    return at


def _script(run, week) -> None:
    run.ok("set-status", "1", "in-progress")  # Monday, recorded Monday
    week(WEDNESDAY)
    run.ok("set-status", "2", "done")  # Wednesday, recorded Wednesday
    week(FRIDAY)
    run.ok("set-status", "1", "done", "--on", "周二", "--note", "可研批复已下达")  # Tuesday's, on Friday
    run.ok("update", "3", "--progress", "40", "--on", "昨天")


def _json(run, *args: str):
    return json.loads(run.ok(*args, "--format", "json").stdout)


@pytest.mark.engines
def test_a_week_recorded_on_friday_lands_on_tuesday(week, run) -> None:
    _script(run, week)
    tuesday = _json(run, "report", "--since", "2026-11-24", "--until", "2026-11-24")
    assert [(c["id"], c["effective"], c["at"]) for c in tuesday["completed"]] == [(1, "2026-11-24", FRIDAY)]
    assert [(c["id"], c["to"]) for c in tuesday["status_changes"]] == [(1, "done")]
    assert [(n["id"], n["text"], n["effective"]) for n in tuesday["notes"]] == [(1, "可研批复已下达", "2026-11-24")]
    friday = _json(run, "report", "--since", "2026-11-27", "--until", "2026-11-27")
    assert friday["completed"] == [] and friday["status_changes"] == [] and friday["notes"] == []
    whole = _json(run, "report", "--since", "本周")
    assert [(c["id"], c["effective"]) for c in whole["completed"]] == [(1, "2026-11-24"), (2, "2026-11-25")]
    # Thursday's progress change counts on Thursday, so measure 3 was not silent that week
    assert 3 not in [m["id"] for m in whole["no_update"]]


@pytest.mark.engines
def test_log_orders_and_shows_by_the_effective_day_with_the_recorded_time(week, run) -> None:
    _script(run, week)
    entries = _json(run, "log")
    assert [(e["id"], e["field"], e["effective"], e["at"]) for e in entries] == [
        (3, "progress", "2026-11-26", FRIDAY),
        (2, "status", "2026-11-25", WEDNESDAY),
        (1, "note", "2026-11-24", FRIDAY),
        (1, "status", "2026-11-24", FRIDAY),
        (1, "status", "2026-11-23", MONDAY),
    ]
    lines = run.ok("log").stdout.splitlines()
    assert lines[2].startswith("2026-11-26 ") and "progress" in lines[2]
    assert lines[3].strip() == "recorded 2026-11-27 16:00"
    assert lines[4].startswith("2026-11-25 11:00 ")  # recorded that day: shown as before
    since = _json(run, "log", "--since", "2026-11-25")
    assert [(e["id"], e["field"]) for e in since] == [(3, "progress"), (2, "status")]


@pytest.mark.engines
def test_a_note_on_a_past_day(week, run) -> None:
    week(FRIDAY)
    out = run.ok("note", "4", "召开推进会", "--on", "2026-11-25").stdout
    assert out.strip() == f"4: note added at {FRIDAY}, effective 2026-11-25"
    assert [(n["id"], n["effective"]) for n in _json(run, "report", "--since", "2026-11-25", "--until", "2026-11-25")["notes"]] == [(4, "2026-11-25")]
    today = run.ok("note", "4", "当天的进展").stdout
    assert "effective" not in today
    assert [e["effective"] for e in _json(run, "log", "4")] == ["2026-11-27", "2026-11-25"]


@pytest.mark.engines
def test_undo_of_a_dated_change_is_recorded_now_and_both_drop_out_of_the_period(week, run) -> None:
    week(FRIDAY)
    run.ok("set-status", "5", "done", "--on", "2026-11-24")
    run.ok("undo")
    entries = _json(run, "log", "5")
    assert [(e["from"], e["to"], e["effective"]) for e in entries] == [
        ("done", "not-started", "2026-11-27"), ("not-started", "done", "2026-11-24"),
    ]
    assert _json(run, "report", "--since", "本周")["completed"] == []


@pytest.mark.engines
@pytest.mark.parametrize(
    ("on", "says"),
    [
        ("明天", "--on 明天 (2026-11-28) is after today (2026-11-27)"),
        ("2026-12-01", "--on 2026-12-01 is after today (2026-11-27)"),
        ("banana", "--on: cannot read 'banana' as a day"),
        ("", "--on is empty"),
        ("  ", "--on is empty"),
        ("本月", "--on 本月 names 2026-11-01 to 2026-11-30, not one day"),
    ],
)
def test_a_bad_on_is_one_line_exit_2_and_changes_nothing(week, run, on: str, says: str) -> None:
    week(FRIDAY)
    for args in (("set-status", "1", "done"), ("note", "1", "x"), ("update", "1", "--progress", "5")):
        result = run.fail(*args, "--on", on, code=2)
        assert says in result.stderr, result.stderr
    assert _json(run, "log") == []


def test_a_day_before_the_measure_was_added_is_recorded_with_a_warning(week, run) -> None:
    run.ok("set-status", "1", "in-progress")  # the ledger is made on Monday
    week(FRIDAY)
    result = run.ok("set-status", "2", "done", "--on", "上周五")
    assert "warning: --on 2026-11-20 is before measure 2 was added to the ledger (2026-11-23)" in result.stderr
    assert [e["effective"] for e in _json(run, "log", "2")] == ["2026-11-20"]


def test_the_file_stores_the_day_only_when_it_differs(week, run, db_path: Path) -> None:
    week(FRIDAY)
    run.ok("set-status", "1", "done", "--on", "今天", "--note", "当天")
    run.ok("note", "2", "补记", "--on", "周二")
    doc = json.loads(db_path.read_text("utf-8"))["measures"]
    first = doc["1"]
    assert "effective" not in first["history"][0] and "effective" not in first["notes"][0]
    assert doc["2"]["notes"][0]["effective"] == "2026-11-24" and doc["2"]["notes"][0]["at"] == FRIDAY


def test_an_old_ledger_without_the_field_reads_as_before(run, db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", MONDAY)
    run.ok("note", "1", "旧的进展")
    text = db_path.read_text("utf-8")
    assert '"effective"' not in text
    monkeypatch.setenv("IMTRACK_NOW", FRIDAY)
    assert [(e["effective"], e["at"]) for e in _json(run, "log")] == [("2026-11-23", MONDAY)]
    assert [n["effective"] for n in _json(run, "report", "--since", "本周")["notes"]] == ["2026-11-23"]


def test_a_hand_edited_effective_day_is_a_clear_error(run, db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", FRIDAY)
    run.ok("note", "1", "补记", "--on", "周二")
    text = db_path.read_text("utf-8").replace('"effective": "2026-11-24"', '"effective": "24/11/2026"')
    db_path.write_text(text, "utf-8")
    result = run.fail("log")
    assert "measure 1, field" in result.stderr and "effective" in result.stderr  # names record and field


def test_the_chinese_interface(week, run, monkeypatch) -> None:
    week(FRIDAY)
    monkeypatch.setenv("IMTRACK_LANG", "zh")
    assert "生效日期 2026-11-24" in run.ok("set-status", "1", "done", "--on", "周二").stdout
    assert "记于 2026-11-27 16:00" in run.ok("log").stdout
    assert "晚于今天" in run.fail("note", "1", "x", "--on", "明天", code=2).stderr


# -- the grammar of --on --------------------------------------------------------------------

FRI = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-24", date(2026, 11, 24)),
        ("１１月２４日", date(2026, 11, 24)),
        ("昨天", date(2026, 11, 26)),
        ("前天", date(2026, 11, 25)),
        ("-3d", date(2026, 11, 24)),
        ("3天前", date(2026, 11, 24)),
        ("周二", date(2026, 11, 24)),
        ("星期二", date(2026, 11, 24)),
        ("本周二", date(2026, 11, 24)),
        ("周五", FRI),
        ("周六", date(2026, 11, 21)),  # the latest Saturday: last week's
        ("周日", date(2026, 11, 22)),
        ("上周二", date(2026, 11, 17)),
        ("上星期日", date(2026, 11, 22)),
        ("tuesday", date(2026, 11, 24)),
        ("Sat", date(2026, 11, 21)),
        ("12月1日", date(2025, 12, 1)),  # a yearless day is the latest such day
        ("today", FRI),
    ],
)
def test_on_reads_one_past_day(text: str, day: date) -> None:
    assert effective_on(text, FRI) == day


@pytest.mark.parametrize("text", ["本周六", "下周一", "明天", "2027-01-01", "上周", "2026", "周八", "", "x"])
def test_on_refuses_a_future_day_a_span_or_garbage(text: str) -> None:
    with pytest.raises(InvalidValue, match="--on"):
        effective_on(text, FRI)


# -- where else the day shows ---------------------------------------------------------------


def test_show_and_markdown_give_the_day_with_the_recorded_time(week, run) -> None:
    week(FRIDAY)
    run.ok("set-status", "1", "done", "--on", "周二", "--note", "补记")
    shown = run.ok("show", "1").stdout.splitlines()
    at = [i for i, line in enumerate(shown) if line.startswith("2026-11-24 ")]
    assert len(at) == 2 and all(shown[i + 1].strip() == "recorded 2026-11-27 16:00" for i in at)
    markdown = run.ok("show", "1", "--format", "markdown").stdout
    assert f"| 2026-11-24（记于 {FRIDAY}） | 补记 |" in markdown  # the Markdown headers are Chinese by default


def test_a_json_backup_carries_the_day_into_a_new_ledger(week, run, tmp_path: Path, monkeypatch) -> None:
    week(FRIDAY)
    run.ok("note", "1", "补记", "--on", "周二")
    backup = tmp_path / "backup.json"
    run.ok("export", "--format", "json", "--output", str(backup))
    monkeypatch.setenv("IMTRACK_DB", str(tmp_path / "restored.sqlite"))
    run.ok("import", str(backup))
    assert [(e["text"], e["effective"], e["at"]) for e in _json(run, "log", "1")] == [("补记", "2026-11-24", FRIDAY)]
