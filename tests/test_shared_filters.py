"""Commands that select measures take the same filters as `list`, and the same validation."""

from __future__ import annotations

import csv
import io
import json

import pytest

from imtrack.vocab.sectors import load_rules

NOW = "2026-11-23T09:00:00+08:00"


def _export_ids(run, *args: str) -> list[int]:
    out = run.ok("export", "--format", "csv", "--headers", "en", *args).stdout
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    return [int(r["id"]) for r in rows]


def _list_ids(run, *args: str) -> list[int]:
    return [m["id"] for m in json.loads(run.ok("list", "--format", "json", *args).stdout)]


@pytest.mark.parametrize(
    "args",
    [
        ("--lead", "发改委"),
        ("--overdue",),
        ("--due-before", "2026-12-31"),
        ("--region", "包头"),
        ("--tag", "重点"),
        ("--commitment", "study"),
        ("--source", "other.txt"),
    ],
)
def test_export_takes_the_filters_of_list(run, monkeypatch, args):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("update", "25", "26", "--lead", "自治区发展改革委", "--due", "2026-06-30", "--tag", "重点")
    run.ok("update", "15", "--due", "2027-06-30")
    expected = _list_ids(run, *args)
    assert _export_ids(run, *args) == expected
    if args[0] != "--source":
        assert expected, args  # the filter selects something, so the comparison means something


def test_export_rejects_a_bad_filter_value_like_list(run):
    for command in (["list"], ["export", "--format", "csv"]):
        result = run.fail(*command, "--due-before", "03/04/2025", code=2)
        assert "03/04/2025" in result.stderr


def test_region_values_complete(run, monkeypatch):
    monkeypatch.setenv("_IMTRACK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "imtrack list --region ba")
    monkeypatch.setenv("COMP_CWORD", "3")
    out = run("list").stdout.split()
    assert "baotou" in out and "bayannur" in out


def test_sources_refuses_ledger_formats(run):
    assert "'csv' is not one of 'table', 'json'" in run.fail("sources", "--format", "csv", code=2).stderr


def test_period_report_refuses_by(run):
    result = run.fail("report", "--since", "-7d", "--by", "lead", code=2)
    assert "--by" in result.stderr and "--since" in result.stderr
    run.ok("report", "--by", "lead")
    run.ok("report", "--since", "-7d")


@pytest.mark.parametrize("text", ["推进高铁建设。", "支持发展民航。", "完善乡村道路。", "加快通村道路硬化。"])
def test_rail_air_and_rural_roads_are_transport(text):
    assert load_rules().classify(text) == "transport"
