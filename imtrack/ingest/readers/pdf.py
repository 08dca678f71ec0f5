"""A PDF's text layer -> paragraphs (pdfminer.six), as the document had them before it was set
on pages.

pdfminer.six gives the text lines of each page with their positions, CJK included (its CMaps
cover the Adobe-GB1 fonts that Chinese PDFs use, embedded or not). Here the page is undone:

* **Page furniture** is dropped: a line among the first or last two of a page that recurs on
  most pages once its digits are ignored (国务院文件, a running title, "第 3 页 共 12 页"), and a
  page number at the top or bottom of a page (— 3 —, - 3 -, 3, 第3页, 3/12).
* **Hard wraps are joined.** The body's left edge and right edge are where most lines start
  and end; a line continues the paragraph above it when that line ran to the right edge and
  this one starts at the left edge (not indented, not centred), also across a page break. A
  first-line indent, a short line before, a centred line or a wide vertical gap starts a new
  paragraph.
* **Task-division tables** are rebuilt from where their text stands: a row of three or more
  column names (序号 | 重点任务 | 牵头单位 …) gives the columns, every text line below goes to the
  column it stands in, a row starts at its number, and a cell's wrapped lines are joined. The
  table ends at the first line that fits no column (a paragraph runs across them); it goes on
  over a page break, past a repeated header.
* **A PDF without text** (a scan) or whose fonts carry no text mapping is an error that says
  to run OCR, never an empty import."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from itertools import pairwise
from typing import Any

from imtrack.i18n import _
from imtrack.ingest.document import Document, Table, square
from imtrack.ingest.readers.detect import DamagedFile, UnsupportedFormat

_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-—–－~\s]*\d{1,4}[-—–－~\s]*                       # 3, - 3 -, — 3 —
       |第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?   # 第3页 / 第3页 共12页
       |\d{1,4}\s*/\s*\d{1,4}                               # 3/12
       |(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?          # Page 3 of 12
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_CID = re.compile(r"\(cid:\d+\)")
_EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be furniture


@dataclass(slots=True)
class _Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page
    size: float  # the font size (a character's width in CJK text)
    text: str


def read_pdf(data: bytes, name: str) -> Document:
    lines = _lines(data, name)
    text = "".join(line.text for line in lines)
    if not _SPACE.sub("", text):
        raise UnsupportedFormat(
            _("{name} is a scanned PDF: its pages are images with no text layer; run OCR on it first "
              "(e.g. `ocrmypdf -l chi_sim IN.pdf OUT.pdf`) or ask for the Word or text version").format(name=name)
        )
    if len("".join(_CID.findall(text))) > len(text) / 3:
        raise UnsupportedFormat(
            _("{name} has fonts without a text mapping, so its text cannot be extracted; ask for the "
              "Word or text version, or run OCR on it (e.g. `ocrmypdf --force-ocr -l chi_sim IN.pdf OUT.pdf`)").format(
                name=name)
        )
    doc = Document(name=name, format="pdf")
    for block in tables(drop_furniture(lines)):
        if isinstance(block, Table):
            doc.blocks.append(block)
        else:
            for paragraph in paragraphs(block):
                doc.add(paragraph)
    return doc


def _lines(data: bytes, name: str) -> list[_Line]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    out: list[_Line] = []
    try:
        for number, page in enumerate(extract_pages(BytesIO(data), laparams=LAParams()), start=1):
            height = page.height
            for line in _walk(page, LTTextLine):
                text = line.get_text().strip()
                if not text:
                    continue
                sizes = [ch.size for ch in line if hasattr(ch, "size")]
                size = statistics.median(sizes) if sizes else line.height
                out.append(_Line(number, line.x0, line.x1, height - line.y1, size, text))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnsupportedFormat(
            _("{name} is password-protected; open it with its password and save an unprotected copy").format(name=name)
        ) from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise DamagedFile(_("{name} is a damaged PDF ({problem}); ask for a new copy of the file").format(name=name, problem=exc)) from None
    out.sort(key=lambda line: (line.page, round(line.top, 1), line.x0))
    return out


def _walk(item: Any, kind: type) -> list[Any]:
    if isinstance(item, kind):
        return [item]
    found = []
    for child in getattr(item, "_objs", []) if hasattr(item, "_objs") else []:
        found.extend(_walk(child, kind))
    return found


def _shape(text: str) -> str:
    """A line's text with its numbers and spaces ignored, to find running heads and feet."""
    return _DIGITS.sub("#", _SPACE.sub("", text))


def _pitch(lines: list[_Line]) -> float:
    """The usual distance from one line to the next on a page: the most common one, which is
    the body's (the gaps around heads, feet and headings are each their own)."""
    steps = Counter(round(b.top - a.top) for a, b in pairwise(lines) if a.page == b.page and b.top > a.top)
    if not steps:
        return 2 * statistics.median(line.size for line in lines)
    return float(steps.most_common(1)[0][0])


def drop_furniture(lines: list[_Line]) -> list[_Line]:
    """`lines` without running heads, feet and page numbers (see the module docstring).

    A head or foot also stands apart from the body (a wider gap than between two lines of
    text), so body text that happens to recur at a page's edge is kept."""
    if not lines:
        return []
    pages: dict[int, list[_Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    edges = {n: page[:_EDGE_LINES] + page[-_EDGE_LINES:] for n, page in pages.items()}
    seen = Counter(
        shape for page in edges.values() for shape in {(_shape(line.text), round(line.top / 4)) for line in page}
    )
    recurring = {key for key, count in seen.items() if len(pages) >= 2 and count >= max(2, len(pages) / 2)}
    pitch = _pitch(lines)

    def furniture(line: _Line, outermost: bool) -> bool:
        # A page number is the page's first or last line; a line of digits further in is text.
        if outermost and _PAGE_NUMBER.match(line.text):
            return True
        return (_shape(line.text), round(line.top / 4)) in recurring

    drop: set[int] = set()
    for page in pages.values():
        for ordered in (page, page[::-1]):  # the head from the top down, the foot from the bottom up
            k = 0
            while k < min(_EDGE_LINES, len(ordered) - 1) and furniture(ordered[k], k == 0):
                k += 1
            while k and abs(ordered[k].top - ordered[k - 1].top) < 1.3 * pitch:
                k -= 1  # no gap between it and the body: it is body text
            drop.update(id(line) for line in ordered[:k])
    return [line for line in lines if id(line) not in drop]


def paragraphs(lines: list[_Line]) -> list[str]:
    """Join hard-wrapped lines into paragraphs (see the module docstring)."""
    if not lines:
        return []
    char = statistics.median(line.size for line in lines) or 10.0
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    right = sorted(line.x1 for line in lines)[int(0.9 * (len(lines) - 1))]
    pitch = _pitch(lines)
    out: list[str] = []
    previous: _Line | None = None
    for line in lines:
        continues = (
            previous is not None
            and line.x0 <= left + 0.5 * char  # not indented, not centred
            and previous.x1 >= right - 1.5 * char  # the line above ran to the right edge
            and (line.page != previous.page or line.top - previous.top <= 1.6 * pitch)
        )
        if continues:
            out[-1] = _join(out[-1], line.text)
        else:
            out.append(line.text)
        previous = line
    return out


def _join(left: str, right: str) -> str:
    # Chinese runs on across a wrap; two Latin words (not a number cut in two) keep a space.
    if left and right and left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return f"{left} {right}"
    return left + right


# -- task-division tables ---------------------------------------------------------------------


def _rows_by_top(lines: list[_Line]) -> list[list[_Line]]:
    """The lines that stand side by side (one row of a table: one line per cell), top down."""
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and groups[-1][0].page == line.page and abs(groups[-1][0].top - line.top) < 2:
            groups[-1].append(line)
        else:
            groups.append([line])
    for group in groups:
        group.sort(key=lambda line: line.x0)
    return groups


class _Columns:
    def __init__(self, header: list[_Line]) -> None:
        self.starts = [line.x0 for line in header]
        self.tolerance = max(2.0, 0.5 * statistics.median(line.size for line in header))

    def column(self, line: _Line) -> int | None:
        """The column `line` stands in, or None when it stands in none or runs over the next."""
        for i, start in enumerate(self.starts):
            end = self.starts[i + 1] if i + 1 < len(self.starts) else float("inf")
            if start - self.tolerance <= line.x0 < end - self.tolerance:
                return i if line.x1 <= end + self.tolerance else None
        return None


def tables(lines: list[_Line]) -> list[list[_Line] | Table]:
    """`lines` with the task-division tables among them rebuilt (see the module docstring):
    runs of lines for paragraphs(), and Tables."""
    from imtrack.ingest.tables import _ROW_NUMBER, NUMBER, layout

    groups = _rows_by_top(lines)
    out: list[list[_Line] | Table] = []
    plain: list[_Line] = []
    g = 0
    while g < len(groups):
        group = groups[g]
        names = [line.text for line in group]
        found = layout([names]) if len(group) >= 3 else None
        if found is None or NUMBER not in found.columns:
            plain.extend(group)
            g += 1
            continue
        start = g
        columns = _Columns(group)
        number_col = found.columns[NUMBER]
        header = list(names)
        rows: list[list[str]] = []
        g += 1
        while g < len(groups):
            cells = [(columns.column(line), line) for line in groups[g]]
            if any(c is None for c, _ in cells):
                break  # a paragraph across the columns: the table is over
            if [line.text for line in groups[g]] == names:
                g += 1  # the header again on a new page
                continue
            starts_row = any(c == number_col and _ROW_NUMBER.match(line.text) for c, line in cells)
            if starts_row:
                rows.append([""] * len(names))
            target = rows[-1] if rows else header  # lines before the first row: the header wraps
            for c, line in cells:
                assert c is not None
                target[c] += line.text
            g += 1
        if not rows:  # column names in a line, but no table under them
            plain.extend(group)
            g = start + 1
            continue
        if plain:
            out.append(plain)
            plain = []
        page = group[0].page
        out.append(Table(square([header, *rows]), where=_("the table on page {page}").format(page=page)))
    if plain:
        out.append(plain)
    return out

