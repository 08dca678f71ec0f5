"""Text -> measures. Pure functions, no I/O.

`read_document(text)` reads a whole document: its header (文号, issuer, date), its outline, and
the measures with their numbers, section paths, responsibility clauses and due dates, plus what
it skipped and why (for `import --dry-run`). `parse_text(text)` is its list of measures.

The input is one paragraph per line (what the HTML/Word/PDF readers give), or text extracted
from PDF or web pages: hard line-wraps anywhere (even before the final 。), blank lines inside a
measure, vertical text one character per line, page furniture and unrelated articles around the
measures. The rules (structure.py: numbering and preambles; clauses.py: responsibility clauses;
noise.py: lines that are never measures):

* Which markers start a measure. A document with glyph bullets (■ ● ◆ ▲ • □ ★, at the start of a
  line or mid-line) uses them, provided there are at least as many as numbered items; otherwise
  numbered items are the measures. A glyph followed by 本报 / 记者 / 通讯员 / 新华社 … is a byline
  ("□本报记者 王玉琢"), never a bullet; ■下转第2版 is a jump line.
* Numbered documents are read as an outline (structure.LINE_MARKERS), with 一是 inline items
  when a document has both 一是 and 二是. A numbered line is a heading when the next numbered
  marker is deeper (it has children), else it is an item (a leaf of the outline). 一是…二是…
  are items only outside official documents (which enumerate with them inside one item). 一、 is a
  heading whenever any 一、 of the document has children (so a 一、 with only paragraphs under it
  is a heading too); in a document numbered only at the top level (一、… 三十、) the 一、 items
  are the measures, if they commit someone to act (structure.commits).
* Numbered items whose title or heading is a preamble (总体要求, 指导思想, 基本原则 …) are not
  measures. Glyph bullets are: a page that bullets its points has already picked the tasks.
* A measure continues across line-wraps and blank lines until its text is complete: it ends a
  sentence (。！？, or . after Chinese) or a responsibility clause at the end of a line. After
  that, a following paragraph belongs to it (joined with a newline) when it ends with a
  responsibility clause of its own, or when the item's line was a bare title ("（一）加强组织领导。")
  in a document written that way (two or more such items, or one in an official document): its
  body paragraphs follow until the next numbered line. In an official document laid out one
  paragraph per line, a title line without a full stop ("（一）指导思想") is followed by its body
  the same way; in text wrapped like a page column the next line continues it. Anything else after a complete measure is not part of it (a closing
  paragraph, unrelated text), except a responsibility clause that starts on the next line.
* Wrapped lines are joined without spaces, except between two Latin words; spaces that PDF
  extraction puts next to Chinese characters ("人口 10万") are dropped. In text wrapped like a
  PDF page, a sentence end on a line that fills the column (_full_lines) does not end the
  paragraph unless the next line is indented, and a heading cut by the column is joined.
* Every responsibility clause is taken out of the text and kept with the sentence it covers; the
  first clause gives the measure's lead and partners (clauses.py). A clause on a heading
  (一、强化科技创新（区科技局牵头）) applies to the measures under it that have none of their own.
* Headings are not measures; each measure keeps the headings above it as its path and the
  deepest as its section.
* A final item cut off mid-sentence at the end of the text (when the document's other items end
  their sentences) is flagged `incomplete`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from imtrack.ingest.clauses import (
    LABEL_LINE,
    Clause,
    ends_with_clause,
    parse_clause,
    split_clause,
    split_clauses,
)
from imtrack.ingest.noise import (
    BULLETS,
    is_byline,
    is_jump,
    is_signature,
    noise_reason,
    vertical_runs,
)
from imtrack.ingest.structure import (
    Header,
    Level,
    commits,
    is_bare_title,
    is_preamble,
    level_of,
    line_marker,
    read_header,
    title_of,
)

__all__ = [
    "BULLETS",
    "Assignment",
    "Clause",
    "ParsedMeasure",
    "Reading",
    "Skipped",
    "clean_text",
    "parse_clause",
    "parse_text",
    "read_document",
    "split_clause",
]

_BULLET = re.compile(f"[{BULLETS}]")
_SENTENCE_END = re.compile(r"(?:[。！？!?]|(?<=[^\x00-\x7f])\.)[”’」』\"'）)]*$")
_SPACE_NEAR_WIDE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_SPACES = re.compile(r"\s+")
_NUMERAL = "一二三四五六七八九十"
_INLINE_LEVEL = 5
_INLINE_ITEM = re.compile(f"(?<![^。；;，,：:\\s（(])(?:十[{_NUMERAL[:9]}]?|[{_NUMERAL}])是(?=[^否不])")
_CLAUSE_START = re.compile(r"^[（(〔【][^（）()〔〕【】]*(?:牵头|配合|负责|责任单位|协办|指导|参与)")
# Punctuation that cannot begin unrelated text: a line starting with it continues the measure
# ("…（区科技局牵头）" / "。").
_NEVER_STARTS = tuple("。，、；：！？.,;:!?）)”’」』")
_SECTION_CUT = re.compile(r"[。；;：:]")
_TITLED_ITEMS = 2  # bare-title items with a body below them that make a document "titled"
_PARAGRAPH_REACH = 40  # lines a wrapped paragraph may span when looking ahead


@dataclass(frozen=True, slots=True)
class Assignment:
    """One responsibility clause of a measure: the sentence(s) it covers and its agencies as
    written (lead first, with any carried over by 下同), with the clause as printed."""

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
    due: str | None = None  # ISO date (or "ongoing") from its clause, counted from the document's date
    clauses: list[Assignment] = field(default_factory=list)  # every clause, in order
    incomplete: bool = False  # cut off mid-sentence at the end of the text


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    text: str  # the start of what was skipped
    why: str


@dataclass(frozen=True, slots=True)
class HeadingSeen:
    line: int
    level: int
    text: str
    preamble: bool


@dataclass(slots=True)
class Reading:
    """What read_document found in a document."""

    measures: list[ParsedMeasure]
    headings: list[HeadingSeen] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None  # ISO
    level: str = Level.REGION.value  # the issuing level agencies are read at (structure.level_of)
    place: str = ""  # the city, for a city document


def clean_text(text: str) -> str:
    """Collapse whitespace; drop it entirely where it touches a non-ASCII character."""
    text = _SPACE_NEAR_WIDE.sub("", text.strip())
    return _SPACES.sub(" ", text)


def _clean_paragraphs(text: str) -> str:
    return "\n".join(p for p in (clean_text(p) for p in text.split("\n")) if p)


def _join(left: str, right: str) -> str:
    if left and right and _latin(left[-1]) and _latin(right[0]) and not (left[-1].isdigit() and right[0].isdigit()):
        return f"{left} {right}"
    return left + right


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def normalise_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


_OPEN_REACH = 80


def _open(text: str) -> bool:
    """Is a bracket still open near the end of `text` (a clause wrapped onto the next line)?
    A bracket opened long before is a typo in the source, and must not let the measure swallow
    whatever follows it."""
    depth = 0
    for ch in reversed(text[-_OPEN_REACH:]):
        if ch in "）)〕】":
            depth += 1
        elif ch in "（(〔【":
            if depth == 0:
                return True
            depth -= 1
    return False


def _complete(text: str) -> bool:
    # A bracket left open does not matter here: a clause wrapped across lines ends its lines with
    # "，" or "、", never with 。, and an unclosed "（" typo must not swallow what follows.
    return bool(_SENTENCE_END.search(text)) or ends_with_clause(clean_text(text))


@dataclass(slots=True)
class _Seg:
    line: int
    kind: str  # start | heading | text | noise
    level: int
    text: str
    number: str = ""
    why: str = ""  # for noise


@dataclass(slots=True)
class _Heading:
    text: str
    clause: Clause | None
    preamble: bool = False


def _content_lines(text: str) -> tuple[list[tuple[int, str]], list[Skipped]]:
    """The document's lines that may hold text (1-based line numbers), and what was dropped."""
    lines = [raw.strip() for raw in normalise_newlines(text).split("\n")]
    vertical = vertical_runs(lines, _NEVER_STARTS)
    kept: list[tuple[int, str]] = []
    dropped: list[Skipped] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if i in vertical:
            dropped.append(Skipped(i + 1, line, "vertical text"))
        elif noise_reason(line) == "page furniture":
            dropped.append(Skipped(i + 1, line, "page furniture"))
        else:
            kept.append((i + 1, line))
    return kept, dropped


def _noise(number: int, line: str, following: str | None, previous: _Seg | None = None) -> _Seg | None:
    """A line that ends whatever measure is open: a dateline, caption, jump line, signature,
    or an attachment's title listed under 附件： ("2. 重点任务分工表", no sentence in it)."""
    why = noise_reason(line)
    if why is None and is_signature(line, following):
        why = "signature"
    if (
        why is None
        and previous is not None
        and previous.why == "list of attachments"
        and previous.line == number - 1
        and not _SENTENCE_END.search(line)
        and line_marker(line) is not None
    ):
        why = "list of attachments"
    return _Seg(number, "noise", 0, line, why=why) if why else None


def _glyph_splits(line: str) -> list[tuple[int, bool]]:
    """(position, is_noise) of every bullet glyph in `line`: a byline or jump line is noise."""
    return [
        (m.start(), is_byline(line, m.end()) or is_jump(line[m.start() :])) for m in _BULLET.finditer(line)
    ]


def _glyph_segments(lines: list[tuple[int, str]]) -> list[_Seg]:
    segs: list[_Seg] = []
    previous: _Seg | None = None
    for k, (number, line) in enumerate(lines):
        following = lines[k + 1][1] if k + 1 < len(lines) else None
        previous = _noise(number, line, following, previous)
        if previous is not None:
            segs.append(previous)
            continue
        splits = _glyph_splits(line)
        head = line[: splits[0][0]] if splits else line
        if head.strip():
            marker = line_marker(head)
            # a marker with nothing after it ("0、" wrapped off a number) heads nothing
            if marker is not None and head[marker[1] :].strip():
                segs.append(_Seg(number, "heading", marker[0], head))
            else:
                segs.append(_Seg(number, "text", 0, head))
        for j, (pos, noisy) in enumerate(splits):
            end = splits[j + 1][0] if j + 1 < len(splits) else len(line)
            if noisy:
                segs.append(_Seg(number, "noise", 0, line[pos:end], why="byline or jump line"))
            else:
                segs.append(_Seg(number, "start", 0, line[pos + 1 : end], number=line[pos]))
    return segs


def _numbered_segments(lines: list[tuple[int, str]], inline: bool) -> list[_Seg]:
    # First pass: every marker with its depth, to tell headings (with children) from items.
    levels: list[int] = []
    per_line: list[tuple[tuple[int, int] | None, list[re.Match[str]], _Seg | None]] = []
    noise: _Seg | None = None
    for k, (number, line) in enumerate(lines):
        following = lines[k + 1][1] if k + 1 < len(lines) else None
        noise = _noise(number, line, following, noise)
        start = None if noise else line_marker(line)
        items = list(_INLINE_ITEM.finditer(line)) if inline and not noise else []
        if start is not None and items and items[0].start() == 0:
            start = None  # a line that starts with 一是 is an inline item, not a heading
        per_line.append((start, items, noise))
        if start is not None:
            levels.append(start[0])
        levels.extend(_INLINE_LEVEL for _ in items)
    parent = [k + 1 < len(levels) and levels[k + 1] > level for k, level in enumerate(levels)]
    top_is_heading = any(p for p, level in zip(parent, levels, strict=True) if level == 1)
    is_heading = [
        level == 0 or parent[k] or (level == 1 and top_is_heading) for k, level in enumerate(levels)
    ]
    segs: list[_Seg] = []
    k = 0
    for (number, line), (start, items, noise) in zip(lines, per_line, strict=True):
        if noise is not None:
            segs.append(noise)
            continue
        head_end = items[0].start() if items else len(line)
        head = line[:head_end]
        if start is not None:
            level, end = start
            if is_heading[k]:
                segs.append(_Seg(number, "heading", level, head))
            else:
                segs.append(_Seg(number, "start", level, head[end:], number=head[:end].strip()))
            k += 1
        elif head.strip():
            noisy = any(pos == 0 and byline for pos, byline in _glyph_splits(head))
            segs.append(_Seg(number, "noise", 0, head, why="byline") if noisy else _Seg(number, "text", 0, head))
        for j, m in enumerate(items):
            end = items[j + 1].start() if j + 1 < len(items) else len(line)
            segs.append(_Seg(number, "start", _INLINE_LEVEL, line[m.end() : end], number=m.group(0)))
            k += 1
    return segs


def _glyph_count(lines: list[tuple[int, str]]) -> int:
    return sum(1 for _, line in lines for _, noisy in _glyph_splits(line) if not noisy)


def _segments(lines: list[tuple[int, str]], official: bool = False) -> list[_Seg]:
    joined = "\n".join(line for _, line in lines)
    # An official document enumerates with 一是…二是… inside one numbered item; a ledger or a
    # newspaper's summary lists its measures that way.
    inline = not official and all(
        re.search(f"(?<![^。；;，,：:\\s（(]){n}是", joined, re.MULTILINE) for n in "一二"
    )
    numbered = _numbered_segments(lines, inline)
    glyphs = _glyph_count(lines)
    if glyphs and glyphs >= sum(1 for s in numbered if s.kind == "start"):
        return _glyph_segments(lines)
    return numbered


def _clause_follows(segs: list[_Seg], i: int) -> bool:
    """Does a responsibility clause start at text segment `i` (possibly wrapped over lines)?"""
    text = segs[i].text.strip()
    if not text.startswith(("（", "(", "〔", "【")):
        return False
    j = i
    while _open(text) and j + 1 < len(segs) and segs[j + 1].kind == "text" and j - i < 3:
        j += 1
        text = _join(text, segs[j].text.strip())
    return bool(_CLAUSE_START.match(clean_text(text)))


def _paragraph(
    segs: list[_Seg], i: int, text: str | None = None, full: frozenset[int] = frozenset()
) -> tuple[str, int]:
    """The paragraph that starts at segment `i` (or `text`, already read from it), joined over
    its wraps (also past a sentence end on a full line, _full_lines), and the index of its last
    segment."""
    text = segs[i].text.strip() if text is None else text
    j = i
    while (
        (not _complete(text) or segs[j].line in full)
        and j + 1 < len(segs)
        and segs[j + 1].kind == "text"
        and j - i < _PARAGRAPH_REACH
    ):
        j += 1
        text = _join(text, segs[j].text.strip())
    return text, j


def _titled(segs: list[_Seg], official: bool) -> bool:
    """Is the document written with bare-title items whose body follows on the next lines? Two
    such items say so, or one in an official document (with a 文号 or a signature); the title
    is read over its wraps: a short wrapped line is not a title."""
    count = 0
    for k, s in enumerate(segs):
        if s.kind != "start":
            continue
        first, j = _paragraph(segs, k, s.text.strip())
        if j + 1 < len(segs) and segs[j + 1].kind == "text" and is_bare_title(clean_text(first)):
            count += 1
    return count >= (1 if official else _TITLED_ITEMS)


_TITLE_MAX = 30
_PARAGRAPH_SHARE = 0.8


def _unpunctuated_title(text: str) -> bool:
    """"（一）进一步推进权力清单公开" on its own line: a title without a full stop."""
    return 2 <= len(text) <= _TITLE_MAX and not re.search(r"[。；;！？!?：:，,（(〔【]", text)


def _one_paragraph_per_line(segs: list[_Seg]) -> bool:
    """Is the text laid out one paragraph per line (as the HTML and Word readers give it), so
    that a line break after a title is a paragraph break and not a wrap? Most lines then end
    their sentences; wrapped text ends most lines mid-sentence."""
    first = next((k for k, s in enumerate(segs) if s.kind in ("start", "heading")), len(segs))
    lines = [clean_text(s.text) for s in segs[first:] if s.kind in ("start", "text")]  # past the header
    lines = [t for t in lines if t and not _unpunctuated_title(t)]
    ends = sum(1 for t in lines if _complete(t))
    return len(lines) >= 3 and ends >= _PARAGRAPH_SHARE * len(lines)


_COLUMN_MIN = 16  # cells: shorter lines say nothing about a column
_COLUMN_SHARE = 0.3
_COLUMN_LINES = 5


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _full_lines(lines: list[tuple[int, str]]) -> frozenset[int]:
    """The lines that fill the page column of text wrapped like a PDF page (the commonest long
    width, within a cell; measured in cells, as a page wraps, and in characters, as a text
    editor does): a sentence end at the end of such a line is where the column ran out, not
    necessarily where the paragraph did. Empty for text laid out one paragraph per line."""
    full: set[int] = set()
    text_of = dict(lines)
    for measure in (_cells, len):
        widths = [(n, measure(line)) for n, line in lines]
        long = [w for _, w in widths if w >= _COLUMN_MIN]
        if len(long) < _COLUMN_LINES:
            continue
        column = Counter(long).most_common(1)[0][0]
        at_column = [n for n, w in widths if w >= column - 1]
        # a column cuts lines anywhere: most of its full lines end mid-sentence (paragraphs of
        # one length laid out one per line all end theirs)
        cut = sum(1 for n in at_column if not _complete(text_of[n]))
        if len(at_column) >= max(_COLUMN_LINES, _COLUMN_SHARE * len(long)) and 2 * cut >= len(at_column):
            full.update(at_column)
    return frozenset(full)


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _later(a: str | None, b: str | None) -> str | None:
    """The later of two dues; a date beats "ongoing"."""
    if a is None or b is None:
        return a or b
    if "ongoing" in (a, b):
        return b if a == "ongoing" else a
    return max(a, b)


class _Reader:
    """The state of one pass over a document's segments (see the module docstring)."""

    def __init__(
        self,
        segs: list[_Seg],
        today: date | None,
        official: bool = False,
        full: frozenset[int] = frozenset(),
        indented: frozenset[int] = frozenset(),
    ) -> None:
        self.segs = segs
        self.full = full  # lines that fill a page column (_full_lines)
        self.indented = indented  # lines that start a paragraph with an indent
        self.today = today
        self.titled_doc = _titled(segs, official)
        # an official document given one paragraph per line: a title line without a full stop
        # ("（一）指导思想") is followed by its body, not by the rest of a wrapped sentence
        self.paragraph_lines = official and _one_paragraph_per_line(segs)
        self.bare = False  # the buffer is still exactly the current item's own line
        self.measures: list[ParsedMeasure] = []
        self.headings: dict[int, _Heading] = {}
        self.seen: list[HeadingSeen] = []
        self.skipped: list[Skipped] = []
        self.carried: list[str] = []  # agencies 下同 carries to later clauses of this section
        self.current: ParsedMeasure | None = None
        self.buffer = ""
        self.skip_why = ""  # the current item is read (to consume its body) but not a measure
        # the current item is at the top of the outline (一、): kept only if it commits to act
        self.top_item = False
        self.run_end = 0  # the last line of the latest run of skipped paragraphs

    # -- measures --

    def close(self) -> None:
        current, buffer = self.current, self.buffer
        self.current, self.buffer = None, ""
        if current is None:
            return
        split = split_clauses(_clean_paragraphs(buffer), self.today)
        body = split.text
        if not _has_words(body):
            return
        if not self.skip_why and self.top_item and not commits(body):
            self.skip_why = "states no action (no policy verb or duty word)"
        if self.skip_why:
            self.skipped.append(Skipped(current.line, f"{current.number}{body[:30]}", self.skip_why))
            self.skip_why = ""
            return
        current.text = body
        due: str | None = None
        for k, (sentence, clause, raw) in enumerate(split.found):
            agencies = list(clause.agencies)
            agencies += [a for a in self.carried if a not in agencies]
            if k == 0:
                lead = clause.lead
                current.lead = lead
                current.partners = list(clause.partners) + agencies[len(clause.agencies) :]
            current.clauses.append(Assignment(sentence, tuple(agencies), raw))
            due = _later(due, clause.due)
            self.carried += [a for a in clause.carry if a not in self.carried]
        if not split.found and current.lead is None and self.carried:
            current.lead, current.partners = self.carried[0], list(self.carried[1:])
        for when in split.dues:
            due = _later(due, when)
        current.due = due
        self.measures.append(current)

    def start(self, seg: _Seg) -> None:
        section, clause, path, why = "", None, [], ""
        glyph = bool(seg.number) and seg.number in BULLETS
        for level in sorted(self.headings):
            heading = self.headings[level]
            section = heading.text or section
            clause = heading.clause or clause
            if heading.text:
                path.append(heading.text)
            if heading.preamble and not why and not glyph:
                why = f"under {heading.text} (a preamble, not a task)"
        measure = ParsedMeasure(text="", line=seg.line, section=section, number=seg.number, path=tuple(path))
        self.top_item = seg.level == 1
        if clause is not None:
            measure.lead, measure.partners = clause.lead, list(clause.partners)
        piece = seg.text.strip()
        title = title_of(clean_text(piece))
        if not why and not glyph and is_preamble(title):
            why = f"{title} (a preamble, not a task)"
        self.current, self.buffer, self.skip_why = measure, piece, why
        self.bare = True

    # -- the pass --

    def heading(self, i: int) -> int:
        seg = self.segs[i]
        self.close()
        text = seg.text.strip()
        start_at = i
        while (
            i + 1 < len(self.segs)
            and self.segs[i + 1].kind == "text"
            and i - start_at < 3
            # a clause still open, or a heading the column cut short ("二、动员…产品和服务消" / "费")
            and (_open(text) or (self._ran_out(i + 1) and not _SENTENCE_END.search(self.segs[i + 1].text.strip())))
        ):
            i += 1
            text = _join(text, self.segs[i].text.strip())
        body, clause = split_clause(clean_text(text))
        for level in [lv for lv in self.headings if lv >= seg.level]:
            del self.headings[level]
        name = _SECTION_CUT.split(body)[0].strip()
        marker = line_marker(name)
        preamble = is_preamble(title_of(name[marker[1] :] if marker else name))
        self.headings[seg.level] = _Heading(name, clause, preamble)
        self.seen.append(HeadingSeen(seg.line, seg.level, name, preamble))
        if seg.level <= 1:
            self.carried = []
        return i

    def interrupts(self, seg: _Seg) -> bool:
        """Does a heading-like line really start a heading, or is it a wrap inside the open
        measure: "形成统\n一、开放的市场。" (a real heading does not end with 。) or "（见附件\n1）…"
        (below 一、/（一）, a numbered line cannot interrupt a sentence)?"""
        if self.current is None:
            return True
        piece = seg.text.strip()
        return not (
            _open(self.buffer)
            or (not _complete(self.buffer) and (seg.level > 2 or _SENTENCE_END.search(piece)))
        )

    def text(self, i: int) -> int:
        seg = self.segs[i]
        piece = seg.text.strip()
        if self.current is None:
            self._skip_text(seg, "unnumbered paragraph, not an item")
            return i
        bare, self.bare = self.bare, False
        continues = piece.startswith(_NEVER_STARTS) or _clause_follows(self.segs, i)
        if bare and self.paragraph_lines and not continues and _unpunctuated_title(clean_text(self.buffer)):
            paragraph, j = _paragraph(self.segs, i)
            if _complete(paragraph):
                self.buffer += "\n" + paragraph
                return j
        if not _complete(self.buffer) or continues:
            self.buffer = _join(self.buffer, piece)
            return i
        if LABEL_LINE.match(clean_text(piece)):  # 责任单位：… on the lines below the item
            self.buffer += "\n" + piece
            return i
        paragraph, j = _paragraph(self.segs, i, full=self.full)
        titled = (self.titled_doc or self.paragraph_lines) and is_bare_title(clean_text(self.buffer.split("\n")[0]))
        if _complete(paragraph) and (titled or ends_with_clause(clean_text(paragraph), named=True)):
            self.buffer += "\n" + paragraph
            return j
        if _complete(paragraph) and self._ran_out(i):
            # "…处置。" at the end of a full line, "促进…" below it: the column ran out, so the
            # paragraph goes on where what follows reads as its continuation (a finished sentence)
            self.buffer = _join(self.buffer, paragraph)
            return j
        self.close()  # unrelated text after a complete measure
        self._skip_text(seg, "unnumbered paragraph after an item")
        return i

    def _ran_out(self, i: int) -> bool:
        """Did the line before segment `i` end because the page column did (a full line)?"""
        before = self.segs[i - 1] if i else None
        return (
            before is not None
            and before.line != self.segs[i].line
            and before.line in self.full
            and self.segs[i].line not in self.indented
        )

    def _skip_text(self, seg: _Seg, why: str) -> None:
        if self.skipped and self.skipped[-1].why == why and self.run_end >= seg.line - 1:
            self.run_end = seg.line  # one entry per run of lines
            return
        self.run_end = seg.line
        self.skipped.append(Skipped(seg.line, clean_text(seg.text)[:30], why))

    def run(self) -> None:
        i = 0
        while i < len(self.segs):
            seg = self.segs[i]
            if seg.kind == "start":
                self.close()
                self.start(seg)
            elif seg.kind == "noise" and seg.why == "date line" and self.current is not None and not _complete(self.buffer):
                i = self.text(i)  # "…于" / "2024年6月30日" / "前完成。": a wrap, not a signature's date
            elif seg.kind == "noise":
                self.close()
                self.skipped.append(Skipped(seg.line, seg.text[:30], seg.why or "noise"))
            elif seg.kind == "heading" and self.interrupts(seg):
                i = self.heading(i)
            else:
                i = self.text(i)
            i += 1
        last = self.current
        raw = self.buffer
        self.close()
        if last is not None and self.measures and self.measures[-1] is last:
            others_end_sentences = any(_SENTENCE_END.search(m.text) for m in self.measures[:-1])
            if others_end_sentences and not _complete(raw):
                last.incomplete = True


def read_document(text: str, today: date | None = None, issuer: str | None = None) -> Reading:
    """Everything read_document finds in `text` (see the module docstring). Deadlines written
    without a year count from the document's date, else from `today`. `issuer` (an issuer's name,
    or national / region / city) overrides the issuing level read from the document."""
    lines, dropped = _content_lines(text)
    header: Header = read_header([line for _, line in lines])
    when = date.fromisoformat(header.date) if header.date else today
    official = bool(header.doc_number or header.issuer)
    segs = _segments(lines, official)
    raw_lines = normalise_newlines(text).split("\n")
    # a PDF page starts each paragraph indented ("　　各地区…"): that line never continues the
    # one before it, full or not
    indented = frozenset(n for n, _ in lines if raw_lines[n - 1][:1] in (" ", "\u3000", "\t"))
    # A page of bullets (a newspaper's) runs unrelated articles after its measures: only a
    # numbered document's full lines continue their paragraph.
    bulleted = any(s.kind == "start" and s.number in BULLETS for s in segs)
    reader = _Reader(segs, when, official, frozenset() if bulleted else _full_lines(lines), indented)
    reader.run()
    measures = reader.measures
    skipped = sorted([*dropped, *reader.skipped], key=lambda s: s.line)
    level, place = level_of(header, issuer)
    return Reading(
        measures=measures,
        headings=reader.seen,
        skipped=skipped,
        doc_number=header.doc_number,
        issuer=header.issuer,
        date=header.date,
        level=level.value,
        place=place,
    )


def parse_text(text: str) -> list[ParsedMeasure]:
    """Every measure in `text`, in document order (see the module docstring for the rules)."""
    return read_document(text).measures
