"""Edits of one or many measures (`set-status`, `update`) and `undo`: plain functions, no Typer.

A `Selection` is either ids or a filter (query.MeasureFilter), never both. An `Edit` is what
to set: status, lead, partners, due, sector, tags added/removed, progress, a note. `plan_edit`
works out, per selected measure, which fields would change (nothing is written), and
`apply_edit` writes the plan as ONE history transaction (history.py), so `imtrack undo`
reverts the whole bulk edit.

Confirmation: an edit that would change more than `CONFIRM_OVER` measures needs a yes. The
caller passes `confirm(plan) -> bool` (the CLI asks the user; `--yes` passes None). The plan is
made inside the locked transaction; when it needs a yes, the transaction ends without writing,
`confirm` runs without holding the lock (a person may take a minute), and the edit is planned
again in a new transaction: if the plan is no longer the one confirmed (another command changed
those measures meanwhile), nothing is written and the user is told to run it again.

Value rules (README, "Working the ledger"):
* lead and partners are stored as canonical agency names (agencies.canonical); `--partner`
  replaces the whole partner list; an empty lead or partner ("") clears it. Partners never
  repeat the lead or each other (agencies.clean_partners / without_lead).
* due goes through dates.parse_due with today from imtrack.domain.clock; `none` (or 无, -) clears
  it and an empty value is an error (a blank from a script is not a decision to clear);
  `ongoing`/持续推进 means "no deadline" and is kept as such. A date already past is set, with a
  warning (`Edit.warnings`): entering an old deadline late is legitimate, doing it by mistake is not.
* a sector set here is pinned, like `set-sector`.
* tags: added in order, compared full-/half-width- and case-insensitively; removing a tag the
  measure lacks is not an error.
* progress: a whole number 0-100.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from imtrack.domain import clock, history
from imtrack.domain.models import Measure, clean_note, parse_status
from imtrack.domain.query import MeasureFilter
from imtrack.errors import ImtrackError, InvalidValue, NotFound
from imtrack.i18n import _
from imtrack.storage.base import Store, Transaction
from imtrack.vocab.textnorm import fold

CONFIRM_OVER = 3  # an edit changing more measures than this asks first
CLEAR_WORDS = {"none", "-", "无"}


@dataclass(frozen=True, slots=True)
class Selection:
    ids: tuple[int, ...] = ()
    where: MeasureFilter | None = None

    def __post_init__(self) -> None:
        if self.ids and self.where is not None:
            raise InvalidValue(_("give measure ids or --where-... filters, not both"))
        if not self.ids and self.where is None:
            raise InvalidValue(
                _("say which measures: give ids (e.g. 25 26) or filters (e.g. --where-sector transport)")
            )

    def resolve(self, ledger: Store | Transaction) -> list[Measure]:
        if self.ids:
            return ledger.get_many(self.ids)
        assert self.where is not None
        found = ledger.find(self.where)
        if not found:
            raise NotFound(_("no measure matches the --where-... filters; nothing was changed"))
        return found


@dataclass(frozen=True, slots=True)
class Edit:
    """What to set. `sets` holds (field, new value) for plain fields, in display order."""

    sets: tuple[tuple[str, Any], ...] = ()
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    note: str | None = None
    warnings: tuple[str, ...] = ()  # for stderr: the edit is valid but probably not meant

    @classmethod
    def build(
        cls,
        *,
        status: str | None = None,
        lead: str | None = None,
        partners: Sequence[str] | None = None,
        due: str | None = None,
        sector: str | None = None,
        tags: Sequence[str] = (),
        untags: Sequence[str] = (),
        progress: int | None = None,
        note: str | None = None,
    ) -> Edit:
        """Validate everything a user typed; raises InvalidValue before anything is read."""
        from imtrack.vocab.agencies import canonical, clean_partners

        sets: list[tuple[str, Any]] = []
        if status is not None:
            sets.append(("status", parse_status(status).value))
        if lead is not None:
            lead = lead.strip()
            sets.append(("lead", canonical(lead) if lead else None))
        if partners is not None:
            sets.append(("partners", clean_partners(partners, lead)))
        warnings: list[str] = []
        if due is not None:
            stored = parse_due_value(due)
            sets.append(("due", stored))
            warnings += _past_due_warning(due, stored)
        if sector is not None:
            from imtrack.vocab.sectors import parse_sector

            sets.append(("sector", parse_sector(sector).slug))
            sets.append(("sector_pinned", True))
        if progress is not None:
            if not 0 <= progress <= 100:
                raise InvalidValue(_("progress is a percentage from 0 to 100, not {progress}").format(progress=progress))
            sets.append(("progress", progress))
        for tag in (*tags, *untags):
            if not tag.strip():
                raise InvalidValue(_("a tag cannot be empty; e.g. --tag 重点"))
        both = {fold(t) for t in tags} & {fold(t) for t in untags}
        if both:
            raise InvalidValue(_("tag {value!r} is both added and removed; give one").format(value=min(both)))
        if note is not None:
            note = clean_note(note)
        edit = cls(
            tuple(sets), tuple(t.strip() for t in tags), tuple(t.strip() for t in untags), note, tuple(warnings)
        )
        if edit.is_empty:
            raise InvalidValue(
                _("nothing to change: give at least one of --lead, --partner, --due, --sector, "
                "--tag, --untag, --progress, --note")
            )
        return edit

    @property
    def is_empty(self) -> bool:
        return not (self.sets or self.add_tags or self.remove_tags or self.note)

    def changes_for(self, measure: Measure) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for each field this edit would change on `measure`."""
        out = [(name, getattr(measure, name), new) for name, new in self.sets]
        given = dict(self.sets)
        if "lead" in given or "partners" in given:
            # Partners never repeat the lead: a new lead drops out of the partner list, and new
            # partners leave out the lead the measure keeps.
            from imtrack.vocab.agencies import without_lead

            lead = given.get("lead", measure.lead)
            partners = without_lead(given.get("partners", measure.partners), lead)
            if "partners" in given:
                out = [(n, o, partners if n == "partners" else v) for n, o, v in out]
            else:
                out.append(("partners", list(measure.partners), partners))
        if self.add_tags or self.remove_tags:
            tags = list(measure.tags)
            have = {fold(t) for t in tags}
            for tag in self.add_tags:
                if fold(tag) not in have:
                    tags.append(tag)
                    have.add(fold(tag))
            gone = {fold(t) for t in self.remove_tags}
            tags = [t for t in tags if fold(t) not in gone]
            out.append(("tags", list(measure.tags), tags))
        return [(name, old, new) for name, old, new in out if old != new]


def parse_due_value(text: str) -> str | None:
    """What Measure.due stores for a typed --due: ISO date, "ongoing", or None to clear."""
    from imtrack.domain.dates import parse_due
    from imtrack.domain.derived import today

    if not text.strip():
        raise InvalidValue("the due date is empty; give a date (e.g. 2026-12-31, 年底), or none to clear it")
    if text.strip().casefold() in CLEAR_WORDS:
        return None
    return parse_due(text, today()).stored


def _past_due_warning(typed: str, stored: str | None) -> list[str]:
    from datetime import date

    from imtrack.domain.derived import today

    if stored is None or stored == "ongoing":
        return []
    day, now = date.fromisoformat(stored), today()
    if day >= now:
        return []
    shown = typed.strip() if typed.strip() == stored else f"{typed.strip()} ({stored})"
    message = (
        f"the due date {shown} is already past (today is {now}); the measures are overdue at "
        f"once. If that was not meant, set another with --due"
    )
    return [message]


@dataclass(slots=True)
class MeasurePlan:
    measure: Measure
    changes: list[tuple[str, Any, Any]]
    note: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.note)


@dataclass(slots=True)
class EditPlan:
    items: list[MeasurePlan]
    edit: Edit

    @property
    def touched(self) -> list[MeasurePlan]:
        return [i for i in self.items if i.changed]

    @property
    def untouched(self) -> list[MeasurePlan]:
        return [i for i in self.items if not i.changed]

    @property
    def needs_confirmation(self) -> bool:
        return len(self.touched) > CONFIRM_OVER

    def signature(self) -> list[Any]:
        return [(i.measure.id, i.changes, i.note) for i in self.items]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measures": [
                {
                    "id": i.measure.id,
                    "changes": [{"field": f, "from": o, "to": n} for f, o, n in i.changes],
                    "note": i.note,
                }
                for i in self.touched
            ],
            "unchanged": [i.measure.id for i in self.untouched],
        }


@dataclass(slots=True)
class EditResult:
    plan: EditPlan
    applied: bool
    txn: int | None = None


class Declined(ImtrackError):
    """The user answered no (or could not answer) to a confirmation."""


class _NeedsConfirmation(Exception):
    def __init__(self, plan: EditPlan) -> None:
        self.plan = plan


def plan_edit(ledger: Store | Transaction, selection: Selection, edit: Edit) -> EditPlan:
    measures = selection.resolve(ledger)
    return EditPlan(
        [MeasurePlan(copy.deepcopy(m), edit.changes_for(m), edit.note) for m in measures], edit
    )


def apply_edit(
    store: Store,
    selection: Selection,
    edit: Edit,
    *,
    dry_run: bool = False,
    confirm: Callable[[EditPlan], bool] | None = None,
) -> EditResult:
    """Plan and (unless dry_run) apply an edit as one transaction; see the module docstring."""
    from imtrack.core.transaction import command

    if dry_run:
        return EditResult(plan_edit(store, selection, edit), applied=False)
    try:
        return _apply(store, selection, edit, confirm)
    except _NeedsConfirmation as need:
        confirmed = need.plan
    assert confirm is not None
    if not confirm(confirmed):
        raise Declined(_("not confirmed; nothing was changed"))
    with command(store) as (ledger, txn):
        plan = plan_edit(ledger, selection, edit)
        if plan.signature() != confirmed.signature():
            raise ImtrackError(
                _("the ledger changed while you were confirming; nothing was changed; run the command again")
            )
        _write(ledger, plan, txn)
    return EditResult(plan, applied=True, txn=txn)


def _apply(
    store: Store,
    selection: Selection,
    edit: Edit,
    confirm: Callable[[EditPlan], bool] | None,
) -> EditResult:
    from imtrack.core.transaction import command

    with command(store) as (ledger, txn):
        plan = plan_edit(ledger, selection, edit)
        if confirm is not None and plan.needs_confirmation:
            raise _NeedsConfirmation(plan)  # leaves the transaction: nothing written
        _write(ledger, plan, txn)
    return EditResult(plan, applied=True, txn=txn)


def _write(ledger: Transaction, plan: EditPlan, txn: int) -> None:
    at = clock.timestamp()
    for item in plan.items:
        measure = ledger.get(item.measure.id)
        for name, _old, new in item.changes:
            history.record(ledger, measure, name, new, at, txn)
        if item.note:
            history.add_note(ledger, measure, item.note, at, txn)
        item.measure = measure  # an applied plan shows the measures as they are now


def undo(store: Store, *, dry_run: bool = False) -> history.Undone:
    """Revert the caller's last changing command as a whole (history.undo_last), in one
    transaction; with dry_run, the same work is done and then rolled back."""
    from imtrack.core.transaction import command
    from imtrack.core.transaction import dry_run as rolled_back

    with (rolled_back if dry_run else command)(store) as (tx, _txn):
        result = history.undo_last(tx, clock.timestamp())
    return result
