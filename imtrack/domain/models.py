"""The records imtrack keeps: measures with their notes and change history, and statuses.

Plain value classes (frozen.Record gives what slots dataclasses gave, without their cost at
import) with explicit to_dict/from_dict so the stored JSON and the `--format json` output have
stable, documented field names that do not follow Python attribute renames."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from imtrack.domain.frozen import Record
from imtrack.errors import InvalidValue
from imtrack.i18n import _
from imtrack.vocab.textnorm import fold


class Status(str, Enum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.BLOCKED: "受阻",
}

# Words ledgers use for the same states, beside the canonical slug and label.
_STATUS_ALIASES: dict[str, Status] = {
    "未开始": Status.NOT_STARTED,
    "todo": Status.NOT_STARTED,
    "进行中": Status.IN_PROGRESS,
    "推进": Status.IN_PROGRESS,
    "完成": Status.DONE,
    "阻塞": Status.BLOCKED,
    "滞后": Status.BLOCKED,
}


def _status_lookup() -> dict[str, Status]:
    table = {fold(k): v for k, v in _STATUS_ALIASES.items()}
    for status in Status:
        table[fold(status.value)] = status
        table[fold(status.value.replace("-", "_"))] = status
        table[fold(status.value.replace("-", ""))] = status
        table[fold(status.label)] = status
    return table


_STATUS_LOOKUP = _status_lookup()


def status_choices() -> str:
    return ", ".join(f"{s.value} ({s.label})" for s in Status)


def parse_status(text: str) -> Status:
    """Accept the slug or the Chinese label (and a few ledger synonyms), any width or case."""
    status = _STATUS_LOOKUP.get(fold(text))
    if status is None:
        raise InvalidValue(_("unknown status {text!r}; use one of: {value}").format(text=text, value=status_choices()))
    return status


_REQUIRED: Any = object()


def _str(d: dict[str, Any], key: str, default: Any = _REQUIRED) -> str:
    """A string field of a stored record; a hand-edited file may hold anything (TypeError is
    reported by the store as a malformed record)."""
    value = d[key] if default is _REQUIRED else d.get(key, default)
    if not isinstance(value, str):
        raise TypeError(_("{field!r} must be a string, not {type}").format(field=key, type=type(value).__name__))
    return value


def clean_note(text: str) -> str:
    """A note as recorded: trimmed, and never empty (every command that records a note uses this)."""
    text = text.strip()
    if not text:
        raise InvalidValue(_("the note is empty; give the text to record, e.g. imtrack note 25 '已完成可研批复'"))
    return text


def stamp_day(stamp: Any) -> date | None:
    """The local day of an ISO timestamp as recorded, or None when it has none readable."""
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def effective_day(at: str, effective: str | None) -> date | None:
    """The day a recorded fact took effect: `effective` (an ISO day given with --on) when set,
    else the day it was recorded. What `log`, `report --since` and the burn-up count by."""
    if effective:
        try:
            return date.fromisoformat(effective)
        except (TypeError, ValueError):
            return None
    return stamp_day(at)


def effective_field(at: str, day: date | None) -> str | None:
    """What a record stores for an effective `day`: None when it is the recorded day (so
    records without --on, and older files, stay as they were), else the ISO day."""
    if day is None or day == stamp_day(at):
        return None
    return day.isoformat()


class Note(Record):
    __slots__ = ("at", "text", "txn", "author", "effective")
    at: str  # when it was recorded: the real clock
    text: str
    txn: int | None  # the command that added it (history.py); None in older records
    author: str | None  # who ran that command (storage/base.py); None in older records
    # The ISO day it took effect when a clerk gave another with --on; None: the day of `at`.
    effective: str | None

    def __init__(
        self, at: str, text: str, txn: int | None = None, author: str | None = None, effective: str | None = None
    ) -> None:
        self.at = at
        self.text = text
        self.txn = txn
        self.author = author
        self.effective = effective

    @property
    def day(self) -> date | None:
        """The day the note took effect (effective_day)."""
        return effective_day(self.at, self.effective)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"at": self.at, "text": self.text}
        if self.txn is not None:
            d["txn"] = self.txn
        if self.author is not None:
            d["author"] = self.author
        if self.effective is not None:
            d["effective"] = self.effective
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Note:
        return cls(at=_str(d, "at"), text=_str(d, "text"), txn=d.get("txn"), author=d.get("author"),
                   effective=d.get("effective"))


class Change(Record):
    """One field change in a measure's history: `field` went from `old` to `new` at `at`."""

    __slots__ = ("at", "field", "old", "new", "txn", "author", "effective")
    at: str  # when it was recorded: the real clock
    field: str
    old: Any
    new: Any
    txn: int | None  # the command it belongs to (history.py); undo reverts a txn
    author: str | None  # who ran that command (storage/base.py); None in older records
    # The ISO day it took effect when a clerk gave another with --on; None: the day of `at`.
    effective: str | None

    def __init__(
        self, at: str, field: str, old: Any, new: Any, txn: int | None = None, author: str | None = None,
        effective: str | None = None,
    ) -> None:
        self.at = at
        self.field = field
        self.old = old
        self.new = new
        self.txn = txn
        self.author = author
        self.effective = effective

    @property
    def day(self) -> date | None:
        """The day the change took effect (effective_day)."""
        return effective_day(self.at, self.effective)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"at": self.at, "field": self.field, "from": self.old, "to": self.new}
        if self.txn is not None:
            d["txn"] = self.txn
        if self.author is not None:
            d["author"] = self.author
        if self.effective is not None:
            d["effective"] = self.effective
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Change:
        return cls(
            at=_str(d, "at"), field=_str(d, "field"), old=d.get("from"), new=d.get("to"), txn=d.get("txn"),
            author=d.get("author"), effective=d.get("effective"),
        )


_NEW_LIST: Any = object()  # a default of Measure(): a new empty list for each measure


class Measure(Record):
    __slots__ = (
        "id", "text", "sector", "status", "source", "section", "lead", "partners", "due", "tags",
        "progress", "sector_pinned", "created", "updated", "notes", "history",
        # -- where the measure stands in its source document (ingest) --
        "number", "path", "lead_written", "partners_written", "assignments",
        # -- storage bookkeeping (storage/base.py) --
        "revision",
    )
    id: int
    text: str
    sector: str
    status: str
    source: str
    section: str
    lead: str | None
    partners: list[str]
    due: str | None  # ISO date, or "ongoing" (持续推进) for a measure with no deadline
    tags: list[str]
    progress: int | None  # 0-100, optional
    # True once a user chose the sector: re-classification never overrides a person's choice.
    sector_pinned: bool
    created: str
    updated: str
    notes: list[Note]
    history: list[Change]
    # -- where the measure stands in its source document (ingest/parser.py), so a re-import can
    # find it again and a clerk can check the reading. Stored only when set. --
    number: str  # the item's number as written ("（四）"), "" when not imported from a document
    path: list[str]  # the headings above it, outermost first, as written
    lead_written: str | None  # the lead as the document wrote it (lead holds the canonical name)
    partners_written: list[str]  # likewise, in the document's order
    # every responsibility clause: {"sentence": …, "agencies": [as written], "raw": …}
    assignments: list[dict[str, Any]]
    # -- storage bookkeeping (storage/base.py) --
    # Incremented by the store on every committed change; 0 for a measure never stored (or
    # read from a backup), which a store treats as "no revision to check".
    revision: int

    def __init__(
        self,
        id: int,
        text: str,
        sector: str,
        status: str = Status.NOT_STARTED.value,
        source: str = "",
        section: str = "",
        lead: str | None = None,
        partners: list[str] = _NEW_LIST,
        due: str | None = None,
        tags: list[str] = _NEW_LIST,
        progress: int | None = None,
        sector_pinned: bool = False,
        created: str = "",
        updated: str = "",
        notes: list[Note] = _NEW_LIST,
        history: list[Change] = _NEW_LIST,
        number: str = "",
        path: list[str] = _NEW_LIST,
        lead_written: str | None = None,
        partners_written: list[str] = _NEW_LIST,
        assignments: list[dict[str, Any]] = _NEW_LIST,
        revision: int = 0,
    ) -> None:
        self.id = id
        self.text = text
        self.sector = sector
        self.status = status
        self.source = source
        self.section = section
        self.lead = lead
        self.partners = [] if partners is _NEW_LIST else partners
        self.due = due
        self.tags = [] if tags is _NEW_LIST else tags
        self.progress = progress
        self.sector_pinned = sector_pinned
        self.created = created
        self.updated = updated
        self.notes = [] if notes is _NEW_LIST else notes
        self.history = [] if history is _NEW_LIST else history
        self.number = number
        self.path = [] if path is _NEW_LIST else path
        self.lead_written = lead_written
        self.partners_written = [] if partners_written is _NEW_LIST else partners_written
        self.assignments = [] if assignments is _NEW_LIST else assignments
        self.revision = revision

    def _values(self) -> tuple[Any, ...]:
        # The revision is the store's bookkeeping, not the measure's content: a measure restored
        # from a backup equals the stored one when every field does.
        return tuple(getattr(self, name) for name in self.__slots__ if name != "revision")

    @property
    def latest_note(self) -> Note | None:
        return self.notes[-1] if self.notes else None

    @property
    def latest_note_at(self) -> str | None:
        """When the latest note was written (what `list` shows), or None."""
        return self.notes[-1].at if self.notes else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "sector": self.sector,
            "status": self.status,
            "source": self.source,
            "section": self.section,
            "lead": self.lead,
            "partners": list(self.partners),
            "due": self.due,
            "tags": list(self.tags),
            "progress": self.progress,
            "sector_pinned": self.sector_pinned,
            "created": self.created,
            "updated": self.updated,
            "notes": [n.to_dict() for n in self.notes],
            "history": [c.to_dict() for c in self.history],
            **self._document_fields(),
        }

    def _document_fields(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.number:
            d["number"] = self.number
        if self.path:
            d["path"] = list(self.path)
        if self.lead_written is not None:
            d["lead_written"] = self.lead_written
        if self.partners_written:
            d["partners_written"] = list(self.partners_written)
        if self.assignments:
            d["assignments"] = [
                {"sentence": a["sentence"], "agencies": list(a["agencies"]), "raw": a.get("raw", "")}
                for a in self.assignments
            ]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], checked: bool = False) -> Measure:
        # Without per-item from_dict calls: this runs once per stored measure
        # when a command needs them all (list, report), 10,000s of times (bench/RESULTS.md).
        # `checked`: the store has already held the record to storage/records.py's rules,
        # which include these.
        if not checked:
            check_record(d)
        get = d.get
        notes = get("notes")
        history = get("history")
        measure = cls(
            id=int(d["id"]),
            text=d["text"],
            sector=d["sector"],
            status=get("status", _NOT_STARTED),
            source=get("source", ""),
            section=get("section", ""),
            lead=get("lead"),
            partners=list(get("partners") or ()),
            due=get("due"),
            tags=list(get("tags") or ()),
            progress=get("progress"),
            sector_pinned=bool(get("sector_pinned", False)),
            created=get("created", ""),
            updated=get("updated", ""),
            notes=[Note(n["at"], n["text"], n.get("txn"), n.get("author"), n.get("effective")) for n in notes]
            if notes
            else [],
            history=[
                Change(c["at"], c["field"], c.get("from"), c.get("to"), c.get("txn"), c.get("author"),
                       c.get("effective"))
                for c in history
            ]
            if history
            else [],
            revision=int(get("revision") or 0),
        )
        if len(d) > _PLAIN_FIELDS and not _DOCUMENT_KEYS.isdisjoint(d):  # only imported measures
            measure.number = get("number", "")
            measure.path = list(get("path") or ())
            measure.lead_written = get("lead_written")
            measure.partners_written = list(get("partners_written") or ())
            measure.assignments = [dict(a) for a in get("assignments") or ()]
        return measure


_NOT_STARTED = Status.NOT_STARTED.value
_DOCUMENT_KEYS = frozenset(("number", "path", "lead_written", "partners_written", "assignments"))
_PLAIN_FIELDS = 17  # a stored measure without document fields has at most these keys (revision included)
_STRING_FIELDS = ("text", "sector", "status", "source", "section", "created", "updated")


def check_due(value: Any) -> None:
    """Measure.due holds None, "ongoing" or an ISO date (dates.DueDate.stored); anything else
    (03/04/2025 typed into a backup) raises ValueError/TypeError instead of crashing `list`."""
    if value is None or value == "" or value == "ongoing":
        return
    if type(value) is not str:
        raise TypeError(_("'due' must be an ISO date string, 'ongoing' or null, not {type}").format(type=type(value).__name__))
    try:
        ok = date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(_("'due' must be an ISO date (2025-12-31), 'ongoing' or null, not {value!r}").format(value=value))


def check_progress(value: Any) -> None:
    """Measure.progress holds None or a whole number from 0 to 100."""
    if value is None:
        return
    if type(value) is not int or not 0 <= value <= 100:
        raise ValueError(_("'progress' must be a whole number from 0 to 100 or null, not {value!r}").format(value=value))


def check_effective(value: Any) -> None:
    """A note's or change's `effective` holds None or an ISO day."""
    if value is None:
        return
    if type(value) is not str:
        raise TypeError(_("'effective' must be an ISO day string or null, not {type}").format(type=type(value).__name__))
    try:
        ok = date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(_("'effective' must be an ISO day (2026-11-24) or null, not {value!r}").format(value=value))


def check_record(d: dict[str, Any]) -> None:
    """A hand-edited file may hold anything; a wrong type or value in a stored measure is
    reported by the store as a malformed record instead of failing later inside a table or a
    date comparison. Checked on the stored document, so the digests that `list` and `report`
    read (digest.py) are held to the same rules as the Measures built from it. One pass of cheap
    checks, no per-field calls."""
    if "text" not in d or "sector" not in d:
        raise KeyError("text" if "text" not in d else "sector")
    get = d.get
    for name in _STRING_FIELDS:  # a missing one takes its default; a present one must be text
        if name in d and type(d[name]) is not str:
            raise TypeError(_("{field!r} must be a string, not {type}").format(field=name, type=type(d[name]).__name__))
    due = get("due")
    if due is not None:
        check_due(due)
    progress = get("progress")
    if progress is not None:
        check_progress(progress)
    for n in get("notes") or ():
        if type(n.get("at")) is not str or type(n.get("text")) is not str:
            raise TypeError(_("a note's 'at' and 'text' must be strings"))
        if "effective" in n:
            check_effective(n["effective"])
    for c in get("history") or ():
        if type(c.get("at")) is not str or type(c.get("field")) is not str:
            raise TypeError(_("a history entry's 'at' and 'field' must be strings"))
        if "effective" in c:
            check_effective(c["effective"])
    if "number" in d or "path" in d or "assignments" in d or "lead_written" in d or "partners_written" in d:
        _check_document_fields(d)


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _check_document_fields(d: dict[str, Any]) -> None:
    """The fields an import records about the source document (see Measure)."""
    if type(d.get("number", "")) is not str:
        raise TypeError(_("'number' must be a string"))
    if not _strings(d.get("path", [])) or not _strings(d.get("partners_written", [])):
        raise TypeError(_("'path' and 'partners_written' must be lists of strings"))
    if d.get("lead_written") is not None and type(d["lead_written"]) is not str:
        raise TypeError(_("'lead_written' must be a string or null"))
    assignments = d.get("assignments", [])
    if type(assignments) is not list:
        raise TypeError(_("'assignments' must be a list"))
    for a in assignments:
        if type(a) is not dict or type(a.get("sentence")) is not str or not _strings(a.get("agencies")):
            raise TypeError(_("an assignment needs a 'sentence' string and an 'agencies' list of strings"))
