"""The parser on every input form `imtrack import` promises to handle (issue 3): glyph and
numbered bullets, wraps, blank lines, CRLF/BOM, mixed widths, noise, agencies, sections."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from imtrack.ingest.parser import BULLETS, parse_clause, parse_text, split_clause
from imtrack.resources import data_file

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def rows(text: str) -> list[tuple[str, str, str | None, list[str]]]:
    return [(m.text, m.section, m.lead, m.partners) for m in parse_text(text)]


# -- the seed page: unchanged -----------------------------------------------------------------


def test_seed_page_yields_exactly_its_34_measures_unchanged():
    measures = parse_text(data_file("000_57ace6c6df350a4e.txt").read_text(encoding="utf-8"))
    expected = json.loads((FIXTURES / "seed_measures.json").read_text(encoding="utf-8"))
    assert [m.text for m in measures] == expected
    assert len(expected) == 34
    # the byline '□本报记者 王玉琢' and the vertical '□ 本 报 记 者' are not bullets
    assert not any("记者" in m.text or "王玉琢" in m.text for m in measures)
    assert {m.lead for m in measures} == {None}


# -- task-division ledger: numbered items, clauses, heading leads -------------------------------

LEDGER = [
    (
        (
            "聚焦新能源、稀土新材料、煤基新材料、石墨烯、氢能、生物制药、生物育种、草业等优势领域，"
            "布局建设国家级创新平台。"
        ),
        "一、强化科技创新",
        "自治区科技厅",
        ["自治区发展改革委", "自治区工业和信息化厅"],
    ),
    ("支持呼包鄂按程序申请创建国家自主创新示范区。", "一、强化科技创新", "自治区科技厅", []),
    ("建设一批科技成果转化中试基地。", "一、强化科技创新", "自治区科技厅", ["自治区财政厅"]),
    (
        "研究应用公路集装箱模块化运输。",
        "二、加快发展现代服务业",
        "自治区交通运输厅",
        ["自治区商务厅", "自治区发展改革委"],
    ),
    ("培育发展银发经济", "二、加快发展现代服务业", "自治区民政厅", []),
    ("支持旅游景区开发夜间文化和旅游消费场景，打造夜间消费集聚区。", "二、加快发展现代服务业", None, []),
]


def test_ledger_numbered_items_clauses_and_heading_leads():
    # title line dropped; clause wrapped across lines; (half-width,clause); '- 2 -' page number
    assert rows(fixture("ledger_numbered.txt")) == LEDGER


def test_crlf_and_bom_change_nothing():
    text = "\ufeff" + fixture("ledger_numbered.txt").replace("\n", "\r\n")
    assert rows(text) == LEDGER
    assert rows(fixture("ledger_numbered.txt").replace("\n", "\r")) == LEDGER


def test_inline_items_yi_shi_er_shi():
    assert rows(fixture("inline_items.txt")) == [
        ("加快建设国家乳业技术创新中心；", "（一）强化科技创新", "区科技局", []),
        ("鼓励企业建设研发机构，支持科研院所开展技术攻关；", "（一）强化科技创新", "区科技局", []),
        ("完善科技成果转化机制。", "（一）强化科技创新", "区科技局", []),
        ("发展养老服务；", "（二）培育发展银发经济", "区民政局", ["区卫健委"]),
        ("推进适老化改造。", "（二）培育发展银发经济", None, []),
    ]


def test_chinese_numbered_items_are_measures_when_they_have_no_children():
    text = "（一）加快建设国家乳业技术创新中心。\n（二）鼓励在草原家畜生殖调控\n与繁育等领域培育建设全国重点实验室。\n"
    assert [m.text for m in parse_text(text)] == [
        "加快建设国家乳业技术创新中心。",
        "鼓励在草原家畜生殖调控与繁育等领域培育建设全国重点实验室。",
    ]


def test_numbered_outline_levels():
    text = (
        "一、科技创新\n"
        "（一）平台建设\n"
        "1、布局建设国家级创新平台。\n"
        "2．支持创建国家自主创新示范区。\n"
        "（二）人才支撑\n"
        "（1）引进培养急需紧缺专业人才；\n"
        "(2) 落实有关地区性津贴倾斜政策。\n"
        "①完善人才评价机制。\n"
        "较过去提升\n1.5个工作日。\n"  # a wrap that starts with '1.5' is not an item
    )
    assert rows(text) == [
        ("布局建设国家级创新平台。", "（一）平台建设", None, []),
        ("支持创建国家自主创新示范区。", "（一）平台建设", None, []),
        ("引进培养急需紧缺专业人才；", "（二）人才支撑", None, []),
        ("落实有关地区性津贴倾斜政策。", "（二）人才支撑", None, []),
        ("完善人才评价机制。", "（二）人才支撑", None, []),
    ]


def test_glyph_bullets_win_over_numbered_headings():
    text = "一、强化科技创新（区科技局牵头）\n■ 布局建设国家级创新平台。\n● 支持创建示范区。\n二、人才\n◆ 引进人才。\n"
    assert rows(text) == [
        ("布局建设国家级创新平台。", "一、强化科技创新", "区科技局", []),
        ("支持创建示范区。", "一、强化科技创新", "区科技局", []),
        ("引进人才。", "二、人才", None, []),
    ]


def test_a_stray_glyph_does_not_switch_a_numbered_document_to_bullets():
    text = "★ 专题报道\n1. 布局建设国家级创新平台。\n2. 支持创建示范区。\n3. 引进人才。\n"
    assert [m.text for m in parse_text(text)] == ["布局建设国家级创新平台。", "支持创建示范区。", "引进人才。"]


# -- glyph bullets among noise ------------------------------------------------------------------


def test_mixed_glyphs_and_every_kind_of_noise():
    assert rows(fixture("glyph_mixed.txt")) == [
        # hard wrap before the final 。, blank line inside the bullet
        ("聚焦新能源、稀土新材料等优势领域，布局建设国家级创新平台。", "", None, []),
        # runs of spaces dropped; a second bullet mid-line
        ("支持呼包鄂按程序申请创建国家自主创新示范区。", "", None, []),
        ("加快发展现代服务业，推动现代服务业与先进制造业深度融合。", "", None, []),
        # page furniture '— 3 —' and blank lines inside the bullet
        ("实施“东数西算”工程，建设和林格尔数据中心集群，扩容互联网出口带宽。", "", None, []),
        # lead from the section heading; own clause (half-width) adds partners
        ("推进长城、黄河国家文化公园建设。", "二、繁荣文化旅游", "自治区文化和旅游厅", []),
        ("支持阿尔山创建国家级旅游度假区。", "二、繁荣文化旅游", "自治区文化和旅游厅", ["阿尔山市政府"]),
        # after the byline, an article and vertical text: a new heading, half-width punctuation
        ("开展低空空域改革,发展低空经济;推动通用机场建设.", "三、完善基础设施", None, []),
        # the clause on the lines after the 。, wrapped; '责任编辑：' furniture dropped
        (
            "完善农村牧区公路交通管理设施和安全防护设施。",
            "三、完善基础设施",
            "自治区交通运输厅",
            ["自治区公安厅", "自治区应急管理厅"],
        ),
    ]


def test_byline_glyph_is_not_a_bullet():
    text = "□本报记者 王玉琢 鄂尔多斯市融\n媒体中心记者 张晓艳。\n□ 支持创建示范区。\n"
    assert [m.text for m in parse_text(text)] == ["支持创建示范区。"]


def test_byline_ends_an_unfinished_numbered_item():
    text = "1. 培育发展银发经济\n2. 发展低空经济\n□本报记者 王玉琢\n日前，某地举行了一场活动。\n"
    assert [m.text for m in parse_text(text)] == ["培育发展银发经济", "发展低空经济"]


def test_vertical_text_inside_an_open_measure_is_skipped():
    text = "■ 加快建设国家乳业技术\n学\n好\n国\n家\n创新中心。\n"
    assert [m.text for m in parse_text(text)] == ["加快建设国家乳业技术创新中心。"]


def test_an_unclosed_bracket_does_not_swallow_the_rest():
    text = (
        "1. 推动中医药（蒙医药、原料药等医药产业发展。\n"
        "日前，内蒙古环境能源交易所碳资产交易启动仪式在鄂尔多斯市举行，签订了战略合作协议。\n"
        "这标志着鄂尔多斯市正式解锁“碳交易”，为新能源全产业链发展创造更优的减碳环境。\n"
    )
    assert [m.text for m in parse_text(text)] == ["推动中医药（蒙医药、原料药等医药产业发展。"]


def test_nested_headings_section_is_the_deepest_lead_the_nearest():
    text = "一、强化科技创新（区科技局牵头）\n（一）平台建设\n■ 布局建设创新平台。\n"
    assert rows(text) == [("布局建设创新平台。", "（一）平台建设", "区科技局", [])]


def test_headline_after_a_measure_is_not_joined():
    text = "■ 培育发展银发经济。\n鄂尔多斯市率先挺进“碳市场”\n■ 发展低空经济。\n"
    assert [m.text for m in parse_text(text)] == ["培育发展银发经济。", "发展低空经济。"]


def test_no_measures_in_an_article():
    assert parse_text(fixture("no_measures.txt")) == []
    assert parse_text("") == []


# -- clauses ------------------------------------------------------------------------------------


def test_clause_forms():
    assert split_clause("建设平台（区科技局牵头，区发改委、区财政局配合）。")[0] == "建设平台。"
    body, clause = split_clause("建设平台。(区科技局牵头,区发改委配合)")
    assert body == "建设平台。" and clause.lead == "区科技局" and clause.partners == ["区发改委"]
    assert parse_clause("责任单位：区科技局").lead == "区科技局"
    c = parse_clause("牵头单位：区科技局；配合单位：区财政局、区发改委")
    assert (c.lead, c.partners) == ("区科技局", ["区财政局", "区发改委"])
    c = parse_clause("区科技局牵头，各旗县区政府负责落实")
    assert (c.lead, c.partners) == ("区科技局", ["各旗县区政府"])
    assert split_clause("实施方案（试行）。") == ("实施方案（试行）。", None)
    assert parse_clause("2023—2025年") is None


# -- property: layout never changes what is extracted --------------------------------------------

_CHARS = "推进建设支持发展加快完善产业能源科技交通生态农业服务金融数字开放改革人才平台体系机制项目工程基地示范区域城乡提升保障优化培育"
_words = st.text(alphabet=_CHARS, min_size=2, max_size=12)
_agency = st.builds(lambda w: w + "局", st.text(alphabet=_CHARS, min_size=1, max_size=5))


# Unrelated text that may follow any measure: nothing, a headline, a byline, page furniture,
# an article paragraph, vertical text.
_NOISE: list[list[str]] = [
    [],
    [],
    ["鄂尔多斯市率先挺进“碳市场”"],
    ["□本报记者 王玉琢 鄂尔多斯市融", "媒体中心记者 张晓艳"],
    ["— 3 —"],
    ["2023年10月19日 星期四"],
    ["本报讯 日前，内蒙古环境能源交易所碳资产交易启动仪式在鄂尔多斯市举行。"],
    ["学", "好", "国", "家"],
]


@st.composite
def documents(draw):
    """(document lines, expected (text, section, lead, partners) rows): sections with a lead or
    not, bullets (any glyph) or numbered items, clauses before or after the final 。, noise."""
    numbered = draw(st.booleans())
    lines: list[str] = []
    expected = []
    n = 0
    for s, heading_lead in enumerate(draw(st.lists(st.one_of(st.none(), _agency), min_size=1, max_size=3))):
        section = f"{'一二三'[s]}、{draw(_words)}"
        lines.append(section + (f"（{heading_lead}牵头）" if heading_lead else ""))
        for _ in range(draw(st.integers(1, 4))):
            n += 1
            body = "，".join(draw(st.lists(_words, min_size=1, max_size=4))) + "。"
            lead, partners = heading_lead, []
            clause = ""
            if draw(st.booleans()):
                lead = draw(_agency)
                partners = draw(st.lists(_agency, max_size=3))
                clause = f"（{lead}牵头" + (f"，{'、'.join(partners)}配合" if partners else "") + "）"
            elif heading_lead is None:
                lead = None
            text = body[:-1] + clause + "。" if draw(st.booleans()) else body + clause
            marker = f"{n}. " if numbered else draw(st.sampled_from(BULLETS)) + " "
            lines.append(marker + text)
            expected.append((body, section, lead, partners))
            lines.extend(draw(st.sampled_from(_NOISE)))
    return lines, expected


def rewrap(lines: list[str], width: int, blanks: list[int], crlf: bool) -> str:
    out: list[str] = []
    for line in lines:
        if line[:2].endswith("、") or len(line) == 1:  # headings and vertical text stay as they are
            out.append(line)
            continue
        out.extend(line[i : i + width] for i in range(0, len(line), width))
    for k, at in enumerate(sorted(blanks, reverse=True)):
        out.insert(at % (len(out) + 1), "" if k % 2 else "   ")
    return ("\r\n" if crlf else "\n").join(out) + "\n"


@settings(max_examples=150, deadline=None)
@given(
    documents(),
    st.integers(min_value=4, max_value=60),
    st.lists(st.integers(min_value=0, max_value=500), max_size=8),
    st.booleans(),
)
def test_rewrapping_and_blank_lines_never_change_what_is_extracted(doc, width, blanks, crlf):
    lines, expected = doc
    assert rows("\n".join(lines)) == expected
    assert rows(rewrap(lines, width, blanks, crlf)) == expected
