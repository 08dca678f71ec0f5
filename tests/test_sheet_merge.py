"""A returned ledger sheet merges three ways: what the sheet was sent with (recovered from the
revision each row carries), what the ledger holds now, and what the agency typed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from imtrack.storage.tinydb_store import TinyDBStore

SENT = "2026-03-01T09:00:00+08:00"
CHANGED = "2026-03-02T09:00:00+08:00"
RETURNED = "2026-03-03T09:00:00+08:00"
PARTNERS = "自治区商务厅、自治区发展改革委"


def by_id(db: Path) -> dict:
    return {m.id: m for m in TinyDBStore(db).find()}


def export(run, tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"ledger{suffix}"
    run.ok("export", "--format", suffix[1:], "--output", str(path), "--sector", "transport")
    return path


def read_grid(path: Path) -> list[list]:
    if path.suffix == ".csv":
        return [list(r) for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))]
    return [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]


def write_grid(path: Path, grid: list[list]) -> None:
    if path.suffix == ".csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(grid)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
        return
    wb = openpyxl.Workbook()
    for row in grid:
        wb.active.append(row)
    wb.save(path)


def edit(path: Path, edits: dict[int, dict[str, object]], drop: str | None = None) -> Path:
    """The agency's work on the sheet it was sent: cells by measure id and header; `drop`
    deletes a whole column."""
    grid = read_grid(path)
    head = grid[0]
    for row in grid[1:]:
        for header, value in edits.get(int(row[0]), {}).items():
            row[head.index(header)] = value
    if drop is not None:
        i = head.index(drop)
        grid = [row[:i] + row[i + 1:] for row in grid]
    write_grid(path, grid)
    return path


def row_of(path: Path, measure_id: int) -> int:
    return next(n for n, row in enumerate(read_grid(path), start=1) if n > 1 and int(row[0]) == measure_id)


@pytest.fixture
def sent(run, monkeypatch):
    """Measure 25 has partners when the sheet is sent; 26 has a note."""
    monkeypatch.setenv("IMTRACK_NOW", SENT)
    run.ok("update", "25", "--partner", "自治区发展改革委")
    run.ok("note", "26", "已开展前期研究")
    return run


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_stale_returned_sheet_keeps_what_the_agency_left_untouched(sent, db_path, tmp_path, monkeypatch, suffix):
    run = sent
    sheet = export(run, tmp_path, suffix)
    # the ledger moves on after the export
    monkeypatch.setenv("IMTRACK_NOW", CHANGED)
    run.ok("update", "25", "--partner", "自治区商务厅", "--partner", "自治区发展改革委")
    run.ok("set-status", "26", "受阻", "--note", "征地未完成")
    # the agency changes other cells, and leaves 25's partners and 26's status and note as sent
    edit(sheet, {25: {"状态": "推进中", "完成时限": "2026-06-30"}, 27: {"状态": "已完成", "最新进展": "已通车"}})
    monkeypatch.setenv("IMTRACK_NOW", RETURNED)
    result = run.ok("import", str(sheet))
    out = result.stdout
    r25, r26, r27 = (row_of(sheet, i) for i in (25, 26, 27))
    assert f"row {r25}: 25: status 未启动 -> 推进中" in out
    assert f"row {r25}: 25: due - -> 2026-06-30" in out
    assert f"row {r25}: 25: partners kept as imtrack has it, {PARTNERS}" in out
    assert f"row {r26}: 26: status kept as imtrack has it, 受阻" in out
    assert f"row {r27}: 27: status 未启动 -> 已完成" in out and f"row {r27}: 27: note 已通车" in out
    assert "partners" not in out.replace("partners kept", "")  # never `partners ... -> -`
    assert "2 cells kept as imtrack has it, 0 conflicts" in out
    assert "no 版本/revision" not in result.stderr
    measures = by_id(db_path)
    assert measures[25].partners == ["自治区商务厅", "自治区发展改革委"]
    assert (measures[25].status, measures[25].due) == ("in-progress", "2026-06-30")
    assert measures[26].status == "blocked" and measures[26].latest_note.text == "征地未完成"
    assert [n.text for n in measures[26].notes] == ["已开展前期研究", "征地未完成"]  # the sent note is not added again
    assert measures[27].status == "done"
    # the same sheet again changes nothing: its changes are in the ledger now
    before = db_path.read_bytes()
    again = run.ok("import", str(sheet))
    assert "0 measures updated" in again.stdout
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_conflict_is_listed_and_applied_only_when_chosen(sent, db_path, tmp_path, monkeypatch, suffix):
    run = sent
    sheet = export(run, tmp_path, suffix)
    monkeypatch.setenv("IMTRACK_NOW", CHANGED)
    run.ok("set-status", "25", "受阻")
    edit(sheet, {25: {"状态": "已完成"}, 27: {"牵头单位": "自治区交通运输厅"}})
    r25, r27 = row_of(sheet, 25), row_of(sheet, 27)
    monkeypatch.setenv("IMTRACK_NOW", RETURNED)

    before = db_path.read_bytes()
    refused = run.fail("import", str(sheet), code=1)
    assert refused.stderr.count("\n") == 1  # one line
    assert (
        f"{sheet.name}: 1 cell was changed both in the sheet and in imtrack since the export, nothing was "
        f"applied: row {r25}, measure 25, status: sent 未启动, imtrack 受阻, sheet 已完成. "
        f"Choose with --prefer sheet (apply the sheet's values) or --prefer ledger (keep imtrack's)"
    ) in refused.stderr
    assert "Traceback" not in refused.output
    assert db_path.read_bytes() == before  # the other row's change was not applied either

    dry = run.ok("import", str(sheet), "--dry-run")
    assert (f"row {r25}: 25: conflict status: sent 未启动, imtrack 受阻, sheet 已完成: "
            f"not applied: choose with --prefer sheet|ledger") in dry.stdout
    assert f"row {r27}: 27: lead - -> 自治区交通运输厅" in dry.stdout
    assert "1 conflict (1 would be left unapplied)" in dry.stdout
    assert "dry run: nothing was written" in dry.stdout
    as_json = json.loads(run.ok("import", str(sheet), "--dry-run", "--format", "json").stdout)
    assert as_json["conflicts"] == [{
        "row": r25, "id": 25, "field": "status", "sent": "not-started", "sent_known": True,
        "ledger": "blocked", "sheet": "done", "chosen": None,
    }]
    assert db_path.read_bytes() == before

    kept = run.ok("import", str(sheet), "--prefer", "ledger")
    assert f"row {r25}: 25: conflict status: sent 未启动, imtrack 受阻, sheet 已完成: imtrack's value kept" in kept.stdout
    measures = by_id(db_path)
    assert measures[25].status == "blocked" and measures[27].lead == "自治区交通运输厅"

    applied = run.ok("import", str(sheet), "--prefer", "sheet")
    assert f"row {r25}: 25: status 受阻 -> 已完成" in applied.stdout
    assert "the sheet's value applied (--prefer sheet)" in applied.stdout
    measures = by_id(db_path)
    assert measures[25].status == "done"
    assert [(c.field, c.old, c.new) for c in measures[25].history][-1] == ("status", "blocked", "done")


def test_both_sides_making_the_same_change_is_no_conflict(sent, db_path, tmp_path, monkeypatch):
    sheet = export(sent, tmp_path, ".xlsx")
    sent.ok("set-status", "25", "推进中")
    edit(sheet, {25: {"状态": "in-progress"}})
    result = sent.ok("import", str(sheet))
    assert "conflict" not in result.stdout and "0 measures updated" in result.stdout


def test_undo_since_the_export_is_followed(sent, db_path, tmp_path):
    """Two commands since the export (a change and its undo): the base is still what was sent."""
    sheet = export(sent, tmp_path, ".csv")
    sent.ok("set-status", "25", "受阻")
    sent.ok("undo")
    edit(sheet, {25: {"牵头单位": "自治区交通运输厅"}})
    result = sent.ok("import", str(sheet))
    assert "25: lead - -> 自治区交通运输厅" in result.stdout and "conflict" not in result.stdout
    assert by_id(db_path)[25].status == "not-started"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_without_revision_column_keeps_the_old_rule_and_says_so(sent, db_path, tmp_path, monkeypatch, suffix):
    sheet = export(sent, tmp_path, suffix)
    sent.ok("update", "25", "--partner", "自治区商务厅", "--partner", "自治区发展改革委")
    edit(sheet, {26: {"状态": "推进中"}}, drop="版本")
    result = sent.ok("import", str(sheet))
    warnings = [line for line in result.stderr.splitlines() if "版本/revision" in line]
    assert warnings == [
        (f"imtrack: warning: {sheet.name} has no 版本/revision column (an older export, or a sheet typed by "
        f"hand): every cell that differs from the ledger is applied, even where imtrack changed it since; "
        f"send a fresh `imtrack export` to merge three ways")
    ]
    assert "25: partners 自治区商务厅、自治区发展改革委 -> 自治区发展改革委" in result.stdout  # as before
    assert "26: status 未启动 -> 推进中" in result.stdout
    assert by_id(db_path)[25].partners == ["自治区发展改革委"]


def test_blank_revision_cell_applies_that_row_without_a_merge(sent, db_path, tmp_path):
    sheet = export(sent, tmp_path, ".csv")
    sent.ok("set-status", "26", "受阻")
    edit(sheet, {26: {"版本": ""}, 25: {"状态": "推进中"}})
    result = sent.ok("import", str(sheet))
    r26 = row_of(sheet, 26)
    assert f"warning: row {r26} has no 版本/revision: its cells that differ from the ledger are applied without a merge" in result.stderr
    assert f"row {r26}: 26: status 受阻 -> 未启动" in result.stdout
    assert by_id(db_path)[25].status == "in-progress"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not a revision (a whole number from 1, as exported)"),
        ("0", "'0' is not a revision"),
        ("-1", "'-1' is not a revision"),
        ("1.5", "'1.5' is not a revision"),
        ("99", "revision 99 is newer than measure 25's (1), so this row was not exported from this ledger"),
    ],
)
def test_bad_revision_is_a_bad_value(sent, db_path, tmp_path, value, message):
    sheet = export(sent, tmp_path, ".csv")
    assert by_id(db_path)[25].revision == 1  # changed once (the ledger was seeded by that command)
    edit(sheet, {25: {"版本": value, "状态": "推进中"}})
    before = db_path.read_bytes()
    result = sent.fail("import", str(sheet), code=2)
    assert f"row {row_of(sheet, 25)}, column J '版本': {message}" in result.stderr
    assert "nothing was applied" in result.stderr and "Traceback" not in result.output
    assert db_path.read_bytes() == before


def test_full_width_revision_is_read(sent, db_path, tmp_path):
    sheet = export(sent, tmp_path, ".csv")
    sent.ok("set-status", "25", "受阻")
    edit(sheet, {25: {"版本": "１"}})
    result = sent.ok("import", str(sheet))
    assert "25: status kept as imtrack has it, 受阻" in result.stdout


def test_measure_replaced_by_a_backup_since_the_export_makes_every_difference_a_conflict(sent, db_path, tmp_path):
    sheet = export(sent, tmp_path, ".csv")
    backup = tmp_path / "backup.json"
    sent.ok("export", "--output", str(backup))
    sent.ok("set-status", "25", "受阻")
    sent.ok("import", str(backup))  # 25 replaced whole, its history with it
    sent.ok("set-status", "25", "推进中")
    edit(sheet, {25: {"完成时限": "2026-06-30"}})
    result = sent.fail("import", str(sheet))
    r25 = row_of(sheet, 25)
    assert f"row {r25}, measure 25, status: sent ?, imtrack 推进中, sheet 未启动" in result.stderr
    assert f"row {r25}, measure 25, due: sent ?, imtrack -, sheet 2026-06-30" in result.stderr
    dry = sent.ok("import", str(sheet), "--dry-run")
    assert f"row {r25}: what measure 25 held at revision 1 cannot be recovered" in dry.stderr


def test_prefer_is_only_for_sheets(sent, tmp_path):
    backup = tmp_path / "backup.json"
    sent.ok("export", "--output", str(backup))
    assert "--prefer chooses between a returned sheet and the ledger" in sent.fail(
        "import", str(backup), "--prefer", "sheet", code=2).stderr
    text = tmp_path / "plan.txt"
    text.write_text("一、交通\n1. 推进铁路建设。\n", encoding="utf-8")
    assert "--prefer is for a returned ledger sheet" in sent.fail("import", str(text), "--prefer", "ledger", code=2).stderr
    assert "'both' is not one of" in sent.fail("import", str(backup), "--prefer", "both", code=2).output
