"""Text -> measures. Pure functions, no I/O.

The input is text extracted from PDF or web pages: hard line-wraps anywhere (even before the
final 。), blank lines inside a measure, vertical text one character per line, page furniture and
unrelated articles around the measures. The rules:

* Which markers start a measure. A document with glyph bullets (■ ● ◆ ▲ • □ ★, at the start of a
  line or mid-line) uses them, provided there are at least as many as numbered items; otherwise
  numbered items are the measures. A glyph followed by 本报 / 记者 / 通讯员 / 新华社 … is a byline
  ("□本报记者 王玉琢"), never a bullet.
* Numbered documents are read as an outline: 一、 < （一） < 1. / 1、 < （1） / 1） / ① < 一是 (inline,
  only when a document has both 一是 and 二是). 一、 is always a heading; any other numbered line
  is a heading when the next numbered marker is deeper (it has children), else it is a measure
  (a leaf of the outline). So "（一）…" is a measure in a list of （一）（二）… and a heading above
  1. 2. 3. items.
* A measure continues across line-wraps and blank lines until its text is complete: it ends a
  sentence (。！？, or . after Chinese) or a responsibility clause at the end of a line.
  What follows a complete measure is not part of it (unrelated text), except a responsibility
  clause that starts on the next line ("…平台。" / "（区科技局牵头，区发改委配合）").
  Known limit: a measure of several sentences that the source breaks right after an inner 。 is
  cut there; the rest is treated as unrelated text (never merged into another measure).
* Wrapped lines are joined without spaces, except between two Latin words; spaces that PDF
  extraction puts next to Chinese characters ("人口 10万") are dropped.
* A trailing responsibility clause （X牵头，Y、Z配合） / (X牵头,Y配合) / （责任单位：X） becomes the
  measure's lead and partners and is removed from its text. A clause on a heading
  (一、强化科技创新（区科技局牵头）) applies to the measures under it that have none of their own.
* Headings (一、… / （一）… / 1. … with children / 七个方面主要任务②) are not measures; the
  deepest heading above a measure is its section.
* Noise that is dropped wherever it appears: runs of three or more one-character lines (vertical
  text), page furniture (— 3 —, 第3版, 第2页, 3/12, 2023年10月19日 星期四, 责任编辑：…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BULLETS = "■●◆▲•□★"
_BULLET = re.compile(f"[{BULLETS}]")
_BYLINE = re.compile(r"\s*(?:本报|记者|通讯员|特约|新华社|央视|文[/／:：]|图[/／:：]|摄影?[/／:：])")
_SENTENCE_END = re.compile(r"(?:[。！？!?]|(?<=[^\x00-\x7f])\.)[”’」』\"'）)]*$")
_SPACE_NEAR_WIDE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_SPACES = re.compile(r"\s+")
_NUMERAL = "一二三四五六七八九十"

# Line-start markers of a numbered outline, by depth.
_LINE_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(f"^[{_NUMERAL}]{{1,3}}[、]")),
    (2, re.compile(f"^[（(][{_NUMERAL}]{{1,3}}[）)]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[）)]|[①-⑳])")),
    # "七个方面主要任务②": a part of a larger document; resets every heading below it
    (0, re.compile(r"^[^。，,；;、\s]{2,24}[①-⑳]$")),
)
_INLINE_LEVEL = 5
_INLINE_ITEM = re.compile(f"(?<![^。；;，,：:\\s（(])(?:十[{_NUMERAL[:9]}]?|[{_NUMERAL}])是(?=[^否不])")

_FURNITURE = re.compile(
    r"""^(?:
      [-—–－]+\s*\d{1,4}\s*[-—–－]+              # — 3 —
     |第\s*\d{1,4}\s*[版页]                      # 第3版
     |\d{1,4}\s*/\s*\d{1,4}                      # 3/12
     |(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d+)?      # Page 3 of 12
     |\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天].{0,20}
     |(?:责任编辑|责编|编辑|校对|美编|版式设计|制图)\s*[:：].{0,30}
     |(?:上一页|下一页|返回顶部|打印本页|关闭窗口|【?打印】?|【?关闭】?)
    )$""",
    re.VERBOSE | re.IGNORECASE,
)

_CLAUSE = re.compile(
    r"[（(](?P<inner>[^（）()]*?(?:牵头|配合|负责|责任单位|协办)[^（）()]*)[）)]"
    r"\s*(?P<tail>[。；;.！!]?)\s*$"
)
_CLAUSE_START = re.compile(r"^[（(][^（）()]*(?:牵头|配合|负责|责任单位|协办)")
_LEAD_PART = re.compile(r"^(?:(?:牵头|责任|主责)单位[:：]\s*(?P<a>.+)|(?P<b>.+?)(?:牵头负责|牵头|负责落实|负责))$")
_PARTNER_PART = re.compile(r"^(?:(?:配合|协办|参与)单位[:：]\s*(?P<a>.+)|(?P<b>.+?)(?:协同配合|配合|协办|参与))$")
_NAME_SEP = re.compile(r"[、,，/／]")
# Punctuation that cannot begin unrelated text: a line starting with it continues the measure
# ("…（区科技局牵头）" / "。").
_NEVER_STARTS = tuple("。，、；：！？.,;:!?）)”’」』")
_SECTION_CUT = re.compile(r"[。；;：:]")


@dataclass(frozen=True, slots=True)
class Assignment:
    """One responsibility clause of a measure: the sentence(s) it covers and its agencies as
    written (lead first), with the clause as printed."""

    sentence: str
    agencies: tuple[str, ...]
    raw: str = ""


@dataclass(slots=True)
class ParsedMeasure:
    text: str
    line: int  # 1-based line of the source where the measure starts
    section: str = ""
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    # -- document structure (read_document) --
    number: str = ""  # the item's number as written: "（四）", "3.", "第五条", "■"
    path: tuple[str, ...] = ()  # headings above the item, outermost first, as written
    due: str | None = None  # ISO date from a deadline in its clause, counted from the document's date
    clauses: list[Assignment] = field(default_factory=list)  # every clause, in order
    incomplete: bool = False  # cut off mid-sentence at the end of the text


@dataclass(slots=True)
class Reading:
    """What read_document found in a document."""

    measures: list[ParsedMeasure]
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None


def read_document(text: str) -> Reading:
    return Reading(parse_text(text))


@dataclass(frozen=True, slots=True)
class Clause:
    lead: str | None
    partners: list[str]


def clean_text(text: str) -> str:
    """Collapse whitespace; drop it entirely where it touches a non-ASCII character."""
    text = _SPACE_NEAR_WIDE.sub("", text.strip())
    return _SPACES.sub(" ", text)


def _join(left: str, right: str) -> str:
    if left and right and _latin(left[-1]) and _latin(right[0]) and not (left[-1].isdigit() and right[0].isdigit()):
        return f"{left} {right}"
    return left + right


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def normalise_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_clause(inner: str) -> Clause | None:
    """The agencies in the inside of a responsibility clause, or None if it is not one."""
    leads: list[str] = []
    responsible: list[str] = []
    partners: list[str] = []
    for part in re.split(r"[，,；;]", inner):
        part = part.strip()
        if not part:
            continue
        if m := _LEAD_PART.match(part):
            names = m["a"] or m["b"]
            (leads if "牵头" in part else responsible).append(names.strip())
        elif m := _PARTNER_PART.match(part):
            partners.extend(n.strip() for n in _NAME_SEP.split(m["a"] or m["b"]) if n.strip())
        else:
            return None  # "(试行)", "(2023—2025年)": ordinary brackets, not a clause
    if not leads:
        leads, responsible = responsible, []
    if not leads and not partners:
        return None
    lead = "、".join(leads) or None
    return Clause(lead=lead, partners=[*responsible, *partners])


def split_clause(text: str) -> tuple[str, Clause | None]:
    """`text` without its trailing responsibility clause, and the clause."""
    m = _CLAUSE.search(text)
    if not m:
        return text, None
    clause = parse_clause(m["inner"])
    if clause is None:
        return text, None
    body = text[: m.start()].rstrip()
    tail = m["tail"]
    if tail and not (body and body[-1] in "。；;.！!？?"):
        body += tail
    return body, clause


_OPEN_REACH = 80


def _open(text: str) -> bool:
    """Is a bracket still open near the end of `text` (a clause wrapped onto the next line)?
    A bracket opened long before is a typo in the source, and must not let the measure swallow
    whatever follows it."""
    depth = 0
    for ch in reversed(text[-_OPEN_REACH:]):
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                return True
            depth -= 1
    return False


def _complete(text: str) -> bool:
    # A bracket left open does not matter here: a clause wrapped across lines ends its lines with
    # "，" or "、", never with 。, and an unclosed "（" typo must not swallow what follows.
    return bool(_SENTENCE_END.search(text)) or split_clause(text)[1] is not None


def _line_marker(line: str) -> tuple[int, int] | None:
    """(level, end of marker) of a numbered-outline marker at the start of `line`."""
    for level, pattern in _LINE_MARKERS:
        m = pattern.match(line)
        if m:
            return level, (m.end() if level else 0)
    return None


def _vertical_runs(lines: list[str]) -> set[int]:
    """Indexes of lines that belong to vertical text: 3+ one-character lines (blanks between)."""
    skip: set[int] = set()
    run: list[int] = []
    for i, line in enumerate(lines + ["--"]):
        if not line:
            continue
        if len(line) == 1:
            # "。" or "）" alone ends a measure wrapped just before it; it cannot begin vertical text
            if run or line not in _NEVER_STARTS:
                run.append(i)
            continue
        if len(run) >= 3:
            skip.update(run)
        run = []
    return skip


@dataclass(slots=True)
class _Seg:
    line: int
    kind: str  # start | heading | text | noise
    level: int
    text: str


@dataclass(slots=True)
class _Heading:
    text: str
    clause: Clause | None


def _content_lines(text: str) -> list[tuple[int, str]]:
    lines = [raw.strip() for raw in normalise_newlines(text).split("\n")]
    vertical = _vertical_runs(lines)
    return [
        (i + 1, line)
        for i, line in enumerate(lines)
        if line and i not in vertical and not _FURNITURE.match(line)
    ]


def _glyph_splits(line: str) -> list[tuple[int, bool]]:
    """(position, is_byline) of every bullet glyph in `line`."""
    return [(m.start(), bool(_BYLINE.match(line, m.end()))) for m in _BULLET.finditer(line)]


def _glyph_segments(lines: list[tuple[int, str]]) -> list[_Seg]:
    segs: list[_Seg] = []
    for number, line in lines:
        splits = _glyph_splits(line)
        head = line[: splits[0][0]] if splits else line
        if head.strip():
            marker = _line_marker(head)
            # a marker with nothing after it ("0、" wrapped off a number) heads nothing
            if marker is not None and head[marker[1] :].strip():
                segs.append(_Seg(number, "heading", marker[0], head))
            else:
                segs.append(_Seg(number, "text", 0, head))
        for k, (pos, byline) in enumerate(splits):
            end = splits[k + 1][0] if k + 1 < len(splits) else len(line)
            segs.append(_Seg(number, "noise" if byline else "start", 0, line[pos + 1 : end]))
    return segs


def _numbered_segments(lines: list[tuple[int, str]], inline: bool) -> list[_Seg]:
    # First pass: every marker with its depth, to tell headings (with children) from items.
    markers: list[tuple[int, int]] = []  # (level, index into per-line marker lists)
    per_line: list[tuple[tuple[int, int] | None, list[re.Match[str]]]] = []
    for _, line in lines:
        start = _line_marker(line)
        items = list(_INLINE_ITEM.finditer(line)) if inline else []
        if start is not None and items and items[0].start() == 0:
            start = None  # a line that starts with 一是 is an inline item, not a heading
        per_line.append((start, items))
        if start is not None:
            markers.append((start[0], len(markers)))
        markers.extend((_INLINE_LEVEL, len(markers) + k) for k in range(len(items)))
    levels = [level for level, _ in markers]
    is_heading = [
        level <= 1 or (k + 1 < len(levels) and levels[k + 1] > level) for k, level in enumerate(levels)
    ]
    segs: list[_Seg] = []
    k = 0
    for (number, line), (start, items) in zip(lines, per_line, strict=True):
        head_end = items[0].start() if items else len(line)
        head = line[:head_end]
        if start is not None:
            level, end = start
            if is_heading[k]:
                segs.append(_Seg(number, "heading", level, head))
            else:
                segs.append(_Seg(number, "start", level, head[end:]))
            k += 1
        elif head.strip():
            byline = any(pos == 0 and is_byline for pos, is_byline in _glyph_splits(head))
            segs.append(_Seg(number, "noise" if byline else "text", 0, head))
        for j, m in enumerate(items):
            end = items[j + 1].start() if j + 1 < len(items) else len(line)
            segs.append(_Seg(number, "start", _INLINE_LEVEL, line[m.end() : end]))
            k += 1
    return segs


def _glyph_count(lines: list[tuple[int, str]]) -> int:
    return sum(1 for _, line in lines for _, byline in _glyph_splits(line) if not byline)


def _numbered_item_count(segs: list[_Seg]) -> int:
    return sum(1 for s in segs if s.kind == "start")


def _segments(text: str) -> list[_Seg]:
    lines = _content_lines(text)
    joined = "\n".join(line for _, line in lines)
    inline = all(re.search(f"(?<![^。；;，,：:\\s（(]){n}是", joined, re.MULTILINE) for n in "一二")
    numbered = _numbered_segments(lines, inline)
    glyphs = _glyph_count(lines)
    if glyphs and glyphs >= _numbered_item_count(numbered):
        return _glyph_segments(lines)
    return numbered


def _clause_follows(segs: list[_Seg], i: int) -> bool:
    """Does a responsibility clause start at text segment `i` (possibly wrapped over lines)?"""
    text = segs[i].text.strip()
    if not text.startswith(("（", "(")):
        return False
    j = i
    while _open(text) and j + 1 < len(segs) and segs[j + 1].kind == "text" and j - i < 3:
        j += 1
        text = _join(text, segs[j].text.strip())
    return bool(_CLAUSE_START.match(clean_text(text)))


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def parse_text(text: str) -> list[ParsedMeasure]:
    """Every measure in `text`, in document order (see the module docstring for the rules)."""
    segs = _segments(text)
    measures: list[ParsedMeasure] = []
    headings: dict[int, _Heading] = {}
    current: ParsedMeasure | None = None
    buffer = ""

    def close() -> None:
        nonlocal current, buffer
        if current is not None:
            body, clause = split_clause(clean_text(buffer))
            if _has_words(body):
                current.text = body
                if clause is not None:
                    current.lead, current.partners = clause.lead, list(clause.partners)
                measures.append(current)
        current, buffer = None, ""

    def start(seg: _Seg) -> ParsedMeasure:
        section, clause = "", None
        for level in sorted(headings):
            section = headings[level].text or section
            clause = headings[level].clause or clause
        measure = ParsedMeasure(text="", line=seg.line, section=section)
        if clause is not None:
            measure.lead, measure.partners = clause.lead, list(clause.partners)
        return measure

    i = 0
    while i < len(segs):
        seg = segs[i]
        piece = seg.text.strip()
        if seg.kind == "start":
            close()
            current, buffer = start(seg), piece
        elif seg.kind == "noise":
            close()
        elif seg.kind == "heading" and not (
            current is not None
            # A clause still open, or an unfinished measure wrapped just before something that
            # looks like a marker: "形成统\n一、开放的市场。" (a real heading does not end with 。)
            # or "（见附件\n1）…" (below 一、/（一）, a numbered line cannot interrupt a sentence).
            and (
                _open(buffer)
                or (not _complete(buffer) and (seg.level > 2 or _SENTENCE_END.search(piece)))
            )
        ):
            close()
            text = piece
            start_at = i
            while _open(text) and i + 1 < len(segs) and segs[i + 1].kind == "text" and i - start_at < 3:
                i += 1
                text = _join(text, segs[i].text.strip())
            body, clause = split_clause(clean_text(text))
            for level in [lv for lv in headings if lv >= seg.level]:
                del headings[level]
            headings[seg.level] = _Heading(_SECTION_CUT.split(body)[0].strip(), clause)
        elif current is not None and (
            not _complete(buffer) or piece.startswith(_NEVER_STARTS) or _clause_follows(segs, i)
        ):
            buffer = _join(buffer, piece)
        else:
            close()  # unrelated text after a complete measure
        i += 1
    close()
    return measures
