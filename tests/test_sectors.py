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
