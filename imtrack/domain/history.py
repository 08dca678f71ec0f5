"""Transactions and undo.

Every changing command is one *transaction* (txn): an integer id, allocated from
`ledger.meta["next_txn"]` and never reused. Each `Change` and `Note` the command writes carries
that id (`Change.txn`, `Note.txn`, stored as "txn"), so a bulk edit of 12 measures is one txn and
one undo.

The transaction id and the author come from the store's Transaction (storage/base.py), which
also records each committed command (its name, author and measures) for `undo` and `log`.

How a changing command uses it (inside `store.transaction()`):

    txn = history.begin(ledger)
    for measure in measures:
        history.record(ledger, measure, "status", "done", at, txn)
        history.add_note(ledger, measure, "已完成", at, txn)

`undo_last(ledger, at)` reverts the caller's most recent command that is still undoable (the
caller is the transaction's author; a command recorded by an older release without an author
counts as anyone's), and refuses, naming who, when another author has since changed one of the
measures it touched:

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

Records written before transactions existed have `txn=None` and are never undone.

Measures a command creates (`imtrack import` of a text or of a JSON backup) are recorded in
`meta["created"]` as `{"txn", "at", "ids"}` (`record_created`), not in the measures' own history,
so that a backup restored into a new database stays identical to the one exported. Undoing such
a txn removes those measures (`Transaction.remove`: the document is dropped, the id stays retired).
A backup import that replaced stored measures whole is recorded in `meta["replaced"]`
(`record_replaced`); undo refuses that txn, saying why, since the replaced versions are gone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from imtrack.domain import clock
from imtrack.domain.models import Change, Measure, Note
from imtrack.errors import ImtrackError, NotFound
from imtrack.i18n import _

if TYPE_CHECKING:
    from imtrack.storage.base import CommandRecord
    from imtrack.storage.base import Transaction as Ledger

NEXT_TXN = "next_txn"
UNDONE = "undone"
NOTE_FIELD = "note"  # pseudo-field of the Change that records an undo removing a note
CREATED = "created"  # meta: [{"txn", "at", "ids"}], measures added by a command
REPLACED = "replaced"  # meta: [{"txn", "at", "ids"}], measures a backup import replaced whole


def begin(ledger: Ledger) -> int:
    """The id of the command's transaction (the store allocates it, once per command)."""
    return ledger.txn


def record(ledger: Ledger, measure: Measure, field_name: str, new: Any, at: str, txn: int) -> bool:
    """Set a field and log the change under `txn`; False (and nothing logged) if unchanged."""
    old = getattr(measure, field_name)
    if old == new:
        return False
    setattr(measure, field_name, copy.deepcopy(new))
    measure.history.append(
        Change(at=at, field=field_name, old=copy.deepcopy(old), new=copy.deepcopy(new), txn=txn,
               author=ledger.author)
    )
    measure.updated = at
    ledger.mark_changed(measure)
    return True


def add_note(ledger: Ledger, measure: Measure, text: str, at: str, txn: int) -> Note:
    note = Note(at=at, text=text, txn=txn, author=ledger.author)
    measure.notes.append(note)
    measure.updated = at
    ledger.mark_changed(measure)
    return note


def _log_ids(ledger: Ledger, key: str, measure_ids: list[int], at: str, txn: int) -> None:
    if measure_ids:
        entry = {"txn": txn, "at": at, "ids": list(measure_ids)}
        ledger.meta[key] = [*ledger.meta.get(key, []), entry]


def record_created(ledger: Ledger, measure_ids: list[int], at: str, txn: int) -> None:
    """Log that `txn` added these measures, so undo removes them again."""
    _log_ids(ledger, CREATED, measure_ids, at, txn)


def record_replaced(ledger: Ledger, measure_ids: list[int], at: str, txn: int) -> None:
    """Log that `txn` replaced these measures whole (backup import): undo refuses it."""
    _log_ids(ledger, REPLACED, measure_ids, at, txn)


def _logged(ledger: Ledger, key: str, txn: int) -> tuple[list[int], list[str]]:
    """The ids and times `txn` logged under meta[key]."""
    ids: list[int] = []
    stamps: list[str] = []
    for entry in ledger.meta.get(key, []):
        if int(entry["txn"]) == txn:
            ids += [int(i) for i in entry["ids"]]
            stamps.append(str(entry["at"]))
    return ids, stamps


def _skipped(ledger: Ledger) -> set[int]:
    skipped: set[int] = set()
    for entry in ledger.meta.get(UNDONE, []):
        skipped.add(int(entry["txn"]))
        skipped.add(int(entry["by"]))
    return skipped


def _last_command(ledger: Ledger) -> CommandRecord | None:
    """The caller's most recent command that undo would revert, or None. A command that left
    no record of its own (the creation of a ledger with the bundled measures, a change made
    outside any txn by an older release) has nothing to revert and is passed over."""
    skipped = _skipped(ledger)
    for command in ledger.commands():
        if command.txn in skipped or not command.ids or command.author not in ("", ledger.author):
            continue
        if _logged(ledger, CREATED, command.txn)[0] or _logged(ledger, REPLACED, command.txn)[0]:
            return command
        present = [i for i in command.ids if i in ledger]
        if any(
            rec.txn == command.txn for m in ledger.get_many(present) for rec in (*m.history, *m.notes)
        ):
            return command
    return None


def last_txn(ledger: Ledger) -> int | None:
    """The caller's most recent transaction that undo would revert, or None."""
    command = _last_command(ledger)
    return None if command is None else command.txn


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
    command: str | None = None  # its command line, e.g. "set-status 25 done" (None if not recorded)
    changes: list[Reverted] = field(default_factory=list)
    notes: list[tuple[int, Note]] = field(default_factory=list)  # (measure id, removed note)
    removed: list[Measure] = field(default_factory=list)  # measures the command had added

    @property
    def measure_ids(self) -> list[int]:
        return sorted(
            {r.measure_id for r in self.changes} | {i for i, _ in self.notes} | {m.id for m in self.removed}
        )

    def describe(self) -> str:
        """Plain lines for the CLI: a summary line, then one line per reverted change or note."""
        lines = [f"undid {self.summary()}"]
        for r in self.changes:
            lines.append(f"#{r.measure_id} {r.field}: {_show(r.undone)} -> {_show(r.restored)}")
        for measure_id, note in self.notes:
            lines.append(f"#{measure_id} removed note: {note.text}")
        for measure in self.removed:
            lines.append(f"#{measure.id} removed measure (added by that command): {measure.text}")
        return "\n".join(lines)


    def summary(self) -> str:
        """`imtrack set-status 25 26 done` of <when> (2 measures: 25, 26)."""
        ids = self.measure_ids
        noun = "measure" if len(ids) == 1 else "measures"
        what = f"`imtrack {self.command}`" if self.command else "the command"
        return f"{what} of {self.at} ({len(ids)} {noun}: {', '.join(map(str, ids))})"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


def _check(ledger: Ledger, txn: int, records: dict[int, list[Change]]) -> None:
    """Refuse before changing anything if a field no longer holds what the txn left there."""
    for measure_id, changes in records.items():
        measure = ledger.lookup(measure_id)
        if measure is None:
            raise ImtrackError(
                _("cannot undo: measure {measure_id} that the command changed no longer exists").format(measure_id=measure_id)
            )
        values: dict[str, Any] = {}
        for change in reversed(changes):
            if not hasattr(measure, change.field):
                raise ImtrackError(
                    _("cannot undo: measure {measure_id} has no field {field!r} (recorded by a newer imtrack?); nothing was changed").format(measure_id=measure_id, field=change.field)
                )
            current = values.get(change.field, getattr(measure, change.field))
            if current != change.new:
                raise ImtrackError(
                    _("cannot undo: measure {measure_id}'s {field} is now {value!r}, not {value2!r} as that command left it; change it by hand with `imtrack update {measure_id}`").format(measure_id=measure_id, field=change.field, value=_show(current), value2=_show(change.new))
                )
            values[change.field] = change.old


def _check_created(ledger: Ledger, txn: int, created: list[int], skipped: set[int]) -> None:
    """Refuse to remove a measure that a later command still in force has changed."""
    for measure_id in created:
        measure = ledger.lookup(measure_id)
        if measure is None:
            raise ImtrackError(
                _("cannot undo: measure {measure_id} that the command added no longer exists; nothing was changed").format(measure_id=measure_id)
            )
        for rec in (*measure.history, *measure.notes):
            # Only later txns count: a measure restored from a backup brings its own, older ones.
            if rec.txn is not None and rec.txn > txn and rec.txn not in skipped:
                raise ImtrackError(
                    _("cannot undo: measure {measure_id}, added by that command, was changed since by another command; nothing was changed").format(measure_id=measure_id)
                )


def _check_others(ledger: Ledger, command: CommandRecord, skipped: set[int]) -> None:
    """Refuse to revert a command when someone else has since changed one of its measures:
    reverting would silently undo their work too (or fail half way on the shared ledger)."""
    for measure in ledger.get_many(i for i in command.ids if i in ledger):
        for rec in (*measure.history, *measure.notes):
            if (
                rec.txn is not None
                and rec.txn > command.txn
                and rec.txn not in skipped
                and rec.author is not None
                and rec.author != ledger.author
            ):
                raise ImtrackError(
                    f"cannot undo your last command ({command.at}): {rec.author} has changed measure "
                    f"{measure.id} since ({rec.at}); nothing was changed. Change it by hand with "
                    f"`imtrack update {measure.id}`"
                )


def undo_last(ledger: Ledger, at: str | None = None) -> Undone:
    """Revert the caller's most recent undoable command (see module docstring)."""
    command = _last_command(ledger)
    if command is None:
        raise NotFound(
            _("nothing to undo: no command recorded since undo support was added, or all were undone")
        )
    txn = command.txn
    _check_others(ledger, command, _skipped(ledger))
    created, stamps = _logged(ledger, CREATED, txn)
    replaced, replaced_at = _logged(ledger, REPLACED, txn)
    if replaced:
        shown = ", ".join(map(str, replaced[:10])) + (", ..." if len(replaced) > 10 else "")
        raise ImtrackError(
            _("cannot undo the backup import of {value}: it replaced measures {shown} whole and the versions it replaced were not kept, so undo cannot go back past it; nothing was changed. Restore those measures from an earlier backup (imtrack import OLD-BACKUP.json)").format(value=min(replaced_at), shown=shown)
        )
    gone = set(created)
    records: dict[int, list[Change]] = {}
    notes: dict[int, list[Note]] = {}
    for measure in ledger.get_many(i for i in command.ids if i not in gone and i in ledger):
        changes = [c for c in measure.history if c.txn == txn]
        added = [n for n in measure.notes if n.txn == txn]
        if changes:
            records[measure.id] = changes
        if added:
            notes[measure.id] = added
        stamps += [r.at for r in (*changes, *added)]
    _check(ledger, txn, records)
    _check_created(ledger, txn, created, _skipped(ledger))

    at = at or clock.timestamp()
    by = begin(ledger)
    result = Undone(txn=txn, by=by, at=min(stamps) if stamps else command.at,
                    command=command.command or None)
    for measure_id in sorted(records.keys() | notes.keys()):
        measure = ledger.get(measure_id)
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
                    author=ledger.author,
                )
            )
            result.changes.append(
                Reverted(measure_id, change.field, restored=change.old, undone=change.new)
            )
        for note in notes.get(measure_id, []):
            measure.notes = [n for n in measure.notes if n is not note]
            measure.history.append(Change(at=at, field=NOTE_FIELD, old=note.text, new=None, txn=by, author=ledger.author))
            result.notes.append((measure_id, note))
        measure.updated = at
        ledger.mark_changed(measure)
    for measure_id in sorted(gone):
        result.removed.append(ledger.remove(measure_id))
    entry: dict[str, Any] = {"txn": txn, "by": by}
    if gone:
        entry["removed"] = sorted(gone)
    ledger.meta[UNDONE] = [*ledger.meta.get(UNDONE, []), entry]
    return result
