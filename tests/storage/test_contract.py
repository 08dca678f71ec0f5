"""The store contract: what every engine must do alike (storage/base.py). Each test runs on
every engine in ENGINES; an engine joins the suite by adding its factory there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imtrack.config import locate
from imtrack.domain.derived import Settings
from imtrack.domain.models import Change, Measure, Note
from imtrack.domain.query import MeasureFilter
from imtrack.errors import Conflict, NotFound
from imtrack.storage.base import Store
from imtrack.storage.engines import open_store


def _tinydb(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return open_store(locate(tmp_path / "ledger.json", "--db"), command="test")


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return open_store(locate(tmp_path / "ledger.sqlite", "--db"), command="test")


def _postgresql(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    # a fresh database on the session's private server (tests/pgserver.py)
    return open_store(locate(request.getfixturevalue("pg_url"), "--db"), command="test")


# engine name -> a function giving an empty ledger of that engine (in a temp directory, or a
# fresh database on the test server)
ENGINES: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "tinydb": _tinydb,
    "sqlite": _sqlite,
    "postgresql": _postgresql,
}

AT = "2026-03-02T09:00:00+08:00"
SETTINGS = Settings(today=__import__("datetime").date(2026, 3, 10))


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = ENGINES[request.param](request, tmp_path)
    yield store
    store.close()


def _measure(text: str, sector: str = "transport", status: str = "not-started", **fields: object) -> Measure:
    return Measure(id=0, text=text, sector=sector, status=status, created=AT, updated=AT, **fields)  # type: ignore[arg-type]


def _fill(store: Store, *measures: Measure) -> list[int]:
    with store.transaction() as tx:
        return [tx.add(m).id for m in measures]


def test_a_new_ledger_is_empty(engine: Store) -> None:
    assert engine.count() == 0
    assert engine.find() == []
    with pytest.raises(NotFound, match="no measure with id 1; the database has no measures yet"):
        engine.get(1)


def test_added_measures_come_back_whole_with_ids_from_one(engine: Store) -> None:
    note = Note(AT, "启动", txn=None)
    ids = _fill(engine, _measure("建设公路", lead="交通运输厅", tags=["重点"], notes=[note]), _measure("数字政府", "digital"))
    assert ids == [1, 2]
    got = engine.get(1)
    assert (got.text, got.lead, got.tags, got.notes[0].text) == ("建设公路", "交通运输厅", ["重点"], "启动")
    assert got.revision == 1
    assert [m.id for m in engine.get_many([2, 1])] == [2, 1]
    assert engine.ids() == [1, 2] and engine.count() == 2


def test_missing_ids_are_all_named_and_nothing_changes(engine: Store) -> None:
    _fill(engine, _measure("a"), _measure("b"))
    with pytest.raises(NotFound, match=r"no measure with ids 7, 9; ids run from 1 to 2"):
        engine.get_many([1, 7, 9])
    with pytest.raises(NotFound), engine.transaction() as tx:
        tx.get(1).status = "done"
        tx.mark_changed(tx.get(1))
        tx.get_many([1, 5])
    assert engine.get(1).status == "not-started"


def test_an_exception_rolls_the_whole_transaction_back(engine: Store) -> None:
    _fill(engine, _measure("a"))
    with pytest.raises(RuntimeError), engine.transaction() as tx:
        tx.add(_measure("b"))
        m = tx.get(1)
        m.text = "changed"
        tx.mark_changed(m)
        raise RuntimeError("boom")
    assert engine.ids() == [1] and engine.get(1).text == "a"
    assert _fill(engine, _measure("c")) == [2]


def test_a_removed_id_is_never_handed_out_again(engine: Store) -> None:
    _fill(engine, _measure("a"), _measure("b"), _measure("c"))
    with engine.transaction() as tx:
        assert tx.remove(3).text == "c"
    assert engine.ids() == [1, 2]
    assert _fill(engine, _measure("d")) == [4]


def test_put_replaces_or_inserts_and_moves_the_counter(engine: Store) -> None:
    _fill(engine, _measure("a"))
    with engine.transaction() as tx:
        tx.put(Measure(id=1, text="restored", sector="digital", created=AT, updated=AT))
        tx.put(Measure(id=10, text="from a backup", sector="digital", created=AT, updated=AT))
    assert engine.get(1).text == "restored" and engine.get(10).text == "from a backup"
    assert _fill(engine, _measure("next")) == [11]


def test_every_change_increments_the_revision(engine: Store) -> None:
    _fill(engine, _measure("a"), _measure("b"))
    for _ in range(2):
        with engine.transaction() as tx:
            m = tx.get(1)
            m.status = "in-progress"
            tx.mark_changed(m)
    assert engine.get(1).revision == 3
    assert engine.get(2).revision == 1  # untouched


def test_a_change_based_on_a_stale_revision_is_a_conflict(engine: Store) -> None:
    _fill(engine, _measure("a"))
    stale = engine.get(1)
    with engine.transaction() as tx:  # another clerk changes it meanwhile
        m = tx.get(1)
        m.lead = "发改委"
        tx.mark_changed(m)
    stale.text = "edited from an old copy"
    with pytest.raises(Conflict, match="measure 1 was changed by another command"), engine.transaction() as tx:
        tx.put(stale)
    assert engine.get(1).text == "a" and engine.get(1).lead == "发改委"


def test_find_filters_on_stored_and_derived_facts_in_id_order(engine: Store) -> None:
    _fill(
        engine,
        _measure("修建高速公路", status="in-progress", due="2026-03-01"),
        _measure("推进数字政府", "digital"),
        _measure("公路养护", status="done", due="2026-03-01"),
        _measure("城市公路", due="2026-12-31", tags=["重点"]),
    )
    flt = MeasureFilter.build(sectors=["transport"], settings=SETTINGS)
    assert [m.id for m in engine.find(flt)] == [1, 3, 4]
    flt = MeasureFilter.build(sectors=["transport"], grep="公路", overdue=True, settings=SETTINGS)
    assert [m.id for m in engine.find(flt)] == [1]
    assert [m.id for m in engine.find(MeasureFilter.build(tags=["重点"], settings=SETTINGS))] == [4]
    assert [m.id for m in engine.find(MeasureFilter.build(statuses=["done", "not-started"], settings=SETTINGS))] == [2, 3, 4]
    assert [m.id for m in engine.find(None, limit=2)] == [1, 2]


def test_counts_per_dimension_and_status(engine: Store) -> None:
    _fill(
        engine,
        _measure("a", status="done", source="文件甲", lead="交通运输厅"),
        _measure("b", source="文件甲"),
        _measure("c", "digital", status="done"),
    )
    assert engine.counts("sector") == {"transport": {"done": 1, "not-started": 1}, "digital": {"done": 1}}
    assert engine.counts("status") == {"done": {"done": 2}, "not-started": {"not-started": 1}}
    assert engine.counts("source") == {"文件甲": {"done": 1, "not-started": 1}, "": {"done": 1}}
    assert engine.counts("lead") == {"交通运输厅": {"done": 1}, "": {"not-started": 1, "done": 1}}


def test_history_entries_in_a_day_range_with_their_author(engine: Store) -> None:
    _fill(engine, _measure("a"), _measure("b"))
    for day, measure_id in (("2026-03-01", 1), ("2026-03-05", 2), ("2026-03-09", 1)):
        with engine.transaction() as tx:
            m = tx.get(measure_id)
            at = f"{day}T10:00:00+08:00"
            m.history.append(Change(at, "status", m.status, "in-progress", tx.txn, tx.author))
            m.status = "in-progress" if m.status != "in-progress" else "done"
            m.notes.append(Note(at, f"note {day}", tx.txn, tx.author))
            tx.mark_changed(m)
    entries = engine.history("2026-03-02", "2026-03-09")
    assert [(e.measure_id, e.at[:10], e.kind) for e in entries] == [
        (1, "2026-03-09", "change"), (1, "2026-03-09", "note"), (2, "2026-03-05", "change"), (2, "2026-03-05", "note"),
    ]
    assert {e.author for e in entries} == {entries[0].author} and entries[0].author
    assert [e.at[:10] for e in engine.history(measure_id=1) if e.kind == "note"] == ["2026-03-01", "2026-03-09"]
    with pytest.raises(NotFound):
        engine.history(measure_id=9)


def test_commands_record_name_author_and_measures_newest_first(engine: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(engine, _measure("a"), _measure("b"))
    monkeypatch.setenv("IMTRACK_USER", "王科长")
    with engine.transaction() as tx:
        for m in tx.get_many([2, 1]):
            m.notes.append(Note(AT, "看过", tx.txn, tx.author))
            tx.mark_changed(m)
        mine, author = tx.txn, tx.author
    # PostgreSQL records the authenticated database user, whatever IMTRACK_USER claims
    assert author == ("王科长" if engine.engine != "postgresql" else "imtrack_admin")
    latest = engine.commands(limit=1)[0]
    assert (latest.txn, latest.command, latest.author, latest.ids) == (mine, "test", author, (1, 2))
    # (on PostgreSQL the same database user also filled the ledger: _fill's command is theirs too)
    assert [c.txn for c in engine.commands(author=author)] == [mine] + ([1] if engine.engine == "postgresql" else [])
    assert engine.commands(author="someone else") == []
    assert engine.get(1).notes[0].author == author


def test_meta_is_committed_with_the_transaction(engine: Store) -> None:
    with engine.transaction() as tx:
        tx.meta["undone"] = [{"txn": 1, "by": 2}]
    assert engine.meta()["undone"] == [{"txn": 1, "by": 2}]
    with pytest.raises(RuntimeError), engine.transaction() as tx:
        tx.meta["undone"] = []
        raise RuntimeError
    assert engine.meta()["undone"] == [{"txn": 1, "by": 2}]


def _note_on_first(store: Store) -> int:
    with store.transaction() as tx:
        m = tx.get(1)
        m.notes.append(Note(AT, "看过", tx.txn, tx.author))
        tx.mark_changed(m)
        return tx.txn


def test_transaction_ids_are_never_reused_and_can_be_reserved(engine: Store) -> None:
    _fill(engine, _measure("a"))
    first, second = _note_on_first(engine), _note_on_first(engine)
    with engine.transaction() as tx:
        tx.reserve_txns(second + 50)
    third = _note_on_first(engine)
    assert first < second and third >= second + 50
    assert [c.txn for c in engine.commands() if c.ids][:3] == [third, second, first]


def test_a_transaction_that_changes_nothing_writes_nothing(engine: Store) -> None:
    _fill(engine, _measure("a"))
    before = engine.commands()
    with engine.transaction() as tx:
        tx.get(1)
        assert tx.txn and not tx.changed
    assert engine.commands() == before and engine.get(1).revision == 1


def test_info_names_the_engine(engine: Store) -> None:
    info = engine.info()
    assert info.engine == engine.engine and info.location and "***" not in info.location


def test_reserving_txns_moves_this_transactions_own_id_up(engine: Store) -> None:
    _fill(engine, _measure("a"))
    with engine.transaction() as tx:
        early = tx.txn
        tx.reserve_txns(early + 10)
        assert tx.txn == early + 10
        m = tx.get(1)
        m.notes.append(Note(AT, "restored", tx.txn, tx.author))
        tx.mark_changed(m)
    assert engine.commands()[0].txn == early + 10


def test_every_way_of_changing_meta_is_committed(engine: Store) -> None:
    with engine.transaction() as tx:
        tx.meta.update(a=1)
        tx.meta.setdefault("b", [2])
    assert (engine.meta()["a"], engine.meta()["b"]) == (1, [2])
    with engine.transaction() as tx:
        tx.meta.pop("a")
    assert "a" not in engine.meta()


def test_exists_only_once_created(engine: Store) -> None:
    assert not engine.exists()
    _fill(engine, _measure("a"))
    assert engine.exists()


def test_find_in_a_transaction_sees_its_own_changes(engine: Store) -> None:
    _fill(engine, _measure("a"), _measure("b", "digital"))
    flt = MeasureFilter.build(sectors=["digital"], settings=SETTINGS)
    with engine.transaction() as tx:
        m = tx.get(1)
        m.sector = "digital"
        tx.mark_changed(m)
        assert [x.id for x in tx.find(flt)] == [1, 2]
        tx.add(_measure("c", "digital"))
        assert [x.id for x in tx.find(flt)] == [1, 2, 3]


def test_each_command_that_changes_a_measure_adds_one_to_its_revision_and_names_it(engine: Store) -> None:
    """A returned sheet recovers what it was sent with from this (exchange/sheets.py): the
    newest (revision now - revision sent) commands naming a measure are those since the export."""
    _fill(engine, _measure("a"), _measure("b"))
    start = engine.get(1).revision
    txns = [_note_on_first(engine) for _ in range(3)]
    with engine.transaction() as tx:  # a command that changes only measure 2
        m = tx.get(2)
        m.status = "done"
        tx.mark_changed(m)
    with engine.transaction() as tx:
        tx.meta["seen"] = True  # no measure changed: no revision moves
    assert engine.get(1).revision == start + 3
    naming_1 = [c.txn for c in engine.commands() if 1 in c.ids]
    assert naming_1[:3] == txns[::-1]
