"""Help that reads well at 80 columns: placeholders say what to type, value lists and words are
never broken, nothing is cut with "...", each command offers only the formats it writes,
`imtrack` alone prints the help, and a text starting with "-" gets a hint about "--"."""

from __future__ import annotations

import re

import pytest
import typer

from imtrack.cli.app import app, register_all
from imtrack.output.fold import cell_width


def commands() -> dict:
    register_all()
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def all_help(run) -> dict[str, str]:
    return {"": run.ok("--help").stdout, **{name: run.ok(name, "--help").stdout for name in commands()}}


def test_help_fits_80_columns_and_cuts_nothing(run):
    for name, out in all_help(run).items():
        for line in out.splitlines():
            assert cell_width(line) <= 80, (name, line)
            cut = line.rstrip().endswith(("...", "…")) and "]..." not in line and "--where-..." not in line
            assert not cut, (name, line)
    listing = run.ok("--help").stdout
    for name, command in commands().items():  # each command's first paragraph, whole
        first = " ".join(command.help.split("\n\n")[0].split())
        assert first in " ".join(listing.split()), name


def test_placeholders_say_what_to_type(run):
    for name, out in all_help(run).items():
        assert "_parse_id" not in out and "INTEGER" not in out, name
        assert not re.search(r"--(sector|status|lead|region|where-\w+) TEXT", out), name
    assert "Usage: imtrack set-status [OPTIONS] [ID]... STATUS" in run.ok("set-status", "--help").stdout
    assert "--due DATE" in run.ok("update", "--help").stdout


def test_value_lists_are_never_broken(run):
    for name, out in all_help(run).items():
        for values in re.findall(r"\[([a-z-]+(?:\|[a-z-]+)+)\]", out):
            assert values.count("|") >= 1
        assert not re.search(r"\[[a-z|-]+$", out, re.MULTILINE), name  # a list cut at the line end


def test_each_command_offers_only_its_formats(run):
    for name, command in commands().items():
        fmt = next((p for p in command.params if "--format" in getattr(p, "opts", [])), None)
        if fmt is None or name == "export":
            continue
        offered = list(fmt.type.choices)
        expected = ["table", "json", "csv", "markdown"] if name in ("list", "show") else ["table", "json"]
        assert offered == expected, name
        if "csv" not in offered:
            args = [name, "25"] if name in ("note", "set-status") else [name]
            assert "'csv' is not one of" in run.fail(*args, "--format", "csv", code=2).stderr


def test_imtrack_alone_prints_the_help_and_exits_0(run):
    result = run.ok()
    assert result.stdout.startswith("Usage: imtrack [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.stdout and result.stderr == ""


def test_text_starting_with_a_dash_gets_a_hint(run):
    err = run.fail("note", "25", "-30%资金已到位", code=2).stderr
    assert "No such option" in err
    assert "put -- before it: imtrack note 25 -- '-30%资金已到位'" in err
    run.ok("note", "25", "--", "-30%资金已到位")
    assert "-30%资金已到位" in run.ok("show", "25").stdout


def test_a_mistyped_option_gets_no_dash_hint(run):
    err = run.fail("list", "--sectr", "交通", code=2).stderr
    assert "No such option" in err and "put -- before it" not in err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_in_each_language_fits_80_columns(run, monkeypatch, lang):
    monkeypatch.setenv("IMTRACK_LANG", lang)
    for out in all_help(run).values():
        assert max(cell_width(line) for line in out.splitlines()) <= 80
