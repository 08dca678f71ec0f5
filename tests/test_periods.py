"""The period grammar of --since/--until (domain/periods.py): spans at their boundaries with a
fixed clock, through the core and through the CLI (IMTRACK_NOW), and every --help example."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from imtrack.cli.app import app
from imtrack.domain.periods import HELP_EXAMPLES, Period, parse_period, since_day, until_day
from imtrack.errors import InvalidValue

TODAY = date(2026, 11, 23)  # a Monday in Q4, H2


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        # days
        ("2026-11-16", date(2026, 11, 16), date(2026, 11, 16)),
        ("2026/11/16", date(2026, 11, 16), date(2026, 11, 16)),
        ("2026年11月16日", date(2026, 11, 16), date(2026, 11, 16)),
        ("16 Nov 2026", date(2026, 11, 16), date(2026, 11, 16)),
        ("today", TODAY, TODAY),
        ("昨天", date(2026, 11, 22), date(2026, 11, 22)),
        ("11月16日", date(2026, 11, 16), date(2026, 11, 16)),
        ("11月24日", date(2025, 11, 24), date(2025, 11, 24)),  # not yet this year: last year's
        ("Nov 16", date(2026, 11, 16), date(2026, 11, 16)),
        # weeks, Monday to Sunday
        ("本周", date(2026, 11, 23), date(2026, 11, 29)),
        ("上周", date(2026, 11, 16), date(2026, 11, 22)),
        ("last week", date(2026, 11, 16), date(2026, 11, 22)),
        # months
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026年11月", date(2026, 11, 1), date(2026, 11, 30)),
        ("２０２６年１１月", date(2026, 11, 1), date(2026, 11, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("Nov 2026", date(2026, 11, 1), date(2026, 11, 30)),
        ("11月", date(2026, 11, 1), date(2026, 11, 30)),
        ("十一月", date(2026, 11, 1), date(2026, 11, 30)),
        ("12月", date(2025, 12, 1), date(2025, 12, 31)),  # December has not begun: last year's
        ("本月", date(2026, 11, 1), date(2026, 11, 30)),
        ("上月", date(2026, 10, 1), date(2026, 10, 31)),
        ("上个月", date(2026, 10, 1), date(2026, 10, 31)),
        # quarters
        ("一季度", date(2026, 1, 1), date(2026, 3, 31)),
        ("第二季度", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026年三季度", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("Q1 2027", date(2027, 1, 1), date(2027, 3, 31)),
        ("本季度", date(2026, 10, 1), date(2026, 12, 31)),
        ("上季度", date(2026, 7, 1), date(2026, 9, 30)),
        # half-years
        ("上半年", date(2026, 1, 1), date(2026, 6, 30)),
        ("下半年", date(2026, 7, 1), date(2026, 12, 31)),
        ("2025年下半年", date(2025, 7, 1), date(2025, 12, 31)),
        ("去年上半年", date(2025, 1, 1), date(2025, 6, 30)),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        # years
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026年", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026年度", date(2026, 1, 1), date(2026, 12, 31)),
        ("今年", date(2026, 1, 1), date(2026, 12, 31)),
        ("年内", date(2026, 1, 1), date(2026, 12, 31)),
        ("去年", date(2025, 1, 1), date(2025, 12, 31)),
        # a period's first or last day
        ("年初", date(2026, 1, 1), date(2026, 1, 1)),
        ("本月底", date(2026, 11, 30), date(2026, 11, 30)),
        ("一季度末", date(2026, 3, 31), date(2026, 3, 31)),
        ("2026年6月底", date(2026, 6, 30), date(2026, 6, 30)),
        # back from today
        ("-7d", date(2026, 11, 16), date(2026, 11, 16)),
        ("-2w", date(2026, 11, 9), date(2026, 11, 9)),
        ("-1m", date(2026, 10, 23), date(2026, 10, 23)),
        ("7天前", date(2026, 11, 16), date(2026, 11, 16)),
        ("最近30天", date(2026, 10, 25), TODAY),
        ("近7天", date(2026, 11, 17), TODAY),
        ("最近一周", date(2026, 11, 17), TODAY),
        ("近3个月", date(2026, 8, 24), TODAY),
    ],
)
def test_periods(text: str, first: date, last: date) -> None:
    assert parse_period(text, TODAY) == Period(first, last)
    assert since_day(text, TODAY) == first and until_day(text, TODAY) == last


@pytest.mark.parametrize(
    ("today", "text", "first", "last"),
    [
        # the week turns on Monday
        (date(2026, 11, 29), "本周", date(2026, 11, 23), date(2026, 11, 29)),
        (date(2026, 11, 30), "本周", date(2026, 11, 30), date(2026, 12, 6)),
        (date(2026, 11, 30), "上周", date(2026, 11, 23), date(2026, 11, 29)),
        # month and quarter ends, a year change
        (date(2026, 1, 1), "上月", date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), "上月", date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 15), "上季度", date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), "本季度", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), "本季度", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 1, 1), "去年", date(2025, 1, 1), date(2025, 12, 31)),
        # a span named without its year is the latest that has begun
        (date(2026, 6, 30), "下半年", date(2025, 7, 1), date(2025, 12, 31)),
        (date(2026, 7, 1), "下半年", date(2026, 7, 1), date(2026, 12, 31)),
        (date(2027, 1, 5), "12月", date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 12, 1), "12月", date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 3, 31), "二季度", date(2025, 4, 1), date(2025, 6, 30)),
        # relative spans over a month end
        (date(2026, 3, 31), "-1m", date(2026, 2, 28), date(2026, 2, 28)),
        (date(2026, 3, 1), "最近1个月", date(2026, 2, 2), date(2026, 3, 1)),
    ],
)
def test_period_boundaries(today: date, text: str, first: date, last: date) -> None:
    assert parse_period(text, today) == Period(first, last)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "someday", "持续推进", "+3d", "下周三", "2026-13", "13月", "五季度", "最近0天", "1999", "2101-01", "-99999y", "Decem"],
)
def test_rejected_periods_speak_of_a_period(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_period(text, TODAY, "--since")
    message = str(info.value)
    assert message.startswith("--since")
    assert "due date" not in message


def test_out_of_range_years_name_the_range() -> None:
    with pytest.raises(InvalidValue, match="2000-2100"):
        parse_period("1999年", TODAY)


@given(st.text(max_size=12))
@settings(max_examples=300)
def test_never_crashes_with_anything_but_invalid_value(text: str) -> None:
    try:
        period = parse_period(text, TODAY)
    except InvalidValue:
        return
    assert period.first <= period.last


def _option_help(command: str, option: str) -> str:
    click_app = typer.main.get_command(app)
    params = {p.opts[0]: p for p in click_app.commands[command].params}  # type: ignore[attr-defined]
    return params[option].help or ""


@pytest.mark.parametrize(("command", "option"), [("log", "--since"), ("report", "--since"), ("report", "--until")])
def test_every_help_example_is_accepted(command: str, option: str) -> None:
    text = _option_help(command, option)
    found = re.search(r"e\.g\. (.+?)\.$", text)
    assert found, text
    examples = [e.strip() for e in found.group(1).split(",")]
    assert examples == [e.strip() for e in HELP_EXAMPLES.split(",")]
    for example in examples:
        parse_period(example, TODAY)  # raises if one is refused


# -- through the CLI, with a fixed clock ---------------------------------------------------------


def test_report_since_a_month_covers_the_whole_month(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-01T09:00:00+08:00")
    run.ok("set-status", "25", "done")  # on the month's first day
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-30T18:00:00+08:00")
    run.ok("set-status", "26", "done")  # on its last
    monkeypatch.setenv("IMTRACK_NOW", "2026-12-03T09:00:00+08:00")
    for since in ("2026-11", "2026年11月", "上月", "十一月"):
        data = json.loads(run.ok("report", "--since", since, "--until", since, "-f", "json").stdout)
        assert (data["since"], data["until"]) == ("2026-11-01", "2026-11-30"), since
        assert [c["id"] for c in data["completed"]] == [25, 26], since
    data = json.loads(run.ok("report", "--since", "2026-11", "-f", "json").stdout)
    assert (data["since"], data["until"]) == ("2026-11-01", "2026-12-03")  # to today
    data = json.loads(run.ok("report", "--since", "一季度", "--until", "上半年", "-f", "json").stdout)
    assert (data["since"], data["until"]) == ("2026-01-01", "2026-06-30")


def test_a_period_reaching_past_today_is_reported_up_to_today(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-10T09:00:00+08:00")
    run.ok("update", "25", "--due", "2026-11-20")  # not yet reached: not overdue
    data = json.loads(run.ok("report", "--since", "本月", "--until", "本月", "-f", "json").stdout)
    assert (data["since"], data["until"]) == ("2026-11-01", "2026-11-10")
    assert data["newly_overdue"] == []
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-21T09:00:00+08:00")
    data = json.loads(run.ok("report", "--since", "本月", "--until", "本月", "-f", "json").stdout)
    assert data["until"] == "2026-11-21" and [m["id"] for m in data["newly_overdue"]] == [25]


def test_log_since_this_year_and_this_month(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-03-02T09:00:00+08:00")
    run.ok("note", "25", "年初的记录")
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-23T09:00:00+08:00")
    run.ok("note", "26", "本月的记录")
    texts = lambda since: [e["text"] for e in json.loads(run.ok("log", "--since", since, "-f", "json").stdout)]
    assert texts("年内") == ["本月的记录", "年初的记录"]
    assert texts("今年") == ["本月的记录", "年初的记录"]
    assert texts("本月") == ["本月的记录"]
    assert texts("本周") == ["本月的记录"]
    assert texts("上月") == ["本月的记录"]  # from October 1st on


def test_period_errors_speak_of_a_period_and_exit_2(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-23T09:00:00+08:00")
    for args in (["log", "--since", "someday"], ["report", "--since", "someday"], ["report", "--since", "本月", "--until", "持续推进"]):
        message = run.fail(*args, code=2).stderr
        assert "as a period" in message and "due date" not in message, message
    message = run.fail("log", "--since", "2027", code=2).stderr
    assert "after today (2026-11-23)" in message
    message = run.fail("report", "--since", "下半年", "--until", "上半年", code=2).stderr
    assert "(2026-07-01) is after --until 上半年 (2026-06-30); swap them" in message
    assert "2000-2100" in run.fail("report", "--since", "1999", code=2).stderr
