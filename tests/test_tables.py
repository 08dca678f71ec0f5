"""Task-division tables (任务分工表): Word, HTML, Excel and flattened text, read into measures
with text, section, lead, partners and due; their header variants; and how they meet the rest
of the import (identity, fill-in, warnings, the ledger sheet)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from imtrack.ingest.document import Table
from imtrack.ingest.parser import parse_text
from imtrack.ingest.tables import layout, responsibility, split_text_tables, table_measures

FORMATS = Path(__file__).parent / "fixtures" / "formats"
TODAY = date(2026, 11, 23)

EXPECTED = [
    {
        "text": "合理确定审核范围，制定本地区规范性文件合法性审核目录清单。",
        "section": "一、明确审核范围", "lead": "省司法厅", "partners": ["省政府办公厅", "省市场监管局"],
        "due": "2019-06-30",
    },
    {
        "text": "严禁以会议纪要、工作方案等形式替代规范性文件设定权利义务。",
        "section": "一、明确审核范围", "lead": "省政府办公厅", "partners": ["省司法厅"], "due": "ongoing",
    },
    {
        "text": "健全合法性审核机构，配齐配强审核人员，加强业务培训。",
        "section": "二、落实审核责任", "lead": "省司法厅", "partners": ["省委编办", "省人力资源社会保障厅"],
        "due": "2019-12-31",
    },
    {
        "text": "将规范性文件合法性审核情况纳入法治政府建设督察和考评。",
        "section": "二、落实审核责任", "lead": "省司法厅", "partners": [], "due": "2019-12-31",
    },
    {
        "text": "建立规范性文件审核工作台账，定期通报审核情况。",
        "section": "二、落实审核责任", "lead": "各市人民政府", "partners": ["省直有关部门"], "due": None,
    },
]
KEYS = ("text", "section", "lead", "partners", "due")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-23T10:00:00+08:00")


def imported(run, path: Path, *extra: str):
    result = run.ok("import", str(path), "--format", "json", *extra)
    return json.loads(result.stdout), result.stderr


@pytest.mark.parametrize(("name", "fmt"), [
    ("task-table.docx", "docx"), ("task-table.html", "html"), ("task-table.xlsx", "xlsx"), ("task-table.txt", "text"),
    ("task-table.pdf", "pdf"),
])
def test_task_table_imports_the_same_from_every_format(run, name, fmt):
    result, stderr = imported(run, FORMATS / name)
    assert result["format"] == fmt
    assert [{k: m[k] for k in KEYS} for m in result["added"]] == EXPECTED
    # the one deadline with two stages is not guessed: it is left empty, with a warning
    assert stderr.count("imtrack: warning: ") == 1
    assert "deadline '2019年试点，2020年全面推开' is not one date; imported without a due date" in stderr
    assert result["warnings"] == [stderr.strip().removeprefix("imtrack: warning: ")]


def test_a_word_table_split_in_two_keeps_its_header(tmp_path):
    """Word splits a long table at a section heading; only the first part has the header."""
    import docx

    from imtrack.ingest.readers import read_file
    from imtrack.ingest.tables import document_measures

    document = docx.Document()
    parts = [
        [["序号", "重点任务", "牵头单位", "完成时限"], ["1", "甲任务。", "市科技局", "2025年底"]],
        [["2", "乙任务。", "市财政局", "持续推进"]],
        [["地区", "城市", "人口", "面积"], ["华北", "北京", "2000万", "1.6万"]],  # another table
    ]
    for heading, grid in zip(("一、科技", "二、财政", "附：地区"), parts, strict=True):
        document.add_paragraph(heading)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    path = tmp_path / "split.docx"
    document.save(path)
    doc = read_file(path)
    assert len(doc.tables) == 2 and "北京" in doc.paragraphs
    reading = document_measures(doc, TODAY)
    assert [(m.text, m.lead, m.due) for m in reading.measures] == [
        ("甲任务。", "市科技局", "2025-12-31"), ("乙任务。", "市财政局", "ongoing"),
    ]


def test_the_same_table_in_another_format_adds_nothing(run):
    imported(run, FORMATS / "task-table.docx")
    again, _ = imported(run, FORMATS / "task-table.xlsx")
    assert again["added"] == []
    assert len(again["skipped"]) == 5


def test_a_table_fills_the_due_date_of_a_known_measure(run, tmp_path):
    bullets = tmp_path / "doc.txt"
    bullets.write_text("".join(f"■{m['text']}\n" for m in EXPECTED[:2]), encoding="utf-8")
    first, _ = imported(run, bullets)
    assert [m["due"] for m in first["added"]] == [None, None]
    second, _ = imported(run, FORMATS / "task-table.txt")
    filled = {u["text"]: u["filled"] for u in second["updated"]}
    assert filled[EXPECTED[0]["text"]]["due"] == "2019-06-30"
    assert filled[EXPECTED[1]["text"]] == {"lead": "省政府办公厅", "partners": ["省司法厅"], "section": "一、明确审核范围", "due": "ongoing"}
    assert len(second["added"]) == 3


def test_human_summary_of_a_table_import(run):
    result = run.ok("import", str(FORMATS / "task-table.xlsx"))
    assert f"Imported {FORMATS / 'task-table.xlsx'} (xlsx) as source 'task-table.xlsx': 5 measures found" in result.stdout
    listing = json.loads(run.ok("list", "--source", "task-table.xlsx", "--format", "json").stdout)
    assert [m["due"] for m in listing] == ["2019-06-30", "ongoing", "2019-12-31", "2019-12-31", None]


def test_the_ledger_sheet_still_updates_measures(run, tmp_path):
    """imtrack's own export shares the 序号 | 任务 | 牵头单位 header: it must stay a ledger sheet."""
    imported(run, FORMATS / "task-table.docx")
    sheet = tmp_path / "ledger.xlsx"
    run.ok("export", "--format", "xlsx", "--output", str(sheet))
    result = run.ok("import", str(sheet))
    assert f"{sheet}: 0 measures updated (0 field changes, 0 notes), 39 rows unchanged" in result.stdout
    assert "measures found" not in result.stdout  # the ledger sheet path, not a document import


# -- reading a grid ---------------------------------------------------------------------------------


def measures(rows: list[list[str]]) -> list[tuple]:
    reading = table_measures(Table(rows, where="table 1"), TODAY)
    return [(m.text, m.section, m.lead, m.partners, m.due) for m in reading.measures]


def test_one_responsibility_column_says_who_leads():
    rows = [
        ["序 号", "工作任务", "责任单位", "时间节点"],
        ["1", "甲任务。", "市发展改革委牵头，市财政局、市商务局配合", "2025年底前"],
        ["2", "乙任务。", "市财政局、市发展改革委", "6月底前"],
        ["3", "丙任务。", "市商务局、市财政局（牵头）", "2026年一季度"],
        ["4", "丁任务。", "各区县政府", ""],
    ]
    # 6月底前 has no year: the next 30 June from TODAY (the rule for every yearless deadline)
    assert measures(rows) == [
        ("甲任务。", "", "市发展改革委", ["市财政局", "市商务局"], "2025-12-31"),
        ("乙任务。", "", "市财政局", ["市发展改革委"], "2027-06-30"),
        ("丙任务。", "", "市财政局", ["市商务局"], "2026-03-31"),
        ("丁任务。", "", "各区县政府", [], None),
    ]


def test_columns_of_people_are_not_agencies():
    rows = [
        ["序号", "工作任务", "牵头领导", "牵头单位", "责任人", "联系电话", "完成时限"],
        ["1", "甲任务。", "王副市长", "市发展改革委", "张三", "12345678", "2025年底"],
    ]
    assert measures(rows) == [("甲任务。", "", "市发展改革委", [], "2025-12-31")]


def test_section_rows_repeated_headers_and_blank_rows():
    header = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    rows = [
        ["附件"] * 5,  # a title row above the header
        header,
        ["一、优化营商环境"] * 5,
        ["1", "推行证照分离。", "市场监管局", "", "持续推进"],
        [""] * 5,
        header,  # the header again where the table crosses a page
        ["2", "压缩开办时间。", "市场监管局、税务局", "公安局", "2025年6月30日完成"],
        ["二、扩大开放"] * 5,
        ["3", "建设综合保税区。", "商务局", "海关", "长期坚持"],
    ]
    assert measures(rows) == [
        ("推行证照分离。", "一、优化营商环境", "市场监管局", [], "ongoing"),
        ("压缩开办时间。", "一、优化营商环境", "市场监管局", ["税务局", "公安局"], "2025-06-30"),
        ("建设综合保税区。", "二、扩大开放", "商务局", ["海关"], "ongoing"),
    ]


def test_broad_task_over_specific_measures():
    rows = [
        ["序号", "重点任务", "具体措施", "责任单位", "完成时限"],
        ["1", "优化营商环境", "推行证照分离改革。", "市场监管局", "2025年底前"],
        ["1", "优化营商环境", "压缩企业开办时间。", "市场监管局、税务局", "2025年6月底前"],
        ["2", "扩大对外开放", "", "商务局", "持续推进"],
    ]
    assert measures(rows) == [
        ("推行证照分离改革。", "优化营商环境", "市场监管局", [], "2025-12-31"),
        ("压缩企业开办时间。", "优化营商环境", "市场监管局", ["税务局"], "2025-06-30"),
        ("扩大对外开放", "", "商务局", [], "ongoing"),  # no specific measure: the task itself
    ]


def test_a_multi_line_task_cell_runs_on():
    rows = [["任务", "牵头单位"], ["建设一批\n中试基地。", "科技厅"], ["支持 AI\nmodels 研发。", "工信厅"]]
    assert [m[0] for m in measures(rows)] == ["建设一批中试基地。", "支持 AI models 研发。"]


@pytest.mark.parametrize("rows", [
    [["序号", "地区", "城市"], ["1", "华北", "北京"]],  # no task column
    [["序号", "重点任务", "备注"], ["1", "甲。", ""]],  # no agency or deadline column
    [["任务"]],
    [],
])
def test_other_tables_are_not_task_tables(rows):
    assert layout(rows) is None
    assert measures(rows) == []


def test_responsibility_cell_forms():
    assert responsibility("") == (None, [])
    assert responsibility("牵头单位：省科技厅；配合单位：省财政厅") == ("省科技厅", ["省财政厅"])
    assert responsibility("省科技厅、省财政厅按职责分工负责") == ("省科技厅", ["省财政厅"])
    assert responsibility("省科技厅负责") == ("省科技厅", [])
    assert responsibility("省财政厅（配合）、省科技厅（牵头）") == ("省科技厅", ["省财政厅"])


# -- tables flattened into text -------------------------------------------------------------------


def test_flattened_table_with_bars_or_spaces_is_told_apart():
    for sep, head_sep in (("|", "|"), ("  ", "   ")):
        lines = [
            "某市重点任务分工",
            head_sep.join(["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "备注"]),
            sep.join(["1", "建设智慧城市平台。", "市数据局", "市财政局", "2025年底前", "新增"]),
            sep.join(["2", "推进一网通办。", "市政务服务中心", "市数据局、各区政府", "持续推进", "续建"]),
            "以上任务由各单位抓好落实。",
        ]
        blocks = split_text_tables(lines)
        assert blocks[0] == lines[0] and blocks[-1] == lines[-1]
        table = blocks[1]
        assert isinstance(table, Table) and table.lines == [2, 3, 4]
        assert measures(table.rows) == [
            ("建设智慧城市平台。", "", "市数据局", ["市财政局"], "2025-12-31"),
            ("推进一网通办。", "", "市政务服务中心", ["市数据局", "各区政府"], "ongoing"),
        ]


def test_flattened_table_with_single_spaces_and_missing_cells():
    lines = [
        "领域 序号 重点任务 牵头单位 配合单位 完成时限",
        "一、数字政府 1 建设 5G 政务专网。 市数据局 市财政局、市通信管理局 2025年底前",
        "2 推进一网通办。 市政务服务中心 持续推进",
        "3 完善数据共享机制。 市数据局 各区政府",
        "二、营商环境 4 开展营商环境评价。 市发展改革委",
        "注：列第一位者为牵头单位，下同。",
    ]
    blocks = split_text_tables(lines)
    assert blocks[-1] == lines[-1]
    table = blocks[0]
    assert isinstance(table, Table)
    assert measures(table.rows) == [
        ("建设 5G 政务专网。", "一、数字政府", "市数据局", ["市财政局", "市通信管理局"], "2025-12-31"),
        ("推进一网通办。", "一、数字政府", "市政务服务中心", [], "ongoing"),
        ("完善数据共享机制。", "一、数字政府", "市数据局", ["各区政府"], None),
        ("开展营商环境评价。", "二、营商环境", "市发展改革委", [], None),
    ]


def test_flattened_table_one_cell_per_line():
    """As a table copied out of a PDF or a web page comes: every cell on its own line, empty
    cells gone, a long task wrapped."""
    lines = [
        "附件", "重点任务分工", "序号", "重点任务", "牵头单位", "配合单位", "完成时限",
        "一、数字政府",
        "1", "建设全市统一的政务", "云平台。", "市数据局", "市财政局", "2025年底前",
        "2", "推进一网通办。", "市政务服务中心", "持续推进",
        "3", "完善数据共享机制。", "市数据局",
        "注：列第一位者为牵头单位。",
    ]
    blocks = split_text_tables(lines)
    assert blocks[:2] == ["附件", "重点任务分工"] and blocks[-1] == lines[-1]
    table = blocks[2]
    assert isinstance(table, Table) and table.lines == [3, 8, 9, 15, 19]
    assert measures(table.rows) == [
        ("建设全市统一的政务云平台。", "一、数字政府", "市数据局", ["市财政局"], "2025-12-31"),
        ("推进一网通办。", "一、数字政府", "市政务服务中心", [], "ongoing"),
        ("完善数据共享机制。", "一、数字政府", "市数据局", [], None),
    ]


def test_prose_after_a_numbered_flattened_table_ends_it():
    lines = ["序号 重点任务 牵头单位", "1 推进试点。 市数据局", "各单位要 抓好落实 按时报送"]
    blocks = split_text_tables(lines)
    assert blocks[1:] == [lines[2]]
    assert isinstance(blocks[0], Table) and blocks[0].lines == [1, 2]


def test_flattened_table_is_not_glued_onto_measures(run, tmp_path):
    """The issue's case: a document with numbered measures, then its division table as text."""
    path = tmp_path / "plan.txt"
    path.write_text(
        "一、主要任务\n"
        "（一）建设智慧城市平台。\n"
        "附表\n"
        "序号\t重点任务\t牵头单位\t完成时限\n"
        "1\t推进一网通办。\t市政务服务中心\t2025年6月底前\n",
        encoding="utf-8",
    )
    result, _ = imported(run, path, "--dry-run")
    assert [(m["text"], m["lead"], m["due"]) for m in result["added"]] == [
        ("建设智慧城市平台。", None, None),
        ("推进一网通办。", "市政务服务中心", "2025-06-30"),
    ]
    assert [m.text for m in parse_text("一、主要任务\n（一）建设智慧城市平台。\n")] == ["建设智慧城市平台。"]


def test_text_table_keeps_line_numbers_for_the_parser():
    from imtrack.ingest.readers.text import read_text_document

    data = "标题\n序号\t任务\t牵头单位\n1\t甲。\t乙\n■ 丙测试措施。\n".encode()
    doc = read_text_document(data, "x.txt")
    assert doc.text.split("\n")[:4] == ["标题", "", "", "■ 丙测试措施。"]
    assert parse_text(doc.text)[0].line == 4


@pytest.mark.parametrize("line", [
    "1.推进重点工作。\u3000\u3000牵头单位：省发展改革委\u3000\u3000配合单位：省财政厅",
    "（一）加强组织领导  责任单位：各市政府  完成时限：2025年底",
    "重点任务 | 牵头单位 | 备注说明很长的一个单元格里面写了内容",
])
def test_labelled_clauses_and_prose_are_not_table_headers(line):
    assert split_text_tables([line, "1\t任务。\t单位"]) == [line, "1\t任务。\t单位"]


def test_pdf_table_over_a_page_break_and_a_line_of_names_without_table():
    from imtrack.ingest.readers.pdf import _Line, tables

    def row(page: int, top: float, *cells: tuple[float, str]) -> list[_Line]:
        return [_Line(page, x, x + 10.5 * len(t), top, 10.5, t) for x, t in cells]

    header = ((60, "序号"), (100, "重点任务"), (300, "牵头单位"), (400, "完成时限"))
    lines = [
        *row(1, 80, (72, "序号、重点任务、牵头单位、完成时限四列须填写完整，不得漏项，按时报送。")),
        *row(1, 100, *header),
        *row(1, 120, (60, "1"), (100, "建设智慧城市"), (300, "市数据局"), (400, "2025年")),
        *row(1, 134, (100, "平台。"), (400, "底前")),
        *row(2, 60, *header),  # repeated on the next page
        *row(2, 80, (60, "2"), (100, "推进一网通办。"), (300, "市政务服务中心"), (400, "持续推进")),
        *row(2, 100, (72, "以上任务由各单位抓好落实，每季度末报送进展情况，逾期未报的予以通报。")),
    ]
    blocks = tables(lines)
    assert [type(b).__name__ for b in blocks] == ["list", "Table", "list"]
    assert measures(blocks[1].rows) == [
        ("建设智慧城市平台。", "", "市数据局", [], "2025-12-31"),
        ("推进一网通办。", "", "市政务服务中心", [], "ongoing"),
    ]
    names_only = row(1, 100, *header) + row(1, 120, (72, "正文段落，跨越各列，不是表格的一行内容，应当照常读作段落。"))
    assert tables(names_only) == [names_only]


from hypothesis import given, settings
from hypothesis import strategies as st

_CELL = st.text(alphabet="推进建设市省局委厅办，、（）2025年底前持续", min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, st.one_of(st.just(""), _CELL), _CELL), min_size=1, max_size=8))
def test_a_tab_separated_table_comes_back_cell_for_cell(cells):
    header = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    rows = [[str(i), *row] for i, row in enumerate(cells, start=1)]
    lines = ["标题", "\t".join(header), *("\t".join(r) for r in rows), "以上任务请抓好落实。"]
    blocks = split_text_tables(lines)
    assert blocks[0] == "标题" and blocks[-1] == lines[-1]
    assert isinstance(blocks[1], Table)
    assert blocks[1].rows == [header, *rows]
    assert blocks[1].lines == list(range(2, 3 + len(rows)))
