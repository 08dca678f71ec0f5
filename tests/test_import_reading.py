"""`imtrack import` of numbered official documents end to end: the dry run's reading, agencies at
the document's level beside the names as written, the document fields round-tripping through
the store, re-import by source and item number (revisions listed, applied only with --update,
never a second copy), and the bad-input paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOW = "2026-11-23T10:00:00+08:00"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "gov-cn"

# A notice dated above the text it forwards, whose last item was cut off in the copy received.
DOC = """国务院办公厅关于推进某项工作的意见
国办发〔2019〕9号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
为推进某项工作，现提出如下意见。
国务院办公厅
2019年2月1日
一、总体要求
（一）指导思想。坚持稳中求进。
二、重点任务
（一）加大财政支持。统筹用好各类资金。（发展改革委、财政部负责）
（二）优化审批流程。精简审批事项，2019年底前完成。（国务院办公厅牵头，各省级人民政府负责，2019年底前完成）
（三）加强监测评估，建立
"""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", NOW)


def as_json(run, *args: str):
    return json.loads(run.ok(*args, "--format", "json").stdout)


def write(tmp_path: Path, text: str, name: str = "doc.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_dry_run_prints_the_reading_and_changes_nothing(run, tmp_path, db_path):
    out = run.ok("import", "--dry-run", write(tmp_path, DOC)).stdout
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0].startswith("Reading: 国办发〔2019〕9号, 国务院办公厅, 2019-02-01; agencies read at")
    assert "一、总体要求  (preamble: not measures)" in lines
    assert any("skipped line 8 （一）指导思想。坚持稳中求进。: under 一、总体要求" in line for line in lines)
    assert "二、重点任务" in lines
    assert "  （一） 加大财政支持。统筹用好各类资金。" in lines
    # the name as written, with the canonical name at the national level beside it
    assert "      lead 发展改革委 (国家发展改革委); partners 财政部" in lines
    assert "      lead 国务院办公厅; partners 各省级人民政府; due 2019-12-31" in lines
    # the last item is cut off mid-sentence: flagged, not silently complete
    assert any("CUT OFF mid-sentence" in line for line in lines)
    assert "Dry run: nothing was changed." in out
    assert not db_path.exists()


def test_import_stores_canonical_names_beside_the_written_ones(run, tmp_path):
    result = as_json(run, "import", write(tmp_path, DOC))
    first, second, third = result["added"]
    assert (first["lead"], first["partners"]) == ("国家发展改革委", ["财政部"])
    assert (first["lead_written"], first["partners_written"]) == ("发展改革委", ["财政部"])
    assert (first["number"], first["path"], first["section"]) == ("（一）", ["二、重点任务"], "二、重点任务")
    assert second["due"] == "2019-12-31"
    assert second["assignments"] == [
        {
            "sentence": "优化审批流程。精简审批事项，2019年底前完成。",
            "agencies": ["国务院办公厅", "各省级人民政府"],
            "raw": "（国务院办公厅牵头，各省级人民政府负责，2019年底前完成）",
        }
    ]
    assert (third["text"], third["tags"]) == ("加强监测评估，建立", ["原文不完整"])
    # the document fields round-trip through the store, and `show` prints them
    shown = as_json(run, "show", str(first["id"]))
    for key in ("number", "path", "lead_written", "partners_written", "assignments"):
        assert shown[key] == first[key]
    detail = run.ok("show", str(second["id"])).stdout
    assert "Item         二、重点任务 › （二）" in detail
    assert "As written   国务院办公厅、各省级人民政府" in detail
    assert "Clause 1     （国务院办公厅牵头，各省级人民政府负责，2019年底前完成）: 优化审批" in detail


def test_issuer_override_reads_agencies_at_that_level(run, tmp_path):
    region = as_json(run, "import", "--issuer", "region", write(tmp_path, DOC))
    assert region["added"][0]["lead"] == "自治区发展改革委"


def test_city_document_names_are_the_citys(run, tmp_path):
    text = "1. 建设数据平台。（市发改委牵头，市财政局配合）\n2. 推进智慧城市。（发改委负责）\n"
    result = as_json(run, "import", "--issuer", "包头市人民政府", write(tmp_path, text))
    assert [(m["lead"], m["partners"]) for m in result["added"]] == [
        ("包头市发展改革委", ["包头市财政局"]),
        ("包头市发展改革委", []),
    ]
    run.fail("import", "--issuer", "city", write(tmp_path, text), code=2)
    province = as_json(run, "import", "--issuer", "四川省人民政府", write(tmp_path, "1. 推进项目。（省发改委牵头）\n", "p.txt"))
    assert province["added"][0]["lead"] == "四川省发展改革委"


def test_reimport_matches_by_number_lists_revisions_and_applies_only_when_asked(run, tmp_path, db_path):
    path = write(tmp_path, DOC)
    ids = [m["id"] for m in as_json(run, "import", path)["added"]]
    run.ok("set-status", str(ids[0]), "in-progress", "--note", "已安排资金")
    # the same document read differently: a corrected text and another lead for （一）
    revised = DOC.replace("统筹用好各类资金。（发展改革委、财政部负责）", "统筹用好中央和地方资金。（财政部、发展改革委负责）")
    again = run.ok("import", revised_path := write(tmp_path, revised, "doc.txt")).stdout
    assert "added:                 0" in again
    assert f"read differently:      1 (ids {ids[0]})" in again
    assert f"    {ids[0]} text: 加大财政支持。统筹用好各类资金。 -> 加大财政支持。统筹用好中央和地方资金。" in again
    assert f"    {ids[0]} lead: 国家发展改革委 -> 财政部" in again
    assert "Apply with `imtrack import --update`" in again
    assert as_json(run, "show", str(ids[0]))["text"] == "加大财政支持。统筹用好各类资金。"
    applied = run.ok("import", "--update", revised_path).stdout
    assert f"revised:               1 (ids {ids[0]})" in applied
    shown = as_json(run, "show", str(ids[0]))
    assert (shown["text"], shown["lead"], shown["partners"]) == (
        "加大财政支持。统筹用好中央和地方资金。", "财政部", ["国家发展改革委"],
    )
    assert (shown["status"], shown["notes"][0]["text"]) == ("in-progress", "已安排资金")
    assert len(as_json(run, "list", "--source", "doc.txt")) == 3  # never a second copy
    run.ok("undo")
    assert as_json(run, "show", str(ids[0]))["text"] == "加大财政支持。统筹用好各类资金。"


def test_bad_input_is_a_clean_error(run, tmp_path, db_path):
    result = run.fail("import", write(tmp_path, "", "empty.txt"))
    assert "empty.txt is empty" in result.stderr
    holiday = "一、元旦：1月1日放假，共1天。\n二、春节：2月10日至17日放假调休，共8天。\n"
    result = run.fail("import", write(tmp_path, holiday, "holiday.txt"))
    assert "found no measures" in result.stderr and "states no action" in result.stderr
    assert not db_path.exists()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus beside the checkout is missing")
def test_a_corpus_document_imports_with_its_clauses(run):
    result = as_json(run, "import", str(CORPUS / "gbf-2018-121.txt"))
    assert len(result["added"]) == 16
    m = next(m for m in result["added"] if m["number"] == "（十四）")
    assert (m["lead"], m["lead_written"]) == ("国家发展改革委", "发展改革委")
    again = as_json(run, "import", str(CORPUS / "gbf-2018-121.txt"))
    assert (again["added"], again["revised"], len(again["skipped"])) == ([], [], 16)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"path": "二、重点任务"}, "measure 2, field 'path': must be a list of text"),
        ({"number": 4}, "measure 2, field 'number': must be text, not int"),
        ({"assignments": [{"sentence": "x"}]}, "measure 2, field 'assignments[1]': must be {sentence: text, agencies"),
    ],
)
def test_a_damaged_document_field_is_reported_not_a_traceback(run, db_path, change, message):
    run.ok("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["2"].update(change)
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()
    result = run.fail("show", "2")
    assert message in result.stderr
    assert db_path.read_bytes() == before


def test_the_reading_shows_control_characters_and_markup_literally(run, tmp_path):
    out = run.ok("import", "--dry-run", write(tmp_path, "1. 推进\x1b[31m项目[/]建设。\n2. 完善[red]政策。\n")).stdout
    reading = out.split("\n\n")[0]  # the reading; the action table after it is output.table's
    assert "\x1b" not in reading
    assert "1. 推进\\x1b[31m项目[/]建设。" in reading and "2. 完善[red]政策。" in reading
