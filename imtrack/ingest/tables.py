"""Task-division tables (任务分工表) -> measures, whatever file they came from.

Offices assign a document's tasks in a table: 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限, often
with a first column of areas whose cells are merged down over their tasks, a single 责任单位
column ("X牵头，Y配合", or a list whose first unit leads), a two-row header (责任单位 over
牵头单位 | 配合单位), section rows spanning the table (一、深化改革), and the header repeated where
the table crosses a page. Readers hand on a table as a grid of cell texts with merged cells
already spread (document.Table); here the columns are recognised by their headers and every
row becomes a ParsedMeasure with text, section, lead, partners and due. Where a table has both
a broad task column and a column of specific measures (重点任务 | 具体措施, the broad task often
merged down), the specific measure is the text and the broad task its section.

A table flattened into plain text is recognised when its cells can still be told apart: cells
separated by tabs, by `|`, or by spaces (Chinese prose has none), under a header line of the
same shape (`split_text_tables`). Where an empty cell left no trace, the cells are put in their
columns by what they look like (`_align`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from imtrack.errors import InvalidValue
from imtrack.i18n import _
from imtrack.ingest.document import Document, Table, square
from imtrack.ingest.parser import ParsedMeasure

NUMBER, SECTION, TASK, DETAIL, LEAD, PARTNERS, RESPONSIBLE, DUE = (
    "number", "section", "task", "detail", "lead", "partners", "responsible", "due",
)

# Header words, checked in this order on the folded header (whitespace removed): the first
# kind whose pattern matches names the column. 责任单位 is RESPONSIBLE (lead first, then
# partners) unless the same table has a 牵头 column, when it is read as the partners.
_HEADER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NUMBER, re.compile(r"^(?:序号?|编号|序列号|no\.?|#)$")),
    (LEAD, re.compile(r"牵头|主责|主办")),
    (PARTNERS, re.compile(r"配合|协办|参与|协同|协助")),
    (RESPONSIBLE, re.compile(r"责任|负责|承办|落实单位|实施单位|单位$|部门$|主体$")),
    (DUE, re.compile(r"时限|时间|期限|节点|进度|日期")),
    (SECTION, re.compile(r"领域|类别|板块|方面|分类|专项|类型|门类|一级")),
    (TASK, re.compile(r"任务|措施|事项|内容|举措|工作|要点|政策|目标|要求|二级")),
)
_SPACE = re.compile(r"\s+")
_NAME_SPLIT = re.compile(r"[、，,；;／/\n]+|\s{2,}")
_DUTY_WORDS = re.compile(r"(?:按职责分工|按职责|分别|共同)$")
_LEAD_MARK = re.compile(r"[（(]\s*牵头\s*[）)]|牵头$")
_PARTNER_MARK = re.compile(r"[（(]\s*配合\s*[）)]|配合$")
_CLAUSE_PART = re.compile(r"^(?:(?P<label>牵头|配合|责任|协办|参与)(?:单位|部门)?[:：])?(?P<names>.+?)(?P<role>牵头负责|牵头|负责|配合|协办|参与)?$")
_DONE_WORDS = re.compile(r"(?:完成|落实到位|到位|取得(?:阶段性)?成效|见效|实现)$")
_SECTION_MARK = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]{1,3}[部分章节])")


def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


# A header cell is a short name: no sentence punctuation, no label with a value after it
# ("牵头单位：省科技厅" is a labelled clause inside a measure, not a column header).
_NOT_A_HEADER = re.compile(r"[:：。，,；;！？!?、]|^\d+[.．、]")


def _headerish(cell: str) -> bool:
    folded = _fold(cell)
    return 0 < len(folded) <= 12 and not _NOT_A_HEADER.search(folded)


# Columns of people (责任领导 王某, 联系人 李某 and a phone number), not of units.
_PEOPLE = re.compile(r"领导|联系人|责任人|负责人|联系方式|电话")


def column_kind(header: str) -> str | None:
    """The kind of column a header names, or None (备注, 完成标志, 牵头领导, …: not read)."""
    if not _headerish(header):
        return None
    folded = _fold(header)
    if _PEOPLE.search(folded):
        return None
    for kind, pattern in _HEADER_KINDS:
        if pattern.search(folded):
            return kind
    return None


@dataclass(slots=True)
class Layout:
    header_rows: int  # rows of the header, counted from the top of the table
    columns: dict[str, int]  # kind -> column index


_HEADER_REACH = 6  # title, subtitle, unit and date rows, blank rows may stand above the header


def layout(rows: list[list[str]]) -> Layout | None:
    """The header of a task-division table among its first rows (title rows may come before
    it), or None when `rows` is not one: a task column and an agency or deadline column."""
    for top in range(min(_HEADER_REACH, len(rows))):
        kinds = [column_kind(cell) for cell in rows[top]]
        if TASK not in kinds:
            continue
        if not ({LEAD, PARTNERS, RESPONSIBLE, DUE} & set(kinds)):
            continue
        header_rows = 1
        # A two-row header: 责任单位 spread over 牵头单位 | 配合单位 in the row below, where the
        # other header cells (序号, 重点任务, merged down) repeat or are blank.
        if top + 1 < len(rows):
            upper, lower = rows[top], rows[top + 1]
            below = [column_kind(cell) for cell in lower]
            if {LEAD, PARTNERS} & set(below) and all(
                b is not None or not low.strip() or low == up
                for up, low, b in zip(upper, lower, below, strict=True)
            ):
                kinds = [b if b is not None and low != up else k for k, b, up, low in zip(kinds, below, upper, lower, strict=True)]
                header_rows = 2
        columns: dict[str, int] = {}
        for i, kind in enumerate(kinds):
            if kind is not None and kind not in columns:
                columns[kind] = i
            elif kind == TASK and DETAIL not in columns and rows[top][i] != rows[top][columns[TASK]]:
                # 重点任务 | 具体措施: the broad task over the measures that carry it out
                columns[DETAIL] = i
        if LEAD in columns and RESPONSIBLE in columns and PARTNERS not in columns:
            columns[PARTNERS] = columns.pop(RESPONSIBLE)
        return Layout(top + header_rows, columns)
    return None


def is_task_table(rows: list[list[str]]) -> bool:
    return bool(rows) and layout(rows) is not None


def continued(header: list[list[str]] | None, rows: list[list[str]]) -> list[list[str]] | None:
    """`rows` under the header of the task-division table before it, when they are its rows
    going on (Word splits a long table at a page or a section heading, and only the first part
    has the header): as many columns, and a row number where the first part has its 序号."""
    if header is None or not rows or is_task_table(rows):
        return None
    found = layout(header)
    if found is None or len(rows[0]) != len(header[-1]):
        return None
    if NUMBER in found.columns and not _ROW_NUMBER.match(rows[0][found.columns[NUMBER]].strip()):
        return None
    return [*header, *rows]


@dataclass(slots=True)
class TableReading:
    measures: list[ParsedMeasure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def agencies(cell: str) -> list[str]:
    """The units named in a cell, in order, without role marks."""
    names = []
    for part in _NAME_SPLIT.split(cell):
        part = _LEAD_MARK.sub("", _PARTNER_MARK.sub("", part.strip())).strip()
        part = _DUTY_WORDS.sub("", part).strip()
        if part:
            names.append(part)
    return names


def responsibility(cell: str) -> tuple[str | None, list[str]]:
    """A 责任单位 cell -> (lead, partners). "X牵头，Y、Z配合" and "X（牵头）、Y" say who leads;
    in a plain list the first unit listed leads."""
    text = cell.strip()
    if not text:
        return None, []
    leads: list[str] = []
    partners: list[str] = []
    plain: list[str] = []
    for part in re.split(r"[，,；;\n]+", text):
        part = part.strip()
        if not part:
            continue
        m = _CLAUSE_PART.match(part)
        role = (m["label"] or m["role"] or "") if m else ""
        names = agencies(m["names"]) if m else agencies(part)
        if role in ("牵头", "牵头负责"):
            leads.extend(names)
        elif role in ("配合", "协办", "参与"):
            partners.extend(names)
        else:
            for name in agencies(part if not m else m["names"]):
                marked = [p for p in _NAME_SPLIT.split(part) if name in p]
                if marked and _LEAD_MARK.search(marked[0]):
                    leads.append(name)
                elif marked and _PARTNER_MARK.search(marked[0]):
                    partners.append(name)
                else:
                    plain.append(name)
    ordered = [*leads, *plain, *partners]
    if not ordered:
        return None, []
    return ordered[0], ordered[1:]


def due_value(cell: str, today: date) -> str | None:
    """A 完成时限 cell -> Measure.due (ISO date or "ongoing"), None for an empty cell.
    Raises InvalidValue for one the date grammar does not read, e.g. two stages in one cell."""
    from imtrack.domain.dates import parse_due

    text = unicodedata.normalize("NFKC", cell).strip().rstrip("。;；")
    if not text:
        return None
    try:
        return parse_due(text, today).stored
    except InvalidValue:
        # "2025年底前完成" / "持续推进" / "2024年6月底前落实到位": the deadline, then what is due by it
        bare = _DONE_WORDS.sub("", text).strip()
        if bare and bare != text:
            return parse_due(bare, today).stored
        raise


def join_lines(text: str) -> str:
    """A cell's lines as one text: Chinese runs on, Latin words keep a space."""
    out = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def table_measures(table: Table, today: date) -> TableReading:
    """The measures of a task-division table, one per row (see the module docstring)."""
    reading = TableReading()
    rows = square(table.rows)
    found = layout(rows)
    if found is None:
        return reading
    cols = found.columns
    header = [_fold(c) for c in rows[found.header_rows - 1]]
    section_row = ""
    section_cell = ""

    def cell(row: list[str], kind: str) -> str:
        return join_lines(row[cols[kind]]) if kind in cols else ""

    for index in range(found.header_rows, len(rows)):
        row = rows[index]
        number = table.lines[index] if table.lines else index + 1
        where = (_("line {line}").format(line=number) if table.lines
                 else _("{table}, row {row}").format(table=table.where, row=index + 1))
        values = [join_lines(c) for c in row]
        filled = [v for v in values if v]
        if not filled:
            continue
        if [_fold(v) for v in values] == header:
            continue  # the header again, where the table crosses a page
        if len(set(filled)) == 1 and (len(filled) > 1 or len(values) == 1 or _SECTION_MARK.match(filled[0])):
            section_row = filled[0]  # a row spanning the table: a heading over the rows below
            section_cell = ""
            continue
        text = cell(row, TASK)
        broad = ""
        if DETAIL in cols:
            # The measure is the specific one; the broad task it belongs to is its section,
            # as the deepest heading above a measure is in a document.
            broad, text = text, cell(row, DETAIL) or text
            if broad == text:
                broad = ""
        if not text:
            if _SECTION_MARK.match(filled[0]) and len(filled) == 1:
                section_row = filled[0]
            else:
                reading.warnings.append(_("{where}: no task text; row skipped").format(where=where))
            continue
        if SECTION in cols:
            # A merged area cell is spread by the reader; a blank one under it (a flattened
            # table) belongs to the same area.
            section_cell = cell(row, SECTION) or section_cell
        measure = ParsedMeasure(text=text, line=number, section=broad or section_cell or section_row)
        lead, partners = None, []
        if LEAD in cols:
            named = agencies(cell(row, LEAD))
            lead, partners = (named[0], named[1:]) if named else (None, [])
        if RESPONSIBLE in cols:
            r_lead, r_partners = responsibility(cell(row, RESPONSIBLE))
            if lead is None:
                lead, partners = r_lead, [*partners, *r_partners]
            else:
                partners.extend(n for n in [r_lead, *r_partners] if n)
        if PARTNERS in cols:
            partners.extend(agencies(cell(row, PARTNERS)))
        measure.lead = lead
        measure.partners = [p for i, p in enumerate(partners) if p != lead and p not in partners[:i]]
        if DUE in cols and (raw := cell(row, DUE)):
            try:
                measure.due = due_value(raw, today)
            except InvalidValue:
                reading.warnings.append(
                    _("{where}: deadline {raw!r} is not one date; imported without a due date "
                      "(set it with `imtrack update ID --due`)").format(where=where, raw=raw)
                )
        reading.measures.append(measure)
    return reading


# -- tables flattened into text ---------------------------------------------------------------

_SEPARATORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tab", re.compile(r"\t")),
    ("bar", re.compile(r"\s*[|｜]\s*")),
    # Chinese prose has no spaces between words, so a space is a cell boundary; a run of
    # spaces is one boundary (an empty cell leaves no trace: see _align)
    ("spaces", re.compile(r"[ \u3000]+")),
)
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}|[（(]\d{1,3}[）)]|[一二三四五六七八九十]{1,3})[.．、]?$")
_DEADLINE_LIKE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|年底|年内|年末|季度|半年|持续|长期|常态|ongoing", re.IGNORECASE)
_SENTENCE = re.compile(r"[。；;！？!?]")


def _looks_due(value: str) -> bool:
    return bool(_DEADLINE_LIKE.search(value))


def _cells(line: str, how: str) -> list[str]:
    pattern = dict(_SEPARATORS)[how]
    line = line.strip(" \u3000")
    if how == "bar":
        line = line.strip("|｜")
    cells = [c.strip() for c in pattern.split(line)]
    return [c for c in cells if c] if how == "spaces" else cells


def _header(line: str) -> tuple[str, list[str]] | None:
    """A header line: three or more cells, every one of them a column name (a line of a
    measure with labelled agencies after it is not)."""
    for how, _name in _SEPARATORS:
        cells = _cells(line, how)
        if len(cells) >= 3 and layout([cells]) is not None and all(_headerish(c) or not c for c in cells):
            return how, cells
    return None


def _align(cells: list[str], found: Layout, width: int, joiner: str = " ") -> list[str] | None:
    """Put the cells of a row whose empty cells left no trace (cells apart by spaces, or a
    merged area cell blank) into their columns, or None when it is no row of the table.

    Cells left of the task column are the area and the number, a number looking like one;
    from the right, the deadline when the last cell reads like one, then the agency columns
    (lead first) from the short cells that are no sentence; what is left in the middle is
    the task (a space inside it kept)."""
    task = found.columns[TASK]
    row = [""] * width
    left = 0
    for col in range(task):
        if left >= len(cells):
            break
        kind = next((k for k, i in found.columns.items() if i == col), None)
        value = cells[left]
        if kind == NUMBER:
            if _ROW_NUMBER.match(value):
                row[col] = value
                left += 1
        elif kind == SECTION:
            # The area is written on its first row only; the number comes right after it.
            nxt = cells[left + 1] if left + 1 < len(cells) else ""
            if not _ROW_NUMBER.match(value) and (NUMBER not in found.columns or _ROW_NUMBER.match(nxt)):
                row[col] = value
                left += 1
        else:
            row[col] = value
            left += 1
    if NUMBER in found.columns and found.columns[NUMBER] < task and not row[found.columns[NUMBER]]:
        return None  # a numbered table's row starts with its number: this line is prose
    right = len(cells)
    for col in range(width - 1, task, -1):
        if right - left <= 1:
            break  # the last cell left is the task's
        kind = next((k for k, i in found.columns.items() if i == col), None)
        value = cells[right - 1]
        if _SENTENCE.search(value) or len(value) > 60:
            break
        if (kind == DUE and _looks_due(value)) or (kind in (LEAD, PARTNERS, RESPONSIBLE) and not _looks_due(value)):
            row[col] = value
            right -= 1
        # a column that is neither (备注, …) is taken to be empty: nothing says otherwise
    if LEAD in found.columns or RESPONSIBLE in found.columns:
        # agency cells fill the lead before the partners: one agency given is the lead
        agency_cols = sorted(found.columns[k] for k in (LEAD, PARTNERS, RESPONSIBLE) if k in found.columns)
        named = [row[c] for c in agency_cols if row[c]]
        for c in agency_cols:
            row[c] = named.pop(0) if named else ""
    if right <= left:
        return None
    row[task] = joiner.join(cells[left:right])
    return row


def _column_header(lines: list[str], i: int) -> list[str] | None:
    """A header written one cell per line (a table copied out of a PDF or a web page): three
    or more consecutive column names, with a 序号 column to tell the rows apart."""
    names: list[str] = []
    for line in lines[i:]:
        if not line.strip() or column_kind(line) is None:
            break
        names.append(line.strip())
    # It starts where tables start, at 序号 or an area column (a title such as 重点任务分工
    # above it is a name too, but no column).
    if len(names) < 3 or column_kind(names[0]) not in (NUMBER, SECTION):
        return None
    if NUMBER not in {column_kind(n) for n in names} or layout([names]) is None:
        return None
    return names


def _column_table(lines: list[str], i: int, header: list[str]) -> tuple[Table, int] | None:
    """The rows below a one-cell-per-line header: each row starts at its number; a long task
    wrapped over several lines runs on; a section line (一、…) between rows heads the rows
    below; the first line that fits none of these ends the table."""
    found = layout([header])
    assert found is not None
    width = len(header)
    rows, numbers = [header], [i + 1]
    j = i + len(header)
    while j < len(lines):
        line = lines[j].strip()
        if not line:
            j += 1
            continue
        if _SECTION_MARK.match(line) and len(line) <= 30 and not _SENTENCE.search(line):
            rows.append([line] * width)
            numbers.append(j + 1)
            j += 1
            continue
        if not _ROW_NUMBER.match(line):
            break
        cells, k, said = [line], j + 1, False
        while k < len(lines) and len(cells) < width + 4:
            nxt = lines[k].strip()
            if not nxt or _ROW_NUMBER.match(nxt) or (_SECTION_MARK.match(nxt) and len(nxt) <= 30):
                break
            if said and _SENTENCE.search(nxt[-1:]):
                break  # a second sentence after the task's: prose after the table
            said = said or bool(_SENTENCE.search(nxt[-1:]))
            cells.append(nxt)
            k += 1
        row = _align(cells, found, width, joiner="")
        if row is None:
            break
        rows.append(row)
        numbers.append(j + 1)
        j = k
    if len(rows) == 1:
        return None
    return Table(rows, where=_("lines {first}-{last}").format(first=i + 1, last=j), lines=numbers), j


def split_text_tables(lines: list[str]) -> list[str | Table]:
    """`lines` with every task-division table among them taken out as a Table (see the module
    docstring); all other lines as they were."""
    out: list[str | Table] = []
    i = 0
    while i < len(lines):
        column = _column_header(lines, i)
        if column is not None and (taken := _column_table(lines, i, column)) is not None:
            table, i = taken
            out.append(table)
            continue
        head = _header(lines[i])
        if head is None:
            out.append(lines[i])
            i += 1
            continue
        how, header = head
        found = layout([header])
        assert found is not None
        width = len(header)
        rows = [header]
        numbers = [i + 1]
        j = i + 1
        while j < len(lines):
            line = lines[j].strip()
            if not line:
                j += 1
                continue
            cells = _cells(line, how)
            if len([c for c in cells if c]) == 1:
                if len(line) <= 30 and not _SENTENCE.search(line):
                    rows.append([line] * width)  # a section row, as a merged row would read
                    numbers.append(j + 1)
                    j += 1
                    continue
                break
            row = cells if len(cells) == width else _align([c for c in cells if c], found, width)
            number = row[found.columns[NUMBER]] if row is not None and NUMBER in found.columns else ""
            if row is None or (number and not _ROW_NUMBER.match(number)):
                break  # prose after the table
            rows.append(row)
            numbers.append(j + 1)
            j += 1
        if len(rows) == 1:
            out.append(lines[i])
            i += 1
            continue
        out.append(Table(rows, where=_("lines {first}-{last}").format(first=i + 1, last=j), lines=numbers))
        i = j
    return out


def document_measures(doc: Document, today: date) -> TableReading:
    """The measures of every task-division table in `doc`, in order."""
    reading = TableReading()
    for table in doc.tables:
        part = table_measures(table, today)
        reading.measures.extend(part.measures)
        reading.warnings.extend(part.warnings)
    return reading
