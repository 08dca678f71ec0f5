"""Commitment type from the leading policy verb, on all 34 seed measures and the rule's corners."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtrack.errors import InvalidValue, StoreError
from imtrack.ingest.parser import parse_text
from imtrack.resources import data_file
from imtrack.vocab.commitment import (
    COMMITMENTS,
    bundled_rules,
    commitment_of,
    label,
    load_rules,
    parse_commitment,
)

# Reasoned out by hand, measure by measure (1-based, in seed order), with the deciding verb.
EXPECTED = {
    1: ("implement", "建设"),  # 聚焦……领域，(framing) 布局建设国家级创新平台
    2: ("support", "支持"),
    3: ("advance", "加快"),  # 加快推动建设……，研究支持……: the leading verb is 加快
    4: ("encourage", "鼓励"),
    5: ("support", "支持"),
    6: ("support", "给予"),  # 在……布局上给予倾斜: no verb at the head; 布局 is a noun here
    7: ("support", "支持"),
    8: ("advance", "推进"),  # 大力 (adverb) 推进
    9: ("advance", "推动"),
    10: ("encourage", "鼓励"),
    11: ("advance", "发展"),  # 有序 (adverb) 发展
    12: ("support", "支持"),
    13: ("advance", "推动"),
    14: ("encourage", "鼓励"),
    15: ("advance", "加快"),
    16: ("support", "支持"),
    17: ("study", "研究"),
    18: ("advance", "培育"),
    19: ("implement", "实施"),
    20: ("implement", "纳入"),  # 将西辽河文明研究纳入……: 研究 is part of the object, not the verb
    21: ("advance", "推进"),
    22: ("support", "支持"),
    23: ("study", "研究"),
    24: ("support", "支持"),
    25: ("study", "研究"),  # the railway measure leads with 研究强化……衔接
    26: ("advance", "推动"),  # 在严格防范地方债务风险的前提下，(condition) 推动
    27: ("implement", "完善"),
    28: ("support", "支持"),
    29: ("implement", "提升"),
    30: ("implement", "开展"),  # 开展低空空域改革: a light verb, but the object is a reform
    31: ("advance", "加快"),
    32: ("advance", "推动"),
    33: ("study", "开展"),  # 开展……可行性研究论证: a feasibility study
    34: ("support", "支持"),
}


@pytest.fixture(scope="module")
def seed() -> list[str]:
    return [
        m.text
        for m in parse_text(data_file("000_57ace6c6df350a4e.txt").read_text(encoding="utf-8"))
    ]


def test_all_34_seed_measures(seed: list[str]) -> None:
    assert len(seed) == 34
    rules = bundled_rules()
    actual = {i: rules.explain(text) for i, text in enumerate(seed, start=1)}
    assert actual == EXPECTED


def test_seed_counts_by_type(seed: list[str]) -> None:
    counts: dict[str, int] = {}
    for text in seed:
        slug = commitment_of(text)
        counts[slug] = counts.get(slug, 0) + 1
    assert counts == {"study": 4, "support": 10, "encourage": 3, "advance": 11, "implement": 6}


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("研究设立数据产业园。", "study"),
        ("探索建立生态补偿机制。", "study"),
        ("在符合国土空间规划的基础上，支持建设风电基地。", "support"),
        ("在严格保护生态的前提下有序推进煤炭开发。", "advance"),
        ("围绕稀土产业链，鼓励企业兼并重组。", "encourage"),
        ("进一步加大支持力度。", "support"),
        ("积极稳妥推进改革。", "advance"),
        ("切实加强草原保护。", "implement"),
        ("把生态保护列入考核。", "implement"),
        ("开展前期研究。", "study"),
        ("开展试点，研究推广经验。", "implement"),  # the first clause is not a study
        ("ＸＸ支持建设。", "support"),  # no verb at the head: the earliest one
        ("　鼓励 社会资本参与。", "encourage"),  # full-width space, stray space
        ("内蒙古自治区。", "other"),
        ("", "other"),
    ],
)
def test_rule_corners(text: str, slug: str) -> None:
    assert commitment_of(text) == slug


def test_vocabulary_and_labels() -> None:
    assert [c.slug for c in COMMITMENTS] == [
        "study",
        "support",
        "encourage",
        "advance",
        "implement",
        "other",
    ]
    assert label("study") == "研究" and label("advance") == "推进" and label("nope") == "nope"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("study", "study"),
        ("STUDY", "study"),
        ("研究", "study"),
        ("推动", "advance"),
        ("加快", "advance"),
        ("实施", "implement"),
        ("建设", "implement"),
        ("其他", "other"),
        ("鼓励", "encourage"),
    ],
)
def test_parse_commitment(text: str, slug: str) -> None:
    assert parse_commitment(text).slug == slug


def test_parse_commitment_rejects_unknown() -> None:
    with pytest.raises(InvalidValue, match="study \\(研究\\)"):
        parse_commitment("promise")


def _rules(tmp_path: Path, text: str):
    path = tmp_path / "commitments.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_custom_rules_file(tmp_path: Path) -> None:
    rules = _rules(tmp_path, '[types]\nstudy = ["谋划"]\n')
    assert commitment_of("谋划建设新通道", rules) == "study"
    assert commitment_of("支持建设", rules) == "other"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[types]\npromise = ["承诺"]\n', "unknown type 'promise'"),
        ('[types]\nstudy = ["研究"]\nsupport = ["研究"]\n', "both study and support"),
        ('[types]\nstudy = "研究"\n', "list of strings"),
        ('[types]\nstudy = ["研究"]\n[ba]\nverbs = ["纳入"]\n', "must also be listed"),
        ("[types\n", "not valid TOML"),
    ],
)
def test_bad_rules_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        _rules(tmp_path, text)
    assert "commitments.toml" in str(info.value)


# -- the leading condition and the first clause, without re (start-up) -------------------------

_CONDITION_RE = r"^在[^,。;!?]{0,80}?(?:前提下|基础上|条件下|情况下|过程中|框架下),?"


def _condition_texts():
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        ["在", "前提下", "基础上", "框架下", "过程中", "前提", "下", ",", "。", ";", "!", "?", "推进", "研究", "a"]
    )
    filler = st.integers(min_value=0, max_value=90).map(lambda n: "字" * n)
    return st.lists(st.one_of(pieces, filler), max_size=8).map("".join).map(lambda s: "在" + s)


def test_condition_and_clause_match_the_patterns_they_replace():
    import re

    from hypothesis import given, settings

    from imtrack.vocab.commitment import _clause_end, _without_condition

    condition, clause_end = re.compile(_CONDITION_RE), re.compile(r"[,。;!?]")

    @settings(max_examples=400, deadline=None)
    @given(_condition_texts())
    def check(text: str) -> None:
        for s in (text, text[1:]):
            assert _without_condition(s) == condition.sub("", s, count=1)
            assert s[: _clause_end(s)] == clause_end.split(s, maxsplit=1)[0]

    check()
    assert _without_condition("在" + "字" * 80 + "前提下,推进") == "推进"
    assert _without_condition("在" + "字" * 81 + "前提下,推进").startswith("在")
