"""Export (JSON backup, CSV/XLSX ledger sheet, Markdown) and the way back (restore)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imtrack.domain.models import Change, Measure, Note, Status
from imtrack.exchange import sheets as exchange
from imtrack.exchange.sheets import neutralise, unneutralise
from imtrack.storage.tinydb_store import TinyDBStore
from imtrack.vocab.sectors import SECTORS

NOW = "2026-03-01T09:30:00+08:00"
HYPERLINK = '=HYPERLINK("http://x","y")'
TRICKY = ['=1+1', '-推动', '+86 471', '@SUM(1)', '\t缩进', "'=已转义", '包（银）[/]|"引号"\n第二行', "a,b"]


def db_measures(db: Path) -> list[Measure]:
    return TinyDBStore(db).find()


def prepare(run, monkeypatch) -> None:
    """A database with lead/partners/due/status/notes filled in on measure 25."""
    monkeypatch.setenv("IMTRACK_NOW", "2026-01-10T10:00:00+08:00")
    run.ok("set-status", "25", "推进中", "--note", HYPERLINK)
    run.ok("note", "17", '包（银）[/]|"引号"\n第二行')
    monkeypatch.setenv("IMTRACK_NOW", NOW)


# -- formula injection --------------------------------------------------------------------------


@given(st.text())
def test_neutralise_is_reversible_and_safe(value):
    out = neutralise(value)
    assert unneutralise(out) == value
    assert not out.startswith(exchange.FORMULA_TRIGGERS)


def test_neutralise_examples():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-推动") == "'-推动"
    assert neutralise("'=x") == "''=x"
    assert neutralise("'quoted'") == "'quoted'"
    assert neutralise("推动") == "推动"
    assert neutralise(25) == 25


# -- JSON backup --------------------------------------------------------------------------------

text_st = st.text(min_size=1).filter(lambda s: s.strip())
any_text = st.one_of(text_st, st.sampled_from(TRICKY))
stamp = st.sampled_from(["2026-01-01T08:00:00+08:00", "2025-12-31T23:59:59+00:00", ""])
notes_st = st.lists(st.builds(Note, at=stamp, text=any_text), max_size=3)
changes_st = st.lists(
    st.builds(Change, at=stamp, field=st.sampled_from(["status", "lead", "partners", "due"]),
              old=st.one_of(st.none(), any_text, st.lists(any_text, max_size=2)),
              new=st.one_of(st.none(), any_text, st.lists(any_text, max_size=2))),
    max_size=3,
)
measure_st = st.builds(
    Measure,
    id=st.integers(min_value=1, max_value=10_000),
    text=any_text,
    sector=st.sampled_from([s.slug for s in SECTORS]),
    status=st.sampled_from([s.value for s in Status]),
    source=st.text(),
    section=st.text(),
    lead=st.one_of(st.none(), any_text),
    partners=st.lists(any_text, max_size=3),
    due=st.one_of(st.none(), st.sampled_from(["2025-12-31", "ongoing"])),
    tags=st.lists(any_text, max_size=2),
    progress=st.one_of(st.none(), st.integers(0, 100)),
    sector_pinned=st.booleans(),
    created=stamp,
    updated=stamp,
    notes=notes_st,
    history=changes_st,
)
measures_st = st.lists(measure_st, max_size=6, unique_by=lambda m: m.id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(measures_st)
def test_backup_round_trip_is_identical(measures):
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "backup.json"
        backup.write_text(exchange.backup_json(measures), encoding="utf-8")
        read = exchange.read_backup_json(backup)
        assert read.measures == measures
        # and through a database that did not exist yet: exactly these measures, nothing seeded
        store = TinyDBStore(Path(tmp) / "db.json", seed=lambda: [Measure(0, "seed", "other")])
        summary = exchange.apply_backup(store, read)
        assert sorted(summary.added) == sorted(m.id for m in measures)
        assert TinyDBStore(store.path).find() == sorted(measures, key=lambda m: m.id)


def test_export_json_then_restore_into_new_database_is_identical(run, db_path, tmp_path, monkeypatch):
    prepare(run, monkeypatch)
    backup = tmp_path / "backup.json"
    run.ok("export", "--format", "json", "--output", str(backup))
    doc = json.loads(backup.read_text(encoding="utf-8"))
    assert doc["format"] == "imtrack-backup" and doc["schema_version"] == 1 and len(doc["measures"]) == 34
    m25 = next(m for m in doc["measures"] if m["id"] == 25)
    assert m25["notes"][0]["text"] == HYPERLINK  # a backup is data, not a sheet: not neutralised
    assert "包（银）" in backup.read_text(encoding="utf-8")  # ensure_ascii=False
    other = tmp_path / "other.json"
    result = run.ok("--db", str(other), "import", str(backup))
    assert "34 measures added" in result.stdout
    assert db_measures(other) == db_measures(db_path)
    assert TinyDBStore(other).next_id() == TinyDBStore(db_path).next_id()


def test_export_json_to_stdout_is_a_backup(run):
    result = run.ok("export", "--status", "未启动", "--grep", "铁路")
    doc = json.loads(result.stdout)
    assert doc["format"] == "imtrack-backup"
    assert doc["measures"] and all("铁路" in m["text"] for m in doc["measures"])


def test_restore_backup_into_populated_database_matches_by_id(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")  # seed
    backup = tmp_path / "b.json"
    run.ok("export", "--output", str(backup), "--grep", "公路集装箱")  # measure 17 only
    doc = json.loads(backup.read_text(encoding="utf-8"))
    doc["measures"][0]["status"] = "done"
    extra = dict(doc["measures"][0], id=90, text="新增任务")
    doc["measures"].append(extra)
    backup.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()

    dry = run.ok("import", str(backup), "--dry-run")
    assert "1 measure would be added, 1 would be replaced" in dry.stdout
    assert db_path.read_bytes() == before

    run.ok("import", str(backup))
    by_id = {m.id: m for m in db_measures(db_path)}
    assert by_id[17].status == "done" and by_id[90].text == "新增任务"
    assert by_id[25].status == "not-started" and len(by_id) == 35  # untouched, nothing removed
    assert TinyDBStore(db_path).next_id() == 91  # a restored id is never handed out again


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "not an imtrack backup"),
        ("{", "not valid JSON (line 1"),
        ('{"format": "imtrack-backup", "schema_version": 99, "measures": []}', "newer imtrack"),
        (
            (
                '{"format": "imtrack-backup", "schema_version": 1, "measures": '
                '[{"id": 1, "text": "t", "sector": "other", "status": "finished"}]}'
            ),
            "record 1 is invalid (id 1: unknown status 'finished')",
        ),
        (
            (
                '{"format": "imtrack-backup", "schema_version": 1, "measures": '
                '[{"id": 1, "text": "t", "sector": "other"}, {"id": 1, "text": "u", "sector": "other"}]}'
            ),
            "id 1 appears twice",
        ),
    ],
)
def test_bad_backup_is_refused(run, db_path, tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("import", str(bad), code=2)
    assert message in result.stderr
    assert db_path.read_bytes() == before


def test_restore_missing_and_unsupported_files(run, tmp_path):
    assert "no such file" in run.fail("import", str(tmp_path / "nope.json")).stderr
    (tmp_path / "x.xls").write_bytes(b"x")
    assert "Excel Workbook (.xlsx)" in run.fail("import", str(tmp_path / "x.xls"), code=2).stderr


# -- CSV and XLSX ledger sheets -----------------------------------------------------------------


def test_csv_starts_with_bom_and_neutralises_formulas(run, tmp_path, monkeypatch):
    prepare(run, monkeypatch)
    out = tmp_path / "ledger.csv"
    run.ok("export", "--format", "csv", "--output", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["序号", "任务", "领域", "牵头单位", "配合单位", "完成时限", "状态", "最新进展", "更新时间", "版本"]
    row25 = next(r for r in rows if r[0] == "25")
    assert row25[6] == "推进中"
    assert row25[7] == "'" + HYPERLINK
    row17 = next(r for r in rows if r[0] == "17")
    assert row17[7] == '包（银）[/]|"引号"\n第二行'
    # to stdout as well, with English headers
    result = run.ok("export", "--format", "csv", "--headers", "en", "--grep", "公路集装箱")
    assert result.stdout.startswith("\ufeffid,text,sector,lead,partners,due,status,latest_note,updated")
    assert ",transport," in result.stdout and ",not-started," in result.stdout


def test_xlsx_is_a_real_workbook_without_formulas(run, db_path, tmp_path, monkeypatch):
    prepare(run, monkeypatch)
    out = tmp_path / "ledger.xlsx"
    result = run.ok("export", "--format", "xlsx", "--output", str(out))
    assert "exported 34 measures" in result.stdout
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert [c.value for c in ws[1]] == ["序号", "任务", "领域", "牵头单位", "配合单位", "完成时限", "状态", "最新进展", "更新时间", "版本"]
    assert ws.freeze_panes == "A2"
    assert ws[1][0].font.bold and ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    row25 = next(r for r in ws.iter_rows(min_row=2) if r[0].value == 25)
    assert row25[6].value == "推进中"
    assert row25[7].value == "'" + HYPERLINK and row25[7].data_type == "s"
    assert isinstance(row25[0].value, int)
    # the revision the row was sent at, as a number
    assert row25[9].value == {m.id: m for m in db_measures(db_path)}[25].revision
    assert isinstance(row25[9].value, int) and row25[9].value >= 1
    wb_en = tmp_path / "en.xlsx"
    run.ok("export", "-f", "xlsx", "-o", str(wb_en), "--headers", "en", "--sector", "交通")
    ws_en = openpyxl.load_workbook(wb_en).active
    assert ws_en["A1"].value == "id" and ws_en["H1"].value == "latest_note"
    assert {r[2].value for r in ws_en.iter_rows(min_row=2)} == {"transport"}


def test_xlsx_requires_output(run):
    result = run.fail("export", "--format", "xlsx", code=2)
    assert "--output" in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_round_trip_carries_fields_and_changes_nothing(run, db_path, tmp_path, monkeypatch, suffix):
    prepare(run, monkeypatch)
    run.ok("import", str(_sheet(tmp_path, suffix, {25: {"牵头单位": "=自治区交通运输厅",
                                                           "配合单位": "国铁集团、@自治区发展改革委",
                                                           "完成时限": "2025-12-31"}})))
    sheet = tmp_path / f"again{suffix}"
    run.ok("export", "--format", suffix[1:], "--output", str(sheet))
    read = exchange.read_ledger_sheet(sheet)
    measures = {m.id: m for m in db_measures(db_path)}
    assert len(read.rows) == 34
    for _, cells in read.rows:
        m = measures[int(cells["id"])]
        assert cells["text"] == m.text
        assert cells["lead"] == (m.lead or "")
        assert exchange.split_partners(cells["partners"]) == m.partners
        assert cells["due"] == (m.due or "")
        assert cells["latest_note"] == (m.latest_note.text if m.latest_note else "")
        assert cells["updated"] == m.updated
    assert measures[25].lead == "=自治区交通运输厅"
    assert measures[25].partners == ["中国国家铁路集团有限公司", "@自治区发展改革委"]  # canonical names
    before = db_path.read_bytes()
    result = run.ok("import", str(sheet))
    assert "0 measures updated" in result.stdout and "34 rows unchanged" in result.stdout
    assert db_path.read_bytes() == before


def _sheet(tmp_path: Path, suffix: str, edits: dict[int, dict[str, str]], extra_header: str | None = None,
           rows: list[dict[str, str]] | None = None) -> Path:
    """Export the ledger through the CLI's own writer, then edit cells as a person would."""
    measures = db_measures(tmp_path / "db.json")
    head, data = exchange.ledger_rows(measures)
    table = [dict(zip(head, [exchange.neutralise(v) for v in row], strict=True)) for row in data]
    for row in table:
        for key, value in edits.get(row["序号"], {}).items():
            row[key] = exchange.neutralise(value)  # as a person types '=... in a spreadsheet
    table += rows or []
    if extra_header:
        head = [*head, extra_header]
    path = tmp_path / f"returned{suffix}"
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=head)
            writer.writeheader()
            writer.writerows(table)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(head)
        for row in table:
            ws.append([row.get(h) for h in head])
        wb.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_returned_sheet_becomes_updates_notes_and_history(run, db_path, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    sheet = _sheet(tmp_path, suffix, {
        25: {"状态": "推进中", "牵头单位": "自治区交通运输厅", "配合单位": "国家铁路集团，自治区发展改革委",
             "完成时限": "2025/12/31", "最新进展": "已完成可研批复"},
        26: {"状态": "done"},
    }, extra_header="备注")
    result = run.ok("import", str(sheet))
    assert "warning: column J '备注' is not a ledger column; it was ignored" in result.stderr
    assert "row 26: 25: status 未启动 -> 推进中" in result.stdout
    assert "2 measures updated (5 field changes, 1 note)" in result.stdout
    m25 = json.loads(run.ok("show", "25", "--format", "json").stdout)
    assert m25["status"] == "in-progress" and m25["lead"] == "自治区交通运输厅"
    assert m25["partners"] == ["国家铁路集团", "自治区发展改革委"] and m25["due"] == "2025-12-31"
    assert m25["notes"] == [{"at": NOW, "text": "已完成可研批复", "txn": 1, "author": "测试员"}]
    assert sorted((c["field"], c["from"], c["to"]) for c in m25["history"]) == [
        ("due", None, "2025-12-31"),
        ("lead", None, "自治区交通运输厅"),
        ("partners", [], ["国家铁路集团", "自治区发展改革委"]),
        ("status", "not-started", "in-progress"),
    ]
    assert all(c["at"] == NOW for c in m25["history"]) and m25["updated"] == NOW
    # the same sheet again is a no-op: the note is already the latest one
    again = run.ok("import", str(sheet))
    assert "0 measures updated" in again.stdout
    # identical to what the typed command records
    run.ok("set-status", "27", "done")
    m26 = json.loads(run.ok("show", "26", "-f", "json").stdout)
    m27 = json.loads(run.ok("show", "27", "-f", "json").stdout)
    def untxn(history):  # txn ids differ: the sheet was one command, set-status the next
        return [{k: v for k, v in c.items() if k != "txn"} for c in history]

    assert untxn(m26["history"]) == untxn(m27["history"])
    assert m26["history"][0]["txn"] == 1 and m27["history"][0]["txn"] == 2
    # a stale sheet still wins, but the user is told that imtrack had a newer change
    monkeypatch.setenv("IMTRACK_NOW", "2026-03-02T08:00:00+08:00")
    run.ok("set-status", "27", "受阻")
    stale = run.ok("import", str(sheet))
    assert "row 28: 27: status 受阻 -> 未启动" in stale.stdout
    assert "warning: row 28: measure 27 changed in imtrack at" in stale.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_row_names_row_and_column_and_applies_nothing(run, db_path, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    sheet = _sheet(tmp_path, suffix, {
        25: {"状态": "推进中"},
        26: {"状态": "finished"},
        27: {"完成时限": "03/04/2025"},
    }, rows=[{"序号": "99", "任务": "x", "状态": "推进中"}])
    before = db_path.read_bytes()
    result = run.fail("import", str(sheet), code=2)
    err = result.stderr
    assert "3 bad values, nothing was applied" in err
    assert "row 27, column G '状态': unknown status 'finished'" in err
    assert "row 28, column F '完成时限': cannot read '03/04/2025' as a due date" in err
    assert "row 36, column A '序号': no measure with id 99" in err
    assert "--skip-bad-rows" in err
    assert db_path.read_bytes() == before

    result = run.ok("import", str(sheet), "--skip-bad-rows")
    assert "row 26: 25: status 未启动 -> 推进中" in result.stdout
    assert "skipped row 27, column G '状态'" in result.stdout
    assert "3 bad rows skipped" in result.stdout
    by_id = {m.id: m for m in db_measures(db_path)}
    assert by_id[25].status == "in-progress" and by_id[26].status == "not-started" and by_id[27].due is None


def test_rows_without_id_match_by_folded_text(run, db_path, tmp_path):
    run.ok("list")
    text25 = next(m.text for m in db_measures(db_path) if m.id == 25)
    halfwidth = text25.replace("（", "(").replace("）", ")")
    path = tmp_path / "by-text.csv"
    path.write_text(f"任务,状态,无关列\n{halfwidth},已完成,x\n没有这项任务,已完成,y\n", encoding="utf-8-sig")
    result = run.fail("import", str(path), code=2)
    assert "row 3, column A '任务': no measure has this text; fill in the 序号/id" in result.stderr
    result = run.ok("import", str(path), "--skip-bad-rows")
    assert "column C '无关列' is not a ledger column" in result.stderr
    assert {m.id: m for m in db_measures(db_path)}[25].status == "done"


def test_formula_cell_in_returned_workbook_is_a_bad_value(run, db_path, tmp_path):
    run.ok("list")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "最新进展"])
    ws.append([25, "=1+1"])  # openpyxl stores it as a formula
    path = tmp_path / "f.xlsx"
    wb.save(path)
    result = run.fail("import", str(path), code=2)
    assert "row 2, column B '最新进展': is a formula (=1+1)" in result.stderr


def test_gbk_csv_is_read_with_a_warning(run, db_path, tmp_path):
    run.ok("list")
    path = tmp_path / "gbk.csv"
    path.write_bytes("序号,状态\n25,受阻\n".encode("gbk"))
    result = run.ok("import", str(path))
    assert "read it as GBK" in result.stderr
    assert {m.id: m for m in db_measures(db_path)}[25].status == "blocked"


def test_sheet_without_id_or_text_column_is_refused(run, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("状态\n完成\n", encoding="utf-8")
    assert "neither a 序号/id nor a 任务/text column" in run.fail("import", str(path), code=2).stderr


# -- Markdown, list and show --------------------------------------------------------------------


def test_markdown_export_summary_then_measures(run, monkeypatch):
    prepare(run, monkeypatch)
    out = run.ok("export", "--format", "markdown").stdout
    assert out.startswith("# 任务台账\n")
    summary = out.index("## 按领域进展")
    measures = out.index("## 任务清单")
    assert summary < measures
    assert "| **合计** | 34 | 33 | 1 | 0 | 0 | 0.0% |" in out
    assert '包（银）[/]\\|"引号"<br>第二行' in out
    assert "| 25 |" in out and HYPERLINK in out
    en = run.ok("export", "-f", "markdown", "--headers", "en").stdout
    assert "## Progress by sector" in en and "| id | text |" in en


def test_list_fields_and_formats(run, monkeypatch):
    prepare(run, monkeypatch)
    data = json.loads(run.ok("list", "--fields", "id,status,latest_note", "-f", "json", "-s", "交通").stdout)
    assert data[0].keys() == {"id", "status", "latest_note"}
    assert {"id": 25, "status": "in-progress", "latest_note": HYPERLINK} in data
    out = run.ok("list", "-f", "csv", "--fields", "id,状态", "--grep", "公路集装箱").stdout_bytes.decode()
    assert out == "序号,状态\r\n17,未启动\r\n"
    assert not out.startswith("\ufeff")
    md = run.ok("list", "-f", "markdown", "--fields", "id,text", "--grep", "公路集装箱").stdout
    assert md == "| 序号 | 任务 |\n|---:|---|\n| 17 | 研究应用公路集装箱模块化运输。 |\n"
    table = run.ok("list", "--fields", "id,status", "--status", "推进中").stdout
    assert "25" in table and "推进中" in table and "1 of 34 measures" in table
    # the default table is unchanged
    assert "Last note" in run.ok("list").stdout
    assert "unknown field 'owner'" in run.fail("list", "--fields", "id,owner", code=2).stderr


def test_show_csv_and_markdown(run, monkeypatch):
    prepare(run, monkeypatch)
    out = run.ok("show", "25", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "序号" and rows[1][0] == "25" and rows[1][7] == "'" + HYPERLINK
    md = run.ok("show", "25", "-f", "markdown").stdout
    assert md.startswith("## 25. ") and "### 进展记录" in md and "| status | 未启动 | 推进中 |" in md


def test_commands_without_ledger_formats_say_so(run):
    assert "'csv' is not one of 'table', 'json'" in run.fail("report", "-f", "csv", code=2).stderr
    assert "'markdown' is not one of 'table', 'json'" in run.fail("sectors", "-f", "markdown", code=2).stderr
    assert "'csv' is not one of 'table', 'json'" in run.fail("import", "x.txt", "-f", "csv", code=2).stderr


def test_exchange_readme_section_shows_commands():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exchange: export, Excel ledger round trip", 1)[1].split("\n## ", 1)[0]
    for needle in ("imtrack export --format xlsx", "imtrack import ledger", "--skip-bad-rows", "--dry-run"):
        assert needle in section


# Cell text a spreadsheet can hold: XLSX (XML 1.0) has no place for control characters other than
# tab and newline, so those are left out here and stripped by the writer (see the next test).
cell_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.sampled_from("\n\t'=+-@\""),
    min_size=1,
).filter(lambda s: s.strip() == s)


@settings(max_examples=40, deadline=None)
@given(
    text=cell_text,
    lead=cell_text,
    note=cell_text,
    partners=st.lists(cell_text.filter(lambda s: not any(c in s for c in "、,，;；")), max_size=3),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_sheet_cells_round_trip(text, lead, note, partners, suffix):
    m = Measure(7, text, "transport", lead=lead, partners=partners, due="2025-12-31",
                notes=[Note("2026-01-01T00:00:00+08:00", note)], updated="2026-01-01T00:00:00+08:00")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"s{suffix}"
        if suffix == ".csv":
            exchange.write_csv([m], path)
        else:
            exchange.write_xlsx([m], path)
        (_, cells), = exchange.read_ledger_sheet(path).rows
    assert cells["text"] == text and cells["lead"] == lead and cells["latest_note"] == note
    assert exchange.split_partners(cells["partners"]) == partners
    assert cells["due"] == "2025-12-31" and cells["status"] == "未启动" and cells["sector"] == "交通"


def test_xlsx_export_survives_control_characters(tmp_path):
    m = Measure(1, "a\x01b\x1fc", "other")
    path = tmp_path / "c.xlsx"
    exchange.write_xlsx([m], path)
    assert openpyxl.load_workbook(path).active["B2"].value == "abc"
