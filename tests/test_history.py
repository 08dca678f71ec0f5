"""Transactions and undo on an in-memory Ledger with a scripted history."""

from __future__ import annotations

import pytest

from imtrack.domain import history
from imtrack.domain.ledger import Ledger
from imtrack.domain.models import Change, Measure, Note
from imtrack.errors import ImtrackError, NotFound


def make_ledger(n: int = 5) -> Ledger:
    ledger = Ledger(
        [
            Measure(
                id=i, text=f"measure {i}", sector="transport", created="2026-01-01T09:00:00+08:00"
            )
            for i in range(1, n + 1)
        ],
        meta={"schema_version": 1, "next_id": n + 1},
    )
    return ledger


def T(day: int) -> str:
    return f"2026-11-{day:02d}T10:00:00+08:00"


def scripted() -> Ledger:
    """Three commands: set 1-4 in-progress (bulk), set lead + due on 2 with a note, mark 2 done."""
    ledger = make_ledger()
    t1 = history.begin(ledger)
    for m in ledger.get_many([1, 2, 3, 4]):
        history.record(ledger, m, "status", "in-progress", T(1), t1)
    t2 = history.begin(ledger)
    m2 = ledger.get(2)
    history.record(ledger, m2, "lead", "自治区发展改革委", T(2), t2)
    history.record(ledger, m2, "due", "2026-12-31", T(2), t2)
    history.record(ledger, m2, "tags", ["重点"], T(2), t2)
    history.add_note(ledger, m2, "已报送可研", T(2), t2)
    t3 = history.begin(ledger)
    history.record(ledger, m2, "status", "done", T(3), t3)
    history.add_note(ledger, m2, "完成", T(3), t3)
    ledger.dirty.clear()
    ledger.meta_dirty = False
    return ledger


def test_transaction_ids_come_from_meta_and_are_never_reused() -> None:
    ledger = make_ledger()
    assert [history.begin(ledger) for _ in range(3)] == [1, 2, 3]
    assert ledger.meta["next_txn"] == 4 and ledger.meta_dirty


def test_record_is_a_noop_when_unchanged() -> None:
    ledger = make_ledger()
    m = ledger.get(1)
    assert not history.record(ledger, m, "status", "not-started", T(1), 1)
    assert m.history == [] and not ledger.dirty


def test_records_carry_the_txn_and_serialise_it() -> None:
    ledger = scripted()
    m2 = ledger.get(2)
    assert {c.txn for c in m2.history} == {1, 2, 3}
    assert m2.history[-1].to_dict()["txn"] == 3
    assert m2.notes[0].to_dict() == {"at": T(2), "text": "已报送可研", "txn": 2}
    assert Change.from_dict(m2.history[-1].to_dict()) == m2.history[-1]
    assert Note.from_dict(m2.notes[0].to_dict()) == m2.notes[0]


def test_records_without_a_txn_keep_the_old_json_shape() -> None:
    assert Note(at=T(1), text="x").to_dict() == {"at": T(1), "text": "x"}
    assert Change(at=T(1), field="status", old="a", new="b").to_dict() == {
        "at": T(1),
        "field": "status",
        "from": "a",
        "to": "b",
    }
    assert Note.from_dict({"at": T(1), "text": "x"}).txn is None


def test_undo_reverts_the_last_command_only() -> None:
    ledger = scripted()
    done = history.undo_last(ledger, at=T(4))
    m2 = ledger.get(2)
    assert (done.txn, done.by) == (3, 4)
    assert m2.status == "in-progress"
    assert [n.text for n in m2.notes] == ["已报送可研"]
    assert m2.lead == "自治区发展改革委"  # from the earlier command: untouched
    assert m2.updated == T(4)
    assert ledger.dirty == {2} and ledger.meta_dirty
    assert ledger.meta["undone"] == [{"txn": 3, "by": 4}]
    # the undo is in the history, under its own txn
    assert [(c.field, c.old, c.new, c.txn) for c in m2.history[-2:]] == [
        ("status", "done", "in-progress", 4),
        ("note", "完成", None, 4),
    ]
    assert done.describe().splitlines() == [
        f"undid the command of {T(3)} (1 measure: 2)",
        "#2 status: done -> in-progress",
        "#2 removed note: 完成",
    ]


def test_repeated_undo_walks_back_and_a_bulk_edit_is_one_undo() -> None:
    ledger = scripted()
    history.undo_last(ledger, at=T(4))
    second = history.undo_last(ledger, at=T(5))
    m2 = ledger.get(2)
    assert second.txn == 2
    assert (m2.lead, m2.due, m2.tags, m2.notes) == (None, None, [], [])
    assert m2.status == "in-progress"
    third = history.undo_last(ledger, at=T(6))
    assert third.txn == 1
    assert third.measure_ids == [1, 2, 3, 4]
    assert all(m.status == "not-started" for m in ledger)
    assert "4 measures: 1, 2, 3, 4" in third.describe()
    assert [e["txn"] for e in ledger.meta["undone"]] == [3, 2, 1]
    with pytest.raises(NotFound, match="nothing to undo"):
        history.undo_last(ledger, at=T(7))


def test_a_new_command_after_an_undo_is_undone_first() -> None:
    ledger = scripted()
    history.undo_last(ledger, at=T(4))  # undoes txn 3
    t = history.begin(ledger)  # txn 5
    history.record(ledger, ledger.get(5), "progress", 50, T(5), t)
    assert history.last_txn(ledger) == 5
    assert history.undo_last(ledger, at=T(6)).txn == 5
    assert ledger.get(5).progress is None
    assert history.undo_last(ledger, at=T(7)).txn == 2


def test_same_field_twice_in_one_txn_restores_the_first_value() -> None:
    ledger = make_ledger()
    t = history.begin(ledger)
    m = ledger.get(1)
    history.record(ledger, m, "status", "in-progress", T(1), t)
    history.record(ledger, m, "status", "done", T(1), t)
    history.undo_last(ledger, at=T(2))
    assert m.status == "not-started"


def test_undo_refuses_when_a_field_changed_outside_any_txn() -> None:
    ledger = scripted()
    m2 = ledger.get(2)
    m2.history.append(Change(at=T(3), field="status", old="done", new="blocked"))  # legacy, no txn
    m2.status = "blocked"
    before = (m2.status, list(m2.notes), len(m2.history), dict(ledger.meta))
    with pytest.raises(ImtrackError, match="measure 2's status is now 'blocked'"):
        history.undo_last(ledger, at=T(4))
    assert (m2.status, list(m2.notes), len(m2.history), dict(ledger.meta)) == before


def test_nothing_to_undo_on_a_fresh_or_legacy_ledger() -> None:
    ledger = make_ledger()
    ledger.get(1).history.append(Change(at=T(1), field="status", old="not-started", new="done"))
    assert history.last_txn(ledger) is None
    with pytest.raises(NotFound):
        history.undo_last(ledger, at=T(2))


def test_undo_restores_lists_without_sharing_them() -> None:
    ledger = make_ledger()
    m = ledger.get(1)
    t = history.begin(ledger)
    history.record(ledger, m, "partners", ["科技厅"], T(1), t)
    t = history.begin(ledger)
    history.record(ledger, m, "partners", ["科技厅", "财政厅"], T(2), t)
    history.undo_last(ledger, at=T(3))
    assert m.partners == ["科技厅"]
    m.partners.append("x")
    assert m.history[0].new == ["科技厅"]  # the record did not change with the field


def test_undo_uses_the_clock_when_no_time_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-30T08:00:00+08:00")
    ledger = scripted()
    history.undo_last(ledger)
    assert ledger.get(2).updated == "2026-11-30T08:00:00+08:00"


def test_txn_and_undone_survive_the_store(tmp_path) -> None:
    from imtrack.storage.store import JsonStore

    store = JsonStore(tmp_path / "db.json", seed=lambda: [Measure(id=0, text="m", sector="other")])
    with store.transaction() as ledger:
        t = history.begin(ledger)
        history.record(ledger, ledger.get(1), "status", "done", T(1), t)
        history.add_note(ledger, ledger.get(1), "完成", T(1), t)
    with store.transaction() as ledger:
        assert ledger.get(1).history[0].txn == 1 and ledger.get(1).notes[0].txn == 1
        history.undo_last(ledger, at=T(2))
    ledger = store.load()
    assert ledger.get(1).status == "not-started" and ledger.get(1).notes == []
    assert ledger.meta["undone"] == [{"txn": 1, "by": 2}] and ledger.meta["next_txn"] == 3
    with pytest.raises(NotFound):
        history.undo_last(ledger, at=T(3))
