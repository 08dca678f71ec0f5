"""The TinyDB engine beyond the contract suite: the file itself (TinyDB's layout, readable,
atomic writes), damaged files (reported, never overwritten), duplicated keys, the lock, the
one-read / at-most-one-write rule, ids, migrations of older files and newer files refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import imtrack.storage.tinydb_store as store_mod
from imtrack.config import DbLocation
from imtrack.core.tracker import add_note, open_store, set_status
from imtrack.domain.models import Measure, Note
from imtrack.errors import CorruptStore, StoreError
from imtrack.storage.fileio import atomic_write
from imtrack.storage.migrations import SCHEMA_VERSION
from imtrack.storage.tinydb_store import TinyDBStore


def seeded(path: Path) -> TinyDBStore:
    store = open_store(DbLocation(path, "--db"))
    store.count()  # creates and seeds the file
    assert path.exists()
    return store  # type: ignore[return-value]


def dump(measures) -> list[dict]:
    return [m.to_dict() for m in measures]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- round trip and format --------------------------------------------------------------------


def test_first_use_seeds_34_measures(db_path):
    store = open_store(DbLocation(db_path, "IMTRACK_DB"))
    assert store.ids() == list(range(1, 35))
    m25 = store.get(25)
    assert m25.text.startswith("研究强化呼南通道与包（银）海通道之间的衔接")
    assert m25.sector == "transport"
    assert m25.status == "not-started"
    assert "国发〔2023〕16号" in m25.source
    assert "七个方面主要任务②" in m25.section
    meta = store.meta()
    assert (meta["schema_version"], meta["next_id"]) == (SCHEMA_VERSION, 35)


def test_round_trip(db_path):
    store = seeded(db_path)
    with store.transaction() as ledger:
        m = ledger.get(7)
        m.status = "blocked"
        m.notes.append(Note(at="2026-01-02T03:04:05+08:00", text="缺少资金 [/] \\ \"quoted\""))
        m.tags = ["重点", "2026"]
        m.progress = 40
        m.due = "2026-12-31"
        ledger.mark_changed(m)
        written = dump(ledger)
    assert dump(store.find()) == written
    assert dump(TinyDBStore(db_path).find()) == written  # a fresh store object reads the same


def test_file_is_readable_utf8_with_schema_version(db_path):
    seeded(db_path)
    raw = db_path.read_bytes()
    assert "研究".encode() in raw
    assert b"\\u" not in raw  # nothing escaped
    data = json.loads(raw.decode("utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION
    assert data["measures"]["25"]["text"].startswith("研究强化")
    assert "id" not in data["measures"]["25"]  # the document key is the id
    assert raw.count(b"\n") > 100  # indented, one field per line: a person can read it


def test_an_exception_inside_a_transaction_writes_nothing(db_path):
    store = seeded(db_path)
    before = db_path.read_bytes()
    with pytest.raises(RuntimeError), store.transaction() as ledger:
        ledger.get(1).status = "done"
        ledger.mark_changed(ledger.get(1))
        raise RuntimeError("boom")
    assert db_path.read_bytes() == before


def test_transaction_without_changes_does_not_write(db_path, monkeypatch):
    store = seeded(db_path)
    mtime = db_path.stat().st_mtime_ns
    monkeypatch.setattr(store_mod, "atomic_write", lambda *a: pytest.fail("wrote without a change"))
    with store.transaction() as ledger:
        assert len(ledger) == 34
    assert db_path.stat().st_mtime_ns == mtime


# -- atomic write -----------------------------------------------------------------------------


def test_failed_replace_leaves_the_old_file_and_no_temp_files(db_path, monkeypatch):
    store = seeded(db_path)
    before = db_path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError) as info:
        set_status(store, [1], "done")
    assert str(db_path) in str(info.value)
    assert "nothing was changed" in str(info.value)
    monkeypatch.undo()
    assert db_path.read_bytes() == before
    assert json.loads(before)  # still parses
    assert leftovers(db_path.parent) == []
    assert store.get(1).status == "not-started"


def test_interrupt_during_replace_leaves_the_old_file(db_path, monkeypatch):
    store = seeded(db_path)
    before = db_path.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        add_note(store, 3, "被中断")
    monkeypatch.undo()
    assert db_path.read_bytes() == before
    assert leftovers(db_path.parent) == []


def test_atomic_write_replaces_content_and_keeps_the_mode(tmp_path):
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write(target, "新的".encode())
    assert target.read_bytes() == "新的".encode()
    assert (target.stat().st_mode & 0o777) == 0o600
    assert leftovers(tmp_path) == []


# -- corrupt files ----------------------------------------------------------------------------


def _missing_text(path: Path) -> bytes:
    seeded(path)
    data = json.loads(path.read_bytes())
    del data["measures"]["3"]["text"]
    return json.dumps(data, ensure_ascii=False).encode()


def _newer_schema(path: Path) -> bytes:
    seeded(path)
    data = json.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    return json.dumps(data, ensure_ascii=False).encode()


def _edited(edit):
    """A seeded database with one hand edit applied."""

    def make(path: Path) -> bytes:
        seeded(path)
        data = json.loads(path.read_bytes())
        edit(data)
        return json.dumps(data, ensure_ascii=False).encode()

    return make


CORRUPT = {
    "truncated": lambda p: b"{",
    "newline": lambda p: b"\n",
    "list": lambda p: b"[1, 2, 3]",
    "table-not-object": lambda p: b'{"measures": []}',
    "no-schema": lambda p: b'{"measures": {}}',
    "not-utf8": lambda p: '{"measures": {"1": {"text": "研究"}}}'.encode("gbk"),
    "missing-text": _missing_text,
    "non-numeric-id": _edited(lambda d: d["measures"].__setitem__("abc", d["measures"].pop("1"))),
    "document-not-object": _edited(lambda d: d["measures"].__setitem__("2", 5)),
    "meta-not-object": _edited(lambda d: d.__setitem__("meta", {"1": [1]})),
    "text-not-string": _edited(lambda d: d["measures"]["2"].__setitem__("text", 5)),
    "sector-null": _edited(lambda d: d["measures"]["2"].__setitem__("sector", None)),
    "status-not-string": _edited(lambda d: d["measures"]["2"].__setitem__("status", 3)),
    "notes-not-list": _edited(lambda d: d["measures"]["2"].__setitem__("notes", "abc")),
    "note-at-not-string": _edited(lambda d: d["measures"]["2"].__setitem__("notes", [{"at": 1, "text": "x"}])),
    "history-missing-field": _edited(lambda d: d["measures"]["2"].__setitem__("history", [{"at": "x"}])),
    "due-not-iso": _edited(lambda d: d["measures"]["2"].__setitem__("due", "03/04/2025")),
    "due-not-string": _edited(lambda d: d["measures"]["2"].__setitem__("due", 20250304)),
    "progress-out-of-range": _edited(lambda d: d["measures"]["2"].__setitem__("progress", 500)),
    "progress-not-int": _edited(lambda d: d["measures"]["2"].__setitem__("progress", "50")),
    "newer-schema": _newer_schema,
}
@pytest.mark.parametrize("kind", sorted(CORRUPT))
@pytest.mark.parametrize("operation", ["load", "transaction"])
def test_corrupt_file_is_reported_with_its_path_and_left_untouched(db_path, kind, operation):
    # Every record is checked as the file is read, so even a command that would never reach
    # the damaged record (this transaction changes only meta) is refused and writes nothing.
    content = CORRUPT[kind](db_path)
    db_path.write_bytes(content)
    store = open_store(DbLocation(db_path, "IMTRACK_DB"))
    expected = StoreError if kind == "newer-schema" else CorruptStore
    with pytest.raises(expected) as info:
        if operation == "load":
            store.find()  # every measure, as `list` reads them
        else:
            with store.transaction() as ledger:
                ledger.meta["touched"] = True  # would write if the file had been read
    message = str(info.value)
    assert str(db_path) in message
    if kind == "newer-schema":
        assert "newer imtrack" in message and "pip install -U" in message
    else:
        assert "left untouched" in message and ".broken" in message
    assert "\n" not in message
    assert db_path.read_bytes() == content
    assert leftovers(db_path.parent) == []


def test_empty_file_is_refused_not_refilled(db_path):
    db_path.write_bytes(b"")
    with pytest.raises(CorruptStore, match="is empty \\(0 bytes\\).*left untouched"):
        open_store(DbLocation(db_path, "IMTRACK_DB")).count()
    assert db_path.read_bytes() == b""


def test_database_path_that_is_a_directory(tmp_path):
    store = TinyDBStore(tmp_path)
    with pytest.raises(StoreError, match="is a directory; give a file name"):
        store.count()


def test_missing_parent_directory_is_a_clear_error(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "db.json"
    store = open_store(DbLocation(path, "--db"))
    for call in (store.count, lambda: set_status(store, [1], "done")):
        with pytest.raises(StoreError) as info:
            call()
        assert f"directory {path.parent} does not exist" in str(info.value)
        assert "create it or choose another --db" in str(info.value)
    assert not (tmp_path / "no").exists()


def test_default_location_creates_its_directory(tmp_path):
    path = tmp_path / "app-dir" / "imtrack.json"
    assert open_store(DbLocation(path, "default")).count() == 34
    assert path.exists()


# -- ids --------------------------------------------------------------------------------------


def _new_measure(text: str) -> Measure:
    return Measure(id=0, text=text, sector="other")


def test_ids_are_never_reused(db_path):
    store = seeded(db_path)
    with store.transaction() as ledger:
        assert ledger.add(_new_measure("第35项。")).id == 35
    # remove measure 35 from the file, as a delete (or a hand edit) would
    data = json.loads(db_path.read_bytes())
    del data["measures"]["35"]
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with store.transaction() as ledger:
        assert 35 not in ledger
        assert ledger.add(_new_measure("再加一项。")).id == 36
    assert store.ids()[-2:] == [34, 36]
    assert store.meta()["next_id"] == 37


# -- one read, at most one write --------------------------------------------------------------


@pytest.fixture
def io_count(monkeypatch):
    counts = {"read": 0, "write": 0}
    real_read, real_write = store_mod.read_bytes, store_mod.atomic_write

    def read(path, *args, **kwargs):
        counts["read"] += 1
        return real_read(path, *args, **kwargs)

    def write(path, data):
        counts["write"] += 1
        return real_write(path, data)

    monkeypatch.setattr(store_mod, "read_bytes", read)
    monkeypatch.setattr(store_mod, "atomic_write", write)
    return counts


@pytest.mark.parametrize(
    "args, writes",
    [
        (["list"], 0),
        (["list", "--sector", "transport", "--format", "json"], 0),
        (["show", "25"], 0),
        (["report"], 0),
        (["sectors"], 0),
        (["set-status", "1", "2", "3", "done", "--note", "一次写完"], 1),
        (["note", "5", "进展顺利"], 1),
        (["set-sector", "17", "29", "交通"], 1),
        (["reclassify"], 0),  # nothing moves with the bundled rules: no write at all
        (["show", "99"], 0),
        (["set-status", "1", "99", "done"], 0),
    ],
)
def test_a_command_reads_once_and_writes_at_most_once(run, db_path, io_count, args, writes):
    run.ok("list")  # create the database first
    io_count.update(read=0, write=0)
    run(*args)
    assert io_count == {"read": 1, "write": writes}


def test_first_use_writes_once(run, db_path, io_count):
    run.ok("report")
    assert io_count["write"] == 1
    assert db_path.exists()


# -- the lock ---------------------------------------------------------------------------------

HOLD_LOCK = """
import sys
from filelock import FileLock
lock = FileLock(sys.argv[1], timeout=5)
with lock:
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def lock_held_elsewhere(db_path):
    """Another process holds the database's lock until the test ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path) + ".lock"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def test_second_transaction_while_locked_fails_busy(db_path, monkeypatch, request):
    store = seeded(db_path)
    before = db_path.read_bytes()
    request.getfixturevalue("lock_held_elsewhere")
    monkeypatch.setenv("IMTRACK_LOCK_TIMEOUT", "0.2")
    with pytest.raises(StoreError) as info:
        set_status(store, [1], "done")
    message = str(info.value)
    assert "is busy" in message and str(db_path) in message and "try again" in message
    assert db_path.read_bytes() == before


def test_cli_write_while_locked_is_a_one_line_busy_error(run, db_path, monkeypatch, request):
    run.ok("list")
    before = db_path.read_bytes()
    request.getfixturevalue("lock_held_elsewhere")
    monkeypatch.setenv("IMTRACK_LOCK_TIMEOUT", "0.2")
    result = run.fail("note", "1", "等锁")
    assert "is busy" in result.stderr
    assert db_path.read_bytes() == before
    # readers never wait for the lock: the file is only ever replaced whole
    assert "34 measures" in run.ok("list").stdout


def test_lock_is_released_after_a_transaction(db_path, monkeypatch):
    store = seeded(db_path)
    monkeypatch.setenv("IMTRACK_LOCK_TIMEOUT", "0.2")
    set_status(store, [1], "done")
    with pytest.raises(RuntimeError), store.transaction():
        raise RuntimeError
    set_status(store, [2], "done")  # would be "busy" if either left the lock held
    assert [m.status for m in store.find()][:2] == ["done", "done"]


def test_the_file_is_a_tinydb_database(run, db_path):
    """The file keeps TinyDB's layout, so TinyDB itself (and any script using it) reads it."""
    from tinydb import TinyDB

    run.ok("note", "25", "可研已批复")
    before = db_path.read_bytes()
    with TinyDB(db_path, access_mode="r") as db:
        doc = db.table("measures").get(doc_id=25)
        assert doc["text"].startswith("研究强化呼南通道")
        assert doc["notes"][-1]["text"] == "可研已批复"
        assert len(db.table("measures")) == 34
        assert db.table("meta").get(doc_id=1)["schema_version"] == SCHEMA_VERSION
        assert db.table("commands").get(doc_id=1)["command"] == "note 25 可研已批复"
    assert db_path.read_bytes() == before


def test_the_lock_excludes_a_second_holder_and_is_free_again_after_release(tmp_path):
    from imtrack.storage.lockfile import FileLock, LockTimeout

    path = str(tmp_path / "db.json.lock")
    first = FileLock(path, timeout=1)
    first.acquire()
    with pytest.raises(LockTimeout):
        FileLock(path, timeout=0.05).acquire()
    first.release()
    second = FileLock(path, timeout=0)
    second.acquire()  # free again: released, not left behind
    second.release()


def test_filelock_cannot_take_the_lock_while_imtrack_holds_it(tmp_path):
    """Older imtracks lock with filelock: both must exclude each other, in both directions
    (the other direction is lock_held_elsewhere above)."""
    from filelock import FileLock as Other
    from filelock import Timeout

    from imtrack.storage.lockfile import FileLock

    path = str(tmp_path / "db.json.lock")
    mine = FileLock(path, timeout=1)
    mine.acquire()
    code = subprocess.run(
        [sys.executable, "-c",
         ("import sys\nfrom filelock import FileLock, Timeout\n"
         "try:\n    FileLock(sys.argv[1], timeout=0.1).acquire()\nexcept Timeout:\n    sys.exit(3)\n"),
         path], check=False
    ).returncode
    mine.release()
    assert code == 3
    Other(path, timeout=0).acquire()  # and free once released
    assert Timeout


# -- duplicated keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, key",
    [
        # one field twice in a measure (a hand edit): orjson would keep the last one silently
        (b'"status": "not-started",', b'"status": "done",\n      "status": "not-started",', "status"),
        # one document id twice in the measures table: the first measure would vanish on write
        (b'\n    "2": {', b'\n    "1": {"text": "dup", "sector": "other"},\n    "2": {', "1"),
    ],
)
def test_a_duplicated_key_is_reported_by_name_and_the_file_left_untouched(db_path, old, new, key):
    seeded(db_path)
    raw = db_path.read_bytes()
    assert old in raw
    content = raw.replace(old, new, 1)
    db_path.write_bytes(content)
    store = TinyDBStore(db_path)
    for call in (store.find, lambda: set_status(store, [3], "done")):
        with pytest.raises(CorruptStore) as info:
            call()
        message = str(info.value)
        assert f"has the key {key!r} twice" in message and str(db_path) in message
        assert "left untouched" in message
    assert db_path.read_bytes() == content


def test_a_hand_indented_file_without_duplicates_is_read(db_path):
    """The fast check compares key counts; a layout it does not know (spaces before the colon)
    takes the exact pass, which finds nothing wrong."""
    seeded(db_path)
    data = json.loads(db_path.read_bytes())
    db_path.write_text(json.dumps(data, ensure_ascii=False, indent=1, separators=(",", " : ")), encoding="utf-8")
    assert TinyDBStore(db_path).count() == 34


# -- older and newer files --------------------------------------------------------------------


def _first_release_file(path: Path) -> bytes:
    """A ledger as the first release wrote it: schema 1, no revisions, no commands table, a
    byte-span index beside it; measure 25 noted and set done by one command (txn 1)."""
    seeded(path)
    data = json.loads(path.read_bytes())
    for doc in data["measures"].values():
        doc.pop("revision", None)
    m25 = data["measures"]["25"]
    at = "2026-03-01T09:00:00+08:00"
    m25["status"] = "done"
    m25["history"] = [{"at": at, "field": "status", "from": "not-started", "to": "done", "txn": 1}]
    m25["notes"] = [{"at": at, "text": "已完成", "txn": 1}]
    data["meta"] = {"1": {"schema_version": 1, "next_id": 35, "next_txn": 2}}
    del data["commands"]
    raw = json.dumps(data, ensure_ascii=False, indent=2).encode()
    path.write_bytes(raw)
    Path(str(path) + ".idx").write_bytes(b"stale index of an older release")
    return raw


def test_an_older_file_is_read_as_it_is_without_writing(run, db_path):
    raw = _first_release_file(db_path)
    assert json.loads(run.ok("show", "25", "--format", "json").stdout)["status"] == "done"
    run.ok("list")
    run.ok("report")
    assert db_path.read_bytes() == raw
    assert not list(db_path.parent.glob("*.bak"))


def test_an_older_file_is_upgraded_on_its_first_write_after_a_backup(run, db_path):
    raw = _first_release_file(db_path)
    run.ok("note", "3", "升级后第一次写")
    backup = db_path.with_name("db.json.schema1.bak")
    assert backup.read_bytes() == raw  # the file exactly as the older release left it
    data = json.loads(db_path.read_bytes())
    meta = data["meta"]["1"]
    assert meta["schema_version"] == SCHEMA_VERSION and meta["migrations"][0] == "0001_initial"
    assert data["measures"]["25"]["revision"] == 1 and data["measures"]["3"]["revision"] == 2
    assert data["commands"]["1"]["ids"] == [25]  # the older command, found in the history
    assert not Path(str(db_path) + ".idx").exists()  # the stale index is gone
    # undo walks back over the new command, then the one of the older release
    run.ok("undo")
    run.ok("undo")
    assert json.loads(run.ok("show", "25", "--format", "json").stdout)["status"] == "not-started"
    assert backup.read_bytes() == raw  # kept, not overwritten by later writes


def test_a_file_of_a_newer_release_is_refused_naming_the_release(run, db_path):
    seeded(db_path)
    data = json.loads(db_path.read_bytes())
    data["meta"]["1"]["migrations"].append("0009_something_new")
    data["meta"]["1"]["release"] = "9.1.0"
    content = json.dumps(data, ensure_ascii=False).encode()
    db_path.write_bytes(content)
    for args in (["list"], ["note", "1", "x"]):
        message = run.fail(*args).stderr
        assert "written by a newer imtrack (9.1.0)" in message
        assert "pip install -U 'imtrack>=9.1.0'" in message
    assert db_path.read_bytes() == content


# -- authors and revisions in the file ---------------------------------------------------------


def test_every_change_records_its_author_and_bumps_the_revision(run, db_path, monkeypatch):
    run.ok("list")
    monkeypatch.setenv("IMTRACK_USER", "李科员")
    run.ok("set-status", "4", "done", "--note", "已办结")
    m = json.loads(db_path.read_bytes())["measures"]["4"]
    assert m["revision"] == 2
    assert {r["author"] for r in (*m["history"], *m["notes"])} == {"李科员"}
    commands = json.loads(db_path.read_bytes())["commands"]
    command = commands[max(commands, key=int)]
    assert (command["command"], command["author"], command["ids"]) == ("set-status 4 done --note 已办结", "李科员", [4])


def test_undo_refuses_when_someone_else_changed_the_measure_since(run, db_path, monkeypatch):
    run.ok("list")
    monkeypatch.setenv("IMTRACK_USER", "王")
    run.ok("set-status", "4", "in-progress")
    monkeypatch.setenv("IMTRACK_USER", "李")
    run.ok("note", "4", "我也改了")
    monkeypatch.setenv("IMTRACK_USER", "王")
    message = run.fail("undo").stderr
    assert "李 has changed measure 4 since" in message and "nothing was changed" in message
    monkeypatch.setenv("IMTRACK_USER", "李")
    assert "note removed: 我也改了" in run.ok("undo").stdout  # 李's own last command
