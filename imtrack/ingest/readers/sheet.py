"""An Excel workbook holding a task-division table (任务分工表): every worksheet read as a grid,
its merged cells (an area spread over its tasks) spread over every cell they cover.

imtrack's own ledger sheet (`imtrack export --format xlsx`) shares the 序号 | 任务 | 牵头单位 …
header, and coming back it updates the measures its 序号 column names (exchange/sheets.py).
A workbook is that ledger sheet when imtrack could have written it: its first sheet is named
台账/Ledger, or its header has a column only the ledger has (状态, 最新进展, 更新时间);
anything else is a document to import (`is_ledger_workbook`)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from imtrack.i18n import _
from imtrack.ingest.document import Document, Table, square
from imtrack.ingest.readers.detect import DamagedFile
from imtrack.ingest.tables import is_task_table

LEDGER_SHEET_TITLES = ("台账", "Ledger")
LEDGER_ONLY_HEADERS = ("状态", "status", "最新进展", "latest_note", "latest note", "更新时间", "updated")


def _open(data: bytes, name: str) -> Any:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        # data_only: a formula cell's last computed value, never the formula's text.
        return load_workbook(BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise DamagedFile(
            _("{name} is a damaged workbook ({problem}); open it in Excel or WPS and save it again as .xlsx").format(
                name=name, problem=exc)
        ) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "year"):
        value = value.date() if hasattr(value, "hour") else value
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_grid(ws: Any) -> list[list[str]]:
    grid = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = _text(ws.cell(merged.min_row, merged.min_col).value)
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, merged.max_col):
                if c < len(grid[r]):
                    grid[r][c] = value
    while grid and not any(grid[-1]):
        grid.pop()
    return square(grid)


def read_xlsx(data: bytes, name: str) -> Document:
    wb = _open(data, name)
    doc = Document(name=name, format="xlsx")
    try:
        for ws in wb.worksheets:
            grid = sheet_grid(ws)
            if is_task_table(grid):
                doc.blocks.append(Table(grid, where=_("sheet {title!r}").format(title=ws.title)))
            else:
                for row in grid:
                    for value in row:
                        doc.add(value)
    finally:
        wb.close()
    return doc


def is_ledger_workbook(path: Path) -> bool:
    """Is the .xlsx at `path` imtrack's ledger sheet coming back (see the module docstring)?
    A file that cannot be read counts as one: the ledger reader reports what is wrong."""
    try:
        wb = _open(path.read_bytes(), str(path))
    except (DamagedFile, OSError):
        return True
    try:
        if not wb.worksheets:
            return True
        ws = wb.worksheets[0]
        if ws.title in LEDGER_SHEET_TITLES:
            return True
        grid = sheet_grid(ws)
        for row in grid[:3]:
            if any(cell.strip().casefold() in LEDGER_ONLY_HEADERS for cell in row):
                return True
        return not any(is_task_table(sheet_grid(w)) for w in wb.worksheets)
    finally:
        wb.close()
