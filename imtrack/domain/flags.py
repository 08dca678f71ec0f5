"""Derived facts about a measure: overdue, due soon, stale, done late. Computed on demand from the
measure and `today`, never stored, so they cannot go stale themselves.

The exact rules (all comparisons are on calendar days; `today` is passed in by the caller,
normally `clock.now().date()`):

* **overdue**: the measure has a due date (not ongoing), is not done, and `due < today`.
  Due today is not overdue; due yesterday is. Blocked measures can be overdue.
* **due soon**: has a due date, is not done, and `today <= due <= today + soon_days`
  (default 30). Due today is due soon; an overdue measure is not "due soon".
* **stale**: not done, and its last activity was `stale_days` (default 30) or more days before
  today. Last activity is the latest of: creation, any note, any history change (and the
  `updated` stamp). Activity on the 24th, today the 23rd of next month (30 days): stale.
* **done late**: done, has a due date, and the day of the history change that made it done
  (the last `status -> done` change) is after the due date. Done on the due day is on time. A
  measure marked done with no history record of it (e.g. imported as done) is not done late:
  there is no evidence either way, and `done_on()` returns None.

Timestamps are ISO 8601 with an offset (clock.timestamp()); their day is the day as recorded
(the local date where the command ran), which is what a person in the office means.

Three-colour 督办 (`attention()`): red = overdue, yellow = due soon, blue = stale, else None;
the first that applies wins.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from imtrack.domain.frozen import Frozen
from imtrack.domain.models import Measure, Status

DEFAULT_SOON_DAYS = 30
DEFAULT_STALE_DAYS = 30

DONE = Status.DONE.value
ONGOING = "ongoing"  # dates.ONGOING_VALUE


def _day(stamp: Any) -> date | None:
    """The day of an ISO timestamp as recorded (its local date), or None when it has none
    readable. The one reading of a stamp's day: report.py uses it too."""
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def due_date(measure: Measure) -> date | None:
    """The measure's deadline as a date; None when unset or ongoing. Reads Measure.due as
    dates.DueDate.from_stored does, without importing the due-date grammar (start-up)."""
    due = measure.due
    if due is None or due == "" or due == ONGOING:
        return None
    return date.fromisoformat(due)


# is_overdue, is_due_soon, is_stale and is_done_late read only what their flag needs, and leave
# the rule itself to judge() (the limits they pass stand for "no such day" where unused).


def is_overdue(measure: Measure, today: date) -> bool:
    return judge(measure.status == DONE, due_date(measure), None, None, today, today, None).overdue


def days_overdue(measure: Measure, today: date) -> int:
    """How many days past due (0 when not overdue)."""
    due = due_date(measure)
    return (today - due).days if due is not None and is_overdue(measure, today) else 0


def days_left(measure: Measure, today: date) -> int | None:
    """Days until the due date (negative when past); None without a dated deadline."""
    due = due_date(measure)
    return None if due is None else (due - today).days


def is_due_soon(measure: Measure, today: date, days: int = DEFAULT_SOON_DAYS) -> bool:
    soon_limit = limits(today, days, 0)[0]
    return judge(measure.status == DONE, due_date(measure), None, None, today, soon_limit, None).due_soon


_ISO_DAY: Any = None  # compiled on first use: a command that never asks compiles nothing


def last_activity(measure: Measure) -> date | None:
    """The day of the latest creation, note, change or update stamp; None if none is readable."""
    stamps = [measure.created, measure.updated]
    stamps += [n.at for n in measure.notes]
    stamps += [c.at for c in measure.history]
    return latest_day(stamps)


def latest_iso_day(top: str) -> date | None:
    """The day of last activity from the latest of a measure's stamps as text (max(), "" when
    none), when that one reads as an ISO day (2026-03-02...): ISO days order as text, and any
    other form a stamp may take and still be read (20260302, 2026W10) orders above an ISO day
    of its year. None: no stamp at all, or this one cannot tell; then latest_day() reads them
    all. For a store that summarises measures (Store.summaries) without the regex per stamp."""
    if not top or top[4:5] != "-" or top[7:8] != "-":
        return None
    return _day(top)


def latest_day(stamps: list[Any]) -> date | None:
    """last_activity() over the stamps themselves (creation, update, every note and change), for
    a store that summarises measures without building them (Store.summaries)."""
    stamps = [s for s in stamps if s]
    global _ISO_DAY
    if _ISO_DAY is None:
        import re

        _ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
    try:
        iso = all(map(_ISO_DAY.match, stamps))
    except TypeError:  # not a string: the exact way below says None for it
        iso = False
    if iso:
        # ISO stamps order as strings by their day as recorded, so only the latest needs
        # parsing (`report` runs this for every measure); if that one is no day (2024-13-01),
        # the exact way below decides.
        day = _day(max(stamps)) if stamps else None
        if day is not None or not stamps:
            return day
    days = [d for d in map(_day, stamps) if d is not None]
    return max(days, default=None)


def is_stale(measure: Measure, today: date, days: int = DEFAULT_STALE_DAYS) -> bool:
    done = measure.status == DONE
    last = None if done else last_activity(measure)  # a done measure is never stale: not read
    return judge(done, None, last, None, today, today, limits(today, 0, days)[1]).stale


def done_on(measure: Measure) -> date | None:
    """The day the history change that made the measure done took effect (--on, else the day
    it was recorded), if it is done."""
    if measure.status != DONE:
        return None
    for change in reversed(measure.history):
        if change.field == "status" and change.new == DONE:
            return change.day
    return None


def is_done_late(measure: Measure) -> bool:
    # done_on is None unless the measure is done; done lateness does not depend on today
    return judge(True, due_date(measure), None, done_on(measure), None, None, None).done_late


class Flags(Frozen):
    __slots__ = ("overdue", "due_soon", "stale", "done_late")
    overdue: bool
    due_soon: bool
    stale: bool
    done_late: bool

    def __init__(self, overdue: bool, due_soon: bool, stale: bool, done_late: bool) -> None:
        init = object.__setattr__
        init(self, "overdue", overdue)
        init(self, "due_soon", due_soon)
        init(self, "stale", stale)
        init(self, "done_late", done_late)

    @property
    def attention(self) -> str | None:
        """The 督办 colour: red (overdue), yellow (due soon), blue (stale), or None."""
        if self.overdue:
            return "red"
        if self.due_soon:
            return "yellow"
        if self.stale:
            return "blue"
        return None

    def names(self) -> list[str]:
        """The flags that are set, as the slugs filters and JSON use."""
        return [n for n in ("overdue", "due_soon", "stale", "done_late") if getattr(self, n)]


# Flags are immutable and there are 16 of them: `report` shares these instead of making one
# per measure.
_FLAGS = {
    (a, b, c, d): Flags(a, b, c, d)
    for a in (False, True) for b in (False, True) for c in (False, True) for d in (False, True)
}


@lru_cache(maxsize=8)  # `report` asks once per measure, always with the same three values
def limits(today: date, soon_days: int, stale_days: int) -> tuple[date, date | None]:
    """The last day that is still due soon, and the last day of activity that makes a measure
    stale (None: no day is that long ago), for judge()."""
    soon = today + timedelta(days=soon_days) if date.max.toordinal() - today.toordinal() > soon_days else date.max
    stale = today - timedelta(days=stale_days) if today.toordinal() - date.min.toordinal() >= stale_days else None
    return soon, stale


def judge(done: bool, due: Any, last: Any, done_day: Any, today: Any, soon_limit: Any, stale_limit: Any) -> Flags:
    """THE rules (module docstring), over days given either all as dates or all as day
    ordinals (date.toordinal()):
    `done` whether the status is done, `due` the due day (None when unset or ongoing), `last`
    the day of last activity and `done_day` the day it was made done (None when unknown), and
    the limits of limits() for `today` (as ordinals: today + soon days, today - stale days)."""
    if done:
        return _FLAGS[False, False, False, due is not None and done_day is not None and done_day > due]
    return _FLAGS[
        due is not None and due < today,
        due is not None and today <= due <= soon_limit,
        last is not None and stale_limit is not None and last <= stale_limit,
        False,
    ]


def summary_facts(
    summary: Any, today: date, soon_days: int = DEFAULT_SOON_DAYS, stale_days: int = DEFAULT_STALE_DAYS,
) -> tuple[Flags, date | None, date | None]:
    """facts() of a storage.base.Summary: the same rules over the days the store worked out."""
    due = due_date(summary)
    if summary.status == DONE:
        return judge(True, due, None, summary.done_day, today, None, None), due, None
    last = summary.last_activity
    return judge(False, due, last, None, today, *limits(today, soon_days, stale_days)), due, last


def facts(
    measure: Measure,
    today: date,
    soon_days: int = DEFAULT_SOON_DAYS,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> tuple[Flags, date | None, date | None]:
    """The flags of one measure on `today` (judge(), each input read once: `report` runs this
    per measure), with the due date and the day of last activity they were computed from (last
    activity is None when done)."""
    due = due_date(measure)
    if measure.status == DONE:
        return judge(True, due, None, done_on(measure), today, None, None), due, None
    last = last_activity(measure)
    return judge(False, due, last, None, today, *limits(today, soon_days, stale_days)), due, last


def flags(
    measure: Measure,
    today: date,
    soon_days: int = DEFAULT_SOON_DAYS,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> Flags:
    """All derived flags of one measure on `today`."""
    return facts(measure, today, soon_days, stale_days)[0]


def attention(
    measure: Measure,
    today: date,
    soon_days: int = DEFAULT_SOON_DAYS,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> str | None:
    return flags(measure, today, soon_days, stale_days).attention
