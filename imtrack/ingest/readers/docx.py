"""A Word document (.docx) -> paragraphs and tables, in the body's order (python-docx).

What python-docx leaves to its user, done here:

* **Numbering.** Word's automatic numbering (一、 （一） 1. ①) is not in a paragraph's text but
  in numbering.xml: the paragraph (or its style) names a list and a level, the level says how
  to write its number (chineseCounting, decimal, decimalEnclosedCircle, …) and the text around
  it ("%1、", "（%2）"). The numbers are counted here as Word counts them, so the parser sees
  "一、总体要求" as it would in the text version.
* **Tracked changes** read as accepted: inserted text in, deleted text out.
* **Line breaks** inside a paragraph (Shift+Enter, <w:br/>) end a line, as <br> does in HTML.
* **Tables**: a task-division table is handed on as a grid (python-docx already repeats a
  merged cell in every row and column it covers); any other table as its cells' paragraphs.

Page headers and footers live outside the body and are never read."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from imtrack.i18n import _
from imtrack.ingest.document import Document, Table, square
from imtrack.ingest.readers.detect import DamagedFile
from imtrack.ingest.tables import continued, layout

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_CN_DIGITS = "零一二三四五六七八九"


def read_docx(data: bytes, name: str) -> Document:
    from zipfile import BadZipFile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from lxml.etree import XMLSyntaxError

    try:
        word = docx.Document(BytesIO(data))
    except (BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise DamagedFile(
            _("{name} is a damaged Word document ({problem}); open it in Word or WPS and save it again as .docx").format(
                name=name, problem=exc)
        ) from None
    doc = Document(name=name, format="docx")
    numbers = _Numbering(word)
    tables = 0
    header: list[list[str]] | None = None  # of the last task-division table
    for block in word.iter_inner_content():
        if isinstance(block, DocxTable):
            tables += 1
            grid = table_grid(block)
            grid = continued(header, grid) or grid  # a table split in two goes on
            found = layout(grid)
            if found is not None:
                header = grid[: found.header_rows]
                doc.blocks.append(Table(grid, where=_("table {n}").format(n=tables)))
            else:
                for row in _unique_cells(block):
                    for cell in row:
                        for paragraph in cell.paragraphs:
                            doc.add(numbers.label(paragraph._p) + paragraph_text(paragraph._p))
            continue
        doc.add(numbers.label(block._p) + paragraph_text(block._p))
    return doc


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Whole subtrees that are not the paragraph's own running text: deletions shown as tracked
# changes, drawings and text boxes (whose AlternateContent holds every text twice), fields'
# instructions.
_SKIP = frozenset((f"{_W}del", f"{_W}moveFrom", f"{_W}drawing", f"{_W}pict", f"{_MC}AlternateContent",
                   f"{_W}instrText", f"{_W}delInstrText", f"{_W}rPr", f"{_W}pPr", f"{_W}footnoteReference"))
_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def paragraph_text(p: Any) -> str:
    """A paragraph's text as Word shows it with changes accepted: python-docx's Paragraph.text
    leaves out runs inside tracked insertions (<w:ins>), which drafts sent for comment are full of."""
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag in _TEXT:
                out.append((child.text or "") if _TEXT[tag] is None else _TEXT[tag])
                continue
            walk(child)

    walk(p)
    return "".join(out)


def _unique_cells(table: Any) -> list[list[Any]]:
    seen: set[int] = set()
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell)
        rows.append(cells)
    return rows


def table_grid(table: Any) -> list[list[str]]:
    return square([
        ["\n".join(paragraph_text(p._p) for p in cell.paragraphs) for cell in row.cells] for row in table.rows
    ])


# -- automatic numbering ----------------------------------------------------------------------


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False  # isLgl: numbers of the levels above written as decimals


@dataclass(slots=True)
class _List:
    levels: dict[int, _Level]
    counts: dict[int, int] = field(default_factory=dict)


class _Numbering:
    """Word's list counters, advanced paragraph by paragraph in reading order."""

    def __init__(self, word: Any) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstract id, start overrides)
        self.lists: dict[str, _List] = {}
        self.started: set[str] = set()
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # style -> (numId, ilvl, based on)
        try:
            numbering = word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        if numbering is not None:
            self._read_numbering(numbering)
        try:
            styles = word.styles.element
        except (KeyError, AttributeError):
            styles = None
        if styles is not None:
            for style in styles.iter(f"{_W}style"):
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                based = style.find(f"{_W}basedOn")
                self.styles[style.get(f"{_W}styleId", "")] = (
                    _val(num_pr, "numId"), _val(num_pr, "ilvl"), None if based is None else based.get(f"{_W}val")
                )

    def _read_numbering(self, numbering: Any) -> None:
        for abstract in numbering.iter(f"{_W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                level = _Level()
                if (start := _val(lvl, "start")) is not None and start.lstrip("-").isdigit():
                    level.start = int(start)
                level.fmt = _val(lvl, "numFmt") or "decimal"
                text = lvl.find(f"{_W}lvlText")
                level.text = "" if text is None else text.get(f"{_W}val", "")
                level.legal = lvl.find(f"{_W}isLgl") is not None
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = level
            self.abstract[abstract.get(f"{_W}abstractNumId", "")] = levels
        for num in numbering.iter(f"{_W}num"):
            overrides: dict[int, int] = {}
            for override in num.iter(f"{_W}lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None and start.isdigit():
                    overrides[int(override.get(f"{_W}ilvl", "0"))] = int(start)
            self.nums[num.get(f"{_W}numId", "")] = (_val(num, "abstractNumId") or "", overrides)

    def _num_pr(self, p: Any) -> tuple[str | None, int]:
        ppr = p.find(f"{_W}pPr")
        num_pr = None if ppr is None else ppr.find(f"{_W}numPr")
        num_id, ilvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        style = None if ppr is None else _val(ppr, "pStyle")
        seen: set[str] = set()
        while num_id is None and style is not None and style not in seen:
            seen.add(style)
            style_num, style_lvl, based = self.styles.get(style, (None, None, None))
            num_id, ilvl = style_num, ilvl or style_lvl
            style = based
        return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0

    def label(self, p: Any) -> str:
        """The number Word shows before paragraph `p` ("" when it has none), counted."""
        num_id, ilvl = self._num_pr(p)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id)
        if not levels or ilvl not in levels:
            return ""
        # Lists that share an abstract definition continue one another, as in Word, unless a
        # list restarts it (a start override, Word's "restart numbering").
        key = num_id if overrides else abstract_id
        state = self.lists.setdefault(key, _List(levels))
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in overrides.items():
                state.counts[level] = start - 1
        level = levels[ilvl]
        state.counts[ilvl] = state.counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in state.counts if k > ilvl]:
            del state.counts[deeper]
        if level.fmt == "bullet":
            # Word's bullets are often private-use glyphs of the Symbol or Wingdings fonts
            # (U+F0B7, U+F06E): shown as a bullet, so written as one.
            glyph = level.text.strip()
            return glyph if glyph and glyph in "■●◆▲•□★" else ("•" if glyph else "")
        if level.fmt == "none":
            return level.text if "%" not in level.text else ""
        text = level.text
        for n in range(9, 0, -1):
            if f"%{n}" not in text:
                continue
            at = n - 1
            lv = levels.get(at, _Level())
            count = state.counts.get(at, lv.start)
            fmt = "decimal" if level.legal and at != ilvl else lv.fmt
            text = text.replace(f"%{n}", _format(count, fmt))
        return text


def _val(el: Any, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(f"{_W}{tag}")
    return None if child is None else child.get(f"{_W}val")


def _chinese(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):
        while n >= value:
            out += numeral
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "ideographTraditional", "japaneseCounting", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    return str(n)
