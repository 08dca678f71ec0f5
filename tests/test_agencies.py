"""Agency alias table: canonical names, folding, pass-through and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtrack.errors import StoreError
from imtrack.vocab.agencies import bundled_agencies, canonical, is_known, load_agencies


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("发改委", "自治区发展改革委"),
        ("发展改革委", "自治区发展改革委"),
        ("自治区发展改革委", "自治区发展改革委"),
        ("自治区发改委", "自治区发展改革委"),
        ("内蒙古自治区发展和改革委员会", "自治区发展改革委"),
        ("发 改 委", "自治区发展改革委"),
        ("　发改委　", "自治区发展改革委"),  # full-width spaces
        ("科技厅", "自治区科技厅"),
        ("内蒙古科技厅", "自治区科技厅"),
        ("工信厅", "自治区工业和信息化厅"),
        ("财政厅", "自治区财政厅"),
        ("交通运输厅", "自治区交通运输厅"),
        ("商务厅", "自治区商务厅"),
        ("文旅厅", "自治区文化和旅游厅"),
        ("人社厅", "自治区人力资源和社会保障厅"),
        ("自然资源厅", "自治区自然资源厅"),
        ("生态环境厅", "自治区生态环境厅"),
        ("农牧厅", "自治区农牧厅"),
        ("能源局", "自治区能源局"),
        ("地方金融监管局", "自治区地方金融监管局"),
        ("金融办", "自治区地方金融监管局"),
        ("通信管理局", "内蒙古通信管理局"),
        ("教育厅", "自治区教育厅"),
        ("卫健委", "自治区卫生健康委"),
        ("民航局", "中国民用航空局"),
        ("国铁集团", "中国国家铁路集团有限公司"),
        # national agencies are not folded into the region's
        ("国家发改委", "国家发展改革委"),
        ("国家能源局", "国家能源局"),
    ],
)
def test_canonical(name: str, expected: str) -> None:
    assert canonical(name) == expected
    assert is_known(name)


@pytest.mark.parametrize("name", ["包头市人民政府", "某某办公室", " 自治区外事办 ", "", "自治区"])
def test_unknown_names_pass_through_unchanged(name: str) -> None:
    assert canonical(name) == name
    assert not is_known(name)


def test_canonical_names_are_fixed_points() -> None:
    table = bundled_agencies()
    assert len(table.names) == len(set(table.names))
    for name in table.names:
        assert canonical(name) == name


def _table(tmp_path: Path, text: str):
    path = tmp_path / "agencies.toml"
    path.write_text(text, encoding="utf-8")
    return load_agencies(path)


def test_custom_table(tmp_path: Path) -> None:
    table = _table(tmp_path, '[[agency]]\nname = "包头市发改委"\naliases = ["包头发改委"]\n')
    assert canonical("包头发改委", table) == "包头市发改委"
    assert canonical("发改委", table) == "发改委"  # not in this table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[agency]]\nname = "A"\naliases = ["x"]\n[[agency]]\nname = "B"\naliases = ["X"]\n',
            "both A and B",
        ),
        ('[[agency]]\naliases = ["x"]\n', "no name"),
        ('[[agency]]\nname = "A"\naliases = "x"\n', "list of strings"),
        ("[[agency]\n", "not valid TOML"),
    ],
)
def test_bad_table_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        _table(tmp_path, text)
    assert "agencies.toml" in str(info.value)
