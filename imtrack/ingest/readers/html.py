"""A saved web page -> paragraphs and tables: the article body found, the site furniture left.

lxml.html parses what browsers parse (unclosed tags, stray </td>, GBK pages) and is already
installed with python-docx, which depends on it. The article body is, in order of trust:

1. an element that content systems of government sites mark as the body: gov.cn's
   `UCAP-CONTENT`, the TRS editor's `TRS_Editor`, `Zoom`/`zoom`, `pages_content`, `article`, …;
2. else the element holding the most paragraph text in its own paragraphs (as article
   extractors do), which a header, a menu or a footer of short links never is.

Inside the body, every block element (p, div, li, h1-h6, tr, td, …) and every <br> ends a
line, inline elements (span, font, a, b, …) run on, and whitespace is collapsed as a browser
does, so each paragraph is one line, as the corpus .txt files hold them. A table is handed on as
a grid when it is a task-division table (tables.is_task_table); any other table (the layout
table gov.cn wraps its articles in, a list of names) is read as its cells' paragraphs."""

from __future__ import annotations

import re
from typing import Any

from imtrack.errors import ImtrackError
from imtrack.i18n import _
from imtrack.ingest.document import Document, Table, square
from imtrack.ingest.readers.detect import DamagedFile, UnsupportedFormat
from imtrack.ingest.tables import continued, is_task_table, layout
from imtrack.ingest.textio import decode

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # not the no-break space: a browser keeps it

# Never part of an article: code, styles, forms, and the page's own furniture elements.
_DROP = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "head", "form",
    "button", "select", "textarea", "input", "nav", "header", "footer", "aside", "svg", "canvas",
)
_BLOCK = frozenset((
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
    "th", "table", "tbody", "thead", "tfoot", "caption", "blockquote", "pre", "section", "article",
    "center", "address", "figure", "figcaption", "hr", "main",
))
# ids and classes that content systems of gov.cn and provincial sites give the article body.
_BODY_IDS = ("UCAP-CONTENT", "Zoom", "zoom", "Zoom1", "articleContent", "article-content", "content_text")
_BODY_CLASSES = (
    "pages_content", "TRS_Editor", "TRS_UEDITOR", "article-content", "article_content",
    "articleContent", "content_text", "view TRS_UEDITOR", "zw",
)
_MIN_BODY_CHARS = 40


def read_html(data: bytes, name: str, encoding: str | None = None) -> Document:
    import lxml.html
    from lxml import etree

    text, used = _decode(data, name, encoding)
    text = _XML_DECLARATION.sub("", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise DamagedFile(_("{name} cannot be read as a web page ({problem}); save the page again").format(name=name, problem=exc)) from None
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *_DROP, with_tail=False)
    body = _article(root)
    doc = Document(name=name, format="html", encoding=used)
    lines = _Lines(doc)
    _walk(body, lines, top=True)
    lines.flush()
    if not doc.blocks:
        raise UnsupportedFormat(
            _("{name} is a web page without any text (its article may be loaded by a script); save "
              "the page from the browser once it shows the article, or copy the text into a .txt file").format(name=name)
        )
    return doc


def read_mhtml(data: bytes, name: str, encoding: str | None = None) -> Document:
    """A page saved as a single file (.mht, or a ".doc" that some sites serve): its HTML part."""
    import email
    from email import policy

    message = email.message_from_bytes(data, policy=policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return read_html(payload, name, encoding or part.get_content_charset())
    raise DamagedFile(_("{name} is a saved web archive (MHTML) without a web page in it; save the page again").format(name=name))


# Browsers read pages labelled gb2312 or gbk with the GB18030 decoder (WHATWG Encoding): those
# pages use GBK characters freely, and Python's gb2312 codec maps 0xA1AA to U+2015 where every
# browser shows the dash U+2014 (云—端).
_GB_LABELS = frozenset(("gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "chinese", "csgb2312", "iso-ir-58"))


def _label(encoding: str) -> str:
    return "gb18030" if encoding.strip().lower() in _GB_LABELS else encoding


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        decoded = decode(data, name, _label(encoding))
        return decoded.text, decoded.encoding
    if m := _CHARSET.search(data[:4096]):
        declared = _label(m.group(1).decode("ascii", "replace"))
        try:
            decoded = decode(data, name, declared)
            return decoded.text, decoded.encoding
        except ImtrackError:
            pass  # a wrong or unknown declaration: detect as for a text file
    decoded = decode(data, name, None)
    return decoded.text, decoded.encoding


def _text_len(el: Any) -> int:
    return len(_WHITESPACE.sub("", el.text_content()))


def _article(root: Any) -> Any:
    for ident in _BODY_IDS:
        for el in root.iter():
            if el.get("id") == ident and _text_len(el) >= _MIN_BODY_CHARS:
                return el
    for cls in _BODY_CLASSES:
        for el in root.iter():
            classes = (el.get("class") or "").split()
            if (cls in classes or el.get("class") == cls) and _text_len(el) >= _MIN_BODY_CHARS:
                return el
    # Article extractors' rule: credit each paragraph's text to its parent (and half to the
    # grandparent); the body is the element with most credit. Links do not count: a menu is
    # all links, an article almost none. A task-division table counts as one paragraph of the
    # element around it, so the title and text above it stay in the body.
    task_tables = {t for t in root.iter("table") if is_task_table(table_grid(t))}
    scores: dict[Any, float] = {}
    for el in root.iter("p", "div", "li", "table"):
        if not _scored(el, task_tables):
            continue
        own = _text_len(el) - sum(_text_len(a) for a in el.iter("a"))
        if own < 10:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + own
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + own / 2
    if scores:
        return max(scores, key=lambda el: scores[el])
    body = root.find("body")
    return body if body is not None else root


def _scored(el: Any, task_tables: set[Any]) -> bool:
    """Does `el` count as one paragraph of its parent?"""
    if el.tag == "table":
        return el in task_tables
    if any(a in task_tables for a in el.iterancestors("table")):
        return False  # a cell's text counts with its table
    return el.tag == "p" or not any(child.tag in _BLOCK for child in el)


class _Lines:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.parts: list[str] = []
        self.header: list[list[str]] | None = None  # of the last task-division table

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(_WHITESPACE.sub(" ", value))

    def flush(self) -> None:
        if self.parts:
            # spaces at the edges of two inline elements make one, as in a browser
            self.doc.add(_WHITESPACE.sub(" ", "".join(self.parts)))
            self.parts = []

    def table(self, table: Table) -> None:
        self.flush()
        self.doc.blocks.append(table)


def _walk(el: Any, out: _Lines, top: bool = False) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "br":
        out.flush()
    elif tag == "table" and not top:
        grid = table_grid(el)
        grid = continued(out.header, grid) or grid  # a table split in two goes on
        found = layout(grid)
        if found is not None:
            out.header = grid[: found.header_rows]
            out.table(Table(grid, where=_("table {n}").format(n=_table_number(el))))
            out.text(el.tail)
            return
    block = tag in _BLOCK
    if block:
        out.flush()
    if tag != "br":
        out.text(el.text)
        for child in el:
            _walk(child, out)
    if block:
        out.flush()
    if not top:
        out.text(el.tail)


def _table_number(el: Any) -> int:
    return list(el.getroottree().iter("table")).index(el) + 1


def cell_text(cell: Any) -> str:
    """A cell's text, a line per paragraph (as the document reader would give them)."""
    doc = Document(name="", format="html")
    lines = _Lines(doc)
    _walk(cell, lines, top=True)
    lines.flush()
    return "\n".join(doc.paragraphs)


def table_grid(table: Any) -> list[list[str]]:
    """The table's rows with rowspan/colspan spread over every slot they cover. Rows of
    nested tables stay with their own table."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows it still covers, text)
    for tr in _own_rows(table):
        row: list[str] = []
        for cell in [c for c in tr if c.tag in ("td", "th")]:
            _take_pending(row, pending, until_free=True)
            value = cell_text(cell)
            down = _span(cell.get("rowspan"))
            for _column in range(_span(cell.get("colspan"))):
                if down > 1:
                    pending[len(row)] = (down - 1, value)
                row.append(value)
        _take_pending(row, pending, until_free=False)
        grid.append(row)
    return square(grid)


def _take_pending(row: list[str], pending: dict[int, tuple[int, str]], until_free: bool) -> None:
    """Fill `row` with the cells that rows above span into it: those at its end (until the
    next free column) or, at the end of the row, all that are left."""
    while True:
        col = len(row)
        later = [c for c in pending if c >= col]
        if col not in pending and (until_free or not later):
            return
        if col not in pending:
            row.append("")
            continue
        left, value = pending.pop(col)
        if left > 1:
            pending[col] = (left - 1, value)
        row.append(value)


def _own_rows(table: Any) -> list[Any]:
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1
