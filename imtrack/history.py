"""Transactions and undo.

Every changing command is one *transaction* (txn): an integer id, allocated from
`ledger.meta["next_txn"]` and never reused. Each `Change` and `Note` the command writes carries
that id (`Change.txn`, `Note.txn`, stored as "txn"), so a bulk edit of 12 measures is one txn and
one undo.

How a changing command uses it (inside `store.transaction()`):

    txn = history.begin(ledger)
    for measure in measures:
        history.record(ledger, measure, "status", "done", at, txn)
        history.add_note(ledger, measure, "已完成", at, txn)

`undo_last(ledger, at)` reverts the most recent txn that is still undoable, across all measures:

* every Change of that txn is reverted newest first, the field getting back its `old` value;
  the revert is itself recorded as a Change (field, from the current value, to the old one)
  under a new txn, so the history stays a true audit trail;
* every Note added in that txn is removed, and the removal is recorded as a Change with the
  pseudo-field "note" (from the note's text, to None);
* `meta["undone"]` gains `{"txn": <undone txn>, "by": <the undo's txn>}`. Both ids are skipped
  by later undos, so repeated undo walks further back (and never "undoes an undo").

Undo is all or nothing: before changing anything it checks that every field still holds the
value the txn left (a later change made outside any txn, e.g. by an older imtrack, would make
a blind revert wrong); if not, it raises ImtrackError naming the measure and field.

Records written before transactions existed have `txn=None` and are never undone. Not covered
yet: undoing the creation of measures (add/import), which needs a "created" record and a way to
remove a measure from the ledger.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from imtrack import clock
from imtrack.errors import ImtrackError, NotFound
from imtrack.ledger import Ledger
from imtrack.models import Change, Measure, Note

NEXT_TXN = "next_txn"
UNDONE = "undone"
NOTE_FIELD = "note"  # pseudo-field of the Change that records an undo removing a note


def begin(ledger: Ledger) -> int:
    """Allocate the id of a new transaction (call once per changing command)."""
    txn = int(ledger.meta.get(NEXT_TXN, 1))
    ledger.meta[NEXT_TXN] = txn + 1
    ledger.meta_dirty = True
    return txn


def record(ledger: Ledger, measure: Measure, field_name: str, new: Any, at: str, txn: int) -> bool:
    """Set a field and log the change under `txn`; False (and nothing logged) if unchanged."""
    old = getattr(measure, field_name)
    if old == new:
        return False
    setattr(measure, field_name, copy.deepcopy(new))
    measure.history.append(
        Change(at=at, field=field_name, old=copy.deepcopy(old), new=copy.deepcopy(new), txn=txn)
    )
    measure.updated = at
    ledger.mark_changed(measure)
    return True


def add_note(ledger: Ledger, measure: Measure, text: str, at: str, txn: int) -> Note:
    note = Note(at=at, text=text, txn=txn)
    measure.notes.append(note)
    measure.updated = at
    ledger.mark_changed(measure)
    return note


def _skipped(ledger: Ledger) -> set[int]:
    skipped: set[int] = set()
    for entry in ledger.meta.get(UNDONE, []):
        skipped.add(int(entry["txn"]))
        skipped.add(int(entry["by"]))
    return skipped


def last_txn(ledger: Ledger) -> int | None:
    """The most recent transaction that undo would revert, or None."""
    skipped = _skipped(ledger)
    latest: int | None = None
    for measure in ledger.measures.values():
        for rec in (*measure.history, *measure.notes):
            if (
                rec.txn is not None
                and rec.txn not in skipped
                and (latest is None or rec.txn > latest)
            ):
                latest = rec.txn
    return latest


@dataclass(frozen=True, slots=True)
class Reverted:
    measure_id: int
    field: str
    restored: Any  # the value the field has again
    undone: Any  # the value the undone command had set


@dataclass(slots=True)
class Undone:
    """What `undo_last` reverted."""

    txn: int  # the transaction that was undone
    by: int  # the transaction that records the undo
    at: str  # when the undone command ran (its earliest record)
    changes: list[Reverted] = field(default_factory=list)
    notes: list[tuple[int, Note]] = field(default_factory=list)  # (measure id, removed note)

    @property
    def measure_ids(self) -> list[int]:
        return sorted({r.measure_id for r in self.changes} | {i for i, _ in self.notes})

    def describe(self) -> str:
        """Plain lines for the CLI: a summary line, then one line per reverted change or note."""
        ids = self.measure_ids
        noun = "measure" if len(ids) == 1 else "measures"
        lines = [f"undid the command of {self.at} ({len(ids)} {noun}: {', '.join(map(str, ids))})"]
        for r in self.changes:
            lines.append(f"#{r.measure_id} {r.field}: {_show(r.undone)} -> {_show(r.restored)}")
        for measure_id, note in self.notes:
            lines.append(f"#{measure_id} removed note: {note.text}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


def _check(ledger: Ledger, txn: int, records: dict[int, list[Change]]) -> None:
    """Refuse before changing anything if a field no longer holds what the txn left there."""
    for measure_id, changes in records.items():
        measure = ledger.measures.get(measure_id)
        if measure is None:
            raise ImtrackError(
                f"cannot undo: measure {measure_id} that the command changed no longer exists"
            )
        values: dict[str, Any] = {}
        for change in reversed(changes):
            if not hasattr(measure, change.field):
                raise ImtrackError(
                    f"cannot undo: measure {measure_id} has no field {change.field!r} "
                    f"(recorded by a newer imtrack?); nothing was changed"
                )
            current = values.get(change.field, getattr(measure, change.field))
            if current != change.new:
                raise ImtrackError(
                    f"cannot undo: measure {measure_id}'s {change.field} is now {_show(current)!r}, "
                    f"not {_show(change.new)!r} as that command left it; change it by hand "
                    f"with `imtrack update {measure_id}`"
                )
            values[change.field] = change.old


def undo_last(ledger: Ledger, at: str | None = None) -> Undone:
    """Revert the most recent undoable transaction (see module docstring)."""
    txn = last_txn(ledger)
    if txn is None:
        raise NotFound(
            "nothing to undo: no command recorded since undo support was added, or all were undone"
        )
    records: dict[int, list[Change]] = {}
    notes: dict[int, list[Note]] = {}
    stamps: list[str] = []
    for measure in ledger:
        changes = [c for c in measure.history if c.txn == txn]
        added = [n for n in measure.notes if n.txn == txn]
        if changes:
            records[measure.id] = changes
        if added:
            notes[measure.id] = added
        stamps += [r.at for r in (*changes, *added)]
    _check(ledger, txn, records)

    at = at or clock.timestamp()
    by = begin(ledger)
    result = Undone(txn=txn, by=by, at=min(stamps))
    for measure_id in sorted(records.keys() | notes.keys()):
        measure = ledger.measures[measure_id]
        for change in reversed(records.get(measure_id, [])):
            current = getattr(measure, change.field)
            setattr(measure, change.field, copy.deepcopy(change.old))
            measure.history.append(
                Change(
                    at=at,
                    field=change.field,
                    old=copy.deepcopy(current),
                    new=copy.deepcopy(change.old),
                    txn=by,
                )
            )
            result.changes.append(
                Reverted(measure_id, change.field, restored=change.old, undone=change.new)
            )
        for note in notes.get(measure_id, []):
            measure.notes = [n for n in measure.notes if n is not note]
            measure.history.append(Change(at=at, field=NOTE_FIELD, old=note.text, new=None, txn=by))
            result.notes.append((measure_id, note))
        measure.updated = at
        ledger.mark_changed(measure)
    ledger.meta[UNDONE] = [*ledger.meta.get(UNDONE, []), {"txn": txn, "by": by}]
    ledger.meta_dirty = True
    return result
