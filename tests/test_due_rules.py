"""The date rules of `update --due` through the CLI with a fixed clock: yearless forms take the
next such date, a past date is set with a warning, an empty value is an error and `none` clears."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def nov23(monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-23T10:00:00+08:00")


def _due(run, measure_id: int = 25):
    return json.loads(run.ok("show", str(measure_id), "-f", "json").stdout)["due"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3月底", "2027-03-31"), ("Mar 31", "2027-03-31"), ("12月10日", "2026-12-10"), ("Dec 10", "2026-12-10"), ("上半年", "2027-06-30")],
)
def test_yearless_chinese_and_english_dates_are_the_next_such_date(run, nov23, typed, stored):
    result = run.ok("update", "25", "--due", typed)
    assert _due(run) == stored
    assert "warning" not in result.stderr  # never past when set


def test_a_past_due_date_is_set_with_a_warning_on_stderr(run, nov23):
    result = run.ok("update", "25", "--due", "今年3月底")
    assert _due(run) == "2026-03-31"
    assert result.stderr == (
        "imtrack: warning: the due date 今年3月底 (2026-03-31) is already past (today is 2026-11-23); "
        "the measures are overdue at once. If that was not meant, set another with --due\n"
    )
    assert "warning" not in run.ok("update", "25", "--due", "2026-11-23").stderr  # due today is not past
    assert "2026-11-22 is already past" in run.ok("update", "25", "--due", "2026-11-22", "--dry-run").stderr


def test_empty_due_is_an_error_and_none_clears(run, db_path, nov23):
    run.ok("update", "25", "--due", "年底")
    before = db_path.read_bytes()
    for empty in ("", "  "):
        message = run.fail("update", "25", "--due", empty, code=2).stderr
        assert "the due date is empty" in message and "none to clear it" in message
    assert db_path.read_bytes() == before
    run.ok("update", "25", "--due", "none")
    assert _due(run) is None


@pytest.mark.parametrize("typed", ["1900-01-01", "2101-01-01", "1999年底", "+100y"])
def test_absurd_years_are_refused(run, nov23, typed):
    assert "outside the years 2000-2100" in run.fail("update", "25", "--due", typed, code=2).stderr


def _help(command: str, option: str) -> str:
    import typer

    from imtrack.cli.app import app

    params = {p.opts[0]: p for p in typer.main.get_command(app).commands[command].params}  # type: ignore[attr-defined]
    return params[option].help or ""


def test_every_due_date_example_in_help_is_accepted():
    from datetime import date

    from imtrack.domain.dates import parse_due

    due_help = _help("update", "--due")
    examples = due_help.split(": ", 1)[1].split(" (none", 1)[0].split(", ")
    before_help = _help("list", "--due-before")
    examples += before_help.split("(", 1)[1].rstrip(".)").rstrip(".").split(", ")
    assert "2025年底" in examples and "年底" in examples and len(examples) >= 9
    for example in examples:
        parse_due(example, date(2026, 11, 23))  # raises if refused
