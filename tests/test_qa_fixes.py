"""Regression tests for the QA pass on the core: damaged due/progress values, undo after an
import, canonical agency names, sheet deadlines and silently ignored sheet cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imtrack.storage.tinydb_store import TinyDBStore

NOW = "2026-03-01T09:30:00+08:00"


def _backup(run, tmp_path: Path, **changes) -> Path:
    """A backup of the seeded database with `changes` applied to every record."""
    backup = tmp_path / "backup.json"
    run.ok("export", "--format", "json", "--output", str(backup))
    doc = json.loads(backup.read_text(encoding="utf-8"))
    for record in doc["measures"]:
        record.update(changes)
    backup.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return backup


# -- 1. a stored due/progress that imtrack never writes ------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due": "03/04/2025"}, "'due' must be an ISO date"),
        ({"due": "2025-3-4"}, "'due' must be an ISO date"),
        ({"progress": 500}, "'progress' must be a whole number from 0 to 100"),
        ({"progress": "50"}, "'progress' must be a whole number"),
    ],
)
def test_backup_with_a_bad_due_or_progress_is_refused(run, db_path, tmp_path, monkeypatch, change, message):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    backup = _backup(run, tmp_path, **change)
    before = db_path.read_bytes()
    result = run.fail("import", str(backup), code=2)
    assert "record 1 is invalid (id 1: " in result.stderr and message in result.stderr
    assert "nothing was restored" in result.stderr
    assert db_path.read_bytes() == before


def test_good_due_values_in_a_backup_still_restore(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    backup = _backup(run, tmp_path, due="ongoing", progress=100)
    run.ok("import", str(backup))
    assert {(m.due, m.progress) for m in TinyDBStore(db_path).find()} == {("ongoing", 100)}


@pytest.mark.parametrize(
    "args",
    [("show", "2"), ("list", "--overdue"), ("list", "--sort", "due"), ("report",), ("list",)],
)
def test_database_with_a_bad_due_is_reported_not_a_traceback(run, db_path, monkeypatch, args):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["2"]["due"] = "03/04/2025"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()
    result = run.fail(*args)
    assert "measure 2, field 'due'" in result.stderr and "03/04/2025" in result.stderr
    assert db_path.read_bytes() == before


# -- 2. undo after an import ----------------------------------------------------------------------

IMPORT_TEXT = """一、新增任务
1. 研究应用公路集装箱模块化运输（交通运输厅牵头，发改委、自治区交通运输厅、发展改革委配合）。
2. 新建一座示范性数据中心（科技厅牵头，财政厅配合）。
3. 培育一批草原特色旅游线路。
4. 推进边境口岸智慧化改造。
"""


def _ids(run) -> list[int]:
    return [m["id"] for m in json.loads(run.ok("list", "--format", "json").stdout)]


def test_undo_after_a_text_import_removes_what_it_added_and_restores_the_fill(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("set-status", "2", "推进中")  # the command before the import
    doc = tmp_path / "doc.txt"
    doc.write_text(IMPORT_TEXT, encoding="utf-8")
    result = json.loads(run.ok("import", str(doc), "--format", "json").stdout)
    assert [m["id"] for m in result["added"]] == [35, 36, 37]
    assert [u["id"] for u in result["updated"]] == [17]
    store = TinyDBStore(db_path)
    m17 = store.get(17)
    # 3. canonical names; the lead is not repeated among the partners, nor a partner twice
    assert m17.lead == "自治区交通运输厅" and m17.partners == ["自治区发展改革委"]
    m35 = store.get(35)
    assert (m35.lead, m35.partners) == ("自治区科技厅", ["自治区财政厅"])

    undo = run.ok("undo", "--format", "json")
    assert json.loads(undo.stdout)["measures"] == [17, 35, 36, 37]
    assert 35 not in _ids(run) and len(_ids(run)) == 34
    raw = json.loads(db_path.read_bytes())
    assert max(raw["measures"], key=int) == "34"  # the documents are gone from the file
    m17 = store.get(17)
    assert (m17.lead, m17.partners) == (None, [])
    assert m17.section  # the seeded section was never overwritten
    assert store.get(2).status == "in-progress"  # the command before is still in force

    # ids are never reused: the next import gets ids after the removed ones
    again = json.loads(run.ok("import", str(doc), "--format", "json").stdout)
    assert [m["id"] for m in again["added"]] == [38, 39, 40]
    run.ok("undo")
    # and a further undo walks back to the command before the import
    run.ok("undo")
    assert store.get(2).status == "not-started"
    assert len(_ids(run)) == 34


def test_undone_describes_removed_measures_and_restored_fields(tmp_path, monkeypatch):
    from imtrack.domain import history
    from imtrack.ingest import importer
    from imtrack.resources import data_file
    from imtrack.vocab.sectors import load_rules

    monkeypatch.setenv("IMTRACK_NOW", NOW)
    store = TinyDBStore(tmp_path / "db.json")
    with store.transaction() as ledger:
        assert len(ledger) == 0  # a new, empty ledger
    rules = load_rules(data_file("sector-rules.toml"))
    importer.import_text(store, "1. 任务甲（科技厅牵头）。\n2. 任务乙。\n", name="a", source="a", rules=rules)
    importer.import_text(store, "1. 任务乙（财政厅牵头）。\n2. 任务丙。\n", name="b", source="b", rules=rules)
    with store.transaction() as ledger:
        done = history.undo_last(ledger)
    assert [m.id for m in done.removed] == [3]
    assert [(r.measure_id, r.field, r.restored, r.undone) for r in done.changes] == [
        (2, "lead", None, "自治区财政厅")
    ]
    text = done.describe()
    assert "#3 removed measure" in text and "任务丙" in text and "#2 lead" in text
    assert [m.id for m in store.find()] == [1, 2]
    assert store.next_id() == 4


def test_undo_of_a_backup_import_removes_added_measures(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("set-status", "17", "推进中", "--note", "已开工")  # history and a note with txn ids
    backup = tmp_path / "b.json"
    run.ok("export", "--format", "json", "--output", str(backup), "--grep", "公路集装箱")
    doc = json.loads(backup.read_text(encoding="utf-8"))
    doc["measures"] = [dict(doc["measures"][0], id=90, text="新增任务")]
    backup.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    run.ok("import", str(backup))
    assert 90 in _ids(run)
    undo = json.loads(run.ok("undo", "--format", "json").stdout)
    assert undo["measures"] == [90]
    assert 90 not in _ids(run) and TinyDBStore(db_path).next_id() == 91


def test_undo_refuses_a_backup_import_that_replaced_measures(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("set-status", "3", "推进中")
    backup = _backup(run, tmp_path, status="done")
    run.ok("import", str(backup))
    before = db_path.read_bytes()
    result = run.fail("undo")
    assert "cannot undo the backup import" in result.stderr and "replaced measures 1, 2" in result.stderr
    assert "earlier backup" in result.stderr
    assert db_path.read_bytes() == before


# -- 3. canonical agency names; partners never repeat the lead ------------------------------------


def test_update_lead_drops_it_from_the_partners(run, db_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("update", "25", "--partner", "交通厅", "--partner", "发改委", "--partner", "发展改革委")
    assert TinyDBStore(db_path).get(25).partners == ["自治区交通运输厅", "自治区发展改革委"]
    run.ok("update", "25", "--lead", "发改委")  # already a partner: it leaves the partner list
    m = TinyDBStore(db_path).get(25)
    assert (m.lead, m.partners) == ("自治区发展改革委", ["自治区交通运输厅"])
    run.ok("update", "25", "--partner", "自治区发展改革委", "--partner", "财政厅")  # the lead stays out
    assert TinyDBStore(db_path).get(25).partners == ["自治区财政厅"]
    run.ok("undo")
    run.ok("undo")  # one undo per command: the partner list the lead was dropped from is back
    assert TinyDBStore(db_path).get(25).partners == ["自治区交通运输厅", "自治区发展改革委"]


def _sheet(tmp_path, suffix, edits, rows=None):
    from test_exchange import _sheet as make

    return make(tmp_path, suffix, edits, rows=rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_stores_canonical_agencies_without_the_lead_among_partners(run, db_path, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    sheet = _sheet(tmp_path, suffix, {25: {"牵头单位": "发改委", "配合单位": "交通厅、发展改革委、交通运输厅"}})
    run.ok("import", str(sheet))
    m = TinyDBStore(db_path).get(25)
    assert (m.lead, m.partners) == ("自治区发展改革委", ["自治区交通运输厅"])
    # the same sheet again changes nothing: the stored names are what it reads to
    before = db_path.read_bytes()
    assert "0 measures updated" in run.ok("import", str(sheet)).stdout
    assert db_path.read_bytes() == before


# -- 4. sheet deadlines: every --due form, and date cells with a time ----------------------------


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("2025-12-31", "2025-12-31"),
        ("2025/12/31", "2025-12-31"),
        ("2025年底前", "2025-12-31"),
        ("2026年6月底", "2026-06-30"),
        ("上半年", "2026-06-30"),
        ("+1m", "2026-04-01"),
        ("持续推进", "ongoing"),
        ("2025-12-31 00:00:00", "2025-12-31"),
        ("2025-12-31T00:00:00", "2025-12-31"),
        ("", None),
    ],
)
def test_sheet_due_accepts_every_update_form(run, db_path, tmp_path, monkeypatch, cell, stored):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("update", "25", "--due", "2030-01-01")
    run.ok("import", str(_sheet(tmp_path, ".csv", {25: {"完成时限": cell}})))
    assert TinyDBStore(db_path).get(25).due == stored


def test_xlsx_datetime_cells_are_due_dates(run, db_path, tmp_path, monkeypatch):
    from datetime import datetime

    import openpyxl

    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    path = _sheet(tmp_path, ".xlsx", {})
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["F2"] = datetime(2025, 12, 31)  # row 2 is measure 1; Excel keeps a typed date as a datetime
    ws["F3"] = datetime(2026, 6, 30, 17, 30)
    wb.save(path)
    run.ok("import", str(path))
    ledger = TinyDBStore(db_path)
    assert (ledger.get(1).due, ledger.get(2).due) == ("2025-12-31", "2026-06-30")


def test_bad_sheet_due_is_reported_by_row_and_column(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("import", str(_sheet(tmp_path, ".csv", {25: {"完成时限": "下个月吧"}})), code=2)
    assert "row 26, column F '完成时限': cannot read '下个月吧' as a due date" in result.stderr
    assert db_path.read_bytes() == before


# -- 5. sheet cells that were ignored silently ------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_edited_text_of_a_row_matched_by_id_is_a_warning(run, db_path, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    text25 = TinyDBStore(db_path).get(25).text
    text26 = TinyDBStore(db_path).get(26).text
    assert "，" in text26
    sheet = _sheet(tmp_path, suffix, {25: {"任务": "改过的任务文字", "状态": "推进中"},
                                      26: {"任务": text26.replace("，", ", ")}})
    result = run.ok("import", str(sheet))
    assert "row 26: 任务 differs from measure 25's text; text is not changed by import" in result.stderr
    assert "row 27" not in result.stderr  # only a width difference: the same text
    m = TinyDBStore(db_path).get(25)
    assert m.text == text25 and m.status == "in-progress"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_two_rows_for_one_measure_are_a_bad_row(run, db_path, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    text25 = TinyDBStore(db_path).get(25).text
    sheet = _sheet(tmp_path, suffix, {25: {"状态": "finished"}},
                   rows=[{"序号": "25", "任务": text25, "状态": "已完成"},
                         {"序号": "", "任务": text25, "状态": "推进中"}])
    before = db_path.read_bytes()
    err = run.fail("import", str(sheet), code=2).stderr
    assert "row 26, column G '状态': unknown status 'finished'" in err
    assert "row 36, column A '序号': measure 25 already appears in row 26" in err
    assert "row 37, column B '任务': measure 25 already appears in row 26" in err
    assert db_path.read_bytes() == before
