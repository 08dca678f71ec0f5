"""The long plain `list` from the store index's columns (listing.py, cli._list_from_columns):
byte for byte the output of the digest path, on a terminal and in a pipe, for random ledgers
(unknown statuses and sectors, every kind of due, notes with odd stamps, CJK and markup-looking
text, documents out of id order); used only where that is exact; a splice keeps the text list
that of a fresh rebuild."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import imtrack.cli.measures as cli_mod
import imtrack.output.plainlist as render_mod
from imtrack.cli.app import app
from imtrack.storage import jsoncodec
from imtrack.storage.store import JsonStore
from imtrack.storage.storeindex import index_path, read_index, signature

NOW = "2026-03-04T05:06:07+08:00"
STATUSES = ["not-started", "in-progress", "blocked", "done", "paused"]  # paused: a newer imtrack's
SECTORS = ["transport", "energy", "digital", "", "space-travel"]
STAMPS = ["2026-03-04T09:00:00+08:00", "2025-12-31T23:59:59", "2026-03-04", "", "2026-03-04 后补",
          "0001-01-01T00:00:00", "9999-12-31T23:59:59"]
ODD_STAMPS = ["20260304T090000", "2026-3-4 9:00", "yesterday", "2026-02-30T00:00:00", "2026-03"]
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("推进铁路建设（试点）“”《》、。，[bold]red[/] \\\u3000ａｂ")),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    ),
    max_size=40,
)


@st.composite
def documents(draw: st.DrawFn, stamps: list[str]) -> dict:
    doc = {
        "text": draw(TEXT),
        "sector": draw(st.sampled_from(SECTORS)),
        "status": draw(st.sampled_from(STATUSES)),
        "due": draw(st.sampled_from([None, "", "ongoing", "2026-03-01", "2027-12-31", "0001-01-01"])),
        "created": "2026-01-01T09:00:00+08:00",
        "updated": "",
        "notes": [{"at": draw(st.sampled_from(stamps)), "text": "记"} for _ in range(draw(st.integers(0, 2)))],
        "history": [],
    }
    if draw(st.booleans()):
        del doc["due"]
    return doc


@st.composite
def ledgers(draw: st.DrawFn) -> dict[int, dict]:
    """{id: stored document}, in stored order (not always id order); odd note stamps in some
    (such a measure has no columns, and the listing takes the digests' way)."""
    stamps = STAMPS + ODD_STAMPS if draw(st.integers(0, 3)) == 0 else STAMPS
    return draw(st.dictionaries(st.integers(1, 400), documents(stamps), min_size=2, max_size=20))


ARGS = st.sampled_from([
    (), ("--sector", "transport"), ("--status", "done"), ("--status", "done", "--status", "blocked"),
    ("--sector", "energy", "--status", "in-progress"), ("--sort", "id"), ("--limit", "4"),
    ("--sector", "交通", "--limit", "2"),
])


def _write(db: Path, docs: dict[int, dict]) -> None:
    data = {"measures": {str(i): doc for i, doc in docs.items()},
            "meta": {"1": {"schema_version": 1, "next_id": max(docs, default=0) + 1}}}
    db.write_bytes(jsoncodec.dump_database(data))


def _invoke(db: Path, args: tuple, terminal: bool, width: int) -> str:
    env = {"IMTRACK_DB": str(db), "IMTRACK_NOW": NOW, "COLUMNS": str(width), "TERM": "xterm",
           "TTY_COMPATIBLE": "1" if terminal else "0", "NO_COLOR": None, "FORCE_COLOR": None}
    result = CliRunner().invoke(app, ["list", *args], env=env, prog_name="imtrack")
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=ledgers(), args=ARGS,
       terminal=st.booleans(), width=st.sampled_from([40, 80, 200]))
def test_the_listing_from_columns_is_the_listing_from_digests(docs, args, terminal, width):
    used: list[bool] = []
    real = cli_mod._list_from_columns

    def spy(*a):
        used.append(real(*a))
        return used[-1]

    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as tmp:
        mp.setattr(render_mod, "FOLD_MAX_ROWS", 2)  # one-line listings from three rows on
        db = Path(tmp) / "db.json"
        _write(db, docs)
        JsonStore(db).load()  # indexes the file (imtrack's own layout)
        index = read_index(index_path(db))
        assert index is not None and index.signature == signature(db.stat())
        mp.setattr(cli_mod, "_list_from_columns", spy)
        fast = _invoke(db, args, terminal, width)
        mp.setattr(cli_mod, "_list_from_columns", lambda *a: False)
        slow = _invoke(db, args, terminal, width)
    assert fast == slow
    assert used  # asked (table, no --fields, id order)
    shown = int(re.sub("\x1b\\[[0-9;]*m", "", fast).rsplit("\n", 2)[-2].split()[0]) if docs else 0
    exact = index.column_view() is not None
    assert used[0] == (exact and shown > 2)
    event(f"columns used: {used[0]}")
    if terminal and used[0]:
        assert "\x1b[" not in fast  # a long listing is plain lines, on a terminal too


def test_odd_note_stamps_leave_the_measure_without_columns():
    from imtrack.storage.storeindex import columns_of, note_day

    assert note_day("2026-03-04T09:00:00+08:00") == note_day("2026-03-04")
    assert note_day("") == note_day(None) == 0
    for odd in ("20260304T090000", "2026-3-4 9:00", "yesterday", "2026-02-30"):
        with pytest.raises(ValueError):
            note_day(odd)
    digest = {"status": "done", "sector": "x", "due": None, "last_activity": None, "done_on": None,
              "latest_note": {"at": "20260304T090000", "text": ""}}
    with pytest.raises(ValueError):
        columns_of(digest)


@pytest.fixture
def long_listing(run, db_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    monkeypatch.setattr(render_mod, "FOLD_MAX_ROWS", 5)
    run.ok("list")  # seeds 34 measures and indexes them
    used: list[bool] = []
    real = cli_mod._list_from_columns

    def spy(*a):
        used.append(real(*a))
        return used[-1]

    monkeypatch.setattr(cli_mod, "_list_from_columns", spy)
    return used


@pytest.mark.parametrize("args", [("--grep", "铁路"), ("--sort", "due"), ("--fields", "id,text"),
                                  ("--format", "json"), ("--overdue",), ("--lead", "自治区交通运输厅")])
def test_other_options_take_the_digest_path(run, long_listing, args):
    run.ok("list", *args)
    assert long_listing in ([], [False])


def test_short_listings_take_the_digest_path_for_their_colours(run, long_listing):
    run.ok("list", "--limit", "5")
    assert long_listing == [False]
    run.ok("list", "--limit", "6")
    assert long_listing == [False, True]


def test_the_listing_after_writes_is_that_of_a_fresh_index(run, db_path, long_listing):
    for args in (("note", "5", "进展"), ("set-status", "1", "2", "done"), ("update", "3", "--due", "2026-03-01"),
                 ("set-sector", "17", "交通")):
        run.ok(*args)
        spliced = run.ok("list").stdout
        assert long_listing[-1] is True
        texts = read_index(index_path(db_path)).text_list()
        index_path(db_path).unlink()
        assert run.ok("list").stdout == spliced  # no index: the digests
        fresh = read_index(index_path(db_path))
        assert fresh is not None and fresh.text_list() == texts
    assert "进展" not in spliced and "2026-03-04" in spliced


def test_a_damaged_text_list_means_the_digest_path(run, db_path, long_listing):
    before = run.ok("list").stdout
    assert long_listing == [True]
    raw = bytearray(index_path(db_path).read_bytes())
    raw[-1:] = b"}"  # the text list's closing bracket
    index_path(db_path).write_bytes(bytes(raw))
    assert read_index(index_path(db_path)).signature == signature(db_path.stat())  # still trusted
    assert run.ok("list").stdout == before
    assert long_listing == [True, False]
