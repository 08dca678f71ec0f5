"""Exchange with the rest of the office: the ledger sheet (CSV, XLSX), a Markdown report and a
JSON full backup, and the way back (a returned ledger sheet, a backup to restore).

No Typer and no Rich here. openpyxl is imported only by the functions that read or write a
workbook, so nothing else pays for it.

Formula injection (pitfalls §5): a spreadsheet evaluates a text cell that starts with
= + - @ (or tab/CR). Every text cell that would start like that gets a leading apostrophe, in
CSV and XLSX alike; a cell that already starts with apostrophes before such a character gets one
more, so reading a sheet back removes exactly one and the value round-trips unchanged."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from imtrack.core.report import progress_by_sector
from imtrack.domain import clock
from imtrack.domain.models import Measure, Status, check_due, check_progress, parse_status
from imtrack.errors import InvalidValue, MergeConflict, NotFound
from imtrack.i18n import _, ngettext
from imtrack.ingest.textio import read_bytes
from imtrack.output.display import display_value
from imtrack.storage.base import Store, Transaction
from imtrack.vocab.agencies import canonical, clean_partners, without_lead
from imtrack.vocab.sectors import label as sector_label
from imtrack.vocab.sectors import parse_sector
from imtrack.vocab.textnorm import fold, fold_compact

# -- the ledger's columns ---------------------------------------------------------------------

FIELDS: tuple[str, ...] = (
    "id", "text", "sector", "lead", "partners", "due", "status", "latest_note", "updated",
)
# The sheet sent out also carries each measure's revision: what the agency was sent (the base of
# a three-way merge) is recovered from it on the way back (see _SentValues).
SHEET_FIELDS: tuple[str, ...] = (*FIELDS, "revision")
ZH_HEADERS: dict[str, str] = {
    "id": "序号",
    "text": "任务",
    "sector": "领域",
    "lead": "牵头单位",
    "partners": "配合单位",
    "due": "完成时限",
    "status": "状态",
    "latest_note": "最新进展",
    "updated": "更新时间",
    "revision": "版本",
}
EN_HEADERS: dict[str, str] = {f: f for f in SHEET_FIELDS}
HEADER_SETS = {"zh": ZH_HEADERS, "en": EN_HEADERS}
PARTNER_SEPARATOR = "、"
_PARTNER_SPLIT = re.compile(r"[、,，;；]")

# Words a returned sheet may use as a column header, folded, -> field.
_HEADER_LOOKUP: dict[str, str] = {}
for _field in SHEET_FIELDS:
    for _name in (_field, _field.replace("_", " "), _field.replace("_", "-"), ZH_HEADERS[_field]):
        _HEADER_LOOKUP[fold(_name)] = _field
for _alias, _field in {
    "编号": "id", "任务内容": "text", "内容": "text", "measure": "text", "牵头": "lead",
    "配合": "partners", "时限": "due", "完成时间": "due", "进展": "latest_note",
    "note": "latest_note", "last note": "latest_note", "版本号": "revision", "rev": "revision",
}.items():
    _HEADER_LOOKUP[fold(_alias)] = _field


def parse_fields(text: str | None) -> tuple[str, ...]:
    """`id,text,status` -> the chosen columns, in the order given (Chinese headers work too)."""
    if not text:
        return FIELDS
    chosen = []
    for part in text.split(","):
        if not part.strip():
            continue
        name = _HEADER_LOOKUP.get(fold(part))
        if name is None:
            raise InvalidValue(_("unknown field {value!r}; use a comma-separated list of: {value2}").format(value=part.strip(), value2=', '.join(FIELDS)))
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise InvalidValue(_("--fields is empty; give some of: {value}").format(value=', '.join(FIELDS)))
    return tuple(chosen)


def header_names(fields: Sequence[str] = FIELDS, headers: str = "zh") -> list[str]:
    try:
        names = HEADER_SETS[headers]
    except KeyError:
        raise InvalidValue(_("unknown header language {headers!r}; use zh or en").format(headers=headers)) from None
    return [names[f] for f in fields]


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def field_value(measure: Measure, name: str, headers: str = "zh") -> Any:
    """One ledger cell, as people read it: labels with Chinese headers, slugs with English."""
    zh = headers == "zh"
    if name == "id":
        return measure.id
    if name == "text":
        return measure.text
    if name == "sector":
        return sector_label(measure.sector) if zh else measure.sector
    if name == "lead":
        return measure.lead or ""
    if name == "partners":
        return PARTNER_SEPARATOR.join(measure.partners)
    if name == "due":
        return measure.due or ""
    if name == "status":
        return _status_label(measure.status) if zh else measure.status
    if name == "latest_note":
        note = measure.latest_note
        return note.text if note else ""
    if name == "updated":
        return measure.updated
    if name == "revision":
        return measure.revision
    raise ValueError(name)


def ledger_rows(
    measures: Iterable[Measure], fields: Sequence[str] = FIELDS, headers: str = "zh"
) -> tuple[list[str], list[list[Any]]]:
    """Header names and one row of plain values per measure (ids are ints, the rest str)."""
    head = header_names(fields, headers)
    return head, [[field_value(m, f, headers) for f in fields] for m in measures]


def field_records(measures: Iterable[Measure], fields: Sequence[str]) -> list[dict[str, Any]]:
    """`list --fields ... --format json`: the chosen fields, with JSON types (partners a list)."""
    out = []
    for m in measures:
        record: dict[str, Any] = {}
        for f in fields:
            if f == "partners":
                record[f] = list(m.partners)
            elif f in ("lead", "due"):
                record[f] = getattr(m, f)
            elif f == "latest_note":
                record[f] = m.latest_note.text if m.latest_note else None
            else:
                record[f] = field_value(m, f, "en")
        out.append(record)
    return out


# -- formula injection ------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate gets a leading apostrophe; numbers pass through."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse of neutralise() for a cell read back from a sheet."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# -- writers ----------------------------------------------------------------------------------


def csv_text(measures: Iterable[Measure], fields: Sequence[str] = FIELDS, headers: str = "zh") -> str:
    """The ledger as CSV text (no BOM: callers writing for Excel add it, see write_csv)."""
    head, rows = ledger_rows(measures, fields, headers)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(head)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


BOM = "\ufeff"


def write_csv(
    measures: Iterable[Measure], out: Path | IO[str], fields: Sequence[str] = SHEET_FIELDS, headers: str = "zh"
) -> None:
    """UTF-8 with a BOM: without it Excel on a Chinese Windows reads the file as GBK (§5)."""
    text = BOM + csv_text(measures, fields, headers)
    if isinstance(out, Path):
        write_file(out, text.encode("utf-8"))
    else:
        out.write(text)


def _md_cell(value: Any) -> str:
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _md_table(head: Sequence[str], rows: Iterable[Sequence[Any]], right: Sequence[int] = ()) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|")
    lines.extend("| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows)
    return lines


def markdown_table(measures: Iterable[Measure], fields: Sequence[str] = FIELDS, headers: str = "zh") -> str:
    head, rows = ledger_rows(measures, fields, headers)
    right = [i for i, f in enumerate(fields) if f == "id"]
    return "\n".join(_md_table(head, rows, right)) + "\n"


def markdown_document(
    measures: Sequence[Measure], fields: Sequence[str] = FIELDS, headers: str = "zh", title: str | None = None
) -> str:
    """A report that pastes into a wiki or an email: progress by sector, then the measures."""
    zh = headers == "zh"
    report = progress_by_sector(measures)
    statuses = list(Status)
    lines = [f"# {title or ('任务台账' if zh else 'Measures ledger')}", ""]
    count = f"共 {len(measures)} 项任务" if zh else f"{len(measures)} measures"
    lines += [f"{count}，导出于 {clock.timestamp()}。" if zh else f"{count}, exported {clock.timestamp()}.", ""]
    lines += ["## " + ("按领域进展" if zh else "Progress by sector"), ""]
    head = ["领域" if zh else "Sector", "合计" if zh else "Total"]
    head += [s.label if zh else s.value for s in statuses]
    head.append("完成率" if zh else "Done")
    body = [
        [r.label if zh else r.key, r.total, *(r.counts.get(s.value, 0) for s in statuses), f"{r.percent_done:.1f}%"]
        for r in report.rows
    ]
    t = report.total
    body.append(
        ["**合计**" if zh else "**Total**", t.total, *(t.counts.get(s.value, 0) for s in statuses), f"{t.percent_done:.1f}%"]
    )
    lines += _md_table(head, body, right=range(1, len(head)))
    lines += ["", "## " + ("任务清单" if zh else "Measures"), ""]
    lines.append(markdown_table(measures, fields, headers).rstrip("\n"))
    return "\n".join(lines) + "\n"


def markdown_detail(measure: Measure, headers: str = "zh") -> str:
    """`show --format markdown`: the ledger row, then every note and every change."""
    zh = headers == "zh"
    lines = [f"## {measure.id}. {_md_cell(measure.text)}", ""]
    names = HEADER_SETS[headers]
    lines += _md_table(["字段" if zh else "Field", "值" if zh else "Value"],
                       [[names[f], field_value(measure, f, headers)] for f in FIELDS if f != "text"])
    lines += ["", "### " + ("进展记录" if zh else "Notes"), ""]
    if measure.notes:
        lines += _md_table(["时间" if zh else "When", "进展" if zh else "Note"], [[n.at, n.text] for n in measure.notes])
    else:
        lines.append("（无）" if zh else "No notes yet.")
    lines += ["", "### " + ("变更历史" if zh else "History"), ""]
    if measure.history:
        lines += _md_table(
            ["时间" if zh else "When", "字段" if zh else "Field", "原值" if zh else "From", "新值" if zh else "To"],
            [[c.at, c.field, display_value(c.field, c.old, zh), display_value(c.field, c.new, zh)] for c in measure.history],
        )
    else:
        lines.append("（无）" if zh else "No changes yet.")
    return "\n".join(lines) + "\n"


XLSX_WIDTHS = {
    "id": 6, "text": 60, "sector": 14, "lead": 22, "partners": 30, "due": 12, "status": 10,
    "latest_note": 40, "updated": 22, "revision": 8,
}


def xlsx_bytes(measures: Iterable[Measure], fields: Sequence[str] = SHEET_FIELDS, headers: str = "zh") -> bytes:
    """A real workbook: bold frozen header row, filters, wrapped text, column widths. Every cell
    is a number or a string (data_type 's'), never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    head, rows = ledger_rows(measures, fields, headers)
    wb = Workbook()
    ws = wb.active
    ws.title = "台账" if headers == "zh" else "Ledger"
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for col, name in enumerate(head, start=1):
        cell = ws.cell(row=1, column=col)
        _set_cell(cell, name)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            _set_cell(cell, neutralise(value))
            cell.alignment = wrap
    for col, f in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(col)].width = XLSX_WIDTHS.get(f, 16)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _set_cell(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # XML 1.0 cannot hold control characters other than tab/newline/CR: drop them rather
        # than fail the whole export (the JSON backup keeps them).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns any str starting with "=" into a formula on assignment; say it is text.
        cell.data_type = "s"


def write_xlsx(measures: Iterable[Measure], path: Path, fields: Sequence[str] = SHEET_FIELDS, headers: str = "zh") -> None:
    write_file(path, xlsx_bytes(measures, fields, headers))


def write_file(path: Path, data: bytes) -> None:
    from imtrack.storage.fileio import atomic_write

    if not path.parent.is_dir():
        raise NotFound(_("directory {parent} does not exist; create it or choose another --output").format(parent=path.parent))
    if path.is_dir():
        raise InvalidValue(_("{path} is a directory; give a file name, e.g. {value}").format(path=path, value=path / 'ledger.xlsx'))
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise NotFound(_("cannot write {path}: {value}").format(path=path, value=exc.strerror or exc)) from exc


# -- JSON full backup -------------------------------------------------------------------------

BACKUP_FORMAT = "imtrack-backup"
BACKUP_VERSION = 1


@dataclass(slots=True)
class Backup:
    measures: list[Measure]
    next_id: int | None = None


def backup_document(measures: Iterable[Measure], next_id: int | None = None) -> dict[str, Any]:
    records = [m.to_dict() for m in measures]
    doc: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "schema_version": BACKUP_VERSION,
        "exported": clock.timestamp(),
        "measures": records,
    }
    if next_id is not None:
        doc["next_id"] = next_id
    return doc


def backup_json(measures: Iterable[Measure], next_id: int | None = None) -> str:
    return json.dumps(backup_document(measures, next_id), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_backup_json(path: Path) -> Backup:
    """Parse and validate a backup written by `imtrack export --format json`."""
    raw = read_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidValue(_("{path} is not UTF-8 text (byte {start}); give a file made by imtrack export --format json").format(path=path, start=exc.start)) from None
    except json.JSONDecodeError as exc:
        raise InvalidValue(_("{path} is not valid JSON (line {lineno}, column {colno}: {msg})").format(path=path, lineno=exc.lineno, colno=exc.colno, msg=exc.msg)) from None
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise InvalidValue(
            _('{path} is not an imtrack backup (no "format": "{BACKUP_FORMAT}"); make one with: imtrack export --format json --output backup.json').format(path=path, BACKUP_FORMAT=BACKUP_FORMAT)
        )
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidValue(_("{path} has no schema_version; it is not a complete imtrack backup").format(path=path))
    if version > BACKUP_VERSION:
        raise InvalidValue(
            _("{path} was written by a newer imtrack (backup schema {version}, this one reads up to {BACKUP_VERSION}); upgrade imtrack: pip install -U imtrack").format(path=path, version=version, BACKUP_VERSION=BACKUP_VERSION)
        )
    records = doc.get("measures")
    if not isinstance(records, list):
        raise InvalidValue(_('{path}: "measures" must be a list of records').format(path=path))
    measures: list[Measure] = []
    seen: set[int] = set()
    for index, record in enumerate(records, start=1):
        problem = _record_problem(record)
        if problem is None:
            try:
                measure = Measure.from_dict(record)
            except (KeyError, TypeError, ValueError) as exc:
                problem = repr(exc)
        if problem is not None:
            rid = record.get("id") if isinstance(record, dict) else None
            if isinstance(rid, int) and not problem.startswith("id "):
                problem = f"id {rid}: {problem}"
            raise InvalidValue(_("{path}: measure record {index} is invalid ({problem}); nothing was restored").format(path=path, index=index, problem=problem))
        if measure.id in seen:
            raise InvalidValue(_("{path}: id {id} appears twice (record {index}); nothing was restored").format(path=path, id=measure.id, index=index))
        seen.add(measure.id)
        measures.append(measure)
    next_id = doc.get("next_id")
    if next_id is not None and (not isinstance(next_id, int) or isinstance(next_id, bool) or next_id < 1):
        raise InvalidValue(_('{path}: "next_id" must be a positive whole number').format(path=path))
    return Backup(measures, next_id)


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "not an object"
    rid = record.get("id")
    if not isinstance(rid, int) or isinstance(rid, bool) or rid < 1:
        return f"id must be a whole number from 1, not {rid!r}"
    for key in ("text", "sector"):
        if not isinstance(record.get(key), str) or not record[key]:
            return f"{key} must be non-empty text"
    status = record.get("status", Status.NOT_STARTED.value)
    if status not in {s.value for s in Status}:
        return f"unknown status {status!r}"
    if record.get("lead") is not None and not isinstance(record["lead"], str):
        return "lead must be text or null"
    try:
        check_due(record.get("due"))
        check_progress(record.get("progress"))
    except (TypeError, ValueError) as exc:
        return str(exc)
    for key in ("partners", "tags"):
        value = record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{key} must be a list of text"
    for key in ("notes", "history"):
        value = record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) and isinstance(v.get("at"), str) for v in value):
            return f"{key} must be a list of objects with an 'at' time"
    if not all(isinstance(n.get("text"), str) for n in record.get("notes") or []):
        return "every note needs a text"
    return None


@dataclass(slots=True)
class BackupSummary:
    path: str
    added: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    dry_run: bool = False
    kind: str = "backup"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.path, "dry_run": self.dry_run,
            "added": self.added, "replaced": self.replaced, "unchanged": self.unchanged,
        }


def _restore_into(ledger: Transaction, backup: Backup, summary: BackupSummary) -> None:
    for measure in backup.measures:
        current = ledger.lookup(measure.id)
        if current is None:
            summary.added.append(measure.id)
        elif current == measure:
            summary.unchanged.append(measure.id)
            continue
        else:
            summary.replaced.append(measure.id)
        ledger.put(measure)
    if backup.next_id is not None:
        ledger.reserve_ids(backup.next_id)
    # Restored history carries txn ids from its own database: new commands must not reuse them,
    # or one undo would revert a restored record together with a new command.
    from imtrack.domain import history

    txns = [r.txn for m in backup.measures for r in (*m.history, *m.notes) if r.txn is not None]
    if txns:
        ledger.reserve_txns(max(txns) + 1)
    if summary.added or summary.replaced:
        # One txn, begun after the restored ids so it is the newest: undo removes the added
        # measures, and refuses (saying why) when measures were replaced whole.
        txn = history.begin(ledger)
        at = clock.timestamp()
        history.record_created(ledger, summary.added, at, txn)
        history.record_replaced(ledger, summary.replaced, at, txn)


def apply_backup(store: Store, backup: Backup | Sequence[Measure], dry_run: bool = False, path: str = "") -> BackupSummary:
    """Restore a backup. Rule for a database that already has measures: a backup record replaces
    the stored measure with the same id entirely (text, fields, notes, history); ids the database
    lacks are added under the same id; measures the backup does not mention are left alone."""
    if not isinstance(backup, Backup):
        backup = Backup(list(backup))
    summary = BackupSummary(path, dry_run=dry_run)
    from imtrack.core.transaction import command
    from imtrack.core.transaction import dry_run as rolled_back

    # A backup restored into a ledger that does not exist yet becomes the whole ledger: the
    # bundled default measures are not seeded first.
    with (rolled_back if dry_run else command)(store, seed=False) as (ledger, _txn):
        _restore_into(ledger, backup, summary)
    return summary


# -- reading a returned ledger sheet ----------------------------------------------------------


class _Formula(str):
    """A cell the sheet holds as a formula: reported as a bad value, never applied."""


@dataclass(slots=True)
class Sheet:
    path: Path
    columns: dict[str, tuple[str, str]]  # field -> (column letter, header as written)
    rows: list[tuple[int, dict[str, str]]]  # (sheet row number, field -> cell text)
    warnings: list[str] = field(default_factory=list)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unneutralise(str(value).replace("\r\n", "\n"))


def _csv_grid(path: Path, warnings: list[str]) -> list[list[Any]]:
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on a Chinese Windows saves GBK; "CSV UTF-8" is what we wrote.
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidValue(_("{path} is neither UTF-8 nor GBK text; save it as 'CSV UTF-8'").format(path=path)) from None
        warnings.append(f"{path.name} is not UTF-8; read it as GBK (GB18030). Save as 'CSV UTF-8' to be sure")
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InvalidValue(_("{path} is not a readable CSV file ({exc})").format(path=path, exc=exc)) from None


def _xlsx_grid(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    read_bytes(path)  # the same "no such file" message as for CSV
    try:
        wb = load_workbook(path, data_only=False)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidValue(_("{path} is not a readable .xlsx workbook ({exc}); save it as Excel Workbook (.xlsx)").format(path=path, exc=exc)) from None
    try:
        ws = wb.worksheets[0]
        grid = []
        for row in ws.iter_rows():
            grid.append([_Formula(c.value) if c.data_type == "f" else c.value for c in row])
        return grid
    finally:
        wb.close()


def read_ledger_sheet(path: Path) -> Sheet:
    """Read a ledger sheet (.csv or .xlsx, first worksheet): header row, then one row per measure.
    Columns are recognised by their Chinese or English header; others are ignored with a warning."""
    path = Path(path)
    warnings: list[str] = []
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv_grid(path, warnings)
    elif suffix == ".xlsx":
        grid = _xlsx_grid(path)
    else:
        raise InvalidValue(_("cannot read a ledger sheet from {name}; save it as .xlsx or .csv").format(name=path.name))
    skipped = 0  # blank rows above the header still count in the sheet's row numbers
    while grid and not any(_cell_text(v).strip() for v in grid[0]):
        grid.pop(0)
        skipped += 1
    if not grid:
        raise InvalidValue(_("{path} is empty; it needs a header row (序号, 任务, 状态, ...) and rows").format(path=path))
    columns: dict[str, tuple[str, str]] = {}
    index_of: dict[str, int] = {}
    for i, raw_header in enumerate(grid[0]):
        header = _cell_text(raw_header).strip()
        if not header:
            continue
        name = _HEADER_LOOKUP.get(fold(header))
        letter = _letter(i)
        if name is None:
            warnings.append(f"column {letter} '{header}' is not a ledger column; it was ignored")
            continue
        if name in columns:
            raise InvalidValue(
                _("{name}: columns {value} and {letter} are both '{value2}/{name2}'; keep one").format(name=path.name, value=columns[name][0], letter=letter, value2=ZH_HEADERS[name], name2=name)
            )
        columns[name] = (letter, header)
        index_of[name] = i
    if "id" not in columns and "text" not in columns:
        raise InvalidValue(
            _("{name} has neither a 序号/id nor a 任务/text column, so no row can be matched to a measure; start from imtrack export --format xlsx").format(name=path.name)
        )
    rows = []
    for number, values in enumerate(grid[1:], start=2 + skipped):
        cells: dict[str, str] = {}
        for name, i in index_of.items():
            value = values[i] if i < len(values) else None
            cells[name] = value if isinstance(value, _Formula) else _cell_text(value)
        if any(v.strip() for v in cells.values()):
            rows.append((number, cells))
    return Sheet(path, columns, rows, warnings)


# A date cell as text, with the time of day Excel or a CSV export put after it.
_DATE_AND_TIME = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def parse_due_cell(text: str) -> str | None:
    """A 完成时限 cell -> what Measure.due stores: every form `imtrack update --due` accepts
    (dates.parse_due, today from imtrack.domain.clock: 2025-12-31, 2025/12/31, 2025年底, 6月底前,
    持续推进, ...), a date cell with a time of day (2025-12-31 00:00:00), or blank / 无 for none.
    ValueError says what is wrong."""
    from imtrack.core.edits import parse_due_value

    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if m := _DATE_AND_TIME.fullmatch(text):
        text = m.group(1)
    try:
        return parse_due_value(text)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from None


def split_partners(text: str) -> list[str]:
    return [p.strip() for p in _PARTNER_SPLIT.split(text) if p.strip()]


@dataclass(slots=True)
class SheetChange:
    row: int
    id: int
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "field": self.field, "from": self.old, "to": self.new}


PREFER_CHOICES = ("sheet", "ledger")


@dataclass(slots=True)
class SheetConflict:
    """A cell the agency changed that imtrack also changed since the export, to another value."""

    row: int
    id: int
    field: str
    base: Any  # the value the sheet was sent with (None with base_known False: not recoverable)
    ledger: Any
    sheet: Any
    base_known: bool = True
    chosen: str | None = None  # "sheet" or "ledger" (--prefer); None: not applied

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row, "id": self.id, "field": self.field, "sent": self.base, "sent_known": self.base_known,
            "ledger": self.ledger, "sheet": self.sheet, "chosen": self.chosen,
        }


@dataclass(slots=True)
class SheetKept:
    """A cell left as sent whose field imtrack changed since the export: imtrack's value stays."""

    row: int
    id: int
    field: str
    value: Any  # the ledger's current value, kept
    sent: Any  # what the sheet still holds

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "field": self.field, "value": self.value, "sent": self.sent}


@dataclass(slots=True)
class SheetSummary:
    path: str
    changes: list[SheetChange] = field(default_factory=list)
    notes: list[tuple[int, int, str]] = field(default_factory=list)  # (row, id, text)
    unchanged_rows: int = 0
    bad_rows: list[str] = field(default_factory=list)  # skipped with --skip-bad-rows
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    kind: str = "sheet"
    conflicts: list[SheetConflict] = field(default_factory=list)
    kept: list[SheetKept] = field(default_factory=list)

    @property
    def measures_changed(self) -> list[int]:
        return sorted({c.id for c in self.changes} | {n[1] for n in self.notes})

    @property
    def open_conflicts(self) -> list[SheetConflict]:
        return [c for c in self.conflicts if c.chosen is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.path, "dry_run": self.dry_run,
            "changes": [c.to_dict() for c in self.changes],
            "notes": [{"row": r, "id": i, "text": t} for r, i, t in self.notes],
            "measures_changed": self.measures_changed,
            "unchanged_rows": self.unchanged_rows,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "kept": [k.to_dict() for k in self.kept],
            "bad_rows": self.bad_rows, "warnings": self.warnings,
        }


@dataclass(slots=True)
class _RowPlan:
    row: int
    measure: Measure
    updates: list[tuple[str, Any]]
    note: str | None


# The fields a returned sheet may change (the note is merged on its own: notes only accumulate).
MERGED_FIELDS = ("sector", "lead", "partners", "due", "status")


@dataclass(slots=True)
class _Base:
    """A measure as the sheet was sent: its fields, its latest note, and the notes an undo has
    removed since (a cell still showing one of them was left as sent)."""

    measure: Measure
    note: str
    removed_notes: tuple[str, ...] = ()


_NO_REVISION = object()  # a row without a 版本 cell: no three-way merge for it


class _SentValues:
    """What a sheet was sent with, recovered from the revision each row carries.

    The store increments a measure's revision once per committed command that changes it and
    records each command with the measures it changed (storage/base.py). So the newest
    (current revision - sheet revision) commands naming a measure are exactly those made since
    the export, and reverting their recorded changes (every Change carries its txn) gives the
    values the agency was sent. Nothing else is kept anywhere: a sheet needs no hidden columns,
    and a CSV carries its base as well as a workbook does."""

    def __init__(self, ledger: Transaction) -> None:
        self._ledger = ledger
        self._txns: dict[int, list[int]] | None = None
        self._replaced: dict[int, set[int]] = {}

    def _since(self, measure_id: int, count: int) -> list[int] | None:
        if self._txns is None:
            from imtrack.domain.history import REPLACED

            self._txns = {}
            for command in self._ledger.commands():  # newest first
                for mid in command.ids:
                    self._txns.setdefault(mid, []).append(command.txn)
            for entry in self._ledger.meta.get(REPLACED, []):
                for mid in entry.get("ids", ()):
                    self._replaced.setdefault(int(mid), set()).add(int(entry["txn"]))
        txns = self._txns.get(measure_id, [])[:count]
        # A backup restored since then replaced the measure whole, history included.
        if len(txns) < count or self._replaced.get(measure_id, set()) & set(txns):
            return None
        return txns

    def base(self, measure: Measure, revision: int) -> _Base | None:
        """The measure as sent at `revision` (not above the current one), or None when its
        history since then cannot tell."""
        if revision == measure.revision:
            return _Base(measure, measure.latest_note.text if measure.latest_note else "")
        txns = self._since(measure.id, measure.revision - revision)
        if txns is None:
            return None
        from imtrack.domain.history import NOTE_FIELD

        after = set(txns)
        sent = copy.copy(measure)
        for change in reversed(measure.history):
            if change.txn in after and change.field in MERGED_FIELDS:
                setattr(sent, change.field, copy.deepcopy(change.old))
        notes = [n for n in measure.notes if n.txn not in after]
        removed = tuple(
            c.old.strip() for c in measure.history
            if c.txn in after and c.field == NOTE_FIELD and isinstance(c.old, str)
        )
        return _Base(sent, notes[-1].text if notes else "", removed)


def _as_sent(measure: Measure, name: str) -> Any:
    """A stored value as the sheet's cell reads back: the form cells are compared in, so that a
    value the export writes differently from how it is stored (a label, an alias) is no change."""
    try:
        return _parse_cell(name, str(field_value(measure, name)))
    except ValueError:
        return getattr(measure, name)


def _merge_row(
    number: int, measure: Measure, values: dict[str, Any], note: str | None, base: Any,
    prefer: str | None, summary: SheetSummary,
) -> _RowPlan:
    """The three-way rule, cell by cell: a cell as sent keeps the ledger's value; a cell the
    agency changed is applied if the ledger still holds what was sent; changed on both sides to
    different values it is a conflict, applied only as `prefer` says."""
    chosen: dict[str, Any] = {}
    for name, cell in values.items():
        if base is _NO_REVISION:
            if cell != getattr(measure, name):
                chosen[name] = cell
            continue
        ledger = _as_sent(measure, name)
        if cell == ledger:
            continue
        if base is not None:
            sent = _as_sent(base.measure, name)
            if cell == sent:
                summary.kept.append(SheetKept(number, measure.id, name, getattr(measure, name), getattr(base.measure, name)))
                continue
            if ledger == sent:
                chosen[name] = cell
                continue
        summary.conflicts.append(SheetConflict(
            number, measure.id, name, getattr(base.measure, name) if base is not None else None,
            getattr(measure, name), cell, base_known=base is not None, chosen=prefer,
        ))
        if prefer == "sheet":
            chosen[name] = cell
    if "lead" in chosen or "partners" in chosen:
        # Partners never repeat the lead, as with `imtrack update`.
        lead = chosen.get("lead", measure.lead)
        chosen["partners"] = without_lead(chosen.get("partners", measure.partners), lead)
    updates = [(name, v) for name, v in chosen.items() if v != getattr(measure, name)]
    new_note = None
    current = measure.latest_note.text.strip() if measure.latest_note else ""
    if note and note != current:
        # Notes only accumulate: a new 最新进展 is added, never a conflict.
        if base is _NO_REVISION:
            new_note = note
        elif base is None:
            new_note = None if note in {n.text.strip() for n in measure.notes} else note
        elif note != base.note.strip() and note not in base.removed_notes:
            new_note = note
    return _RowPlan(number, measure, updates, new_note)


_REVISION = re.compile(r"[0-9]+")


def _parse_revision(text: str, measure: Measure) -> int | None:
    """A 版本 cell -> the revision the row was sent at (None: blank); ValueError says why not."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if not _REVISION.fullmatch(text) or int(text) < 1:
        raise ValueError(
            f"{text!r} is not a revision (a whole number from 1, as exported); put back the exported "
            f"value, or clear the cell to apply the row without a merge"
        )
    revision = int(text)
    if revision > measure.revision:
        raise ValueError(
            f"revision {revision} is newer than measure {measure.id}'s ({measure.revision}), so this row was not "
            f"exported from this ledger; clear the cell to apply the row without a merge"
        )
    return revision


def _plan(
    ledger: Transaction, sheet: Sheet, summary: SheetSummary, prefer: str | None
) -> tuple[list[_RowPlan], list[tuple[int, str]]]:
    """Validate every row against the ledger and merge it; nothing is changed here."""
    warnings = summary.warnings
    by_text: dict[str, list[Measure]] = {}
    for m in ledger:
        by_text.setdefault(fold_compact(m.text), []).append(m)
    plans: list[_RowPlan] = []
    errors: list[tuple[int, str]] = []
    seen: dict[int, int] = {}
    sent_values = _SentValues(ledger)
    unmerged: list[int] = []  # rows with a blank 版本 cell

    def where(number: int, name: str) -> str:
        letter, header = sheet.columns[name]
        return f"row {number}, column {letter} '{header}'"

    if "revision" not in sheet.columns:
        warnings.append(
            f"{sheet.path.name} has no 版本/revision column (an older export, or a sheet typed by hand): "
            f"every cell that differs from the ledger is applied, even where imtrack changed it since; "
            f"send a fresh `imtrack export` to merge three ways"
        )

    for number, cells in sheet.rows:
        problems: list[str] = []
        for name, value in cells.items():
            if isinstance(value, _Formula):
                problems.append(f"{where(number, name)}: is a formula ({value}); type the value itself")
        if problems:
            errors.extend((number, p) for p in problems)
            continue
        measure = None
        raw_id = cells.get("id", "").strip()
        if raw_id:
            try:
                mid = int(unicodedata.normalize("NFKC", raw_id))
                measure = ledger.lookup(mid)
                if measure is None:
                    problems.append(f"{where(number, 'id')}: no measure with id {raw_id}")
            except ValueError:
                problems.append(f"{where(number, 'id')}: {raw_id!r} is not an id (a whole number)")
        elif cells.get("text", "").strip():
            found = by_text.get(fold_compact(cells["text"]), [])
            if len(found) == 1:
                measure = found[0]
            else:
                what = "no measure has this text" if not found else f"{len(found)} measures have this text"
                problems.append(f"{where(number, 'text')}: {what}; fill in the 序号/id")
        else:
            problems.append(f"row {number}: no 序号/id and no 任务/text, so it matches no measure")
        if measure is not None:
            # Two rows for one measure: which one is meant is unknown, so the later is a bad row
            # (even when the first has bad values of its own).
            if measure.id in seen:
                problems.append(
                    f"{where(number, 'id' if raw_id else 'text')}: measure {measure.id} already "
                    f"appears in row {seen[measure.id]}; keep one row per measure"
                )
            else:
                seen[measure.id] = number
        values: dict[str, Any] = {}
        note = None
        revision = None
        if measure is not None:
            for name, value in cells.items():
                try:
                    if name == "revision":
                        revision = _parse_revision(value, measure)
                        continue
                    parsed = _parse_cell(name, value)
                except ValueError as exc:
                    problems.append(f"{where(number, name)}: {exc}")
                    continue
                if name == "latest_note":
                    note = parsed or None
                elif name in MERGED_FIELDS:
                    values[name] = parsed
            text = cells.get("text", "")
            if raw_id and isinstance(text, str) and text.strip() and fold_compact(text) != fold_compact(measure.text):
                warnings.append(
                    f"row {number}: 任务 differs from measure {measure.id}'s text; "
                    f"text is not changed by import"
                )
        if problems:
            errors.extend((number, p) for p in problems)
            continue
        assert measure is not None
        base: Any = _NO_REVISION
        if revision is not None:
            base = sent_values.base(measure, revision)
            if base is None:
                warnings.append(
                    f"row {number}: what measure {measure.id} held at revision {revision} cannot be recovered "
                    f"(a backup replaced it since); each of its cells that differs from the ledger is a conflict"
                )
        elif "revision" in sheet.columns:
            unmerged.append(number)
        plan = _merge_row(number, measure, values, note, base, prefer, summary)
        stamp = cells.get("updated", "").strip()
        if base is _NO_REVISION and stamp and stamp != measure.updated and (plan.updates or plan.note):
            # No three-way merge: the sheet's values win, but say that imtrack had newer changes.
            warnings.append(
                f"row {number}: measure {measure.id} changed in imtrack at {measure.updated}, after this "
                f"sheet was exported ({stamp}); the sheet's values were applied over it (see `imtrack show {measure.id}`)"
            )
        plans.append(plan)
    if unmerged:
        warnings.append(
            f"{_rows(unmerged)} {'has' if len(unmerged) == 1 else 'have'} no 版本/revision: "
            f"{'its' if len(unmerged) == 1 else 'their'} cells that differ from the ledger are applied without a merge"
        )
    return plans, errors


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10]))
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


_IGNORED = object()


def _parse_cell(name: str, value: str) -> Any:
    """A sheet cell -> the stored value; ValueError says what is wrong with it."""
    text = value.strip()
    if name == "status":
        if not text:
            raise ValueError("is empty; write a status: " + ", ".join(f"{s.label} ({s.value})" for s in Status))
        try:
            return parse_status(text).value
        except InvalidValue as exc:
            raise ValueError(str(exc)) from None
    if name == "sector":
        if not text:
            raise ValueError("is empty; write a sector, e.g. 交通")
        try:
            return parse_sector(text).slug
        except InvalidValue as exc:
            raise ValueError(str(exc)) from None
    if name == "lead":
        return canonical(text) if text else None
    if name == "partners":
        return clean_partners(split_partners(text), None)
    if name == "due":
        return parse_due_cell(text)
    if name == "latest_note":
        return text
    return _IGNORED  # id, text, updated: identify the row or are computed


def _apply_plans(ledger: Transaction, plans: list[_RowPlan], summary: SheetSummary, txn: int) -> None:
    # The same history records as typed commands, under one txn: one `imtrack undo` reverts
    # the whole sheet.
    from imtrack.core.transaction import pin_sector
    from imtrack.domain import history

    at = clock.timestamp()
    for plan in plans:
        m = plan.measure
        touched = False
        for name, new in plan.updates:
            old = getattr(m, name)
            if history.record(ledger, m, name, new, at, txn):
                summary.changes.append(SheetChange(plan.row, m.id, name, old, new))
                touched = True
                if name == "sector":
                    pin_sector(ledger, m, at, txn)  # as set-sector: a person chose it
        if plan.note:
            history.add_note(ledger, m, plan.note, at, txn)
            summary.notes.append((plan.row, m.id, plan.note))
            touched = True
        if not touched:
            summary.unchanged_rows += 1


MAX_ERRORS_SHOWN = 8


def conflict_text(c: SheetConflict) -> str:
    """One conflict as a user reads it: what was sent, what imtrack holds, what the sheet says."""
    sent = display_value(c.field, c.base) if c.base_known else "?"
    return (
        f"row {c.row}, measure {c.id}, {c.field}: sent {sent}, imtrack {display_value(c.field, c.ledger)}, "
        f"sheet {display_value(c.field, c.sheet)}"
    )


def apply_sheet(
    store: Store, path: Path, dry_run: bool = False, skip_bad_rows: bool = False, prefer: str | None = None
) -> SheetSummary:
    """Apply a returned ledger sheet in one transaction, merged three ways (see _merge_row):
    changed status, lead, partners, due and sector become updates, a new 最新进展 becomes a note,
    all recorded in history. Any bad value stops the whole sheet unless skip_bad_rows, which
    applies the good rows and lists the rest; a conflict stops it unless `prefer` ("sheet" or
    "ledger") says which side wins. A dry run lists conflicts instead of stopping."""
    if prefer is not None and prefer not in PREFER_CHOICES:
        raise InvalidValue(f"unknown choice {prefer!r} for --prefer; use one of: {', '.join(PREFER_CHOICES)}")
    path = Path(path)
    sheet = read_ledger_sheet(path)
    summary = SheetSummary(str(path), warnings=list(sheet.warnings), dry_run=dry_run)

    def run(ledger: Transaction, txn: int) -> None:
        plans, errors = _plan(ledger, sheet, summary, prefer)
        if errors and not skip_bad_rows:
            shown = "; ".join(msg for _row, msg in errors[:MAX_ERRORS_SHOWN])
            more = _("; and {n} more").format(n=len(errors) - MAX_ERRORS_SHOWN) if len(errors) > MAX_ERRORS_SHOWN else ""
            raise InvalidValue(
                ngettext("{name}: {n} bad value, nothing was applied: {shown}{more}. Fix the sheet, or use "
                         "--skip-bad-rows to apply the other rows",
                         "{name}: {n} bad values, nothing was applied: {shown}{more}. Fix the sheet, or use "
                         "--skip-bad-rows to apply the other rows", len(errors)).format(
                    name=path.name, n=len(errors), shown=shown, more=more)
            )
        conflicts = summary.open_conflicts
        if conflicts and not dry_run:
            shown = "; ".join(conflict_text(c) for c in conflicts[:MAX_ERRORS_SHOWN])
            more = (_("; and {n} more").format(n=len(conflicts) - MAX_ERRORS_SHOWN)
                    if len(conflicts) > MAX_ERRORS_SHOWN else "")
            raise MergeConflict(
                ngettext(
                    "{name}: {n} cell was changed both in the sheet and in imtrack since the export, nothing "
                    "was applied: {shown}{more}. Choose with --prefer sheet (apply the sheet's values) or "
                    "--prefer ledger (keep imtrack's); --dry-run shows the whole merge",
                    "{name}: {n} cells were changed both in the sheet and in imtrack since the export, nothing "
                    "was applied: {shown}{more}. Choose with --prefer sheet (apply the sheet's values) or "
                    "--prefer ledger (keep imtrack's); --dry-run shows the whole merge",
                    len(conflicts),
                ).format(name=path.name, n=len(conflicts), shown=shown, more=more)
            )
        summary.bad_rows = [msg for _row, msg in errors]
        _apply_plans(ledger, plans, summary, txn)

    from imtrack.core.transaction import command
    from imtrack.core.transaction import dry_run as rolled_back

    with (rolled_back if dry_run else command)(store) as (ledger, txn):
        run(ledger, txn)
    return summary


# -- one entry point for the way back ---------------------------------------------------------

EXCHANGE_SUFFIXES = (".json", ".csv", ".xlsx")


def import_exchange_file(
    store: Store, path: Path, dry_run: bool = False, skip_bad_rows: bool = False, prefer: str | None = None
) -> BackupSummary | SheetSummary:
    """Dispatch on the file's suffix: .json is a full backup, .csv/.xlsx a returned ledger sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        if prefer is not None:
            raise InvalidValue("--prefer chooses between a returned sheet and the ledger; a .json backup replaces measures whole")
        return apply_backup(store, read_backup_json(path), dry_run=dry_run, path=str(path))
    if suffix in (".csv", ".xlsx"):
        return apply_sheet(store, path, dry_run=dry_run, skip_bad_rows=skip_bad_rows, prefer=prefer)
    if suffix in (".xls", ".xlsm", ".et", ".ods"):
        raise InvalidValue(_("cannot read {name}; in the spreadsheet use Save As -> Excel Workbook (.xlsx)").format(name=path.name))
    raise InvalidValue(_("cannot restore {name}: give a .json backup, or a .csv or .xlsx ledger sheet").format(name=path.name))
