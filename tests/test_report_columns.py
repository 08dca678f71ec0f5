"""`report` from the store index's columns (storeindex.columns_of, report.progress_columns):
the same ProgressReport as progress_by over every digest, columns that a splice keeps equal to
a fresh rebuild's, a damaged column that makes the index untrusted, and the same output from
the CLI with and without the index."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imtrack.core.report as report_mod
from imtrack.core.report import progress_by, progress_columns
from imtrack.domain.derived import Settings
from imtrack.storage import jsoncodec
from imtrack.storage.digest import Summary, digest_of
from imtrack.storage.storeindex import (
    DUE_NONE,
    DUE_ONGOING,
    StoreIndex,
    columns_of,
    index_path,
    read_index,
    signature,
)

NOW = "2026-03-04T05:06:07+08:00"
BASE = date(2026, 3, 4)
STATUSES = ["not-started", "in-progress", "blocked", "done", "paused"]  # paused: a newer imtrack's
SECTORS = ["transport", "energy", "digital", "", "space-travel"]  # unknown and empty ones too


def _stamp(offset: int) -> str:
    return f"{(BASE + timedelta(days=offset)).isoformat()}T09:00:00+08:00"


@st.composite
def stored_measures(draw: st.DrawFn) -> dict:
    status = draw(st.sampled_from(STATUSES))
    due = draw(st.one_of(st.none(), st.just(""), st.just("ongoing"),
                         st.integers(-90, 90).map(lambda d: (BASE + timedelta(days=d)).isoformat())))
    created = draw(st.integers(-200, 0))
    notes = [{"at": _stamp(d), "text": "记"} for d in draw(st.lists(st.integers(-200, 5), max_size=3))]
    history = [
        {"at": _stamp(d), "field": "status", "from": "in-progress", "to": to}
        for d, to in draw(st.lists(st.tuples(st.integers(-200, 5), st.sampled_from(STATUSES)), max_size=3))
    ]
    return {
        "text": draw(st.sampled_from(["推进铁路建设", "研究能源项目", "数字政府"])),
        "sector": draw(st.sampled_from(SECTORS)),
        "status": status,
        "lead": draw(st.sampled_from([None, "自治区交通运输厅"])),
        "due": due,
        "created": _stamp(created),
        "updated": draw(st.one_of(st.just(""), st.integers(created, 5).map(_stamp))),
        "notes": notes,
        "history": history,
    }


@st.composite
def ledgers(draw: st.DrawFn) -> dict[int, dict]:
    """{id: digest} in stored order (not always id order)."""
    ids = draw(st.lists(st.integers(1, 500), unique=True, max_size=25))
    return {i: digest_of(draw(stored_measures())) for i in ids}


def _view(digests: dict[int, dict]):
    index = StoreIndex.build(
        "layout", (0, 0), ((i, (0, 0)) for i in digests), [b"{}" for _ in digests],
        [columns_of(d) for d in digests.values()],
    )
    # through the file format: what `report` reads is a decoded index
    return StoreIndex.decode(b"".join(index.encode())).column_view()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests=ledgers(), today=st.integers(-60, 60), soon=st.sampled_from([0, 1, 7, 30, 3660]),
       stale=st.sampled_from([0, 1, 30, 3660]), by=st.sampled_from(["sector", "status"]))
def test_progress_from_columns_equals_progress_from_digests(digests, today, soon, stale, by):
    config = Settings(today=BASE + timedelta(days=today), soon_days=soon, stale_days=stale)
    view = _view(digests)
    assert view is not None
    fetched: list[int] = []

    def fetch(measure_id: int) -> dict:
        fetched.append(measure_id)
        return digests[measure_id]

    expected = progress_by(sorted((Summary.of(i, d) for i, d in digests.items()), key=lambda s: s.id), by, config)
    got = progress_columns(view, by, config, fetch)
    assert got.attention.colour_counts() == expected.attention.colour_counts()
    assert not fetched  # counting reads no digest
    assert [r.to_dict() for r in got.rows] == [r.to_dict() for r in expected.rows]
    assert list(got.total.counts) == list(expected.total.counts)  # the table's column order
    assert [list(r.counts) for r in got.rows] == [list(r.counts) for r in expected.rows]
    if len(got.attention):
        got.attention[0]
        assert len(fetched) == 1  # one item read, one digest fetched
    assert got.to_dict() == expected.to_dict()


def test_columns_of_reads_days_as_the_flags_do():
    digest = {"status": "done", "sector": "transport", "due": "2026-03-01",
              "last_activity": "2026-03-04", "done_on": "2026-03-02",
              "latest_note": {"at": "2026-03-03T09:00:00+08:00", "text": "记"}}
    assert columns_of(digest) == ("done", "transport", date(2026, 3, 1).toordinal(),
                                  date(2026, 3, 4).toordinal(), date(2026, 3, 2).toordinal(),
                                  date(2026, 3, 3).toordinal())
    assert columns_of({**digest, "due": None, "last_activity": None, "done_on": None,
                       "latest_note": None})[2:] == (DUE_NONE, 0, 0, 0)
    assert columns_of({**digest, "latest_note": {"at": "", "text": ""}})[5] == 0
    assert columns_of({**digest, "due": ""})[2] == DUE_NONE
    assert columns_of({**digest, "due": "ongoing"})[2] == DUE_ONGOING
    for odd in ({"due": "2026-13-01"}, {"due": 20260301}, {"status": 3}, {"sector": None},
                {"latest_note": {"at": "20260303T09:00"}}, {"latest_note": {"at": "2026-3-3 9:00"}},
                {"latest_note": {"at": "yesterday"}}):
        with pytest.raises((TypeError, ValueError)):
            columns_of({**digest, **odd})


def test_a_measure_without_columns_means_no_column_view():
    digests = {1: {"status": "done"}, 2: {"status": "blocked"}}
    index = StoreIndex.build("layout", (0, 0), ((i, (0, 0)) for i in digests), [b"{}", b"null"],
                             [("done", "transport", 0, 0, 0, 0), None])
    assert index.column_view() is None
    assert StoreIndex.decode(b"".join(index.encode())).column_view() is None


# -- the store, through the CLI ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", NOW)


def trusted(db):
    index = read_index(index_path(db))
    assert index is not None and index.signature == signature(os.stat(db))
    return index


def _fresh_columns(db):
    index_path(db).unlink()
    from imtrack.storage.store import JsonStore

    JsonStore(db).load()  # a full parse, and an index made from scratch
    return trusted(db).column_view().values()


def test_a_splice_keeps_the_columns_those_of_a_fresh_rebuild(run, db_path):
    run.ok("list")
    for args in (("note", "5", "进展"), ("set-status", "1", "2", "done"), ("set-status", "7", "blocked"),
                 ("set-sector", "17", "交通"), ("update", "3", "--due", "2026-03-01"),
                 ("update", "4", "--due", "长期")):
        run.ok(*args)
        spliced = trusted(db_path).column_view()
        assert spliced is not None
        assert spliced.values() == _fresh_columns(db_path)
    values = dict(zip(trusted(db_path).column_view().ids, trusted(db_path).column_view().values()))
    assert values[1][0] == values[2][0] == "done" and values[1][3] == date(2026, 3, 4).toordinal()
    assert values[3][2] == date(2026, 3, 1).toordinal() and values[4][2] == DUE_ONGOING


def test_a_new_value_gets_a_new_code_and_is_counted(run, db_path):
    run.ok("list")
    raw = json.loads(db_path.read_text(encoding="utf-8"))
    raw["measures"]["3"]["status"] = "paused"  # a newer imtrack's status
    db_path.write_bytes(jsoncodec.dump_database(raw))  # as imtrack writes: indexed when read
    index_path(db_path).unlink()
    plain = run.ok("report", "--by", "status", "--format", "json").stdout  # full parse; indexes
    assert "paused" in trusted(db_path).codes["status"]
    assert run.ok("report", "--by", "status", "--format", "json").stdout == plain
    rows = {r["key"]: r["total"] for r in json.loads(plain)["rows"]}
    assert rows["paused"] == 1


@pytest.mark.parametrize("where", ["status", "sector", "due", "codes"])
def test_a_damaged_column_makes_the_index_untrusted(run, db_path, where):
    run.ok("list")
    index = trusted(db_path)
    raw = bytearray(index_path(db_path).read_bytes())
    head = raw.index(b"\n") + 1
    count = len(index.ids)
    if where == "codes":
        at = raw.index(b'"transport"') + 2
    else:
        offset = {"status": 0, "sector": 2 * count, "due": 4 * count}[where]
        at = head + 56 * count + offset + 1
    raw[at] ^= 0x01
    index_path(db_path).write_bytes(bytes(raw))
    assert read_index(index_path(db_path)) is None
    run.ok("report")  # ignored, rebuilt
    assert trusted(db_path).column_view() is not None


def _dated_ledger(run) -> None:
    run.ok("list")
    run.ok("set-status", "1", "2", "3", "done", "--note", "完成")
    run.ok("set-status", "4", "5", "in-progress")
    run.ok("set-status", "6", "blocked")
    run.ok("update", "1", "--due", "2026-03-01")
    run.ok("update", "7", "8", "--due", "2026-02-01")
    run.ok("update", "9", "--due", "2026-03-20")
    run.ok("update", "10", "--due", "长期")


@pytest.mark.parametrize("args", [(), ("--by", "status"), ("--due-soon-days", "3", "--stale-days", "0")])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_report_is_the_same_with_and_without_the_index(run, db_path, monkeypatch, args, fmt):
    _dated_ledger(run)
    monkeypatch.setenv("IMTRACK_NOW", "2026-04-20T10:00:00+08:00")
    trusted(db_path)
    used: list[str] = []
    real = report_mod.progress_columns

    def spy(*a, **k):
        used.append("columns")
        return real(*a, **k)

    monkeypatch.setattr(report_mod, "progress_columns", spy)
    with_index = run.ok("report", *args, "--format", fmt).stdout
    assert used == ["columns"]
    index_path(db_path).unlink()
    without = run.ok("report", *args, "--format", fmt).stdout
    assert used == ["columns"]  # no index: the digests' way
    assert with_index == without
    if fmt == "json":
        data = json.loads(with_index)
        assert data["total"]["overdue"] >= 2 and data["attention"]


def test_report_by_lead_does_not_use_the_columns(run, db_path, monkeypatch):
    run.ok("list")
    monkeypatch.setattr(report_mod, "progress_columns", lambda *a: pytest.fail("used the columns"))
    run.ok("report", "--by", "lead")


@settings(max_examples=200, deadline=None)
@given(doc=stored_measures(), today=st.integers(-60, 60), soon=st.sampled_from([0, 1, 30]),
       stale=st.sampled_from([0, 1, 30]))
def test_one_rule_for_measures_summaries_and_ordinals(doc, today, soon, stale):
    """flags.judge is the rule: over dates (facts, of a Measure or a Summary), over ordinals (the
    columns), and behind is_overdue, is_due_soon, is_stale and is_done_late."""
    from imtrack.domain import flags as fl
    from imtrack.domain.models import Measure

    day = BASE + timedelta(days=today)
    measure = Measure.from_dict({**doc, "id": 1})
    summary = Summary.of(1, digest_of(doc))
    f = fl.facts(measure, day, soon, stale)[0]
    assert fl.facts(summary, day, soon, stale)[0] is f
    assert (f.overdue, f.due_soon, f.stale, f.done_late) == (
        fl.is_overdue(measure, day), fl.is_due_soon(measure, day, soon),
        fl.is_stale(measure, day, stale), fl.is_done_late(measure))
    status, _, due, last, done, _ = columns_of(summary)
    t = day.toordinal()
    by_ordinals = fl.judge(status == "done", due if due > 0 else None, last or None, done or None,
                           t, t + soon, t - stale)
    assert by_ordinals is f
