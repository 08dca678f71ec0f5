"""Store.summaries and the report and long listing built on it (core/report.store_progress,
`list` beyond FOLD_MAX_ROWS) against the measures themselves: over random ledgers on every
engine, the summaries equal Summary.of(measure) for each measure Store.find returns, and the
progress report equals progress_by over Store.find, to the last attention item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imtrack.config import locate
from imtrack.core.report import GROUPINGS, progress_by, store_progress
from imtrack.domain.derived import Settings
from imtrack.domain.models import Change, Measure, Note, Status
from imtrack.domain.query import MeasureFilter
from imtrack.storage.base import Store, Summary
from imtrack.storage.engines import open_store

TODAY = date(2026, 3, 10)
SETTINGS = Settings(today=TODAY, soon_days=7, stale_days=10)
ZONES = [timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)), UTC]
STATUSES = [s.value for s in Status]


@pytest.fixture(params=["tinydb", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        location = request.getfixturevalue("pg_url")
    else:
        location = str(tmp_path / ("ledger.json" if request.param == "tinydb" else "ledger.sqlite"))
    opened = open_store(locate(location, "--db"), command="test")
    yield opened
    opened.close()


days = st.integers(min_value=-40, max_value=40).map(lambda n: TODAY + timedelta(days=n))
stamps = st.one_of(
    st.builds(
        lambda day, minute, zone: datetime(day.year, day.month, day.day, tzinfo=zone).replace(
            hour=minute // 60, minute=minute % 60).isoformat(),
        days, st.integers(min_value=0, max_value=24 * 60 - 1), st.sampled_from(ZONES),
    ),
    # what a hand-edited file or an older release may hold: no day, other forms Python reads
    # (basic, ISO week, a space for the T), a stamp that looks like a day but is none
    days.map(lambda day: day.strftime("%Y%m%dT0900")),
    st.sampled_from([
        "2026-13-01T09:00:00+08:00", "20260305T090000+08:00", "昨天", "2026-02-30", "2026W101", "2025-W52-7",
        "2026-03-05 09:00", "",
    ]),
)
effective = st.one_of(st.none(), days.map(date.isoformat))
dues = st.one_of(st.none(), st.just(""), st.just("ongoing"), days.map(date.isoformat))
notes = st.builds(Note, stamps, st.sampled_from(["推进中", "已完成"]), st.none(), st.none(), effective)
changes = st.builds(
    Change, stamps, st.sampled_from(["status", "due"]), st.sampled_from([*STATUSES, None]),
    st.sampled_from([*STATUSES, "2026-03-01"]), st.none(), st.none(), effective,
)
texts = st.sampled_from([
    "推进呼和浩特市至包头市铁路建设", "加快鄂尔多斯市煤化工产业升级", "全面完成数字政府建设任务",
    "力争年底前建成一批示范项目", "落实减税降费政策 [bold]x[/bold]",
])
measures = st.builds(
    lambda text, sector, status, lead, source, due, tags, created, updated, ns, hs: Measure(
        id=0, text=text, sector=sector, status=status, lead=lead, source=source, due=due, tags=tags,
        created=created, updated=updated, notes=ns, history=hs,
    ),
    texts,
    st.sampled_from(["transport", "digital", "energy"]),
    st.sampled_from([*STATUSES, Status.DONE.value]),
    st.sampled_from([None, "", "发改委", "自治区发展改革委", "包头市人民政府"]),
    st.sampled_from(["", "政府工作报告", "实施方案"]),
    dues,
    st.sampled_from([[], ["重点"], ["重点", "Key"]]),
    stamps,
    st.one_of(st.just(""), stamps),
    st.lists(notes, max_size=3),
    st.lists(changes, max_size=4),
)
filters = st.sampled_from([
    None,
    MeasureFilter(settings=SETTINGS),
    MeasureFilter.build(["transport"], settings=SETTINGS),
    MeasureFilter.build(statuses=["done", "blocked"], settings=SETTINGS),
    MeasureFilter.build(leads=["发改委"], settings=SETTINGS),
    MeasureFilter.build(sources=["政府工作报告"], settings=SETTINGS),
    MeasureFilter.build(tags=["key"], regions=["包头市"], settings=SETTINGS),
    MeasureFilter.build(overdue=True, settings=SETTINGS),
    MeasureFilter.build(due_soon=True, due_after="2026-03-01", settings=SETTINGS),
])


@given(st.lists(stamps, max_size=6))
def test_the_latest_stamp_tells_the_day_or_says_it_cannot(found: list[str]) -> None:
    from imtrack.domain.flags import latest_day, latest_iso_day

    day = latest_iso_day(max(found, default=""))
    assert day is None or day == latest_day(found)


def _replace(store: Store, ledger: list[Measure]) -> None:
    with store.transaction(seed=False) as tx:
        for measure_id in tx.ids():
            tx.remove(measure_id)
        for m in ledger:
            tx.add(m)


@given(ledger=st.lists(measures, max_size=12), flt=filters, by=st.sampled_from(GROUPINGS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_summaries_and_the_report_equal_what_the_measures_give(
    store: Store, ledger: list[Measure], flt: MeasureFilter | None, by: str
) -> None:
    _replace(store, ledger)
    found = store.find(flt)
    assert store.summaries(flt) == [Summary.of(m) for m in found]
    assert store_progress(store, by, SETTINGS, flt).to_dict() == progress_by(found, by, SETTINGS).to_dict()


def test_the_days_come_from_notes_history_and_effective_days(store: Store) -> None:
    """One ledger spelled out: the last activity is the latest recorded stamp (an effective day
    does not move it), the done day the effective day of the last change to done."""
    done = Measure(
        id=0, text="a", sector="transport", status="done", due="2026-03-01",
        created="2026-01-05T09:00:00+08:00", updated="2026-03-04T09:00:00+08:00",
        history=[
            Change("2026-02-01T09:00:00+08:00", "status", "not-started", "done", effective="2026-01-20"),
            Change("2026-02-10T09:00:00+08:00", "status", "done", "in-progress"),
            Change("2026-03-04T09:00:00+08:00", "status", "in-progress", "done", effective="2026-03-02"),
        ],
    )
    quiet = Measure(
        id=0, text="b", sector="digital", created="2026-01-05T09:00:00+08:00", updated="2026-01-05T09:00:00+08:00",
        notes=[Note("2026-02-03T23:30:00-05:00", "n1", effective="2026-03-09"), Note("2026-01-06T09:00:00+08:00", "n2")],
    )
    odd = Measure(id=0, text="c", sector="digital", created="昨天", updated="",
                  notes=[Note("2026-13-01T09:00:00+08:00", "n"), Note("2026-02-01T09:00:00+08:00", "n")])
    _replace(store, [done, quiet, odd])
    a, b, c = store.summaries()
    assert (a.done_day, a.last_activity) == (date(2026, 3, 2), date(2026, 3, 4))
    assert (b.done_day, b.last_activity, b.latest_note_at) == (None, date(2026, 2, 3), "2026-01-06T09:00:00+08:00")
    assert (c.last_activity, c.latest_note_at) == (date(2026, 2, 1), "2026-02-01T09:00:00+08:00")
    report = store_progress(store, "status", SETTINGS)
    # both quiet since before 2026-02-28 (stale: 10 days); the longer quiet first
    assert [(i.id, i.colour, i.last_activity) for i in report.attention] == [
        (3, "blue", "2026-02-01"), (2, "blue", "2026-02-03")]
    assert report.total.overdue == 0


def test_summaries_refuse_the_stale_filter(store: Store) -> None:
    with pytest.raises(ValueError, match="stale"):
        store.summaries(MeasureFilter.build(stale=True, settings=SETTINGS))


def test_a_damaged_record_is_named_not_summarised(tmp_path: Path) -> None:
    import json

    path = tmp_path / "ledger.json"
    store = open_store(locate(str(path), "--db"), command="test")
    _replace(store, [Measure(id=0, text="a", sector="transport")])
    data = json.loads(path.read_text(encoding="utf-8"))
    data["measures"]["1"]["due"] = "03/04/2026"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    from imtrack.errors import CorruptStore

    with pytest.raises(CorruptStore, match="measure 1, field 'due'"):
        open_store(locate(str(path), "--db"), command="test").summaries()


@pytest.mark.engines
@pytest.mark.parametrize("args", [(), ("--sort", "due", "--limit", "320"), ("--lead", "发改委", "--overdue")])
def test_the_long_listing_from_summaries_prints_what_the_measures_print(run, ledger_engine, args):
    """`list` past FOLD_MAX_ROWS prints from Store.summaries; the same lines as from the
    measures Store.find returns (the way it printed them before)."""
    import contextlib
    import io
    import os

    from imtrack.cli.measures import _long_listing
    from imtrack.core.tracker import open_store as open_ledger  # seeds a new JSON ledger
    from imtrack.domain.query import sort_measures
    from imtrack.output.plainlist import FOLD_MAX_ROWS

    store = open_ledger(locate(os.environ["IMTRACK_DB"], "--db"))
    try:
        with store.transaction() as tx:
            for i in range(3 * FOLD_MAX_ROWS):
                base = tx.get(1 + i % 34)
                tx.add(Measure(
                    id=0, text=f"{base.text}（{i}）", sector=base.sector, status=STATUSES[i % 4],
                    lead=None if i % 5 == 0 else "发改委", due=["ongoing", None, f"2024-01-0{1 + i % 9}"][min(i % 7, 2)],
                    created=base.created, updated=base.updated,
                    notes=[Note(f"2026-0{1 + i % 9}-0{1 + i % 7}T09:00:00+08:00", "进展")] if i % 2 else [],
                ))  # fmt: skip
        flt = None if not args or args[0] == "--sort" else MeasureFilter.build(leads=["发改委"], overdue=True)
        measures = store.find(flt)
        if args and args[0] == "--sort":
            measures = sort_measures(measures, "due")[:320]
        expected = io.StringIO()
        with contextlib.redirect_stdout(expected):
            _long_listing(measures, store.count())
    finally:
        store.close()
    assert len(measures) > FOLD_MAX_ROWS
    assert run.ok("list", *args).stdout == expected.getvalue()
