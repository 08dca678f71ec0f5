"""Progress arithmetic: measures -> plain rows. No Rich here; render.py draws the rows.

* `progress_by(measures, by, settings)`: one row per sector, status, lead (canonical agency),
  region (盟市), source or commitment type, each with per-status counts, percent done and the
  overdue count, a total row, and the attention list (three-colour 督办: red overdue, yellow due
  soon, blue stale; flags.py). A measure that mentions several regions is counted in each
  region's row but once in the total. `store_progress(store, by, settings, where)` gives the
  same report from the store's summaries (Store.summaries), which `report` uses.
* `period_report(store, since, until)`: what happened between two days (inclusive), for the
  report sent upward: completions, status changes, new notes, newly overdue measures and the
  measures nobody touched.
* `log_entries(store, measure_id, since)`: the change history, newest first.

Days of timestamps are the days as recorded (flags.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from imtrack.domain import flags as fl
from imtrack.domain.clock import instant
from imtrack.domain.models import Measure, Status, effective_day
from imtrack.errors import InvalidValue
from imtrack.i18n import _
from imtrack.storage.base import HistoryEntry, Store
from imtrack.vocab.sectors import SECTORS, label

GROUPINGS = ("sector", "status", "lead", "region", "source", "commitment")
NO_LEAD = "(未指定)"
NO_REGION = "(未涉及盟市)"
NO_SOURCE = "(无来源)"


@dataclass(slots=True)
class ProgressRow:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Status.DONE.value]

    @property
    def percent_done(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    def add(self, measure: Measure, overdue: bool = False) -> None:
        self.counts[measure.status] = self.counts.get(measure.status, 0) + 1
        self.overdue += int(overdue)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "counts": dict(self.counts),
            "done": self.done,
            "percent_done": self.percent_done,
            "overdue": self.overdue,
        }


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """A measure on the 督办 list: colour red (overdue), yellow (due soon) or blue (stale)."""

    id: int
    text: str
    colour: str
    flags: list[str]
    status: str
    lead: str | None
    due: str | None
    days_left: int | None
    last_activity: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "colour": self.colour,
            "flags": list(self.flags),
            "status": self.status,
            "lead": self.lead,
            "due": self.due,
            "days_left": self.days_left,
            "last_activity": self.last_activity,
        }


class AttentionList(Sequence[AttentionItem]):
    """The attention list in order (most urgent first), each AttentionItem made when first
    read: at 10,000 measures thousands may be flagged while the table shows 20."""

    __slots__ = ("_entries", "_items")

    def __init__(self, entries: list[tuple] = ()) -> None:  # type: ignore[assignment]
        """entries: (sort key, measure or Store summary, flags, days left, last activity day),
        in order."""
        self._entries = list(entries)
        self._items: dict[int, AttentionItem] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._entries)))]
        if index < 0:
            index += len(self._entries)
        item = self._items.get(index)
        if item is None:
            _, measure, f, days_left, last = self._entries[index]
            item = AttentionItem(
                id=measure.id,
                text=measure.text,
                colour=f.attention,
                flags=f.names(),
                status=measure.status,
                lead=measure.lead,
                due=measure.due,
                days_left=days_left,
                last_activity=last.isoformat() if last else None,
            )
            self._items[index] = item
        return item

    def colour_counts(self) -> dict[str, int]:
        """How many are red, yellow and blue, without making the items."""
        counts = {"red": 0, "yellow": 0, "blue": 0}
        for entry in self._entries:
            counts[entry[2].attention] += 1
        return counts

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True)
class ProgressReport:
    by: str
    rows: list[ProgressRow]
    total: ProgressRow
    attention: AttentionList = field(default_factory=AttentionList)
    settings: Any = None  # derived.Settings, when computed by progress_by

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "by": self.by,
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
            "attention": [a.to_dict() for a in self.attention],
        }
        if self.settings is not None:
            data["today"] = self.settings.today.isoformat()
            data["due_soon_days"] = self.settings.soon_days
            data["stale_days"] = self.settings.stale_days
        return data


def progress_by_sector(measures: Iterable[Measure]) -> ProgressReport:
    """One row per sector that has measures, in vocabulary order, and a total row."""
    return progress_by(measures, "sector")


def _preset_rows(by: str) -> dict[str, ProgressRow]:
    """Rows in the dimension's own order (vocabulary, statuses, 盟市); others appear as met."""
    if by == "sector":
        return {s.slug: ProgressRow(s.slug, s.label) for s in SECTORS}
    if by == "status":
        return {s.value: ProgressRow(s.value, s.label) for s in Status}
    if by == "region":
        from imtrack.vocab.regions import REGIONS

        return {r.name: ProgressRow(r.name, r.name) for r in REGIONS}
    if by == "commitment":
        from imtrack.vocab.commitment import COMMITMENTS

        return {c.slug: ProgressRow(c.slug, c.label) for c in COMMITMENTS}
    return {}


def _keys(measure: Measure, by: str) -> list[str]:
    """The keys of the rows a measure counts in (_label names a row)."""
    if by == "sector":
        return [measure.sector]
    if by == "status":
        return [measure.status]
    if by == "source":
        return [measure.source]
    if by == "lead":
        from imtrack.vocab.agencies import canonical

        return [canonical(measure.lead) if measure.lead else ""]
    if by == "region":
        from imtrack.vocab.regions import regions_of

        return regions_of(measure.text) or [""]
    if by == "commitment":
        from imtrack.vocab.commitment import commitment_of

        return [commitment_of(measure.text)]
    raise InvalidValue(_("cannot report by {by!r}; use one of: {value}").format(by=by, value=', '.join(GROUPINGS)))


def _label(key: str, by: str) -> str:
    """The label of a row that is not preset (a value from a newer imtrack, a lead, a source)."""
    if by == "sector":
        return label(key)
    if by == "status":
        try:
            return Status(key).label
        except ValueError:
            return key
    if by == "lead":
        return key or NO_LEAD
    if by == "region":
        return key or NO_REGION
    if by == "source":
        return key or NO_SOURCE
    from imtrack.vocab.commitment import label as commitment_label

    return commitment_label(key)


_COLOUR_ORDER = {"red": 0, "yellow": 1, "blue": 2}


def progress_by(measures: Iterable[Measure], by: str = "sector", settings: Any = None) -> ProgressReport:
    """Rows by one dimension (see module docstring), the total and the attention list.
    Lead and source rows are ordered by size (largest first), the empty group last."""
    return _progress(measures, by, settings, fl.facts)


def store_progress(store: Store, by: str = "sector", settings: Any = None, where: Any = None) -> ProgressReport:
    """progress_by() over the measures `where` selects (a domain.query.MeasureFilter without
    `stale`; None: all), read as Store.summaries: `report` never builds a measure's notes and
    history, which an SQL engine would read row by row for 100,000 measures."""
    if by not in GROUPINGS:  # before reading the ledger
        raise InvalidValue(_("cannot report by {by!r}; use one of: {value}").format(by=by, value=', '.join(GROUPINGS)))
    return _progress(store.summaries(where), by, settings, fl.summary_facts)


def _progress(measures: Iterable[Any], by: str, settings: Any, facts: Any) -> ProgressReport:
    """progress_by() over Measures (facts: flags.facts) or Store summaries (flags.summary_facts)."""
    from imtrack.domain.derived import Settings

    settings = settings or Settings()
    if by not in GROUPINGS:
        raise InvalidValue(_("cannot report by {by!r}; use one of: {value}").format(by=by, value=', '.join(GROUPINGS)))
    rows = _preset_rows(by)
    total = ProgressRow("total", "合计")
    attention: list[tuple] = []
    today, soon, stale = settings.today, settings.soon_days, settings.stale_days
    for measure in measures:  # the hot loop of `report`: 10,000s of measures, kept lean
        f, due, last = facts(measure, today, soon, stale)
        status, overdue = measure.status, f.overdue
        for key in _keys(measure, by):
            row = rows.get(key)
            if row is None:  # a value from a newer imtrack, a new lead: counted, never dropped
                row = rows[key] = ProgressRow(key, _label(key, by))
            counts = row.counts
            counts[status] = counts.get(status, 0) + 1
            if overdue:
                row.overdue += 1
        counts = total.counts
        counts[status] = counts.get(status, 0) + 1
        if overdue:
            total.overdue += 1
        colour = f.attention
        if colour:
            days_left = None if due is None else (due - today).days
            key = (_COLOUR_ORDER[colour], days_left if days_left is not None else 0,
                   last.isoformat() if last else "", measure.id)
            attention.append((key, measure, f, days_left, last))
    shown = [r for r in rows.values() if r.total]
    if by in ("lead", "source"):
        shown.sort(key=lambda r: (r.key == "", -r.total, r.key))
    else:
        shown.sort(key=lambda r: r.key == "")  # stable: keeps the preset order, empty last
    attention.sort(key=itemgetter(0))
    return ProgressReport(by, shown, total, AttentionList(attention), settings)


DONE = Status.DONE.value


def sector_counts(store: Store) -> dict[str, int]:
    """Measures per sector, every sector of the vocabulary listed (Store.counts)."""
    counts = {s.slug: 0 for s in SECTORS}
    for sector, by_status in store.counts("sector").items():
        counts[sector] = counts.get(sector, 0) + sum(by_status.values())
    return counts


# -- periods typed for --since / --until -------------------------------------------------------


def period_bounds(since: str, until: str | None, today: date) -> tuple[date, date]:
    """The days `report --since/--until` covers: the first day of the --since period to the last
    day of the --until period (periods.py), or to today without --until. Never past today:
    nothing can be reported about days to come, and a due date not yet reached is not overdue."""
    from imtrack.domain.periods import since_day, until_day

    first = since_day(since, today, "--since")
    if until is None:
        if first > today:
            raise _after_today(since, first, today)
        return first, today
    last = until_day(until, today, "--until")
    if first > last:
        raise InvalidValue(_("--since {since} is after --until {until}; swap them").format(
            since=_shown(since, first), until=_shown(until, last)))
    if first > today:
        raise _after_today(since, first, today)
    return first, min(last, today)


def _after_today(since: str, first: date, today: date) -> InvalidValue:
    return InvalidValue(_(
        "--since {since} begins on {first}, after today ({today}); nothing has happened "
        "in it yet; give a past period, e.g. --since 本月").format(since=since, first=first, today=today))


def _shown(text: str, day: date) -> str:
    return text if text.strip() == day.isoformat() else f"{text} ({day})"


def log_since(since: str, today: date) -> date:
    """The first day `log --since` shows; a period that has not begun is an error, not silence."""
    from imtrack.domain.periods import since_day

    first = since_day(since, today, "--since")
    if first > today:
        raise InvalidValue(
            _("--since {since} begins on {first}, after today ({today}); no record can be that "
              "new; give a past period, e.g. --since 本月").format(since=since, first=first, today=today)
        )
    return first


# -- the period report -------------------------------------------------------------------------


def _day(timestamp: str) -> date | None:
    return fl._day(timestamp)


@dataclass(slots=True)
class PeriodReport:
    since: date
    until: date
    total: int = 0
    completed: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    newly_overdue: list[dict[str, Any]] = field(default_factory=list)
    no_update: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "total": self.total,
            "completed": self.completed,
            "status_changes": self.status_changes,
            "notes": self.notes,
            "newly_overdue": self.newly_overdue,
            "no_update": self.no_update,
        }


def cancelled_txns(store: Store) -> set[int]:
    """The commands that were undone and the undos themselves: they cancel out in reports."""
    from imtrack.domain.history import UNDONE

    cancelled: set[int] = set()
    for entry in store.meta().get(UNDONE, []):
        cancelled |= {int(entry["txn"]), int(entry["by"])}
    return cancelled


def period_report(store: Store, since: date, until: date, where: Any = None) -> PeriodReport:
    """What happened from `since` to `until`, both days included:

    * completed: measures whose last status change in the period made them done;
    * status_changes: every status change in the period, oldest first; a command that was
      undone and the undo itself are left out (they cancel out; `imtrack log` shows them);
    * notes: notes added in the period, oldest first;
    * newly_overdue: the due date passed in the period (overdue from the day after it, so
      `since - 1 <= due < until`) and the measure was not done by its due date;
    * no_update: measures existing by `until`, not done, with no note or change in the period
      (a change that was undone, or the undo of it, is not an update).

    `where` (a domain.query.MeasureFilter) keeps only the measures it selects, as `list` does.
    """
    if since > until:
        raise InvalidValue(_("--since {since} is after --until {until}; swap them").format(since=since, until=until))
    report = PeriodReport(since, until)
    cancelled = cancelled_txns(store)
    measures = store.find(where)
    texts = {m.id: m for m in measures}
    # The period's facts (Store.history); checked again with the day reading the rest of the
    # report uses, which an engine's day range need not match for an unreadable stamp.
    # Counted by the day each took effect (HistoryEntry.day: --on, else the day recorded).
    facts: list[HistoryEntry] = [
        e for e in store.history(since.isoformat(), until.isoformat())
        if e.measure_id in texts and (day := e.day) is not None and since <= day <= until
    ]
    last_status: dict[int, HistoryEntry] = {}
    for e in facts:
        m = texts[e.measure_id]
        effective = str(e.day)
        if e.kind == "note":
            report.notes.append({"id": m.id, "at": e.at, "effective": effective, "text": e.text})
        elif e.field == "status" and e.txn not in cancelled:
            report.status_changes.append(
                {"id": m.id, "at": e.at, "effective": effective, "from": e.old, "to": e.new, "text": m.text}
            )
            if m.id not in last_status or _order(e) >= _order(last_status[m.id]):
                last_status[m.id] = e
    for measure_id, e in last_status.items():
        if e.new == Status.DONE.value:
            m = texts[measure_id]
            due = fl.due_date(m)
            late = due is not None and (e.day or since) > due
            report.completed.append(
                {"id": m.id, "at": e.at, "effective": str(e.day), "text": m.text, "lead": m.lead, "late": late}
            )

    def inside(day: date | None) -> bool:
        return day is not None and since <= day <= until

    for m in measures:
        report.total += 1
        due = fl.due_date(m)
        if due is not None and since - timedelta(days=1) <= due < until:
            done = fl.done_on(m)
            missed = (m.status != Status.DONE.value) or (done is not None and done > due)
            if missed:
                report.newly_overdue.append(
                    {"id": m.id, "due": m.due, "text": m.text, "lead": m.lead, "status": m.status}
                )
        created = _day(m.created)
        if m.status != Status.DONE.value and (created is None or created <= until):
            days = [created, *(n.day for n in m.notes)]
            days += [c.day for c in m.history if c.txn not in cancelled]
            if not any(inside(d) for d in days):
                last = fl.last_activity(m)
                report.no_update.append(
                    {
                        "id": m.id,
                        "text": m.text,
                        "lead": m.lead,
                        "status": m.status,
                        "last_activity": last.isoformat() if last else None,
                    }
                )
    report.status_changes.sort(key=lambda r: (r["effective"], instant(r["at"]), r["id"]))
    report.notes.sort(key=lambda r: (r["effective"], instant(r["at"]), r["id"]))
    report.completed.sort(key=lambda r: (r["effective"], instant(r["at"]), r["id"]))
    return report


def _order(e: HistoryEntry) -> tuple[date, float]:
    """Which of two records came later in the world: the day it took effect, then when it was
    recorded (a Tuesday change recorded on Friday comes before one done and recorded Wednesday)."""
    return (e.day or date.min, instant(e.at))


# -- the burn-up: done measures against the total, over a period -------------------------------


@dataclass(frozen=True, slots=True)
class BurnupPoint:
    day: date  # the state at the end of this day
    done: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "done": self.done, "total": self.total}


def burnup_step(since: date, until: date) -> str:
    """Weeks for a period up to 16 weeks (a quarter and a bit), months beyond."""
    return "week" if (until - since).days < 16 * 7 else "month"


def burnup_days(since: date, until: date, step: str) -> list[date]:
    """The days the burn-up is read at: the eve of the period (where it starts from), the last
    day of each week (Sunday) or month inside it, and its last day."""
    days = [since - timedelta(days=1)]
    day = since
    while day < until:
        if step == "week":
            end = day + timedelta(days=6 - day.weekday())
        else:
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            end = following - timedelta(days=1)
        if end >= until:
            break
        days.append(end)
        day = end + timedelta(days=1)
    days.append(until)
    return days


def burnup(
    store: Store, since: date, until: date, step: str | None = None, where: Any = None
) -> list[BurnupPoint]:
    """How many measures were done, of how many that existed, at the end of each day of
    burnup_days(): replayed from the status changes the store records up to `until`
    (Store.history, by the day each took effect; a command that was undone and its undo cancel out, as in
    period_report). A measure counts from the day it was created; before its first recorded
    status change it had that change's old status. `where` as for period_report."""
    if since > until:
        raise InvalidValue(_("--since {since} is after --until {until}; swap them").format(since=since, until=until))
    days = burnup_days(since, until, step or burnup_step(since, until))
    cancelled = cancelled_txns(store)
    measures = {m.id: m for m in store.find(where)}
    changes: dict[int, list[tuple[Any, date, Any, Any]]] = {}
    for e in store.history(None, until.isoformat()):
        if e.kind != "change" or e.field != "status" or e.txn in cancelled or e.measure_id not in measures:
            continue
        day = e.day
        if day is not None:
            changes.setdefault(e.measure_id, []).append((_order(e), day, e.old, e.new))
    done_counts = [0] * len(days)
    totals = [0] * len(days)
    for measure_id, m in measures.items():
        created = _day(m.created)
        steps = sorted(changes.get(measure_id, ()), key=itemgetter(0))
        for i, day in enumerate(days):
            if created is not None and created > day:
                continue
            totals[i] += 1
            status = steps[0][2] if steps else m.status
            for _at, changed, _old, new in steps:
                if changed > day:
                    break
                status = new
            if status == DONE:
                done_counts[i] += 1
    return [BurnupPoint(d, n, t) for d, n, t in zip(days, done_counts, totals)]


# -- the change log ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: str  # when it was recorded
    id: int
    kind: str  # "change" or "note"
    field: str  # the changed field; "note" for a note
    old: Any = None
    new: Any = None
    text: str | None = None  # the note
    txn: int | None = None
    author: str | None = None  # who ran the command; None on records of older releases
    effective: str | None = None  # the day given with --on; None: the day recorded

    @property
    def day(self) -> date | None:
        """The day it took effect (models.effective_day)."""
        return effective_day(self.at, self.effective)

    def to_dict(self) -> dict[str, Any]:
        day = self.day
        return {
            "at": self.at,
            "effective": day.isoformat() if day else None,
            "id": self.id,
            "kind": self.kind,
            "field": self.field,
            "from": self.old,
            "to": self.new,
            "text": self.text,
            "txn": self.txn,
            "author": self.author,
        }


def log_entries(store: Store, measure_id: int | None = None, since: date | None = None) -> list[LogEntry]:
    """Every change and note, newest first by the day it took effect (--on, else the day
    recorded); within a day by when recorded (ties: later command first, then later record)."""
    keyed: list[tuple[tuple, LogEntry]] = []
    position: dict[int, int] = {}
    for e in store.history(since=since.isoformat() if since else None, measure_id=measure_id):
        i = position[e.measure_id] = position.get(e.measure_id, -1) + 1  # history, then notes
        day = e.day
        if since is not None and (day or date.min) < since:
            continue
        entry = LogEntry(e.at, e.measure_id, e.kind, e.field, e.old, e.new, e.text, e.txn, e.author, e.effective)
        keyed.append(((day or date.min, instant(e.at), e.txn or 0, e.measure_id, i), entry))
    keyed.sort(key=lambda ke: ke[0], reverse=True)
    return [e for _key, e in keyed]
