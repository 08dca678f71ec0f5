"""The reader on document shapes the corpus does not have: provincial and city documents,
labelled responsibility lists, 下同 carry-over, deadlines in clauses, 第X条 items, bullets, top-level
numbering, noise and damage; and a property: re-wrapping an official document's paragraphs never
changes what is read."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imtrack.ingest.clauses import parse_clause, split_clauses
from imtrack.ingest.parser import read_document
from imtrack.ingest.structure import Level, level_of, read_header

PROVINCIAL = """内蒙古自治区人民政府办公厅关于印发
数字经济发展行动方案的通知
内政办发〔2024〕12号
各盟行政公署、市人民政府，自治区各委、办、厅、局：
现将《数字经济发展行动方案》印发给你们，请认真贯彻落实。
内蒙古自治区人民政府办公厅
2024年3月1日
一、总体要求
（一）指导思想。以数字化转型为主线，推动高质量发展。
（二）工作原则——坚持创新驱动，坚持开放合作。
二、重点任务
（一）加快建设算力网络。推进和林格尔数据中心集群建设。（自治区发展改革委牵头，自治区工业和信息化厅、数据局配合，各盟市人民政府负责落实，下同）
（二）培育数字产业。支持软件企业发展，打造3个产业园。（自治区工业和信息化厅牵头，2025年底前完成）
（三）推进政务数字化。
1.建设一体化政务服务平台。（数据局负责，6月底前）
2.推动数据共享。（自治区政务服务与数据管理局、自治区发展改革委负责。列第一位者为牵头单位，下同）
三、保障措施
（一）加强组织领导。各盟市要建立工作机制。（各盟市人民政府按职责分工负责）
（二）强化资金保障。统筹用好各类资金。
"""


def _row(m):
    return (m.number, m.path, m.text, m.lead, m.partners, m.due)


def test_provincial_document_clauses_carry_over_and_deadlines():
    reading = read_document(PROVINCIAL)
    assert (reading.doc_number, reading.issuer, reading.date, reading.level) == (
        "内政办发〔2024〕12号", "内蒙古自治区人民政府办公厅", "2024-03-01", "region",
    )
    rows = [_row(m) for m in reading.measures]
    assert rows == [
        ("（一）", ("二、重点任务",), "加快建设算力网络。推进和林格尔数据中心集群建设。", "自治区发展改革委",
         ["自治区工业和信息化厅", "数据局", "各盟市人民政府"], None),
        # 下同: the 盟市 governments carry over to every later clause of 二、
        ("（二）", ("二、重点任务",), "培育数字产业。支持软件企业发展，打造3个产业园。", "自治区工业和信息化厅",
         ["各盟市人民政府"], "2025-12-31"),
        # 6月底前 counts from the document's date (2024)
        ("1.", ("二、重点任务", "（三）推进政务数字化"), "建设一体化政务服务平台。", "数据局",
         ["各盟市人民政府"], "2024-06-30"),
        ("2.", ("二、重点任务", "（三）推进政务数字化"), "推动数据共享。", "自治区政务服务与数据管理局",
         ["自治区发展改革委", "各盟市人民政府"], None),
        # a new top-level section ends the carry-over; collectives alone name no lead
        ("（一）", ("三、保障措施",), "加强组织领导。各盟市要建立工作机制。", None, ["各盟市人民政府"], None),
        ("（二）", ("三、保障措施",), "强化资金保障。统筹用好各类资金。", None, [], None),
    ]
    whys = {s.line: s.why for s in reading.skipped}
    assert whys[9] == whys[10] == "under 一、总体要求 (a preamble, not a task)"
    assert [h.text for h in reading.headings if h.preamble] == ["一、总体要求"]


def test_preamble_items_outside_a_preamble_section():
    text = "一、工作要求\n（一）指导思想。坚持稳中求进。\n（二）工作原则——坚持创新驱动，坚持开放合作。\n（三）加强统筹。\n"
    reading = read_document(text)
    assert [m.number for m in reading.measures] == ["（三）"]
    assert [s.why for s in reading.skipped] == [
        "指导思想 (a preamble, not a task)",
        "工作原则 (a preamble, not a task)",  # "工作原则——…" is titled like "工作原则。"
    ]


def test_several_clauses_keep_their_sentences():
    text = "（五）完善设施。建设场馆。（体育总局负责）开放学校场地（教育部、体育总局负责）。推广服务。"
    m = read_document(text).measures[0]
    assert m.text == "完善设施。建设场馆。开放学校场地。推广服务。"
    assert [(c.sentence, c.agencies) for c in m.clauses] == [
        ("完善设施。建设场馆。", ("体育总局",)),
        ("开放学校场地。", ("教育部", "体育总局")),
    ]
    assert (m.lead, m.partners) == ("体育总局", [])


def test_first_listed_leads_and_clauses_with_full_stops_do_not_swallow_the_next_item():
    text = (
        "二、主要任务\n"
        "（一）加大财政支持。（财政部、工业和信息化部、人民银行负责。列第一位者为牵头单位，下同）\n"
        "（二）优化审批流程（国务院各部门，各省级人民政府按职责分工负责）。\n"
        "（三）加强监测。\n"
    )
    rows = [(m.text, m.lead, m.partners) for m in read_document(text).measures]
    assert rows == [
        ("加大财政支持。", "财政部", ["工业和信息化部", "人民银行"]),
        ("优化审批流程。", None, ["国务院各部门", "各省级人民政府"]),
        ("加强监测。", None, []),
    ]


def test_square_brackets_roles_in_labels_and_carry_over_of_local_governments():
    # the shape of provincial plans that write 〔责任单位：…〕 with round brackets inside
    text = (
        "某发改〔2022〕5号\n一、深化流通改革\n"
        "（一）加强市场体系建设。推进高标准市场体系建设。〔责任单位:省发展改革委、省市场监管局按职责分工负责。"
        "具体任务均涉及相关市(州)人民政府,不再做分工,下同。〕\n"
        "（二）优化市场准入环境。推行“证照分离”改革。〔责任单位:省市场监管局〕\n"
        "二、强化监测\n"
        "（三）做好经济运行监测。(省发展改革委、省统计局等按职责分工负责)\n"
        "（四）推进数据共享。（市政府办公室牵头，市级各有关部门及各县市区政府按职责分工负责）\n"
    )
    rows = [(m.text, m.lead, m.partners) for m in read_document(text).measures]
    assert rows == [
        ("加强市场体系建设。推进高标准市场体系建设。", "省发展改革委", ["省市场监管局", "相关市(州)人民政府"]),
        ("优化市场准入环境。推行“证照分离”改革。", "省市场监管局", ["相关市(州)人民政府"]),
        ("做好经济运行监测。", "省发展改革委", ["省统计局"]),
        ("推进数据共享。", "市政府办公室", ["市级各有关部门", "各县市区政府"]),
    ]


def test_labelled_lists_in_brackets_and_below_the_item():
    text = (
        "1. 建设数据平台。(责任单位：市发展改革委、市财政局)\n"
        "2. 推进智慧城市建设。\n"
        "牵头单位：市科技局\n"
        "配合单位：市财政局，市工信局\n"
        "完成时限：2024年6月底前\n"
        "3. 完善统计制度。负责部门：市统计局；范围：全市\n"
    )
    rows = [(m.text, m.lead, m.partners, m.due) for m in read_document(text, today=_day(2024, 1, 5)).measures]
    assert rows == [
        ("建设数据平台。", "市发展改革委", ["市财政局"], None),
        ("推进智慧城市建设。", "市科技局", ["市财政局", "市工信局"], "2024-06-30"),
        ("完善统计制度。", "市统计局", [], None),
    ]


def _day(y: int, m: int, d: int):
    from datetime import date

    return date(y, m, d)


def test_a_bracket_with_a_deadline_alone_sets_the_due():
    text = (
        "某政发〔2024〕3号\n一、重点任务\n"
        "（一）建成数据平台（2025年底前完成）。推进共享。（省数据局负责）\n"
        "（二）出台配套政策。（完成时限：6月底前）\n"
        "（三）编制实施方案（2023—2025年）。\n"
        "省人民政府\n2024年1月5日\n"
    )
    rows = [(m.text, m.lead, m.due, [(c.sentence, c.agencies) for c in m.clauses]) for m in read_document(text).measures]
    assert rows == [
        ("建成数据平台。推进共享。", "省数据局", "2025-12-31", [("建成数据平台。推进共享。", ("省数据局",))]),
        ("出台配套政策。", None, "2024-06-30", []),
        ("编制实施方案（2023—2025年）。", None, None, []),
    ]


def test_clause_parts():
    c = parse_clause("省发展改革委牵头，省直有关部门按职责分工负责，2025年底前完成")
    assert (c.lead, c.partners, c.due) == ("省发展改革委", ["省直有关部门"], "2025-12-31")
    c = parse_clause("商务部指导，供销合作总社参与")
    assert c.agencies == ("商务部", "供销合作总社")
    c = parse_clause("生态环境部指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出")
    assert (c.agencies, c.carry) == (("生态环境部", "试点城市政府"), ("试点城市政府",))
    c = parse_clause("扶贫办、教育部等和各省级人民政府负责")
    assert c.agencies == ("扶贫办", "教育部", "各省级人民政府")
    assert parse_clause("长期坚持") is None  # a deadline alone names nobody
    assert parse_clause("X牵头，长期坚持").due == "ongoing"
    for not_a_clause in ("试行", "2023—2025年", "以下简称“三项制度”", "含技工院校"):
        assert parse_clause(not_a_clause) is None


def test_an_explanation_in_brackets_mid_sentence_is_not_a_clause():
    text = "开展职业技能等级证书的实施（技工院校内由人力资源社会保障行政部门负责），国务院部门做好指导。"
    split = split_clauses(text)
    assert (split.text, split.found) == (text, [])


def test_titles_without_a_full_stop_keep_their_body_on_its_own_line():
    text = (
        "某政办发〔2016〕26号\n一、围绕深化改革推进公开\n"
        "（一）进一步推进权力清单公开\n对权力清单进行动态调整。指导各区政府做好公开工作。\n"
        "（二）推进政策解读\n做好政策解读。\n及时回应关切。\n"
    )
    assert [m.text for m in read_document(text).measures] == [
        "进一步推进权力清单公开\n对权力清单进行动态调整。指导各区政府做好公开工作。",
        "推进政策解读\n做好政策解读。\n及时回应关切。",
    ]


def test_articles_numbered_di_x_tiao():
    text = (
        "第一章 总则\n第一条 为了规范管理，制定本办法。\n"
        "第二章 职责分工\n第五条 各级人民政府应当建立协调机制。\n第六条 市场监管部门负责日常监督检查。\n"
    )
    rows = [(m.number, m.path, m.text) for m in read_document(text).measures]
    assert rows == [
        ("第五条", ("第二章职责分工",), "各级人民政府应当建立协调机制。"),
        ("第六条", ("第二章职责分工",), "市场监管部门负责日常监督检查。"),
    ]


def test_bullets_keep_their_glyph_and_clause():
    text = "一、重点任务\n■ 推进项目建设。（市发改委牵头，市财政局配合）\n● 完善配套政策。\n◆ 加强督导。\n"
    rows = [(m.number, m.text, m.lead, m.partners) for m in read_document(text).measures]
    assert rows == [
        ("■", "推进项目建设。", "市发改委", ["市财政局"]),
        ("●", "完善配套政策。", None, []),
        ("◆", "加强督导。", None, []),
    ]


def test_top_level_numbering_is_read_not_refused():
    items = [f"{n}、推进第{k}项工作落实。（省发展改革委负责）" for k, n in enumerate("一二三四五", 1)]
    reading = read_document("\n".join(items))
    assert [(m.number, m.text, m.lead) for m in reading.measures] == [
        (f"{n}、", f"推进第{k}项工作落实。", "省发展改革委") for k, n in enumerate("一二三四五", 1)
    ]


def test_holiday_notice_is_not_a_measure_document():
    text = "一、元旦：1月1日放假，共1天。\n二、春节：2月10日至17日放假调休，共8天。\n"
    reading = read_document(text)
    assert reading.measures == []
    assert {s.why for s in reading.skipped} == {"states no action (no policy verb or duty word)"}


def test_newspaper_noise_is_never_a_measure():
    text = (
        "■ 推进数据中心建设。\n"
        "■下转第2版\n"
        "（上接第1版）\n"
        "图为和林格尔数据中心。\n"
        "本报讯（记者 王玉琢）日前，某地举行了一场活动。\n"
        "■ 加快算力网络建设。\n"
    )
    reading = read_document(text)
    assert [m.text for m in reading.measures] == ["推进数据中心建设。", "加快算力网络建设。"]
    whys = {s.text[:4]: s.why for s in reading.skipped}
    assert whys == {
        "■下转第": "newspaper jump line",
        "（上接第": "newspaper jump line",
        "图为和林": "caption",
        "本报讯（": "dateline",
    }


def test_attachment_lists_and_distribution_blocks_are_not_measures():
    text = (
        "某政发〔2024〕3号\n一、重点任务\n（一）推进项目建设。\n（二）完善配套政策。\n"
        "附件：1.重点任务分工表\n2.责任清单\n"
        "抄送：省委各部门，省人大常委会办公厅。\n某某省人民政府办公厅 2024年1月5日印发\n"
    )
    reading = read_document(text)
    assert [m.text for m in reading.measures] == ["推进项目建设。", "完善配套政策。"]
    assert [s.why for s in reading.skipped if s.line > 4] == [
        "list of attachments", "list of attachments", "distribution block", "distribution block",
    ]


def test_a_final_item_cut_off_mid_sentence_is_flagged():
    text = "1. 建设数据平台。\n2. 推进智慧城市建设。\n3. 完善统计制度，建立健全数据"
    measures = read_document(text).measures
    assert [m.incomplete for m in measures] == [False, False, True]
    assert measures[-1].text == "完善统计制度，建立健全数据"
    # a list of phrases that never end their sentences is not cut off
    assert not any(m.incomplete for m in read_document("1. 培育发展银发经济\n2. 发展低空经济").measures)


def test_issuing_level():
    assert level_of(read_header(["国办发〔2018〕121号"])) == (Level.NATIONAL, "")
    assert level_of(read_header(["包头市人民政府", "2024年1月2日"])) == (Level.CITY, "包头市")
    assert level_of(read_header(["内蒙古自治区人民政府", "2024年1月2日"])) == (Level.REGION, "自治区")
    assert level_of(read_header([]), "national") == (Level.NATIONAL, "")
    assert level_of(read_header(["中共中央办公厅\u3000国务院办公厅", "2019年1月2日"])) == (Level.NATIONAL, "")
    assert level_of(read_header(["中办发〔2019〕3号"])) == (Level.NATIONAL, "")
    assert level_of(read_header(["四川省发展和改革委员会", "2022年10月18日"])) == (Level.PROVINCE, "四川省")
    assert level_of(read_header(["国务院", "2019年1月2日"]), "鄂尔多斯市人民政府") == (Level.CITY, "鄂尔多斯市")


def test_empty_and_measureless_text():
    assert read_document("").measures == []
    assert read_document("各地区要高度重视。\n国务院\n2019年1月2日\n").measures == []


# -- property: re-wrapping an official document never changes what is read -----------------------

_CHARS = "推进建设支持发展加快完善产业能源科技交通生态农业服务金融数字开放改革人才平台体系机制项目工程基地示范"
_words = st.text(alphabet=_CHARS, min_size=2, max_size=10)
_long = st.text(alphabet=_CHARS, min_size=4, max_size=10)
_agency = st.builds(lambda w: w + "局", st.text(alphabet=_CHARS, min_size=1, max_size=4))
_NUMBERS = "一二三四五六"


@st.composite
def official(draw):
    """(paragraph lines, expected rows): a header, a preamble, sections of items written either
    as 'title。body（clause）' on one line or as a bare title with body paragraphs below it."""
    titled = draw(st.booleans())
    lines = ["某某省人民政府关于推进某某工作的意见", "某政发〔2024〕3号", "一、总体要求", "（一）指导思想。坚持稳中求进。"]
    expected = []
    for s in range(draw(st.integers(1, 3))):
        heading = f"{_NUMBERS[s + 1]}、{draw(_words)}"
        lines.append(heading)
        for k in range(draw(st.integers(1, 3))):
            number = f"（{_NUMBERS[k]}）"
            title = draw(_words) + "。"
            paragraphs = ["，".join(draw(st.lists(_long, min_size=3, max_size=4))) + "。" for _ in range(draw(st.integers(1, 2)))]
            lead = draw(st.one_of(st.none(), _agency))
            clause = f"（{lead}牵头）" if lead else ""
            if titled:
                lines.append(number + title)
                lines.extend(paragraphs[:-1])
                lines.append(paragraphs[-1] + clause)
                text = title + "\n" + "\n".join(paragraphs)
            else:
                lines.append(number + title + "".join(paragraphs) + clause)
                text = title + "".join(paragraphs)
            expected.append((number, (heading,), text, lead))
    lines += ["某某省人民政府", "2024年1月2日"]
    return lines, expected


def _wrap(line: str, width: int) -> list[str]:
    """`line` cut every `width` characters, as a page column wraps it: never right after a
    sentence end (that is a paragraph break) nor inside the item's number, and never leaving one
    character alone on a line (vertical text by rule): such a cut moves one character back."""
    start = line.index("）") + 1 if line.startswith("（") else 0
    cuts, at = [], max(width, start + 1)
    while at < len(line):
        while at < len(line) and line[at - 1] in "。）":
            at += 1
        if at < len(line):
            cuts.append(at)
        at += width
    while cuts and len(line) - cuts[-1] == 1:
        back = cuts[-1] - 1
        while back > (cuts[-2] if len(cuts) > 1 else start) and line[back - 1] in "。）":
            back -= 1
        if back <= (cuts[-2] + 1 if len(cuts) > 1 else start):
            cuts.pop()  # no room: the last two characters stay on the line before
        else:
            cuts[-1] = back
    return [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]


@settings(max_examples=150, deadline=None)
@given(official(), st.integers(2, 12), st.booleans())
def test_rewrapping_an_official_document_changes_nothing(doc, width, blank_lines):
    """Body paragraphs are longer than the column, as on a page: wrapped text then ends most
    lines mid-sentence, which tells it from a document laid out one paragraph per line."""
    lines, expected = doc
    read = [(m.number, m.path, m.text, m.lead) for m in read_document("\n".join(lines)).measures]
    assert read == expected
    wrapped: list[str] = []
    for k, line in enumerate(lines):
        # headings, the 文号 and the signature are short centred lines that a column never breaks
        whole = "、" in line[:3] or k < 2 or k >= len(lines) - 2
        wrapped.extend([line] if whole else _wrap(line, width))
        if blank_lines:
            wrapped.append("")
    # A paragraph whose last line exactly fills the column cannot be told from one that goes on:
    # the words are kept, the break between the two paragraphs may not be.
    rewrapped = [(m.number, m.path, m.text.replace("\n", ""), m.lead) for m in read_document("\n".join(wrapped)).measures]
    assert rewrapped == [(n, p, text.replace("\n", ""), lead) for n, p, text, lead in expected]


def test_official_documents_keep_yi_shi_er_shi_inside_the_item():
    text = (
        "某政发〔2024〕3号\n第一部分 重点任务\n"
        "（一）加强队伍建设。一是加强培训。二是完善考核。\n（二）强化保障。\n（此页无正文）\n"
    )
    rows = [(m.number, m.path, m.text) for m in read_document(text).measures]
    assert rows == [
        ("（一）", ("第一部分重点任务",), "加强队伍建设。一是加强培训。二是完善考核。"),
        ("（二）", ("第一部分重点任务",), "强化保障。"),
    ]


_unit = st.builds(
    lambda w, s: w + s, st.text(alphabet="发展改革财政科技交通商务教育文化旅游", min_size=1, max_size=4),
    st.sampled_from(["局", "厅", "委", "部", "办"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_unit, min_size=1, max_size=3), st.lists(_unit, max_size=3), st.integers(0, 4), st.booleans())
def test_every_clause_form_names_the_same_lead_and_partners(leads, partners, form, half_width):
    """The forms a clause takes all say the same thing: who leads and who assists."""
    names = "、".join(leads)
    others = "、".join(partners)
    lead_only = not partners
    inner = [
        f"{names}{'' if lead_only else '、' + others}负责",
        f"{names}牵头" + ("" if lead_only else f"，{others}配合"),
        f"牵头单位：{names}" + ("" if lead_only else f"；配合单位：{others}"),
        f"{names}{'' if lead_only else '、' + others}负责。列第一位者为牵头单位，下同",
        f"责任单位：{names}{'' if lead_only else '、' + others}，2025年底前完成",
    ][form]
    if half_width:
        inner = inner.replace("，", ",").replace("；", ";").replace("：", ":")
    clause = parse_clause(inner)
    assert clause is not None
    assert (clause.lead, clause.partners) == (leads[0], [*leads[1:], *partners])
    assert clause.due == ("2025-12-31" if form == 4 else None)
    text = f"（一）推进工作。（{inner}）"
    m = read_document(text).measures[0]
    assert (m.text, m.lead, m.partners) == ("推进工作。", leads[0], [*leads[1:], *partners])
