"""The gazetteer: place names -> 盟市, on the seed and on the tricky substrings."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtrack.errors import InvalidValue, StoreError
from imtrack.ingest.parser import parse_text
from imtrack.resources import data_file
from imtrack.vocab.regions import (
    REGIONS,
    bundled_gazetteer,
    load_gazetteer,
    parse_region,
    regions_of,
    sorted_regions,
)


@pytest.fixture(scope="module")
def seed() -> list[str]:
    return [
        m.text
        for m in parse_text(data_file("000_57ace6c6df350a4e.txt").read_text(encoding="utf-8"))
    ]


def test_railway_measure_maps_to_exactly_six_regions(seed: list[str]) -> None:
    railway = seed[24]
    assert railway.startswith("研究强化呼南通道")
    assert regions_of(railway) == ["包头", "鄂尔多斯", "巴彦淖尔", "阿拉善盟", "呼伦贝尔", "兴安盟"]


def test_every_seed_measure(seed: list[str]) -> None:
    expected = {
        2: ["呼和浩特", "包头", "鄂尔多斯"],  # 呼包鄂
        15: ["包头"],
        21: ["兴安盟"],  # 阿尔山
        22: ["锡林郭勒盟"],  # 珠恩嘎达布其
        23: ["呼和浩特"],  # 和林格尔
        25: ["包头", "鄂尔多斯", "巴彦淖尔", "阿拉善盟", "呼伦贝尔", "兴安盟"],
        31: ["呼和浩特"],
    }
    actual = {i: regions_of(text) for i, text in enumerate(seed, start=1) if regions_of(text)}
    assert actual == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("支持和林格尔新区建设", ["呼和浩特"]),
        ("珠恩嘎达布其口岸", ["锡林郭勒盟"]),
        ("阿尔山至海拉尔", ["兴安盟", "呼伦贝尔"]),
        ("呼包鄂乌一体化", ["呼和浩特", "包头", "鄂尔多斯", "乌兰察布"]),
        ("呼包鄂榆城市群", ["呼和浩特", "包头", "鄂尔多斯"]),
        ("包头市青山区", ["包头"]),
        ("科尔沁右翼前旗", ["兴安盟"]),  # not 通辽's 科尔沁区
        ("科尔沁区", ["通辽"]),
        ("杭锦后旗与杭锦旗", ["巴彦淖尔", "鄂尔多斯"]),
        ("鄂托克前旗", ["鄂尔多斯"]),
        ("锡盟、阿拉善", ["锡林郭勒盟", "阿拉善盟"]),
        ("兴安盟", ["兴安盟"]),
        ("满洲里、二连浩特口岸", ["呼伦贝尔", "锡林郭勒盟"]),
        ("包 头", ["包头"]),  # spaces from PDF extraction
        ("ＸＸ包头", ["包头"]),
        ("大青山", ["呼和浩特", "包头", "乌兰察布"]),
        # not regions
        ("榆林、哈密、齐齐哈尔", []),
        ("呼南通道", []),
        ("包（银）海通道", []),
        ("包(银)海通道", []),
        ("红山文化遗址", []),
        ("鄂尔多斯盆地油气", []),
        ("大兴安岭", []),
        ("强化德育", []),
        ("多伦多", []),
        ("落实政策克服困难", []),
        ("内蒙古", []),
        ("", []),
    ],
)
def test_places(text: str, expected: list[str]) -> None:
    assert regions_of(text) == expected


def test_mentions_explain_the_match() -> None:
    assert bundled_gazetteer().mentions("临河至额济纳") == [
        ("临河", ("巴彦淖尔",)),
        ("额济纳", ("阿拉善盟",)),
    ]


def test_every_region_is_in_the_bundled_file() -> None:
    g = bundled_gazetteer()
    for region in REGIONS:
        assert regions_of(region.name) == [region.name]
    assert len(REGIONS) == 12 and len({r.slug for r in REGIONS}) == 12
    assert max(g.starts["达"]) == len("达尔罕茂明安联合旗")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("包头", "包头"),
        ("包头市", "包头"),
        ("baotou", "包头"),
        ("BaoTou", "包头"),
        ("阿拉善", "阿拉善盟"),
        ("阿拉善盟", "阿拉善盟"),
        ("alxa", "阿拉善盟"),
        ("兴安", "兴安盟"),
        ("锡盟", "锡林郭勒盟"),
        ("呼市", "呼和浩特"),
        ("ｈｏｈｈｏｔ", "呼和浩特"),
    ],
)
def test_parse_region(text: str, name: str) -> None:
    assert parse_region(text).name == name


def test_parse_region_rejects_places_and_unknowns() -> None:
    for text in ("榆林", "和林格尔", "", "mongolia"):
        with pytest.raises(InvalidValue, match="hohhot"):
            parse_region(text)


def test_sorted_regions_uses_official_order() -> None:
    assert sorted_regions(["阿拉善盟", "包头", "呼和浩特", "包头", "x"]) == [
        "呼和浩特",
        "包头",
        "阿拉善盟",
        "x",
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "places.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_gazetteer(tmp_path: Path) -> None:
    g = load_gazetteer(_write(tmp_path, '[[region]]\nname = "包头"\nplaces = ["稀土高新区"]\n'))
    assert g.regions_of("稀土高新区和赤峰") == ["包头", "赤峰"]  # the 12 names always count


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[region]]\nname = "榆林"\n', "not one of the 12"),
        (
            '[[region]]\nname = "包头"\nplaces = ["临河"]\n[[region]]\nname = "巴彦淖尔"\nplaces = ["临河"]\n',
            "both 包头 and 巴彦淖尔",
        ),
        ('[[region]]\nname = "包头"\n[[region]]\nname = "包头"\n', "listed twice"),
        ('[[region]]\nname = "包头"\nplaces = "临河"\n', "list of strings"),
        ('[[group]]\nname = "呼包"\nregions = ["呼市"]\n', "group 呼包"),
        ("[[region]\n", "not valid TOML"),
    ],
)
def test_bad_gazetteer_names_the_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(StoreError, match=message) as info:
        load_gazetteer(path)
    assert str(path) in str(info.value)


def test_missing_gazetteer(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot read gazetteer"):
        load_gazetteer(tmp_path / "none.toml")
