"""Transactions and undo over a store, with a scripted history: each command is one store
transaction (storage/base.py), as the CLI runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imtrack.domain import history
from imtrack.domain.models import Change, Measure, Note
from imtrack.errors import ImtrackError, NotFound
from imtrack.storage.base import Transaction
from imtrack.storage.tinydb_store import TinyDBStore


def T(day: int) -> str:
    return f"2026-11-{day:02d}T10:00:00+08:00"


@pytest.fixture
def store(tmp_path: Path) -> TinyDBStore:
    s = TinyDBStore(
        tmp_path / "db.json",
        seed=lambda: [
            Measure(id=0, text=f"measure {i}", sector="transport", created="2026-01-01T09:00:00+08:00")
            for i in range(1, 6)
        ],
    )
    assert s.count() == 5
    return s


def command(store: TinyDBStore, work: Callable[[Transaction, int], Any]) -> Any:
    with store.transaction() as tx:
        return work(tx, history.begin(tx))


def undo(store: TinyDBStore, at: str | None = None) -> history.Undone:
    with store.transaction() as tx:
        return history.undo_last(tx, at=at)


def scripted(store: TinyDBStore) -> None:
    """Three commands: set 1-4 in-progress (bulk), set lead + due on 2 with a note, mark 2 done."""

    def bulk(tx: Transaction, t: int) -> None:
        for m in tx.get_many([1, 2, 3, 4]):
            history.record(tx, m, "status", "in-progress", T(1), t)

    def details(tx: Transaction, t: int) -> None:
        m2 = tx.get(2)
        history.record(tx, m2, "lead", "自治区发展改革委", T(2), t)
        history.record(tx, m2, "due", "2026-12-31", T(2), t)
        history.record(tx, m2, "tags", ["重点"], T(2), t)
        history.add_note(tx, m2, "已报送可研", T(2), t)

    def finish(tx: Transaction, t: int) -> None:
        m2 = tx.get(2)
        history.record(tx, m2, "status", "done", T(3), t)
        history.add_note(tx, m2, "完成", T(3), t)

    for work in (bulk, details, finish):
        command(store, work)


def test_transaction_ids_count_up_and_only_used_ones_are_spent(store: TinyDBStore) -> None:
    scripted(store)
    assert [c.txn for c in store.commands()] == [3, 2, 1]  # creating the ledger is no command
    assert store.meta()["next_txn"] == 4
    with store.transaction() as tx:  # a command that changes nothing spends no id
        assert history.begin(tx) == 4
    assert command(store, lambda tx, t: history.add_note(tx, tx.get(1), "x", T(4), t).txn) == 4


def test_record_is_a_noop_when_unchanged(store: TinyDBStore) -> None:
    with store.transaction() as tx:
        m = tx.get(1)
        assert not history.record(tx, m, "status", "not-started", T(1), tx.txn)
        assert m.history == [] and not tx.changed


def test_records_carry_the_txn_and_author_and_serialise_them(store: TinyDBStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_USER", "张三")
    scripted(store)
    m2 = store.get(2)
    assert {c.txn for c in m2.history} == {1, 2, 3}
    assert m2.history[-1].to_dict()["txn"] == 3
    assert m2.notes[0].to_dict() == {"at": T(2), "text": "已报送可研", "txn": 2, "author": "张三"}
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


def test_undo_reverts_the_last_command_only(store: TinyDBStore) -> None:
    scripted(store)
    done = undo(store, at=T(4))
    m2 = store.get(2)
    assert (done.txn, done.by) == (3, 4)
    assert m2.status == "in-progress"
    assert [n.text for n in m2.notes] == ["已报送可研"]
    assert m2.lead == "自治区发展改革委"  # from the earlier command: untouched
    assert m2.updated == T(4)
    assert store.commands(limit=1)[0].ids == (2,)
    assert store.meta()["undone"] == [{"txn": 3, "by": 4}]
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


def test_repeated_undo_walks_back_and_a_bulk_edit_is_one_undo(store: TinyDBStore) -> None:
    scripted(store)
    undo(store, at=T(4))
    second = undo(store, at=T(5))
    m2 = store.get(2)
    assert second.txn == 2
    assert (m2.lead, m2.due, m2.tags, m2.notes) == (None, None, [], [])
    assert m2.status == "in-progress"
    third = undo(store, at=T(6))
    assert third.txn == 1
    assert third.measure_ids == [1, 2, 3, 4]
    assert all(m.status == "not-started" for m in store.find())
    assert "4 measures: 1, 2, 3, 4" in third.describe()
    assert [e["txn"] for e in store.meta()["undone"]] == [3, 2, 1]
    with pytest.raises(NotFound, match="nothing to undo"):
        undo(store, at=T(7))


def test_a_new_command_after_an_undo_is_undone_first(store: TinyDBStore) -> None:
    scripted(store)
    undo(store, at=T(4))  # undoes txn 3, as txn 4
    t = command(store, lambda tx, t: history.record(tx, tx.get(5), "progress", 50, T(5), t) and t)
    assert t == 5
    with store.transaction() as tx:
        assert history.last_txn(tx) == 5
    assert undo(store, at=T(6)).txn == 5
    assert store.get(5).progress is None
    assert undo(store, at=T(7)).txn == 2


def test_same_field_twice_in_one_txn_restores_the_first_value(store: TinyDBStore) -> None:
    def twice(tx: Transaction, t: int) -> None:
        m = tx.get(1)
        history.record(tx, m, "status", "in-progress", T(1), t)
        history.record(tx, m, "status", "done", T(1), t)

    command(store, twice)
    undo(store, at=T(2))
    assert store.get(1).status == "not-started"


def test_undo_refuses_when_a_field_changed_outside_any_txn(store: TinyDBStore) -> None:
    scripted(store)

    def legacy(tx: Transaction, t: int) -> None:  # as an older imtrack wrote it: no txn
        m2 = tx.get(2)
        m2.history.append(Change(at=T(3), field="status", old="done", new="blocked"))
        m2.status = "blocked"
        tx.mark_changed(m2)

    command(store, legacy)
    before = (store.get(2), store.meta())
    with pytest.raises(ImtrackError, match="measure 2's status is now 'blocked'"):
        undo(store, at=T(4))
    assert (store.get(2), store.meta()) == before


def test_nothing_to_undo_on_a_fresh_or_legacy_ledger(store: TinyDBStore) -> None:
    def legacy(tx: Transaction, t: int) -> None:
        m = tx.get(1)
        m.history.append(Change(at=T(1), field="status", old="not-started", new="done"))
        tx.mark_changed(m)

    command(store, legacy)
    with store.transaction() as tx:
        # the command is recorded, but it left no record undo could revert
        assert len(tx.commands()) == 1 and history.last_txn(tx) is None
    with pytest.raises(NotFound):
        undo(store, at=T(2))


def test_undo_restores_lists_without_sharing_them(store: TinyDBStore) -> None:
    command(store, lambda tx, t: history.record(tx, tx.get(1), "partners", ["科技厅"], T(1), t))
    command(store, lambda tx, t: history.record(tx, tx.get(1), "partners", ["科技厅", "财政厅"], T(2), t))
    with store.transaction() as tx:
        history.undo_last(tx, at=T(3))
        m = tx.get(1)
        assert m.partners == ["科技厅"]
        m.partners.append("x")
        assert m.history[0].new == ["科技厅"]  # the record did not change with the field


def test_undo_uses_the_clock_when_no_time_is_given(store: TinyDBStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-30T08:00:00+08:00")
    scripted(store)
    undo(store)
    assert store.get(2).updated == "2026-11-30T08:00:00+08:00"
