"""Derived flags at their boundaries, with an explicit `today`."""

from __future__ import annotations

from datetime import date

import pytest

from imtrack.domain import flags as fl
from imtrack.domain.models import Change, Measure, Note

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T10:00:00+08:00"


def measure(
    due: str | None = None, status: str = "in-progress", created: str = NOW, **kw
) -> Measure:
    return Measure(
        id=1,
        text="t",
        sector="other",
        status=status,
        due=due,
        created=created,
        updated=kw.pop("updated", created),
        **kw,
    )


@pytest.mark.parametrize(
    ("due", "overdue", "soon"),
    [
        ("2026-11-22", True, False),  # yesterday
        ("2026-11-23", False, True),  # today
        ("2026-11-24", False, True),  # tomorrow
        ("2026-12-23", False, True),  # today + 30
        ("2026-12-24", False, False),  # today + 31
        ("2020-01-01", True, False),
        ("ongoing", False, False),
        (None, False, False),
    ],
)
def test_overdue_and_due_soon_boundaries(due: str | None, overdue: bool, soon: bool) -> None:
    m = measure(due)
    assert fl.is_overdue(m, TODAY) is overdue
    assert fl.is_due_soon(m, TODAY) is soon


def test_done_is_neither_overdue_nor_due_soon() -> None:
    for due in ("2026-11-22", "2026-11-23"):
        m = measure(due, status="done")
        assert not fl.is_overdue(m, TODAY) and not fl.is_due_soon(m, TODAY)


def test_blocked_and_not_started_can_be_overdue() -> None:
    assert fl.is_overdue(measure("2026-11-01", status="blocked"), TODAY)
    assert fl.is_overdue(measure("2026-11-01", status="not-started"), TODAY)


def test_due_soon_window_is_configurable() -> None:
    m = measure("2026-11-30")  # 7 days ahead
    assert fl.is_due_soon(m, TODAY, days=7)
    assert not fl.is_due_soon(m, TODAY, days=6)
    assert fl.is_due_soon(measure("2026-11-23"), TODAY, days=0)


def test_days_left_and_overdue() -> None:
    assert fl.days_left(measure("2026-11-30"), TODAY) == 7
    assert fl.days_left(measure("2026-11-20"), TODAY) == -3
    assert fl.days_left(measure("ongoing"), TODAY) is None
    assert fl.days_overdue(measure("2026-11-20"), TODAY) == 3
    assert fl.days_overdue(measure("2026-11-23"), TODAY) == 0
    assert fl.days_overdue(measure("2026-11-20", status="done"), TODAY) == 0


def test_stale_boundary_uses_last_activity() -> None:
    created = "2026-10-24T09:00:00+08:00"  # 30 days before TODAY
    assert fl.is_stale(measure(created=created), TODAY)
    assert not fl.is_stale(measure(created="2026-10-25T09:00:00+08:00"), TODAY)  # 29 days
    assert not fl.is_stale(measure(created=created), TODAY, days=31)


def test_a_note_or_a_change_refreshes_staleness() -> None:
    old = "2026-01-01T09:00:00+08:00"
    noted = measure(created=old, notes=[Note(at="2026-11-20T09:00:00+08:00", text="进展")])
    changed = measure(
        created=old,
        history=[
            Change(
                at="2026-11-01T09:00:00+08:00", field="status", old="not-started", new="in-progress"
            )
        ],
    )
    assert not fl.is_stale(noted, TODAY)
    assert not fl.is_stale(changed, TODAY)
    assert fl.is_stale(changed, date(2026, 12, 1))
    assert fl.last_activity(noted) == date(2026, 11, 20)


def test_done_measures_are_never_stale() -> None:
    assert not fl.is_stale(measure(status="done", created="2020-01-01T00:00:00+08:00"), TODAY)


def test_stale_without_any_readable_timestamp_is_false() -> None:
    assert not fl.is_stale(measure(created="", updated=""), TODAY)


def _done_at(at: str, due: str | None) -> Measure:
    return measure(
        due,
        status="done",
        history=[
            Change(at="2026-01-01T09:00:00+08:00", field="status", old="not-started", new="done"),
            Change(at="2026-02-01T09:00:00+08:00", field="status", old="done", new="in-progress"),
            Change(at=at, field="status", old="in-progress", new="done"),
        ],
    )


def test_done_late_uses_the_last_change_to_done() -> None:
    assert fl.done_on(_done_at("2026-06-30T23:59:00+08:00", "2026-06-30")) == date(2026, 6, 30)
    assert not fl.is_done_late(_done_at("2026-06-30T23:59:00+08:00", "2026-06-30"))  # on the day
    assert fl.is_done_late(_done_at("2026-07-01T00:01:00+08:00", "2026-06-30"))  # a day late
    assert not fl.is_done_late(_done_at("2026-07-01T00:01:00+08:00", "ongoing"))
    assert not fl.is_done_late(_done_at("2026-07-01T00:01:00+08:00", None))


def test_done_without_history_is_not_done_late() -> None:
    m = measure("2020-01-01", status="done")
    assert fl.done_on(m) is None and not fl.is_done_late(m)


def test_not_done_is_not_done_late_even_with_an_old_done_change() -> None:
    m = _done_at("2026-07-05T00:00:00+08:00", "2026-06-30")
    m.status = "in-progress"
    assert not fl.is_done_late(m) and fl.done_on(m) is None


def test_flags_and_attention_colours() -> None:
    old = "2026-01-01T09:00:00+08:00"
    red = fl.flags(measure("2026-11-22", created=old), TODAY)
    assert red.overdue and red.stale and red.attention == "red"
    assert red.names() == ["overdue", "stale"]
    assert fl.attention(measure("2026-11-23"), TODAY) == "yellow"
    assert fl.attention(measure("ongoing", created=old), TODAY) == "blue"
    assert fl.attention(measure("2027-06-30"), TODAY) is None
    assert fl.flags(_done_at("2026-07-01T00:01:00+08:00", "2026-06-30"), TODAY).names() == [
        "done_late"
    ]
