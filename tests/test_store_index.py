"""The store's sidecar index (<db>.idx, storeindex.py): pieces equal the whole dump, spliced
writes equal full writes byte for byte, the index is trusted only for the very file it
describes, and a missing, stale, damaged or unwritable index never fails a command."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imtrack.storage.store as store_mod
from imtrack.domain.models import Measure, Note
from imtrack.errors import CorruptStore
from imtrack.storage import jsoncodec
from imtrack.storage.digest import digest_of
from imtrack.storage.store import JsonStore
from imtrack.storage.storeindex import (
    NULL,
    StoreIndex,
    index_path,
    read_index,
    signature,
    splice,
    write_index,
)

NOW = "2026-03-04T05:06:07+08:00"
CODECS = [pytest.param(True, id="orjson"), pytest.param(False, id="stdlib")]


@contextmanager
def codec(fast: bool) -> Iterator[None]:
    """Force one codec (a context manager, not a fixture, so hypothesis tests can use it)."""
    if fast and jsoncodec.orjson is None:
        pytest.skip("orjson not installed")
    before = jsoncodec.FAST
    jsoncodec.FAST = fast
    try:
        yield
    finally:
        jsoncodec.FAST = before


@pytest.fixture(params=CODECS)
def fast(request, monkeypatch) -> bool:
    if request.param and jsoncodec.orjson is None:
        pytest.skip("orjson not installed")
    monkeypatch.setattr(jsoncodec, "FAST", request.param)
    return request.param


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", NOW)


# -- strategies -------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list('研究（银）“”《》、。\u3000"\\/\n\r\t\b\f\x00\x1f\u2028\u2029\ufeff')),
    ),
    max_size=12,
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False), TEXT,
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
DOCS = st.dictionaries(TEXT, VALUES, max_size=5)


@st.composite
def databases(draw: st.DrawFn) -> dict:
    """TinyDB's layout: measures by increasing id, one meta document, in either table order,
    sometimes with another table beside them."""
    count = draw(st.integers(0, 6))
    ids = sorted(draw(st.sets(st.integers(1, 10**6), min_size=count, max_size=count)))
    measures = {str(i): draw(DOCS) for i in ids}
    meta = {"1": draw(DOCS)}
    tables = [("measures", measures), ("meta", meta)]
    if draw(st.booleans()):
        tables.reverse()
    if draw(st.booleans()):
        tables.insert(draw(st.integers(0, 2)), (draw(TEXT), {"1": draw(DOCS)}))
    return dict(tables)


# -- pieces and splices -----------------------------------------------------------------------


@pytest.mark.parametrize("fast_codec", CODECS)
@settings(max_examples=150, deadline=None)
@given(data=databases())
def test_piecewise_dump_is_the_whole_dump(fast_codec, data):
    with codec(fast_codec):
        raw, spans = jsoncodec.dump_database_spans(data)
        assert raw == jsoncodec.dump_database(data)
        assert jsoncodec.canonical_spans(data, raw) == spans
        assert jsoncodec.canonical_spans(data, raw + b"\n") is None
        assert jsoncodec.canonical_spans(data, raw[:-2] + b" }\n") is None
        compact = json.dumps(data, ensure_ascii=False).encode("utf-8")
        assert jsoncodec.canonical_spans(data, compact) is None
        for name, table in data.items():
            assert list(spans[name]) == list(table)
            for key, (start, end) in spans[name].items():
                assert raw[start:end] == jsoncodec.encode_document(table[key])
                assert jsoncodec.loads(raw[start:end]) == table[key]


@pytest.mark.parametrize("fast_codec", CODECS)
@settings(max_examples=150, deadline=None)
@given(data=databases(), st_data=st.data())
def test_splicing_changed_documents_equals_dumping_the_changed_data(fast_codec, data, st_data):
    with codec(fast_codec):
        raw, spans = jsoncodec.dump_database_spans(data)
        measure_spans = spans["measures"]
        ids = [int(k) for k in measure_spans]
        index = StoreIndex.build(
            jsoncodec.layout(), spans["meta"]["1"], zip(ids, measure_spans.values()),
            [jsoncodec.dumps_compact({"digest of": i}) for i in ids],
        )
        changed = st_data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
        new_docs = {i: st_data.draw(DOCS) for i in changed}
        new_meta = st_data.draw(st.none() | DOCS)

        expected = {name: dict(table) for name, table in data.items()}
        for i, doc in new_docs.items():
            expected["measures"][str(i)] = doc
        if new_meta is not None:
            expected["meta"]["1"] = new_meta
        edits = {i: jsoncodec.encode_document(doc) for i, doc in new_docs.items()}
        meta = None if new_meta is None else jsoncodec.encode_document(new_meta)
        digests = {i: jsoncodec.dumps_compact({"new digest of": i}) for i in changed}
        places = [(*index.span(i), body) for i, body in edits.items()]
        if meta is not None:
            places.append((*index.meta, meta))

        out = b"".join(splice(raw, places))
        assert out == jsoncodec.dump_database(expected)

        after = index.spliced(edits, meta, digests)
        _, expected_spans = jsoncodec.dump_database_spans(expected)
        assert after.meta == expected_spans["meta"]["1"]
        assert [after.doc_span(p) for p in range(len(ids))] == list(expected_spans["measures"].values())
        assert after.digest_list() == [
            {"new digest of": i} if i in digests else {"digest of": i} for i in ids
        ]
        assert [jsoncodec.loads(after.digest_part(p)) for p in range(len(ids))] == after.digest_list()
        assert StoreIndex.decode(b"".join(after.encode())).digest_list() == after.digest_list()


# -- the store, through the CLI ---------------------------------------------------------------


def index_of(db: Path) -> StoreIndex | None:
    """The index if the store would trust it for `db` now, else None."""
    index = read_index(index_path(db))
    if index is None or index.signature != signature(os.stat(db)) or index.layout != jsoncodec.layout():
        return None
    return index


def assert_index_describes(db: Path) -> None:
    """The index is trusted, and every span and digest in it agrees with the file."""
    index = index_of(db)
    assert index is not None, "no trusted index"
    raw = db.read_bytes()
    data = json.loads(raw)
    assert jsoncodec.loads(raw[index.meta[0]:index.meta[1]]) == data["meta"]["1"]
    assert index.ids == [int(k) for k in data["measures"]]
    for position, (key, doc) in enumerate(data["measures"].items()):
        start, end = index.doc_span(position)
        assert jsoncodec.loads(raw[start:end]) == doc
    assert index.digest_list() == [digest_of(doc) for doc in data["measures"].values()]


@pytest.fixture
def no_full_parse(monkeypatch):
    """Fail if the whole file is parsed (store.parse_database, or the codec given the file)."""
    calls: list[int] = []
    real = jsoncodec.loads

    def loads(raw):
        calls.append(len(raw))
        return real(raw)

    def parse(*_args):
        pytest.fail("parsed the whole database")

    monkeypatch.setattr(store_mod, "parse_database", parse)
    monkeypatch.setattr(jsoncodec, "loads", loads)
    return calls


def _counting(loads, sizes: list[int]):
    def counted(raw):
        sizes.append(len(raw))
        return loads(raw)

    return counted


COMMANDS = [
    ("note", "5", "进展顺利：“引号” \\ 反斜杠 \"quoted\" [/] 行一\n行二"),
    ("set-status", "1", "2", "3", "done", "--note", "一次写完"),
    ("set-status", "7", "blocked"),
    ("note", "34", "最后一项"),
    ("set-sector", "17", "交通"),
    ("note", "5", "再记一条"),
]


def test_show_note_set_status_use_the_index_and_write_what_the_full_path_writes(run, db_path, tmp_path, fast):
    run.ok("list")  # creates (seeds) the database and its index
    full = tmp_path / "full" / "db.json"
    full.parent.mkdir()
    shutil.copy(db_path, full)
    assert_index_describes(db_path)
    for args in COMMANDS:
        # the same command, the slow way: no index, so a full parse and a full dump
        index_path(full).unlink(missing_ok=True)
        run.ok("--db", str(full), *args)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(store_mod, "parse_database", lambda *a: pytest.fail("parsed the whole file"))
            sizes: list[int] = []
            mp.setattr(jsoncodec, "loads", _counting(jsoncodec.loads, sizes))
            run.ok(*args)
            out = run.ok("show", args[1]).stdout
            assert max(sizes) < db_path.stat().st_size / 4  # slices, never the file
        assert db_path.read_bytes() == full.read_bytes()
        assert_index_describes(db_path)
    assert "再记一条" in out
    assert "layout" not in db_path.read_text(encoding="utf-8")


def test_show_reads_one_measure(run, db_path, no_full_parse):
    shown = run.ok("show", "25").stdout  # first use: seeds through the write path, no parse
    assert "研究强化呼南通道" in shown
    no_full_parse.clear()
    run.ok("show", "25", "--format", "json")
    # the index's header, the meta document and measure 25, nothing else
    assert len(no_full_parse) == 3 and max(no_full_parse) < 4000


def test_the_file_stays_a_tinydb_database(run, db_path):
    from tinydb import TinyDB

    run.ok("list")
    for args in COMMANDS:
        run.ok(*args)
    before = db_path.read_bytes()
    with TinyDB(db_path, encoding="utf-8") as db:
        assert db.table("measures").get(doc_id=34)["notes"][-1]["text"] == "最后一项"
        assert len(db.table("measures")) == 34
    assert db_path.read_bytes() == before


def _full_parses(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = store_mod.parse_database

    def parse(raw, path):
        calls.append(len(raw))
        return real(raw, path)

    monkeypatch.setattr(store_mod, "parse_database", parse)
    return calls


def test_hand_edit_of_the_same_size_with_the_mtime_put_back_is_noticed(run, db_path, monkeypatch):
    run.ok("list")
    before = os.stat(db_path)
    raw = db_path.read_bytes()
    old, new = "研究强化呼南通道".encode(), "研究加强呼南通道".encode()
    assert len(old) == len(new) and raw.count(old) == 1
    with open(db_path, "r+b") as fh:  # in place: same inode, same size
        fh.seek(raw.index(old))
        fh.write(new)
    os.utime(db_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(db_path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert index_of(db_path) is None  # ctime gives it away

    parses = _full_parses(monkeypatch)
    assert "研究加强呼南通道" in run.ok("show", "25").stdout
    assert parses  # read the whole file, not the old spans
    assert_index_describes(db_path)  # and, the file being canonical, indexed it again
    parses.clear()
    run.ok("note", "25", "改过")
    assert parses == []
    data = json.loads(db_path.read_bytes())
    assert data["measures"]["25"]["text"].startswith("研究加强呼南通道")


def test_other_writers_make_the_index_stale(run, db_path, monkeypatch):
    run.ok("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["3"]["status"] = "done"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # not canonical
    parses = _full_parses(monkeypatch)
    assert json.loads(run.ok("show", "3", "--format", "json").stdout)["status"] == "done"
    assert parses and index_of(db_path) is None  # another layout: not indexed until imtrack writes
    run.ok("note", "3", "重写")
    assert db_path.read_bytes() == jsoncodec.dump_database(json.loads(db_path.read_bytes()))
    assert_index_describes(db_path)


def _garbage(db: Path) -> None:
    index_path(db).write_bytes(b"\x00garbage\xff" * 100)


def _truncated(db: Path) -> None:
    raw = index_path(db).read_bytes()
    index_path(db).write_bytes(raw[: len(raw) // 2])


def _header_only(db: Path) -> None:
    raw = index_path(db).read_bytes()
    index_path(db).write_bytes(raw[: raw.index(b"\n") + 1])


def _other_version(db: Path) -> None:
    raw = index_path(db).read_bytes()
    from imtrack.storage.storeindex import VERSION

    mark = b'"version":%d' % VERSION
    assert mark in raw
    index_path(db).write_bytes(raw.replace(mark, b'"version":99', 1))


def _flipped_span(db: Path) -> None:
    raw = bytearray(index_path(db).read_bytes())
    raw[raw.index(b"\n") + 8 * 34 + 3] ^= 0x10  # inside the array of starts: the CRC fails
    index_path(db).write_bytes(bytes(raw))


def _empty(db: Path) -> None:
    index_path(db).write_bytes(b"")


def _stale(db: Path) -> None:
    shutil.copy(db, db.with_name("copy.json"))
    os.replace(db.with_name("copy.json"), db)  # same bytes, another file


DAMAGE = {f.__name__.strip("_"): f for f in (_garbage, _truncated, _header_only, _other_version,
                                              _flipped_span, _empty, _stale)}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_or_stale_index_is_ignored_and_rebuilt(run, db_path, damage, monkeypatch):
    run.ok("list")
    run.ok("note", "9", "有索引")
    DAMAGE[damage](db_path)
    assert index_of(db_path) is None
    parses = _full_parses(monkeypatch)
    assert "有索引" in run.ok("show", "9").stdout
    assert len(parses) == 1
    assert_index_describes(db_path)
    run.ok("note", "9", "又一条")
    assert len(parses) == 1  # the rebuilt index served the write
    assert_index_describes(db_path)


def test_an_index_pointing_at_the_wrong_bytes_reports_the_measure(run, db_path):
    """An index that passes every check but is wrong can only come from outside imtrack; the
    damaged measure is named, as a malformed document would be."""
    run.ok("list")
    index = index_of(db_path)
    assert index is not None
    index.starts[4] += 3
    write_index(index_path(db_path), index)
    result = run.fail("show", "5")
    assert "measure 5 is malformed" in result.stderr and str(db_path) in result.stderr
    assert json.loads(run.ok("show", "6", "--format", "json").stdout)["id"] == 6


def test_adds_and_removes_take_the_full_path_and_index_the_result(run, db_path, tmp_path, monkeypatch):
    fixture = Path(__file__).parent / "fixtures" / "ledger_numbered.txt"
    run.ok("list")
    parses = _full_parses(monkeypatch)
    run.ok("import", str(fixture))
    assert len(parses) == 1
    data = json.loads(db_path.read_bytes())
    assert len(data["measures"]) > 34
    assert db_path.read_bytes() == jsoncodec.dump_database(data)
    assert_index_describes(db_path)
    run.ok("undo")  # removes the imported measures
    assert len(parses) == 2
    data = json.loads(db_path.read_bytes())
    assert len(data["measures"]) == 34
    assert db_path.read_bytes() == jsoncodec.dump_database(data)
    assert_index_describes(db_path)
    run.ok("note", "2", "撤销之后")
    assert len(parses) == 2
    assert_index_describes(db_path)


def test_an_index_that_cannot_be_written_does_not_fail_the_command(run, db_path, monkeypatch):
    run.ok("list")
    index_path(db_path).unlink()
    index_path(db_path).mkdir()  # os.replace onto a directory fails
    run.ok("note", "4", "照样记下")
    assert "照样记下" in run.ok("show", "4").stdout
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]
    index_path(db_path).rmdir()

    def no_space(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    run.ok("list")  # indexed again
    monkeypatch.setattr(StoreIndex, "encode", no_space)  # the disk fills up while writing it
    run.ok("set-status", "4", "done")
    assert json.loads(run.ok("show", "4", "--format", "json").stdout)["status"] == "done"
    assert index_of(db_path) is None  # the old index is stale, so ignored
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_index_made_for_the_other_codec_is_not_used(run, db_path, monkeypatch):
    if jsoncodec.orjson is None:
        pytest.skip("orjson not installed")
    monkeypatch.setattr(jsoncodec, "FAST", True)
    run.ok("list")
    assert index_of(db_path) is not None
    monkeypatch.setattr(jsoncodec, "FAST", False)
    assert index_of(db_path) is None
    parses = _full_parses(monkeypatch)
    run.ok("note", "8", "换了编码")
    assert len(parses) == 1
    assert b'\n  "8": {"text": ' in db_path.read_bytes()  # rewritten in the stdlib layout
    assert_index_describes(db_path)


# -- digests ----------------------------------------------------------------------------------


def _stored_docs(db: Path) -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(db.read_bytes())["measures"].items()}


@pytest.mark.parametrize("indexed", [True, False], ids=["index", "full-parse"])
def test_digests_are_those_of_the_stored_documents(run, db_path, fast, indexed):
    run.ok("list")
    run.ok("set-status", "3", "done", "--note", "完成")
    run.ok("note", "4", "有进展")
    if not indexed:
        index_path(db_path).unlink()
    ledger = JsonStore(db_path).load()
    docs = _stored_docs(db_path)
    expected = {i: digest_of(doc) for i, doc in docs.items()}
    assert list(ledger.measures.digests()) == list(expected.items())
    assert ledger.measures.digest(3) == expected[3]
    assert ledger.measures.digest(3)["done_on"] == NOW[:10]
    assert ledger.measures.digest(4)["latest_note"]["text"] == "有进展"
    ledger.get(5)  # built: digested from the Measure, the same
    assert ledger.measures.digest(5) == expected[5]


def test_digest_of_a_measure_changed_in_the_command_is_the_new_one(db_path, fast):
    store = JsonStore(db_path, seed=lambda: [Measure(id=0, text=f"措施{i}", sector="energy") for i in range(3)])
    store.load()
    with store.transaction() as ledger:
        m = ledger.get(2)
        m.notes.append(Note(at=NOW, text="新的"))
        ledger.mark_changed(m)
        assert ledger.measures.digest(2)["latest_note"] == {"at": NOW, "text": "新的"}
        assert dict(ledger.measures.digests())[2]["note_count"] == 1
    assert dict(store.load().measures.digests())[2]["note_count"] == 1
    assert_index_describes(db_path)


def test_a_measure_too_malformed_to_digest_is_reported_when_its_digest_is_asked_for(run, db_path):
    run.ok("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["6"]["notes"] = [1, 2]
    db_path.write_bytes(jsoncodec.dump_database(data))  # canonical, so indexed on the next read
    ledger = JsonStore(db_path).load()
    with pytest.raises(CorruptStore, match="measure 6 is malformed"):
        ledger.measures.digest(6)
    ledger = JsonStore(db_path).load()  # now through the index, which holds null for it
    index = index_of(db_path)
    assert index is not None and index.digest_part(5) == NULL
    assert ledger.measures.digest(7) == digest_of(data["measures"]["7"])
    with pytest.raises(CorruptStore, match="measure 6 is malformed"):
        dict(ledger.measures.digests())


# -- random sequences through the real store ---------------------------------------------------

MEASURE_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(list('研究（银）“”"\\\n\t/')), st.characters(codec="utf-8", exclude_categories=("Cs",))),
    min_size=1, max_size=15,
)
STEPS = st.lists(
    st.tuples(st.sampled_from(["note", "status", "tags", "add", "remove", "meta"]),
              st.integers(0, 50), MEASURE_TEXT),
    min_size=1, max_size=12,
)


@pytest.mark.parametrize("fast_codec", CODECS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_any_sequence_of_transactions_leaves_the_file_the_full_path_would(fast_codec, steps):
    with codec(fast_codec), tempfile.TemporaryDirectory() as tmp:
        fast_db, full_db = Path(tmp) / "fast.json", Path(tmp) / "full.json"
        seed = lambda: [Measure(id=0, text=f"措施{i}", sector="other") for i in range(4)]
        stores = [JsonStore(fast_db, seed=seed), JsonStore(full_db, seed=seed)]
        for store in stores:
            store.load()
        for kind, n, text in steps:
            for store in stores:
                if store is stores[1]:
                    index_path(full_db).unlink(missing_ok=True)
                with store.transaction() as ledger:
                    ids = sorted(ledger.measures)
                    if kind == "add" or not ids:
                        ledger.add(Measure(id=0, text=text, sector="other"))
                        continue
                    if kind == "meta":
                        ledger.meta["remark"] = text
                        ledger.meta_dirty = True
                        continue
                    measure_id = ids[n % len(ids)]
                    if kind == "remove":
                        ledger.remove(measure_id)
                        continue
                    m = ledger.get(measure_id)
                    if kind == "note":
                        m.notes.append(Note(at=NOW, text=text))
                    elif kind == "status":
                        m.status = ["done", "blocked", "in-progress"][n % 3]
                    else:
                        m.tags = [*m.tags, text]
                    ledger.mark_changed(m)
            assert fast_db.read_bytes() == full_db.read_bytes()
            assert_index_describes(fast_db)


# -- two writers at once ----------------------------------------------------------------------

WRITER = """
import sys
from imtrack.cli.app import app

for item in sys.argv[1:]:
    command, measure_id, text = item.split(":", 2)
    args = ["note", measure_id, text] if command == "note" else ["set-status", measure_id, text]
    try:
        app(args, prog_name="imtrack", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)
"""


def test_two_writers_through_the_index_lose_nothing(run, db_path):
    """test_concurrency's pattern, with an index present from the start, notes and status
    changes interleaved on shared and separate measures."""
    import subprocess
    import sys

    run.ok("list")
    assert index_of(db_path) is not None
    plans = {
        "A": [f"note:{1 if i % 2 else 3}:A{i:02d}" for i in range(20)] + ["set:5:done"],
        "B": [f"note:{2 if i % 2 else 3}:B{i:02d}" for i in range(20)] + ["set:6:blocked"],
    }
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, *plan], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for plan in plans.values()]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    docs = _stored_docs(db_path)
    for measure_id, prefixes in ((1, "A"), (2, "B"), (3, "AB")):
        texts = sorted(n["text"] for n in docs[measure_id]["notes"])
        expected = sorted(item.split(":")[2] for p in prefixes for item in plans[p]
                          if item.startswith(f"note:{measure_id}:"))
        assert texts == expected
    assert (docs[5]["status"], docs[6]["status"]) == ("done", "blocked")
    assert db_path.read_bytes() == jsoncodec.dump_database(json.loads(db_path.read_bytes()))
    assert_index_describes(db_path)


@pytest.mark.parametrize("kernel_copy", ["missing", "cross-device", "partial-then-unsupported"])
def test_unchanged_bytes_are_copied_right_without_kernel_copies(run, db_path, tmp_path, monkeypatch, kernel_copy):
    run.ok("list")
    full = tmp_path / "full.json"
    shutil.copy(db_path, full)
    if kernel_copy == "missing":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:
        real = getattr(os, "copy_file_range", None)
        calls = []

        def copy(src, dst, count, offset_src=None, *rest):
            calls.append(count)
            if kernel_copy == "partial-then-unsupported" and len(calls) == 1 and real is not None:
                return real(src, dst, min(count, 1000), offset_src)
            raise OSError(18 if kernel_copy == "cross-device" else 38, "not here")

        monkeypatch.setattr(os, "copy_file_range", copy, raising=False)
    for args in COMMANDS[:3]:
        index_path(full).unlink(missing_ok=True)
        run.ok("--db", str(full), *args)
        run.ok(*args)
        assert db_path.read_bytes() == full.read_bytes()
        assert_index_describes(db_path)
