"""The sector vocabulary, user input for sectors, and the keyword rules (bundled and custom)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtrack.errors import InvalidValue, StoreError
from imtrack.ingest.parser import parse_text
from imtrack.resources import data_file
from imtrack.vocab.sectors import BY_SLUG, SECTORS, load_rules, parse_sector

VOCABULARY = {
    "innovation": "科技创新",
    "talent": "人才",
    "industry": "产业",
    "services": "服务业",
    "culture-tourism": "文化旅游",
    "finance": "金融",
    "transport": "交通",
    "digital": "数字基础设施",
    "ecology": "生态",
    "energy": "能源",
    "agriculture": "农牧业",
    "reform": "改革",
    "opening-up": "对外开放",
    "social": "民生与社会事业",
    "other": "其他",
}


def seed_by_id() -> dict[int, str]:
    text = data_file("000_57ace6c6df350a4e.txt").read_text(encoding="utf-8")
    return {i: m.text for i, m in enumerate(parse_text(text), start=1)}


def classified(rules=None) -> dict[int, str]:
    rules = rules or load_rules()
    return {i: rules.classify(text) for i, text in seed_by_id().items()}


def test_vocabulary_has_the_15_sectors_with_their_labels():
    assert {s.slug: s.label for s in SECTORS} == VOCABULARY
    assert len(SECTORS) == 15
    assert SECTORS[-1].slug == "other"


@pytest.mark.parametrize(
    "typed, slug",
    [
        ("transport", "transport"),
        ("交通", "transport"),
        ("TRANSPORT", "transport"),
        ("Transport", "transport"),
        ("ｔｒａｎｓｐｏｒｔ", "transport"),  # full-width
        ("ＴＲＡＮＳＰＯＲＴ", "transport"),  # full-width upper case
        (" transport ", "transport"),
        ("culture-tourism", "culture-tourism"),
        ("文化旅游", "culture-tourism"),
        ("opening-up", "opening-up"),
        ("opening_up", "opening-up"),
        ("ＯＰＥＮＩＮＧ－ＵＰ", "opening-up"),
        ("对外开放", "opening-up"),
        ("民生与社会事业", "social"),
        ("数字基础设施", "digital"),
        ("其他", "other"),
    ],
)
def test_parse_sector_accepts_slug_label_and_width_or_case_variants(typed, slug):
    assert parse_sector(typed).slug == slug


def test_every_slug_and_label_parses_to_itself():
    for sector in SECTORS:
        assert parse_sector(sector.slug) is sector
        assert parse_sector(sector.label) is sector
        assert parse_sector(sector.slug.upper()) is sector


@pytest.mark.parametrize("typed", ["roads", "", "交通运输业", "trans", "digital infrastructure"])
def test_parse_sector_rejects_unknown_and_lists_the_choices(typed):
    with pytest.raises(InvalidValue) as info:
        parse_sector(typed)
    message = str(info.value)
    assert f"unknown sector {typed!r}" in message
    assert "use one of:" in message
    for slug, label in VOCABULARY.items():
        assert f"{slug} ({label})" in message


# -- the bundled rules on the seed ------------------------------------------------------------


def test_seed_transport_measures():
    sectors = classified()
    transport = {i for i, s in sectors.items() if s == "transport"}
    # 25 railways, 26 highways, 27 rural roads, 28 airports; also 17 (container transport by
    # road) and 30 (low-altitude airspace and low-altitude economy) are transport matters.
    assert transport == {17, 25, 26, 27, 28, 30}


def test_seed_digital_measures():
    sectors = classified()
    digital = {i for i, s in sectors.items() if s == "digital"}
    # 29 telecom, 31 computing-network hub, 32 network between hubs, 33 internet exchange, and
    # 34 emergency communications infrastructure for forest and grassland fire prevention.
    assert digital == {29, 31, 32, 33, 34}


def test_seed_other_areas_are_classified_by_topic():
    sectors = classified()
    assert {i for i, s in sectors.items() if s == "innovation"} == {1, 2, 3, 4, 5}
    assert {i for i, s in sectors.items() if s == "talent"} == {6, 7}
    assert {i for i, s in sectors.items() if s == "culture-tourism"} == {19, 20, 21, 22}
    assert {i for i, s in sectors.items() if s == "finance"} == {23, 24}
    assert set(sectors.values()) <= set(BY_SLUG)


def test_classify_matches_across_widths_and_falls_back_to_other():
    rules = load_rules()
    assert rules.classify("建设５Ｇ基站") == "digital"
    assert rules.classify("建设5g基站") == "digital"
    assert rules.classify("今天天气很好。") == "other"


# -- custom rules -----------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sector-rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_rules_file_changes_classification(tmp_path):
    rules = load_rules(
        write(
            tmp_path,
            '[[rule]]\nsector = "social"\nstrong = ["银发经济"]\n\n'
            '[[rule]]\nsector = "ecology"\nkeywords = ["森林草原"]\n',
        )
    )
    assert rules.path == tmp_path / "sector-rules.toml"
    sectors = classified(rules)
    assert sectors[18] == "social"  # 培育发展银发经济 was services with the bundled rules
    assert sectors[34] == "ecology"
    assert sectors[25] == "other"  # no rule mentions railways any more
    assert classified()[18] == "services"


def test_strong_phrases_outweigh_keywords_and_ties_go_to_the_first_rule(tmp_path):
    rules = load_rules(
        write(
            tmp_path,
            '[[rule]]\nsector = "energy"\nkeywords = ["甲", "乙"]\n\n'
            '[[rule]]\nsector = "ecology"\nstrong = ["丙"]\n\n'
            '[[rule]]\nsector = "finance"\nkeywords = ["甲", "乙"]\n',
        )
    )
    assert rules.classify("甲乙丙") == "ecology"
    assert rules.classify("甲乙") == "energy"


def test_rules_naming_an_unknown_sector_are_rejected(tmp_path):
    path = write(tmp_path, '[[rule]]\nsector = "transport"\nstrong = ["铁路"]\n\n[[rule]]\nsector = "roads"\n')
    with pytest.raises(StoreError) as info:
        load_rules(path)
    message = str(info.value)
    assert str(path) in message
    assert "rule 2 names unknown sector 'roads'" in message
    assert "transport" in message and "opening-up" in message


def test_rules_without_a_sector_are_rejected(tmp_path):
    path = write(tmp_path, '[[rule]]\nstrong = ["铁路"]\n')
    with pytest.raises(StoreError, match="rule 1 names unknown sector None"):
        load_rules(path)


def test_invalid_toml_is_a_clear_error(tmp_path):
    path = write(tmp_path, '[[rule]\nsector = "transport"\n')
    with pytest.raises(StoreError) as info:
        load_rules(path)
    message = str(info.value)
    assert str(path) in message and "not valid TOML" in message and "fix the file" in message


def test_missing_rules_file_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="cannot read sector rules"):
        load_rules(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[[rule]]\nsector = "transport"\nstrong = "铁路"\n', "'strong' must be a list of phrases"),
        ('[[rule]]\nsector = "transport"\nkeywords = ["铁路", 5]\n', "'keywords' must be a list of phrases"),
        ('[rule]\nsector = "transport"\nstrong = ["铁路"]\n', "as a [[rule]] table"),
        ('rule = "transport"\n', "as a [[rule]] table"),
    ],
)
def test_malformed_rules_are_a_clear_error(tmp_path, text, expected):
    """A string where a list belongs would otherwise match every single character."""
    path = write(tmp_path, text)
    with pytest.raises(StoreError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


# -- the task areas of the opinion beyond the bundled area ② ---------------------------------

# Measures in the wording of the other task areas of 国发〔2023〕16号 (① ecology, ③ energy and
# strategic resources, ④ agriculture and animal husbandry, ⑤ opening up to the north, ⑥ reform,
# ⑦ livelihoods); before the rules covered them, 黄河节水, 乌梁素海修复 and 三北工程 fell into 其他.
# (expected sector, text)
OPINION_TASK_AREAS = [
    # ① 筑牢我国北方重要生态安全屏障
    ("ecology", "实施黄河流域深度节水控水行动，严格水资源刚性约束，推进地下水超采综合治理。"),
    ("ecology", "推进乌梁素海流域山水林田湖草沙一体化保护和修复，加强呼伦湖、岱海生态保护治理。"),
    ("ecology", "全力打好三北工程攻坚战，集中力量打好科尔沁、浑善达克两大沙地歼灭战。"),
    ("ecology", "支持开展黄河“几字弯”攻坚战，推进库布其、乌兰布和沙漠锁边治理。"),
    ("ecology", "落实草原生态保护补助奖励政策，科学推进国土绿化。"),
    ("ecology", "推进历史遗留矿山生态修复，建设绿色矿山。"),
    ("ecology", "积极稳妥推进碳达峰碳中和，开展减污降碳协同创新。"),
    # ③ 国家重要能源和战略资源基地
    ("energy", "加快建设大型风电光伏基地和特高压外送通道，推进新能源外送消纳。"),
    ("energy", "有序推进煤矿先进产能建设，提升煤炭安全稳定供应能力，做好能源保供。"),
    ("energy", "推进抽水蓄能电站和新型储能规模化发展，构建源网荷储一体化的新型电力系统。"),
    ("energy", "加快建设绿氢生产基地，推进风光制氢一体化示范。"),
    ("energy", "稳妥推进现代煤化工产业示范，推动煤制油气高端化发展。"),
    ("energy", "加强战略性矿产资源勘查开发，建设国家战略资源基地。"),
    # ④ 国家重要农畜产品生产基地
    ("agriculture", "实施高标准农田建设工程，推进黑土地保护和盐碱地综合利用。"),
    ("agriculture", "实施奶业振兴行动，建设优质肉牛肉羊生产基地。"),
    ("agriculture", "推进河套灌区现代化改造，发展高效节水灌溉。"),
    ("agriculture", "实施种业振兴行动，建设国家级育种制种基地。"),
    ("agriculture", "扛稳粮食安全责任，稳定粮食播种面积。"),
    # ⑥ 深化改革
    ("reform", "深化国资国企改革，提高国有企业核心竞争力。"),
    ("reform", "持续优化营商环境，依法保护民营企业产权和企业家权益。"),
    ("reform", "稳妥推进草原承包经营权确权登记，深化集体林权制度改革。"),
    ("reform", "探索开展水权、排污权、用能权市场化交易。"),
    # ⑤ 向北开放重要桥头堡
    ("opening-up", "提升满洲里、二连浩特等口岸功能，推进智慧口岸建设。"),
    ("opening-up", "高质量共建中蒙俄经济走廊，深度融入共建“一带一路”。"),
    ("opening-up", "支持建设综合保税区，发展跨境电商。"),
    ("opening-up", "支持满洲里、二连浩特国家重点开发开放试验区建设。"),
    # ⑦ 民生与社会事业
    ("social", "实施就业优先战略，做好高校毕业生等重点群体就业工作。"),
    ("social", "推进义务教育优质均衡发展，支持高校“双一流”建设。"),
    ("social", "推进国家区域医疗中心建设，提升基层医疗卫生服务能力。"),
    ("social", "铸牢中华民族共同体意识，深入开展民族团结进步创建。"),
    ("social", "实施兴边富民行动，提升边境地区基本公共服务水平。"),
    ("social", "推进城镇老旧小区改造，完善社区养老托育服务设施。"),
    ("ecology", "实施黄河流域深度节水控水行动。"),
    ("ecology", "加快乌梁素海流域山水林田湖草沙一体化修复。"),
    ("ecology", "高质量推进三北工程建设。"),
]


@pytest.mark.parametrize(("expected", "text"), OPINION_TASK_AREAS)
def test_rules_cover_every_task_area_of_the_opinion(expected, text):
    assert load_rules().classify(text) == expected


def test_every_task_area_sector_is_exercised():
    assert {s for s, _ in OPINION_TASK_AREAS} == {"ecology", "energy", "agriculture", "reform", "opening-up", "social"}
