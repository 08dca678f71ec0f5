"""The digest the store's index keeps for each measure agrees with the flags computed from the
whole measure (flags.py), whatever its notes and history."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from imtrack.domain import flags as fl
from imtrack.domain.models import Change, Measure, Note
from imtrack.storage.digest import Summary, digest_of

STAMPS = st.one_of(
    st.just(""),
    st.just("not a time"),
    st.datetimes(min_value=__import__("datetime").datetime(2023, 1, 1),
                 max_value=__import__("datetime").datetime(2027, 1, 1)).map(
        lambda d: d.isoformat(timespec="seconds") + "+08:00"),
)
STATUSES = st.sampled_from(["not-started", "in-progress", "blocked", "done"])


@st.composite
def measures(draw: st.DrawFn) -> Measure:
    history = [
        Change(at=draw(STAMPS), field=draw(st.sampled_from(["status", "lead"])),
               old=draw(STATUSES), new=draw(STATUSES))
        for _ in range(draw(st.integers(0, 4)))
    ]
    notes = [Note(at=draw(STAMPS), text=f"n{i}") for i in range(draw(st.integers(0, 3)))]
    due = draw(st.one_of(st.none(), st.just("ongoing"),
                         st.dates(date(2023, 6, 1), date(2025, 6, 1)).map(date.isoformat)))
    return Measure(id=1, text="支持重点旗县运输和通用机场建设。", sector="transport", due=due,
                   status=draw(STATUSES), created=draw(STAMPS), updated=draw(STAMPS),
                   notes=notes, history=history)


@given(measures())
def test_digest_carries_the_facts_flags_compute_from_notes_and_history(m: Measure) -> None:
    d = digest_of(m.to_dict())
    last = fl.last_activity(m)
    assert d["last_activity"] == (last.isoformat() if last else None)
    done = fl.done_on(m)
    assert d["done_on"] == (done.isoformat() if done else None)
    assert d["note_count"] == len(m.notes)
    assert d["latest_note"] == (m.notes[-1].to_dict() if m.notes else None)
    assert "notes" not in d and "history" not in d
    assert d["status"] == m.status and d["text"] == m.text


def test_digest_of_a_measure_done_twice_names_the_last_day() -> None:
    m = Measure(id=1, text="t", sector="transport", status="done", history=[
        Change(at="2025-01-05T10:00:00+08:00", field="status", old="in-progress", new="done"),
        Change(at="2025-02-01T10:00:00+08:00", field="status", old="done", new="blocked"),
        Change(at="2025-03-09T10:00:00+08:00", field="status", old="blocked", new="done"),
    ])
    assert digest_of(m.to_dict())["done_on"] == date(2025, 3, 9).isoformat()


@given(measures(), st.dates(date(2023, 6, 1), date(2025, 6, 1)), st.integers(0, 60), st.integers(0, 60))
def test_flags_of_a_summary_equal_the_rules_applied_to_the_whole_measure(
    m: Measure, today: date, soon: int, stale: int
) -> None:
    expected = fl.Flags(
        overdue=fl.is_overdue(m, today),
        due_soon=fl.is_due_soon(m, today, soon),
        stale=fl.is_stale(m, today, stale),
        done_late=fl.is_done_late(m),
    )
    assert fl.flags(m, today, soon, stale) == expected
    record = m.to_dict()
    summary = Summary.of(record.pop("id"), digest_of(record))
    assert fl.flags(summary, today, soon, stale) == expected
    assert fl.last_activity(summary) == fl.last_activity(m)
    assert summary.latest_note_at == m.latest_note_at and summary.latest_note == m.latest_note


def test_report_and_filters_on_summaries_equal_those_on_whole_measures(run, db_path, monkeypatch) -> None:
    """`report` and `list` read digests (Summary); every grouping, flag and filter must come out
    as it would from the built Measures."""
    from imtrack.core.report import GROUPINGS, progress_by
    from imtrack.domain.derived import Settings
    from imtrack.domain.query import MeasureFilter
    from imtrack.storage.digest import summaries
    from imtrack.storage.store import JsonStore

    monkeypatch.setenv("IMTRACK_NOW", "2025-06-01T10:00:00+08:00")
    run.ok("list")
    run.ok("update", "3", "4", "5", "--due", "2025-05-01", "--lead", "发改委")
    run.ok("set-status", "4", "done")
    run.ok("update", "6", "--due", "2025-06-10", "--tag", "督办")
    run.ok("note", "7", "开了推进会")
    settings = Settings(date(2025, 6, 1))
    ledger = JsonStore(db_path).load()
    light, whole = summaries(ledger), list(ledger)
    for by in GROUPINGS:
        assert progress_by(light, by, settings).to_dict() == progress_by(whole, by, settings).to_dict()
    report = progress_by(light, "sector", settings)
    assert len(report.attention) == 3 and report.attention[:2] == list(report.attention)[:2]
    assert report.attention.colour_counts()["red"] == sum(a.colour == "red" for a in report.attention)
    for flt in (MeasureFilter.build(overdue=True, settings=settings), MeasureFilter.build(leads=["发改委"], settings=settings),
                MeasureFilter.build(stale=True, settings=settings), MeasureFilter.build(tags=["督办"], settings=settings),
                MeasureFilter.build(grep="机场", settings=settings), MeasureFilter.build(settings=settings)):
        assert [m.id for m in flt.apply(light)] == [m.id for m in flt.apply(whole)]
