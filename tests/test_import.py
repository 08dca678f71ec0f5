"""`imtrack import` / `imtrack sources` / `list --source` end to end, and the encoding reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imtrack.errors import ImtrackError
from imtrack.ingest import importer
from imtrack.ingest.textio import DecodeError, decode
from imtrack.storage.tinydb_store import TinyDBStore, TinyDBTransaction
from imtrack.vocab.sectors import load_rules

FIXTURES = Path(__file__).parent / "fixtures"
LEDGER = FIXTURES / "ledger_numbered.txt"
NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", NOW)


def as_json(run, *args: str):
    return json.loads(run.ok(*args, "--format", "json").stdout)


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


# -- encodings ------------------------------------------------------------------------------------


def test_decode_detects_utf8_bom_and_gb18030():
    text = "■ 支持呼包鄂按程序申请创建国家自主创新示范区。\n"
    assert decode(text.encode("utf-8"), "f").encoding == "utf-8"
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "f").text == text
    assert decode(text.encode("gb18030"), "f").encoding == "gb18030"
    assert decode(text.encode("gbk"), "f").text == text
    assert decode(text.encode("gbk"), "f", "gbk").encoding == "gbk"


def test_undecodable_names_the_file_and_offset():
    with pytest.raises(DecodeError) as err:
        decode("■ 支持".encode() + b"\xff\xff", "doc.txt")
    assert str(err.value) == (
        "cannot read doc.txt: byte 0xff at offset 10 is not valid UTF-8 (and the file is not "
        "GB18030/GBK either); fix the file, or name its encoding with --encoding"
    )
    with pytest.raises(DecodeError, match=r"cannot read doc.txt as utf-8: byte 0xb3 at offset 2"):
        decode("支持".encode("gbk"), "doc.txt", "utf-8")


def test_utf16_bom_is_read_and_bad_utf16_is_a_clean_error():
    assert decode("■ 支持。".encode("utf-16"), "f").text == "■ 支持。"
    with pytest.raises(DecodeError, match=r"cannot read f as utf-16: byte 0xff at offset 2"):
        decode(b"\xff\xfe\xff", "f")


def test_gb18030_file_imports_like_utf8(run, tmp_path):
    utf8 = as_json(run, "import", str(LEDGER), "--dry-run")
    gbk = write(tmp_path, "ledger-gbk.txt", LEDGER.read_text(encoding="utf-8").encode("gb18030"))
    result = as_json(run, "import", gbk, "--dry-run")
    assert result["encoding"] == "gb18030"
    assert [m["text"] for m in result["added"]] == [m["text"] for m in utf8["added"]]
    assert len(result["updated"]) == 4


def test_cli_undecodable_file_fails_cleanly(run, tmp_path, db_path):
    path = write(tmp_path, "bad.txt", "■ 支持".encode() + b"\xff\xfe\xff")
    result = run.fail("import", path)
    assert "bad.txt: byte 0xff at offset 10 is not valid UTF-8" in result.stderr
    result = run.fail("import", path, "--encoding", "utf-8")
    assert "bad.txt as utf-8: byte 0xff at offset 10" in result.stderr
    run.fail("import", path, "--encoding", "klingon", code=2)
    assert not db_path.exists()


def test_forced_encoding_is_used(run, tmp_path):
    path = write(tmp_path, "gbk.txt", "■ 发展低空经济，培育通用航空产业。\n".encode("gbk"))
    result = as_json(run, "import", path, "--encoding", "gb18030")
    assert result["encoding"] == "gb18030"
    assert [m["text"] for m in result["added"]] == ["发展低空经济，培育通用航空产业。"]


# -- the ledger workflow: fill agencies of known measures, add the rest ------------------------


def test_ledger_import_fills_agencies_and_adds_new_measures(run):
    out = run.ok("import", str(LEDGER)).stdout
    assert "6 measures found" in out
    assert "added:                 2 (ids 35-36)" in out
    assert "updated:               4 (lead/partners/section filled in: ids 1-2, 17-18)" in out
    assert "skipped as duplicates: 0" in out
    first = as_json(run, "show", "1")
    assert first["lead"] == "自治区科技厅"
    assert first["partners"] == ["自治区发展改革委", "自治区工业和信息化厅"]
    assert first["section"].startswith("七个方面主要任务②")  # had one: kept
    assert [(c["field"], c["from"], c["to"]) for c in first["history"]] == [
        ("lead", None, "自治区科技厅"),
        ("partners", [], ["自治区发展改革委", "自治区工业和信息化厅"]),
    ]
    new = as_json(run, "show", "35")
    assert (new["text"], new["source"], new["section"], new["lead"], new["partners"]) == (
        "建设一批科技成果转化中试基地。",
        "ledger_numbered.txt",
        "一、强化科技创新",
        "自治区科技厅",
        ["自治区财政厅"],
    )
    assert new["sector"] == "innovation"


def test_a_value_the_user_set_is_never_overwritten(run, db_path):
    store = TinyDBStore(db_path)
    run.ok("report")  # create the seeded database
    with store.transaction() as ledger:
        m = ledger.get(17)
        m.lead = "某某局"
        ledger.mark_changed(m)
    result = as_json(run, "import", str(LEDGER))
    filled = {u["id"]: u["filled"] for u in result["updated"]}
    assert filled[17] == {"partners": ["自治区商务厅", "自治区发展改革委"]}
    assert as_json(run, "show", "17")["lead"] == "某某局"


def test_reimport_in_any_layout_adds_nothing_and_keeps_status_and_notes(run, tmp_path, db_path):
    run.ok("import", str(LEDGER))
    run.ok("set-status", "35", "done", "--note", "已完成")
    before = as_json(run, "show", "35")
    # same measures: re-wrapped, other glyphs, other file name, GB18030, CRLF, half-width clause
    other = (
        "● 聚焦新能源、稀土新材料、煤基新材料、石墨烯、氢能、生物制药、生物育种、\n草业等优势领域，布局建设国家级创新平台\n。\n\n"
        "◆ 支持呼包鄂按程序申请创建国家\n自主创新示范区。\n"
        "▲ 建设一批科技成果转化中试基地(自治区科技厅牵头,自治区财政厅配合);\n"
        "• 研究应用公路集装箱模块化运输。\n★ 培育发展银发经济。\n"
        "□ 支持旅游景区开发夜间文化和旅游消费场景，打造夜间消费集聚区。\n"
    ).replace("\n", "\r\n")
    path = write(tmp_path, "另一种排版.txt", other.encode("gb18030"))
    out = run.ok("import", path).stdout
    assert "added:                 0" in out and "skipped as duplicates: 6" in out
    assert as_json(run, "show", "35") == before
    assert len(as_json(run, "list")) == 36
    again = run.ok("import", str(LEDGER)).stdout
    assert "added:                 0" in again and "updated:               0" in again


def test_dry_run_changes_nothing(run, db_path):
    run.ok("report")
    before = db_path.read_bytes()
    out = run.ok("import", str(LEDGER), "--dry-run").stdout
    assert db_path.read_bytes() == before
    assert "Dry run: nothing was changed." in out
    assert "add" in out and "建设一批科技成果转化中试基地。" in "".join(out.split())
    assert "fill lead,partners" in out
    run.ok("import", str(LEDGER))
    out = run.ok("import", str(LEDGER), "--dry-run").stdout
    assert "skip" in out and "skipped as duplicates: 6" in out


def test_dry_run_on_a_new_database_does_not_create_it(run, db_path):
    result = as_json(run, "import", str(LEDGER), "--dry-run")
    assert result["dry_run"] is True and [m["id"] for m in result["added"]] == [35, 36]
    assert not db_path.exists()


def test_no_measures_is_an_error_and_changes_nothing(run, db_path):
    run.ok("report")
    before = db_path.read_bytes()
    result = run.fail("import", str(FIXTURES / "no_measures.txt"))
    assert "found no measures in" in result.stderr and "no_measures.txt" in result.stderr
    assert db_path.read_bytes() == before


def test_missing_file(run):
    result = run.fail("import", "does-not-exist.txt")
    assert "no such file: does-not-exist.txt" in result.stderr


def test_failure_half_way_leaves_the_database_unchanged(run, db_path, monkeypatch):
    run.ok("report")
    before = db_path.read_bytes()
    real_add = TinyDBTransaction.add
    calls = []

    def failing_add(self, measure):
        calls.append(measure)
        if len(calls) == 2:
            raise ImtrackError("disk full, say")
        return real_add(self, measure)

    monkeypatch.setattr(TinyDBTransaction, "add", failing_add)
    with pytest.raises(ImtrackError):
        importer.import_file(TinyDBStore(db_path), LEDGER, rules=load_rules())
    assert len(calls) == 2  # the first measure was added and the fills made in memory...
    assert db_path.read_bytes() == before  # ...and none of it was written


# -- sources, sectors, list --source, JSON -------------------------------------------------------


def test_source_option_sector_option_and_sources(run, tmp_path):
    path = write(tmp_path, "plan.txt", "■ 加强某某事项的统筹协调。\n■ 推进数据中心集群建设。\n")
    out = run.ok("import", path, "--source", "自治区实施方案", "--sector", "改革").stdout
    assert "source '自治区实施方案'" in out and "no sector match:       0" in out
    measures = as_json(run, "list", "--source", "自治区实施方案")
    assert [(m["id"], m["sector"], m["sector_pinned"]) for m in measures] == [
        (35, "reform", True),
        (36, "reform", True),
    ]
    rows = as_json(run, "sources")
    assert rows[-1] == {"source": "自治区实施方案", "count": 2, "done": 0}
    assert rows[0]["count"] == 34
    table = run.ok("sources").stdout
    assert "自治区实施方案" in table
    run.fail("import", path, "--sector", "nowhere", code=2)


def test_unmatched_measures_are_listed_in_the_summary(run, tmp_path):
    path = write(tmp_path, "misc.txt", "■ 加强某某事项的统筹协调。\n■ 推进数据中心集群建设。\n")
    out = run.ok("import", path).stdout
    assert "no sector match:       1 (put in 其他 other):" in out
    assert "    35: 加强某某事项的统筹协调。" in out
    result = as_json(run, "list", "--source", "misc.txt")
    assert [m["sector"] for m in result] == ["other", "digital"]


def test_json_measures_have_lead_and_partners(run):
    run.ok("import", str(LEDGER))
    measures = as_json(run, "list", "--source", "ledger_numbered.txt")
    assert [(m["lead"], m["partners"]) for m in measures] == [
        ("自治区科技厅", ["自治区财政厅"]),
        (None, []),
    ]
    assert all("lead" in m and isinstance(m["partners"], list) for m in as_json(run, "list"))


def test_empty_source_name_is_a_usage_error(run):
    run.fail("import", str(LEDGER), "--source", "  ", code=2)


def test_identity_ignores_width_spaces_and_final_punctuation():
    key = importer.measure_key
    assert key("研究设立和林格尔金融数据产业园。") == key(" 研究设立 和林格尔 金融数据产业园；")
    assert key("包（银）海通道,２０２５") == key("包(银)海通道，2025")
    assert key("推进A。") != key("推进B。")


def test_importing_the_seed_page_again_adds_nothing(run):
    from imtrack.resources import data_file

    out = run.ok("import", str(data_file("000_57ace6c6df350a4e.txt"))).stdout
    assert "34 measures found" in out
    assert "added:                 0" in out and "skipped as duplicates: 34" in out
