"""Every stored record checked as it is read, on any engine: the rules a ledger's measures,
meta and command records keep, over the stored dicts (what the TinyDB file holds, or what an
SQL engine builds from its rows), so each engine and `db check` apply the same ones.

* ids: whole numbers >= 1 written canonically ("01" beside "1" would hide one of them);
* every field of a measure, note, history entry, meta entry and command record has its type,
  and no field is unknown (a write would drop it: that is a silent repair);
* statuses and sectors come from the vocabulary;
* meta.next_id is above the highest id and meta.next_txn above every command (else an import
  would overwrite measures, and undo would take them away again);
* nesting is bounded: a value a field holds is never deeper than the field allows.

`ledger_problems(..., collect=True)` lists every problem (for `db check`); `check_ledger` stops
at the first and raises CorruptStore naming the record and the field; `check_measure` does the
same for one record, for an engine that reads rows one at a time. Nothing is repaired."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from imtrack.domain.frozen import Frozen
from imtrack.domain.models import Measure, Status, check_due, check_progress
from imtrack.errors import CorruptStore
from imtrack.i18n import _

# Deeper than any field allows (a history entry holding a list is 6 levels from the top of a
# TinyDB file); a file nesting deeper than this is refused before its records are looked at.
NESTING_LIMIT = 64
# What a field's value in a history entry may nest: list fields hold lists, `assignments` a
# list of objects holding lists (3); the margin is for fields to come.
VALUE_NESTING = 16

_STATUSES = frozenset(s.value for s in Status)
_NOT_STARTED = Status.NOT_STARTED.value
_TEXT = ("text", "sector")  # required
_OPTIONAL_TEXT = ("status", "source", "section", "created", "updated", "number")
_TEXT_OR_NULL = ("lead", "lead_written")
_TEXT_LISTS = ("partners", "tags", "path", "partners_written")
# What a stored measure may hold: Measure's own fields (the document fields of an imported
# measure among them) and nothing else.
MEASURE_FIELDS = frozenset(Measure.__slots__)
ASSIGNMENT_FIELDS = frozenset(("sentence", "agencies", "raw"))
NOTE_FIELDS = frozenset(("at", "text", "txn", "author", "effective"))
CHANGE_FIELDS = frozenset(("at", "field", "from", "to", "txn", "author", "effective"))
COMMAND_FIELDS = frozenset(("at", "command", "author", "ids"))
_SCALARS = frozenset((str, int, float, bool, type(None)))
_TEXT_OR_NONE = frozenset((str, type(None)))
_JUST_TEXT = {str}


class Problem(Frozen):
    """One fault: which record (`measure 12`, `meta`, `command 7`), which field, and what."""

    __slots__ = ("record", "field", "message")
    record: str
    field: str | None
    message: str

    def __init__(self, record: str, field: str | None, message: str) -> None:
        for name, value in zip(self.__slots__, (record, field, message)):
            object.__setattr__(self, name, value)

    def __str__(self) -> str:
        if self.field is None:
            return _("{record}: {problem}").format(record=self.record, problem=self.message)
        return _("{record}, field {field!r}: {problem}").format(record=self.record, field=self.field, problem=self.message)


def _sectors() -> frozenset[str]:
    from imtrack.vocab.sectors import BY_SLUG

    return frozenset(BY_SLUG)


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int to isinstance, and 1.0 is not an id


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


_CANONICAL = re.compile(r"[1-9][0-9]*")


def _ids_ok(measures: Mapping[Any, Any]) -> bool:
    """Every key a canonical id, all of one type (strings as JSON keys, or ints as SQL rows)."""
    keys = list(measures)
    if not keys:
        return True
    if type(keys[0]) is str:
        return all(type(k) is str for k in keys) and all(map(_CANONICAL.fullmatch, keys))
    return all(type(k) is int for k in keys) and min(keys) >= 1


def canonical_id(key: Any) -> int | None:
    """The id a stored key stands for, or None when it is not one written canonically."""
    if _is_int(key):
        return key if key >= 1 else None
    if isinstance(key, str) and key.isascii() and key.isdigit() and key[0] != "0":
        return int(key)
    return None


def measure_problems(key: Any, doc: Any, sectors: frozenset[str] | None = None) -> Iterator[Problem]:
    """The faults of one stored measure (`key` its id as stored), field by field."""
    record = _("measure {id}").format(id=key)
    measure_id = canonical_id(key)
    if measure_id is None:
        yield Problem(record, "id", _("the id {key!r} is not a whole number >= 1 written without leading zeros").format(key=key))
    if not isinstance(doc, dict):
        yield Problem(record, None, _("is a {type}, not an object").format(type=_type(doc)))
        return
    sectors = _sectors() if sectors is None else sectors
    for name in doc.keys() - MEASURE_FIELDS:
        yield Problem(record, name, _("is not a field of a measure (a typo? a write would drop it)"))
    if "id" in doc and doc["id"] != measure_id:
        yield Problem(record, "id", _("says {says!r}, but the measure is stored as {key!r}").format(says=doc["id"], key=key))
    for name in _TEXT:
        if name not in doc:
            yield Problem(record, name, _("is missing"))
    for name in (*_TEXT, *_OPTIONAL_TEXT):
        if name in doc and type(doc[name]) is not str:
            yield Problem(record, name, _("must be text, not {type}").format(type=_type(doc[name])))
    status = doc.get("status", Status.NOT_STARTED.value)
    if type(status) is str and status not in _STATUSES:
        yield Problem(record, "status", _("{status!r} is not a status; use one of: {choices}").format(
            status=status, choices=", ".join(sorted(_STATUSES))))
    sector = doc.get("sector")
    if type(sector) is str and sector not in sectors:
        yield Problem(record, "sector", _("{sector!r} is not a sector; use one of: {choices}").format(
            sector=sector, choices=", ".join(sorted(sectors))))
    for name in _TEXT_OR_NULL:
        value = doc.get(name)
        if value is not None and type(value) is not str:
            yield Problem(record, name, _("must be text or null, not {type}").format(type=_type(value)))
    for name in _TEXT_LISTS:
        value = doc.get(name)
        if value is not None and (type(value) is not list or any(type(v) is not str for v in value)):
            yield Problem(record, name, _("must be a list of text"))
    for name, check in (("due", check_due), ("progress", check_progress)):
        try:
            check(doc.get(name))
        except (TypeError, ValueError) as exc:
            yield Problem(record, name, str(exc).replace(f"'{name}' ", "", 1))
    pinned = doc.get("sector_pinned", False)
    if type(pinned) is not bool:
        yield Problem(record, "sector_pinned", _("must be true or false, not {type}").format(type=_type(pinned)))
    revision = doc.get("revision", 0)
    if not _is_int(revision) or revision < 0:
        yield Problem(record, "revision", _("must be a whole number >= 0, not {value!r}").format(value=revision))
    assignments = doc.get("assignments")
    if assignments is not None:
        if type(assignments) is not list:
            yield Problem(record, "assignments", _("must be a list, not {type}").format(type=_type(assignments)))
        else:
            for n, a in enumerate(assignments, 1):
                if not _assignment_ok(a):
                    yield Problem(record, f"assignments[{n}]", _("must be {sentence: text, agencies: [text], raw: text}"))
    yield from _entries(record, "notes", doc.get("notes"), NOTE_FIELDS, ("at", "text"))
    yield from _entries(record, "history", doc.get("history"), CHANGE_FIELDS, ("at", "field"))


def _iso_day(value: Any) -> bool:
    """An effective day as stored (`--on`): an ISO calendar day."""
    if type(value) is not str or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _entries(record: str, name: str, entries: Any, fields: frozenset[str], texts: tuple[str, ...]) -> Iterator[Problem]:
    """A measure's notes or history: objects of known fields, `texts` required text, txn a
    whole number, author text; a change's from/to a value or a list of values."""
    if entries is None:
        return
    if type(entries) is not list:
        yield Problem(record, name, _("must be a list, not {type}").format(type=_type(entries)))
        return
    for n, entry in enumerate(entries, 1):
        where = f"{name}[{n}]"
        if type(entry) is not dict:
            yield Problem(record, where, _("must be an object, not {type}").format(type=_type(entry)))
            continue
        for extra in entry.keys() - fields:
            yield Problem(record, f"{where}.{extra}", _("is not a field of {name} (a write would drop it)").format(name=name))
        for text in texts:
            if type(entry.get(text)) is not str:
                yield Problem(record, f"{where}.{text}", _("must be text, not {type}").format(type=_type(entry.get(text))))
        txn = entry.get("txn")
        if txn is not None and (not _is_int(txn) or txn < 1):
            yield Problem(record, f"{where}.txn", _("must be a whole number >= 1, not {value!r}").format(value=txn))
        author = entry.get("author")
        if author is not None and type(author) is not str:
            yield Problem(record, f"{where}.author", _("must be text, not {type}").format(type=_type(author)))
        effective = entry.get("effective")
        if effective is not None and not _iso_day(effective):
            yield Problem(record, f"{where}.effective", _("must be a day such as 2026-11-24, not {value!r}").format(value=effective))
        for side in ("from", "to"):
            value = entry.get(side)
            if type(value) not in _SCALARS and _bad_value(value):
                yield Problem(
                    record, f"{where}.{side}", _("must be a field's value (nested at most {n} levels)").format(n=VALUE_NESTING)
                )


def _measure_ok(doc: Any, sectors: frozenset[str]) -> bool:
    """True when measure_problems would find nothing (ids aside): the same rules in one pass,
    unrolled and without building any message, because every command of the file engine checks
    every measure (10,000 with 50,000 notes and changes in about 30 ms; orjson parses them in
    100). False sends the record to measure_problems, which says what is wrong."""
    if type(doc) is not dict or "id" in doc or not doc.keys() <= MEASURE_FIELDS:
        return False
    get = doc.get
    sector = get("sector")
    status = get("status", _NOT_STARTED)
    if (
        type(get("text")) is not str or type(sector) is not str or sector not in sectors
        or type(status) is not str or status not in _STATUSES
        or type(get("source", "")) is not str or type(get("section", "")) is not str
        or type(get("created", "")) is not str or type(get("updated", "")) is not str
        or type(get("number", "")) is not str
        or type(get("lead")) not in _TEXT_OR_NONE or type(get("lead_written")) not in _TEXT_OR_NONE
        or type(get("sector_pinned", False)) is not bool
    ):
        return False
    for name in _TEXT_LISTS:
        value = get(name)
        if value and (type(value) is not list or set(map(type, value)) != _JUST_TEXT):
            return False
        if value is not None and type(value) is not list:
            return False
    due = get("due")
    if due is not None and due != "ongoing":
        try:
            check_due(due)
        except (TypeError, ValueError):
            return False
    progress = get("progress")
    if progress is not None and (type(progress) is not int or not 0 <= progress <= 100):
        return False
    revision = get("revision", 0)
    if type(revision) is not int or revision < 0:
        return False
    assignments = get("assignments")
    if assignments is not None and (type(assignments) is not list or not all(map(_assignment_ok, assignments))):
        return False
    notes = get("notes")
    if notes is not None:
        if type(notes) is not list:
            return False
        for n in notes:
            if type(n) is not dict or not n.keys() <= NOTE_FIELDS:
                return False
            nget = n.get
            txn = nget("txn")
            if (
                type(nget("at")) is not str or type(nget("text")) is not str
                or type(nget("author")) not in _TEXT_OR_NONE
                or (nget("effective") is not None and not _iso_day(nget("effective")))
                or (txn is not None and (type(txn) is not int or txn < 1))
            ):
                return False
    history = get("history")
    if history is not None:
        if type(history) is not list:
            return False
        for c in history:
            if type(c) is not dict or not c.keys() <= CHANGE_FIELDS:
                return False
            cget = c.get
            txn = cget("txn")
            old = cget("from")
            new = cget("to")
            if (
                type(cget("at")) is not str or type(cget("field")) is not str
                or type(cget("author")) not in _TEXT_OR_NONE
                or (cget("effective") is not None and not _iso_day(cget("effective")))
                or (txn is not None and (type(txn) is not int or txn < 1))
            ):
                return False
            if type(old) not in _SCALARS and _bad_value(old):
                return False
            if type(new) not in _SCALARS and _bad_value(new):
                return False
    return True


def _assignment_ok(a: Any) -> bool:
    """One responsibility clause an import recorded (Measure.assignments)."""
    return (
        type(a) is dict and a.keys() <= ASSIGNMENT_FIELDS and type(a.get("sentence")) is str
        and type(a.get("raw", "")) is str
        and type(a.get("agencies")) is list and all(type(v) is str for v in a["agencies"])
    )


def _id_list(value: Any) -> bool:
    return type(value) is list and all(canonical_id(v) is not None for v in value)


def meta_problems(meta: Any, highest_id: int, highest_txn: int) -> Iterator[Problem]:
    """The meta document: counters above what is stored, logs of the right shape; a key this
    release does not use may hold anything not nested deeper than NESTING_LIMIT."""
    if not isinstance(meta, dict):
        yield Problem(_("meta"), None, _("is a {type}, not an object").format(type=_type(meta)))
        return
    for name, floor in (("next_id", highest_id), ("next_txn", highest_txn)):
        if name not in meta:
            continue
        value = meta[name]
        if not _is_int(value) or value < 1:
            yield Problem(_("meta"), name, _("must be a whole number >= 1, not {value!r}").format(value=value))
        elif value <= floor:
            message = (_("is {value}, not above the highest measure ({floor}); the next one would overwrite it")
                       if name == "next_id" else
                       _("is {value}, not above the highest recorded command ({floor}); the next one would overwrite it"))
            yield Problem(_("meta"), name, message.format(value=value, floor=floor))
    migrations = meta.get("migrations")
    if migrations is not None and (type(migrations) is not list or any(type(m) is not str for m in migrations)):
        yield Problem(_("meta"), "migrations", _("must be a list of migration names"))
    release = meta.get("release")
    if release is not None and type(release) is not str:
        yield Problem(_("meta"), "release", _("must be text, not {type}").format(type=_type(release)))
    for name, needs in (("created", ("txn", "at", "ids")), ("replaced", ("txn", "at", "ids")), ("undone", ("txn", "by"))):
        log = meta.get(name)
        if log is None:
            continue
        if type(log) is not list:
            yield Problem(_("meta"), name, _("must be a list, not {type}").format(type=_type(log)))
            continue
        for n, entry in enumerate(log, 1):
            where = f"{name}[{n}]"
            if type(entry) is not dict:
                yield Problem(_("meta"), where, _("must be an object, not {type}").format(type=_type(entry)))
                continue
            for key in needs:
                value = entry.get(key)
                ok = (
                    type(value) is str if key == "at"
                    else _id_list(value) if key == "ids"
                    else canonical_id(value) is not None
                )
                if not ok:
                    yield Problem(_("meta"), f"{where}.{key}", _("is missing or of the wrong type ({value!r})").format(value=value))
            if "removed" in entry and not _id_list(entry["removed"]):
                yield Problem(_("meta"), f"{where}.removed", _("must be a list of measure ids"))
    known = {"schema_version", "migrations", "release", "next_id", "next_txn", "created", "replaced", "undone"}
    for name in meta.keys() - known:
        if too_deep(meta[name], NESTING_LIMIT - 3):
            yield Problem(_("meta"), name, _("nests deeper than {n} levels").format(n=NESTING_LIMIT))


def command_problems(key: Any, doc: Any) -> Iterator[Problem]:
    record = _("command {number}").format(number=key)
    if canonical_id(key) is None:
        yield Problem(record, None, _("the number {key!r} is not a whole number >= 1 written without leading zeros").format(key=key))
    if not isinstance(doc, dict):
        yield Problem(record, None, _("is a {type}, not an object").format(type=_type(doc)))
        return
    for name in doc.keys() - COMMAND_FIELDS:
        yield Problem(record, name, _("is not a field of a command record (a write would drop it)"))
    for name in ("at", "command", "author"):
        if name in doc and type(doc[name]) is not str:
            yield Problem(record, name, _("must be text, not {type}").format(type=_type(doc[name])))
    if "ids" in doc and not _id_list(doc["ids"]):
        yield Problem(record, "ids", _("must be a list of measure ids"))


def _bad_value(value: Any) -> bool:
    """Whether what a history entry says a field held is not a field's value: a list or object
    (a field such as `assignments` holds a list of objects) nested past VALUE_NESTING."""
    if type(value) is list and set(map(type, value)) <= _SCALARS:
        return False  # the common case: a list field (partners, tags)
    return type(value) not in (list, dict) or too_deep(value, VALUE_NESTING)


def too_deep(value: Any, limit: int) -> bool:
    """Whether `value` nests lists or objects more than `limit` levels (without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth >= limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def ledger_problems(
    measures: Mapping[Any, Any],
    meta: Any,
    commands: Mapping[Any, Any] | None = None,
    *,
    collect: bool = True,
) -> list[Problem]:
    """Every problem of a ledger's stored records (measures by stored id, the meta document,
    command records by number), or only the first when `collect` is False."""
    found: list[Problem] = []
    sectors = _sectors()
    if not collect and _ids_ok(measures) and all(_measure_ok(doc, sectors) for doc in measures.values()):
        # the common case, in C-level passes: canonical ids of one type cannot repeat
        highest_id = max(map(int, measures), default=0)
    else:
        highest_id = 0
        seen: dict[int, Any] = {}
        for key, doc in measures.items():
            for problem in measure_problems(key, doc, sectors):
                found.append(problem)
                if not collect:
                    return found
            measure_id = canonical_id(key)
            if measure_id is None:
                continue
            if measure_id in seen:  # 1 beside "1": an int key beside its string
                found.append(Problem(_("measure {id}").format(id=key), "id", _("is stored twice (also as {key!r})").format(
                    key=seen[measure_id])))
                if not collect:
                    return found
            seen[measure_id] = key
            highest_id = max(highest_id, measure_id)
    highest_txn = 0
    for key, doc in (commands or {}).items():
        for problem in command_problems(key, doc):
            found.append(problem)
            if not collect:
                return found
        highest_txn = max(highest_txn, canonical_id(key) or 0)
    for problem in meta_problems(meta, highest_id, highest_txn):
        found.append(problem)
        if not collect:
            return found
    return found


def check_measure(key: Any, doc: Any, where: str, hint: str | None = None) -> None:
    """One record as an engine that reads rows one at a time (SQL) builds it: CorruptStore for
    its first problem, as check_ledger words it."""
    if canonical_id(key) is not None and _measure_ok(doc, _sectors()):
        return
    for problem in measure_problems(key, doc):
        _raise(problem, where, hint)


def _raise(problem: Problem, where: str, hint: str | None) -> None:
    if hint is None:
        from imtrack.storage.fileio import restore_hint

        hint = restore_hint(where)
    raise CorruptStore(_("database {where}: {problem}; {hint}").format(where=where, problem=problem, hint=hint))


def check_ledger(
    measures: Mapping[Any, Any], meta: Any, commands: Mapping[Any, Any] | None, where: str, hint: str | None = None
) -> None:
    """Raise CorruptStore for the first problem, naming `where` (the path or the redacted URL),
    the record and the field, and ending with `hint` (by default, fileio.restore_hint: how to
    restore or move aside a ledger file)."""
    problems = ledger_problems(measures, meta, commands, collect=False)
    if problems:
        _raise(problems[0], where, hint)
