"""The outline of a policy document: its header, its numbering, what is a heading and what is a
measure. Pure functions, no I/O (the editable word lists come from data/reading.toml).

* Header: the 文号 (国办发〔2018〕121号), the issuer and the date from the signature (an issuer's
  name on its own line above a date alone on its line; the first such block counts, so a notice
  that forwards a plan is dated by the notice), and the issuing level the agencies are read at.
* Numbering, by depth: 第X章 / 第X部分 / 一、 (1) > 第X节 / （一） (2) > 第X条 / 1. / 1、 (3) > （1） / 1） / ①
  (4) > 一是 (5, inline). ■ ● ◆ bullets are read by the parser.
* A title is the words before an item's first 。 or ：; a heading or item whose title is a
  preamble word (总体要求, 指导思想, 基本原则 …) is not a measure, nor is anything under it.
* An item commits someone to act when it has a verb of data/commitments.toml or a duty word
  (要, 应当 …); a holiday notice's 一、元旦：…放假 has neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from itertools import pairwise

from imtrack.ingest.noise import is_signature
from imtrack.vocab.textnorm import fold_compact

_NUMERAL = "一二三四五六七八九十"
_BIG = "一二三四五六七八九十百零〇两"

# Line-start markers of a numbered outline, by depth.
LINE_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(f"^[{_NUMERAL}]{{1,3}}[、]")),
    (1, re.compile(f"^第[{_BIG}]{{1,4}}(?:章|部分)\\s*")),
    (2, re.compile(f"^[（(][{_NUMERAL}]{{1,3}}[）)]")),
    (2, re.compile(f"^第[{_BIG}]{{1,4}}节\\s*")),
    (3, re.compile(f"^第[{_BIG}]{{1,5}}条\\s*")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[）)]|[①-⑳])")),
    # "七个方面主要任务②": a part of a larger document; resets every heading below it
    (0, re.compile(r"^[^。，,；;、\s]{2,24}[①-⑳]$")),
)

_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_TITLE_CUT = re.compile(r"[。：:；;]|——|—|--")
_SHORT_TITLE = 40


class Level(str, Enum):
    """The level a document is issued at, which decides what an unqualified agency name means."""

    NATIONAL = "national"  # 国务院, 国务院办公厅, ministries: 发展改革委 is 国家发展改革委
    REGION = "region"  # 内蒙古自治区: 发展改革委 is 自治区发展改革委
    PROVINCE = "province"  # another province: 发展改革委 is that province's
    CITY = "city"  # a city: 发展改革委 is that city's


@dataclass(frozen=True, slots=True)
class Header:
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None  # ISO


def line_marker(line: str) -> tuple[int, int] | None:
    """(level, end of marker) of a numbered-outline marker at the start of `line`."""
    for level, pattern in LINE_MARKERS:
        m = pattern.match(line)
        if m:
            return level, (m.end() if level else 0)
    return None


def read_header(lines: list[str]) -> Header:
    """The 文号, issuer and date of a document from its (stripped, non-blank) lines."""
    number = next((line for line in lines[:12] if _DOC_NUMBER.match(line)), None)
    issuer = day = None
    for prev, line in pairwise(lines):
        m = _DATE.match(line)
        if m and is_signature(prev, line):
            issuer = prev
            day = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
            break
    return Header(doc_number=number.replace(" ", "") if number else None, issuer=issuer, date=day)


_NATIONAL_NUMBERS = re.compile(r"^(?:国(?:发|办发|办函|函|办发明电)|中发|中办发|厅字)")


def level_of(header: Header, override: str | None = None) -> tuple[Level, str]:
    """(level, place) of a document: `override` (an issuer name, or national/region/city) wins,
    else the issuer line, else the 文号's prefix (国发, 国办发 …); a document that says nothing is
    read at the region's level, as the agency table reads names."""
    issuer = (override or header.issuer or "").strip()
    if issuer in (lv.value for lv in Level):
        return Level(issuer), ""
    national_body = issuer.endswith(("部", "委员会", "总局", "署")) and not re.search(r"[省市县区]", issuer)
    if issuer.startswith(("国务院", "中共中央", "中央")) or "国务院" in issuer or national_body:
        return Level.NATIONAL, ""
    if m := re.match(r"^(?:内蒙古自治区)?(?P<city>[\u4e00-\u9fff]{2,8}?市)", issuer):
        return Level.CITY, m["city"]
    if m := re.match(r"^(?P<province>[\u4e00-\u9fff]{2,4}?省)", issuer):
        return Level.PROVINCE, m["province"]
    if "自治区" in issuer or issuer.startswith("内蒙古"):
        return Level.REGION, "自治区"
    if header.doc_number and _NATIONAL_NUMBERS.match(header.doc_number):
        return Level.NATIONAL, ""
    # Nothing says who issued it: the agency table's own reading (its unqualified names are the
    # region's, data/agencies.toml).
    return Level.REGION, "自治区"


def title_of(text: str) -> str:
    """The title of a heading or item: its words before the first 。 or ：."""
    return _TITLE_CUT.split(text, maxsplit=1)[0].strip()


def is_bare_title(text: str) -> bool:
    """An item line that holds only its title ("（一）健全国家职业教育制度框架。"): its body follows
    on the next lines."""
    text = text.strip()
    if not text or len(text) > _SHORT_TITLE:
        return False
    inner = text.rstrip("。.")
    return not re.search(r"[。；;！？!?：:]", inner)


@cache
def _rules() -> tuple[frozenset[str], tuple[str, ...]]:
    from imtrack.resources import data_file, load_toml

    raw = load_toml(data_file("reading.toml"), "reading rules")
    preamble = frozenset(fold_compact(w) for w in raw.get("preamble", []))
    duty = tuple(fold_compact(w) for w in raw.get("duty", []))
    return preamble, duty


def is_preamble(title: str) -> bool:
    preamble, _ = _rules()
    return fold_compact(title).rstrip("。.") in preamble


def commits(text: str) -> bool:
    """Does `text` commit someone to act (a policy verb or a duty word)?"""
    from imtrack.vocab.commitment import commitment_of

    _, duty = _rules()
    folded = fold_compact(text)
    return any(word in folded for word in duty) or commitment_of(text) != "other"
