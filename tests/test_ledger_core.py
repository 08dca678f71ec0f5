"""The ledger use cases without the CLI: transactions per command, edits and their
confirmation, filters and sorting, report rows, the period report and the log."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from imtrack.core import edits, report, tracker
from imtrack.domain import history
from imtrack.domain.derived import Settings, derive
from imtrack.domain.models import Change, Measure, Note
from imtrack.domain.query import MeasureFilter, sort_measures
from imtrack.errors import ImtrackError, InvalidValue
from imtrack.storage.tinydb_store import TinyDBStore
from imtrack.vocab.sectors import load_rules

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TinyDBStore:
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    rules = load_rules(tracker.rules_path_for(tmp_path / "db.json"))
    return TinyDBStore(tmp_path / "db.json", seed=lambda: tracker.default_measures(rules, NOW))


def txns(store: TinyDBStore) -> set[int]:
    return {r.txn for m in store.find() for r in (*m.history, *m.notes) if r.txn is not None}


def test_each_changing_use_case_is_one_transaction(store):
    tracker.set_status(store, [25, 26], "in-progress", note="周报")
    tracker.add_note(store, 25, "开工")
    tracker.set_sector(store, [17, 18], "digital")
    assert txns(store) == {1, 2, 3}
    assert store.meta()["next_txn"] == 4
    m17 = store.get(17)
    assert [(c.field, c.txn) for c in m17.history] == [("sector", 3), ("sector_pinned", 3)]
    undone = edits.undo(store)
    assert undone.txn == 3 and undone.measure_ids == [17, 18]
    assert not store.get(17).sector_pinned


def test_a_command_that_changes_nothing_writes_nothing(store):
    store.count()
    before = store.path.read_bytes()
    assert tracker.reclassify(store, load_rules(tracker.rules_path_for(store.path))) == []
    tracker.set_status(store, [1], "not-started")
    assert store.path.read_bytes() == before


def test_returned_sheet_is_one_undo(store, tmp_path):
    from imtrack.exchange import sheets as exchange

    sheet = tmp_path / "sheet.csv"
    rows = exchange.csv_text(store.get_many([25, 26]), headers="en")
    rows = rows.replace("not-started", "in-progress")
    sheet.write_text(rows, encoding="utf-8-sig")
    summary = exchange.apply_sheet(store, sheet)
    assert len(summary.changes) == 2
    assert edits.undo(store).measure_ids == [25, 26]
    assert {m.status for m in store.find()} == {"not-started"}


def test_restored_history_does_not_collide_with_new_txns(store, tmp_path):
    from imtrack.exchange import sheets as exchange

    m = store.get(1)
    m.history.append(Change(at=NOW, field="status", old="not-started", new="done", txn=40))
    m.status = "done"
    exchange.apply_backup(store, [m])
    tracker.add_note(store, 2, "x")
    assert store.get(2).notes[0].txn == 42  # 41 is the restore itself (history.REPLACED)


def test_edit_build_validates_and_canonicalises():
    edit = edits.Edit.build(lead="发改委", partners=["交通厅", "交通运输厅"], progress=0)
    assert dict(edit.sets) == {"lead": "自治区发展改革委", "partners": ["自治区交通运输厅"], "progress": 0}
    with pytest.raises(InvalidValue):
        edits.Edit.build()
    with pytest.raises(InvalidValue):
        edits.Edit.build(due="03/04/2025")
    m = Measure(id=1, text="t", sector="other", tags=["重点", "Rail"])
    edit = edits.Edit.build(tags=["重点", "东部"], untags=["ＲＡＩＬ"])
    assert edit.changes_for(m) == [("tags", ["重点", "Rail"], ["重点", "东部"])]


def test_confirmation_is_asked_outside_the_lock_and_rechecked(store):
    selection = edits.Selection(where=MeasureFilter.build(["transport"]))
    edit = edits.Edit.build(status="done")
    asked = []

    def no(plan):
        asked.append(len(plan.touched))
        return False

    with pytest.raises(edits.Declined):
        edits.apply_edit(store, selection, edit, confirm=no)
    assert asked == [6] and txns(store) == set()

    def meanwhile(plan):  # another command changes one of the measures while we wait
        tracker.set_status(store, [17], "blocked")
        return True

    with pytest.raises(ImtrackError, match="changed while you were confirming"):
        edits.apply_edit(store, selection, edit, confirm=meanwhile)
    assert store.get(25).status == "not-started"
    result = edits.apply_edit(store, selection, edit, confirm=lambda plan: True)
    assert result.applied and len(result.plan.touched) == 6
    small = edits.apply_edit(store, edits.Selection((1, 2)), edit, confirm=no)
    assert small.applied  # three or fewer: no question


def test_filters_and_sorting():
    today = date(2026, 11, 20)
    ms = [
        Measure(id=1, text="推进包头至银川铁路建设", sector="transport", due="2026-12-31", lead="发改委"),
        Measure(id=2, text="研究数字经济", sector="digital", due="2026-01-01", tags=["重点"]),
        Measure(id=3, text="支持兴安盟旅游", sector="culture-tourism", due="ongoing", status="done"),
        Measure(id=4, text="其他", sector="other"),
    ]
    s = Settings(today=today)
    assert MeasureFilter.build(leads=["自治区发展改革委"], settings=s).apply(ms) == [ms[0]]
    assert MeasureFilter.build(overdue=True, settings=s).apply(ms) == [ms[1]]
    assert MeasureFilter.build(regions=["兴安"], settings=s).apply(ms) == [ms[2]]
    assert MeasureFilter.build(commitments=["study"], settings=s).apply(ms) == [ms[1]]
    assert MeasureFilter.build(due_after="2026-06-01", settings=s).apply(ms) == [ms[0]]
    assert [m.id for m in sort_measures(ms, "due")] == [2, 1, 3, 4]
    assert [m.id for m in sort_measures(ms, "status")] == [1, 2, 4, 3]
    assert MeasureFilter(settings=s).is_empty and not MeasureFilter.build(["transport"]).is_empty
    with pytest.raises(InvalidValue):
        sort_measures(ms, "colour")
    d = derive(ms[0], s)
    assert d.regions == ["包头"] and d.commitment == "advance" and d.days_left == 41
    with pytest.raises(InvalidValue):
        Settings(today=today, soon_days=-1)


def T(day: int, hour: int = 9) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00+08:00"


def test_progress_by_counts_regions_once_in_the_total():
    ms = [
        Measure(id=1, text="包头和鄂尔多斯", sector="transport", lead="发改委", due="2026-01-01"),
        Measure(id=2, text="无地名", sector="transport", lead="自治区发展改革委", status="done"),
    ]
    rep = report.progress_by(ms, "region", Settings(today=date(2026, 11, 20)))
    assert [(r.key, r.total, r.overdue) for r in rep.rows] == [("包头", 1, 1), ("鄂尔多斯", 1, 1), ("", 1, 0)]
    assert rep.total.total == 2 and rep.total.overdue == 1
    rep = report.progress_by(ms, "lead", Settings(today=date(2026, 11, 20)))
    assert [(r.key, r.total, r.percent_done) for r in rep.rows] == [("自治区发展改革委", 2, 50.0)]
    assert json.loads(json.dumps(rep.to_dict()))["attention"][0]["colour"] == "red"
    with pytest.raises(InvalidValue):
        report.progress_by(ms, "colour")


def test_period_report_and_log_on_a_ledger(tmp_path):
    m = Measure(id=1, text="x", sector="other", created=T(1), due="2026-11-05")
    m.history = [
        Change(T(3), "status", "not-started", "done", 1),
        Change(T(4), "status", "done", "in-progress", 2),  # reopened: not a completion
        Change(T(4), "lead", None, "A", 2),
    ]
    m.notes = [Note(T(4), "reopened", 2)]
    other = Measure(id=2, text="y", sector="other", created=T(1))
    ledger = TinyDBStore(tmp_path / "period.json")
    with ledger.transaction() as tx:
        tx.put(m)
        tx.put(other)
    rep = report.period_report(ledger, date(2026, 11, 2), date(2026, 11, 6))
    assert rep.completed == [] and len(rep.status_changes) == 2
    assert [r["id"] for r in rep.newly_overdue] == [1]
    assert [r["id"] for r in rep.no_update] == [2]
    entries = report.log_entries(ledger)
    assert [(e.field, e.at) for e in entries] == [
        ("note", T(4)), ("lead", T(4)), ("status", T(4)), ("status", T(3))
    ]
    assert [e.field for e in report.log_entries(ledger, 1, since=date(2026, 11, 4))] == ["note", "lead", "status"]
    assert report.parse_day("-1m", date(2026, 3, 31)) == date(2026, 2, 28)
    assert report.parse_day("yesterday", date(2026, 3, 1)) == date(2026, 2, 28)
    with pytest.raises(InvalidValue):
        report.period_report(ledger, date(2026, 11, 6), date(2026, 11, 2))


def test_history_record_and_undo_through_edits_keep_the_audit_trail(store):
    edits.apply_edit(store, edits.Selection((25,)), edits.Edit.build(due="2026年底", note="定了"))
    edits.undo(store)
    m = store.get(25)
    assert m.due is None and m.notes == []
    assert [(c.field, c.old, c.new) for c in m.history] == [
        ("due", None, "2026-12-31"),
        ("due", "2026-12-31", None),
        (history.NOTE_FIELD, "定了", None),
    ]
