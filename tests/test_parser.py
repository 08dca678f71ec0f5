"""The parser on the bundled seed page and on small synthetic pages.

The 34 expected texts below were written out by reading data/000_57ace6c6df350a4e.txt line by
line and joining each ■ bullet's PDF line-wraps by hand (no spaces, no newlines)."""

from __future__ import annotations

import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from imtrack.ingest.parser import parse_text
from imtrack.resources import data_file

SEED = "000_57ace6c6df350a4e.txt"

EXPECTED = [
    "聚焦新能源、稀土新材料、煤基新材料、石墨烯、氢能、生物制药、生物育种、草业等优势领域，布局建设国家级创新平台。",
    "支持呼包鄂按程序申请创建国家自主创新示范区。",
    "加快推动建设国家乳业技术创新中心，研究支持创建稀土新材料、草种业国家技术创新中心。",
    "鼓励在草原家畜生殖调控与繁育等领域培育建设全国重点实验室。",
    "支持内蒙古优势科研力量参与国家实验室建设，开展新能源发电、绿氢制备、煤炭高效灵活发电、新型电力系统等研究与实践。",
    "在国家重大人才工程计划和国家人才战略布局上给予倾斜。",
    "支持引进培养急需紧缺专业人才，落实有关地区性津贴倾斜政策。",
    "大力推进新型工业化，支持内蒙古培育发展先进制造业集群。",
    "推动钢铁、有色金属、建材等重点领域开展节能减污降碳技术改造，延伸煤焦化工、氯碱化工、氟硅化工产业链。",
    "鼓励铁合金、焦化等领域企业优化重组。",
    "有序发展光伏制造、风机制造等现代装备制造业，加快发展电子级晶硅、特种合金等新材料。",
    "支持在内蒙古布局国防科技工业项目，推动民用航空产业发展。",
    "推动中医药（蒙医药）、原料药等医药产业发展。",
    "鼓励现代服务业与先进制造业、现代农牧业融合发展。",
    "加快建设包头稀土产品检测检验中心。",
    "支持内蒙古发展枢纽经济，推进国家物流枢纽、国家骨干冷链物流基地建设。",
    "研究应用公路集装箱模块化运输。",
    "培育发展银发经济。",
    "实施中华优秀传统文化传承发展工程。",
    "将西辽河文明研究纳入中华文明探源工程，支持红山文化遗址申报世界文化遗产。",
    "推进长城、黄河国家文化公园建设，支持阿尔山创建国家级旅游度假区。",
    "支持珠恩嘎达布其等边境旗县开展边境旅游试验区改革试验。",
    "研究设立和林格尔金融数据产业园。",
    "支持内蒙古融资担保机构与国家融资担保基金加强合作。",
    "研究强化呼南通道与包（银）海通道之间的衔接，推动包头经鄂尔多斯至榆林铁路、临河至哈密铁路临河至额济纳段扩能改造工程等项目建设，研究建设齐齐哈尔至海拉尔、海拉尔至黑山头铁路，推进乌兰浩特至阿尔山至海拉尔铁路开行动车改造，构建贯通内蒙古东中西部的铁路大通道。",
    "在严格防范地方债务风险的前提下，推动国家高速公路主线内蒙古段全部贯通、盟市高速公路互通、城区人口10万以上旗县高速公路连通、重点口岸高速公路接通。",
    "完善农村牧区公路交通管理设施和安全防护设施。",
    "支持重点旗县运输和通用机场建设。",
    "提升内蒙古电信普遍服务水平。",
    "开展低空空域改革，发展低空经济。",
    "加快推进全国一体化算力网络内蒙古枢纽节点建设，支持和林格尔数据中心集群“东数西算”项目建设。",
    "推动提升内蒙古枢纽节点与其他算力枢纽节点间的网络传输性能，扩容互联网出口带宽。",
    "开展新型互联网交换中心可行性研究论证。",
    "支持内蒙古森林草原防火应急通信基础设施建设。",
]


def seed_text() -> str:
    return data_file(SEED).read_text(encoding="utf-8")


def texts(source: str) -> list[str]:
    return [m.text for m in parse_text(source)]


# -- the seed page ---------------------------------------------------------------------------


def test_seed_gives_exactly_the_34_bullets_in_order():
    assert len(EXPECTED) == 34
    assert texts(seed_text()) == EXPECTED


def test_seed_texts_have_no_stray_whitespace():
    for text in texts(seed_text()):
        assert not any(ch.isspace() for ch in text), repr(text)


def test_seed_line_numbers_point_at_the_bullets():
    lines = seed_text().split("\n")
    parsed = parse_text(seed_text())
    for measure in parsed:
        line = lines[measure.line - 1]
        assert line.lstrip().startswith("■"), (measure.line, line)
        assert measure.text.startswith(line.strip().lstrip("■").strip()[:4])
    assert [m.line for m in parsed] == sorted(m.line for m in parsed)


def _outside_bullets(lines: list[str]) -> list[str]:
    """Lines of the seed before the first bullet and after the last bullet's final line."""
    first = next(i for i, line in enumerate(lines) if "■" in line)
    last = max(i for i, line in enumerate(lines) if "■" in line)
    # the last bullet (支持内蒙古森林草原防火应急通信基础 / 设施建设。) ends two lines further on
    end = next(i for i in range(last, len(lines)) if lines[i].rstrip().endswith("。"))
    return lines[:first] + lines[end + 1 :]


def test_other_articles_and_headings_are_not_in_any_measure():
    measures = texts(seed_text())
    outside = [line.strip().replace(" ", "") for line in _outside_bullets(seed_text().split("\n"))]
    checked = [line for line in outside if len(line) >= 4]
    assert len(checked) > 200  # the neighbouring articles really are there to be ignored
    for line in checked:
        for text in measures:
            assert line not in text, (line, text)
    for phrase in ("推动产业结构战略性调整优化", "七个方面主要任务", "本报", "记者", "文案", "碳市场"):
        assert not any(phrase in text for text in measures), phrase


def test_vertical_text_is_not_in_any_measure():
    lines = seed_text().split("\n")
    start = lines.index("﹃")
    vertical = []
    for line in lines[start:]:
        if len(line.strip()) > 1:
            break
        vertical.append(line.strip())
    joined = "".join(vertical)
    assert joined.startswith("﹃学好国家通用语言文字受益良多﹄")
    for text in texts(seed_text()):
        for ch in "﹃﹄□":
            assert ch not in text
        assert "学好国家" not in text and "受益良多" not in text


def test_crlf_and_bom_give_identical_results():
    text = seed_text()
    reference = parse_text(text)
    for variant in (
        text.replace("\n", "\r\n"),
        "\ufeff" + text,
        "\ufeff" + text.replace("\n", "\r\n"),
        text.replace("\n", "\r"),
    ):
        assert parse_text(variant) == reference


def test_crlf_bytes_decoded_with_utf8_sig():
    raw = ("\ufeff" + seed_text().replace("\n", "\r\n")).encode("utf-8")
    assert texts(raw.decode("utf-8-sig")) == EXPECTED
    assert texts(raw.decode("utf-8")) == EXPECTED  # a BOM left in by a plain utf-8 read


# -- synthetic pages -------------------------------------------------------------------------


def test_mid_line_bullets_split():
    assert texts("■ 研究应用公路集装箱模块化运输。■ 培育发展银发经济。 ■ 提升电信服务。") == [
        "研究应用公路集装箱模块化运输。",
        "培育发展银发经济。",
        "提升电信服务。",
    ]


def test_other_bullet_glyphs_start_measures():
    assert texts("● 甲项。\n◆ 乙项。\n▲ 丙项。\n• 丁项。\n★ 戊项。") == ["甲项。", "乙项。", "丙项。", "丁项。", "戊项。"]


def test_blank_line_inside_a_bullet_does_not_end_it():
    assert texts("■ 实施中华优秀传统文化传承发展\n\n\n工程。\n■ 下一项。") == [
        "实施中华优秀传统文化传承发展工程。",
        "下一项。",
    ]


def test_bullet_not_ended_by_a_full_stop_continues_until_the_next_bullet():
    page = "■ 支持重点旗县\n运输和通用机场建设\n■ 提升电信普遍服务水平"
    assert texts(page) == ["支持重点旗县运输和通用机场建设", "提升电信普遍服务水平"]


def test_bullet_not_ended_by_a_full_stop_runs_to_its_sentence_end():
    page = "■ 推动国家高速公路主线\n全部贯通\n\n盟市高速公路互通。\n本报记者 王某 报道。"
    assert texts(page) == ["推动国家高速公路主线全部贯通盟市高速公路互通。"]


def test_text_after_a_finished_bullet_is_dropped():
    page = "■ 培育发展银发经济。\n本报记者 王玉琢\n日前，内蒙古环境能源交易所\n碳资产交易启动。\n学\n好\n国\n家"
    assert texts(page) == ["培育发展银发经济。"]


def test_sentence_end_with_closing_quote_ends_the_bullet():
    page = "■ 支持项目建设“东数西算。”\n下一篇文章开头。"
    assert texts(page) == ["支持项目建设“东数西算。”"]


def test_wrap_line_that_looks_like_a_heading_stays_in_the_measure():
    # "形成统一、开放" wrapped after 统: the continuation starts with "一、" but is not a heading
    page = "■ 形成统\n一、开放的市场。"
    parsed = parse_text(page)
    assert [m.text for m in parsed] == ["形成统一、开放的市场。"]
    assert parsed[0].section == ""


def test_latin_words_wrapped_across_lines_get_a_space():
    page = "■ 建设 open\nsource 平台，推广 CCUS\ntechnology 与 5G\n网络。"
    assert texts(page) == ["建设open source平台，推广CCUS technology与5G网络。"]


def test_spaces_next_to_chinese_are_dropped_but_kept_between_latin_words():
    assert texts("■ 城区人口 10万以上旗县，支持 Hello World 项目。") == [
        "城区人口10万以上旗县，支持Hello World项目。"
    ]


def test_number_split_across_lines_is_joined():
    # a newspaper column breaks anywhere, also inside a number
    assert texts("■ 630多家企业携27\n00余种农畜产品参展。") == ["630多家企业携2700余种农畜产品参展。"]


def test_latin_then_chinese_wrap_has_no_space():
    assert texts("■ 推广CCER\n林业碳汇。") == ["推广CCER林业碳汇。"]


def test_headings_become_the_section():
    page = (
        "一、总体要求\n"
        "■ 甲项。\n"
        "（二）推动产业结构调整\n"
        "■ 乙项。\n"
        "■ 丙项。\n"
        "三、 加强组织保障\n"
        "■ 丁项。\n"
    )
    parsed = parse_text(page)
    assert [(m.text, m.section) for m in parsed] == [
        ("甲项。", "一、总体要求"),
        ("乙项。", "（二）推动产业结构调整"),
        ("丙项。", "（二）推动产业结构调整"),
        ("丁项。", "三、加强组织保障"),
    ]


def test_no_bullets_no_measures():
    assert parse_text("") == []
    assert parse_text("一、总体要求\n本报记者 报道。\n") == []
    assert parse_text("■\n■   \n") == []


# -- property: any wrapping of any bullets parses back ---------------------------------------

_CJK = "推动建设国家产业发展支持研究内蒙古铁路公路机场能源生态人才金融，、（）《》“”"
# a measure has at least one word; a bullet of bare punctuation is page debris, not a measure
_piece = st.text(alphabet=_CJK + string.digits, min_size=1, max_size=40).filter(
    lambda t: any(ch.isalnum() for ch in t)
)


@st.composite
def wrapped_page(draw):
    bodies = draw(st.lists(_piece, min_size=1, max_size=6))
    expected = [body + "。" for body in bodies]
    lines: list[str] = []
    for text in expected:
        cuts = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=4))) if len(text) > 1 else []
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
        pieces[0] = "■ " + pieces[0]
        # Three one-character lines in a row are vertical text by rule (the newspaper's column
        # titles), which a real line-wrap never produces; keep the generated wraps realistic.
        assume(not any(all(len(p) == 1 for p in pieces[k : k + 3]) for k in range(len(pieces) - 2)))
        for piece in pieces:
            lines.append(piece)
            if draw(st.booleans()):
                lines.append("")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines), expected


@settings(max_examples=200, deadline=None)
@given(wrapped_page())
def test_any_wrapping_of_bullets_parses_back(case):
    page, expected = case
    assert texts(page) == expected
