"""What imtrack refuses, and why: the database is a regular file it may write (storage/fileio.py),
and every record is checked as it is read (storage/records.py).

A damaged-file corpus (one fixture per class of damage, made here from a fresh ledger) runs
through every command: each exits 1 with one line naming the problem, never a traceback, and
the file is byte-identical afterwards. Then the special files (symlink, FIFO, device, read-only,
0-byte, trailing slash), temp files of crashed writes, and a bounded kill -9 loop on writes."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imtrack.config import DbLocation
from imtrack.core.tracker import add_note, open_store
from imtrack.errors import CorruptStore, StoreError
from imtrack.storage.fileio import READ, WRITE, check_file, leftover_temps
from imtrack.storage.records import check_ledger, ledger_problems

DOC = "1. 推进黄河流域生态保护和高质量发展。\n2. 加快建设国家重要能源和战略资源基地。\n"


def seeded(path: Path) -> bytes:
    open_store(DbLocation(path, "--db")).count()  # creates the default ledger (34 measures)
    return path.read_bytes()


def edited(edit):
    def make(path: Path) -> bytes:
        data = json.loads(seeded(path))
        edit(data)
        return json.dumps(data, ensure_ascii=False, indent=1).encode()

    return make


def duplicate_id(path: Path) -> bytes:
    """The same id twice in the measures table, as a merge of two hand-edited copies leaves it."""
    text = seeded(path).decode()
    second = json.dumps({"text": "重复的措施", "sector": "other"}, ensure_ascii=False)
    return text.replace('"measures": {', '"measures": {\n    "3": ' + second + ",", 1).encode()


def nested(depth: int):
    def make(path: Path) -> bytes:
        raw = seeded(path)
        start = raw.index(b'"tags"')
        end = raw.index(b"]", start)
        return raw[:start] + b'"tags": ' + b"[" * depth + b"]" * depth + raw[end + 1:]

    return make


def _set(table: str, key: str, field: str, value):
    return edited(lambda d: d[table][key].__setitem__(field, value))


# class of damage -> (the file's bytes, what the one line must say)
CORPUS = {
    "0-byte": (lambda p: b"", "is empty (0 bytes)"),
    "blank": (lambda p: b"\n  \n", "is empty"),
    "truncated": (lambda p: seeded(p)[:200], "is not valid JSON"),
    "duplicate-id": (duplicate_id, "has the key '3' twice"),
    "non-canonical-id": (
        edited(lambda d: d["measures"].__setitem__("01", {**d["measures"]["1"], "text": "另一条"})),
        "measure 01, field 'id': the id '01' is not a whole number",
    ),
    "wrong-type": (_set("measures", "5", "lead", 5), "measure 5, field 'lead': must be text or null, not int"),
    "unknown-status": (_set("measures", "6", "status", "finished"), "measure 6, field 'status': 'finished' is not"),
    "unknown-sector": (_set("measures", "7", "sector", "太空"), "measure 7, field 'sector': '太空' is not a sector"),
    "unknown-field": (_set("measures", "8", "stauts", "done"), "measure 8, field 'stauts': is not a field"),
    "next-id-below": (_set("meta", "1", "next_id", 3), "meta, field 'next_id': is 3, not above the highest measure (34)"),
    "next-id-not-int": (_set("meta", "1", "next_id", "abc"), "meta, field 'next_id': must be a whole number"),
    "bad-note": (_set("measures", "9", "notes", [{"at": "2026-01-01", "text": ["x"]}]),
                 "measure 9, field 'notes[1].text': must be text, not list"),
    "nested-1100": (nested(1100), "nests lists or objects deeper than 64 levels"),
    "nested-300": (nested(300), "nests lists or objects deeper than 64 levels"),
    "nested-100": (nested(100), "measure 1, field 'tags': must be a list of text"),
}

COMMANDS = {
    "list": ["list"],
    "show": ["show", "2"],
    "note": ["note", "2", "已召开推进会"],
    "set-status": ["set-status", "2", "done"],
    "update": ["update", "2", "--lead", "自治区发展改革委"],
    "report": ["report"],
    "log": ["log"],
    "export": ["export", "--format", "csv", "--output", "{tmp}/out.csv"],
    "import": ["import", "{tmp}/doc.txt", "--source", "测试文件"],
    "undo": ["undo"],
    "path": ["path"],
}


@pytest.mark.parametrize("damage", sorted(CORPUS))
def test_damaged_file_through_every_command(run, db_path, tmp_path, damage):
    make, says = CORPUS[damage]
    content = make(db_path)
    db_path.write_bytes(content)
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    for name, args in COMMANDS.items():
        result = run.fail(*[a.replace("{tmp}", str(tmp_path)) for a in args])  # exit 1, one line, no traceback
        assert says in result.stderr, (name, result.stderr)
        assert str(db_path) in result.stderr or "db.json" in result.stderr, (name, result.stderr)
        assert db_path.read_bytes() == content, name
    assert not (tmp_path / "out.csv").exists()
    assert leftover_temps(db_path) == []


def test_nothing_is_repaired_a_fixed_file_works_again(run, db_path):
    make, _ = CORPUS["unknown-status"]
    db_path.write_bytes(make(db_path))
    run.fail("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["6"]["status"] = "done"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "已完成" in run.ok("show", "6").stdout


# -- collecting every problem (what `db check` lists) -------------------------------------------


def test_every_problem_is_listed_at_once_in_collect_mode(db_path):
    data = json.loads(seeded(db_path))
    measures = data["measures"]
    measures["2"]["lead"] = 5
    measures["2"]["status"] = "finished"
    measures["4"]["progress"] = 500
    measures["01"] = dict(measures["1"])
    data["meta"]["1"]["next_id"] = 10
    data["commands"]["x"] = {"at": 1}
    args = (measures, data["meta"]["1"], data["commands"])
    problems = ledger_problems(*args, collect=True)
    found = {(p.record, p.field) for p in problems}
    assert found == {
        ("measure 2", "lead"), ("measure 2", "status"), ("measure 4", "progress"), ("measure 01", "id"),
        ("meta", "next_id"), ("command x", None), ("command x", "at"),
    }
    first = ledger_problems(*args, collect=False)
    assert len(first) == 1 and first[0] == problems[0]
    with pytest.raises(CorruptStore) as info:
        check_ledger(*args, where="ledger.json")
    assert str(info.value).startswith(f"database ledger.json: {problems[0]};")
    # a healthy ledger has none, and the rules take the stored ids as strings or as integers
    clean = json.loads(seeded(db_path.with_name("clean.json")))
    assert ledger_problems(clean["measures"], clean["meta"]["1"], clean["commands"]) == []
    as_rows = {int(k): v for k, v in clean["measures"].items()}  # as an SQL engine reads rows
    assert ledger_problems(as_rows, clean["meta"]["1"], clean["commands"]) == []
    as_rows[3] = {**as_rows[3], "sector": None}
    assert [str(p) for p in ledger_problems(as_rows, {}, None)] == ["measure 3, field 'sector': must be text, not null"]


def test_a_measure_stored_twice_under_one_id_is_a_problem():
    doc = {"text": "x", "sector": "other"}
    problems = ledger_problems({"1": doc, 1: doc}, {"next_id": 2})
    assert [str(p) for p in problems] == ["measure 1, field 'id': is stored twice (also as '1')"]


# -- the file itself ---------------------------------------------------------------------------


def _cli(db: str | Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imtrack", "--db", str(db), *args], check=False,
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "IMTRACK_USER": "测试员"},
    )


def _one_error_line(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imtrack: error: "), result.stderr
    return lines[0]


def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "ledger.json"
    os.mkfifo(fifo)
    for args in (["list"], ["note", "1", "x"], ["path"]):
        line = _one_error_line(_cli(fifo, *args, timeout=20))  # no writer ever opens it: a hang would time out
        assert "is a FIFO (named pipe), not a regular file" in line
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    # named without a suffix, the engine is sniffed from the first bytes: never by opening a FIFO
    bare = tmp_path / "ledger"
    os.mkfifo(bare)
    assert "cannot tell the engine" in _one_error_line(_cli(bare, "list", timeout=20), code=2)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can make a device node")
def test_device_is_neither_read_nor_replaced(tmp_path):
    device = tmp_path / "null.json"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    for args in (["list"], ["note", "1", "x"]):
        assert "is a device, not a regular file" in _one_error_line(_cli(device, *args))
    assert stat.S_ISCHR(os.stat(device).st_mode)
    link = tmp_path / "link.json"
    link.symlink_to("/dev/null")
    assert "(a link to /dev/null) is a device" in _one_error_line(_cli(link, "note", "1", "x"))
    assert Path("/dev/null").is_char_device()


def test_directory_and_trailing_slash_are_refused(run, tmp_path):
    folder = tmp_path / "ledger.json"
    folder.mkdir()
    assert "is a directory; give a file name" in run.fail("--db", str(folder), "list").stderr
    for name in (f"{tmp_path}/new.json/", f"sqlite:///{tmp_path}/new.sqlite/"):
        result = run.fail("--db", name, "note", "1", "x", code=2)
        assert "ends in '/', so it names a directory; give a file name" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.json"]  # nothing created


def test_read_only_file_is_read_but_never_replaced(run, db_path):
    content = seeded(db_path)
    db_path.chmod(0o444)
    try:
        assert "ID" in run.ok("show", "1").stdout
        run.ok("list")
        result = run.fail("note", "1", "x")
        assert "is read-only (mode -r--r--r--); nothing was changed" in result.stderr
        assert "chmod u+w" in result.stderr
        assert db_path.read_bytes() == content
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o444
        assert leftover_temps(db_path) == []
    finally:
        db_path.chmod(0o644)


def test_empty_files_are_refused_on_every_file_engine(tmp_path):
    """The rule needs nothing of TinyDB's: a 0-byte SQLite file is refused the same way."""
    for name in ("ledger.json", "ledger.sqlite", "ledger.db"):
        path = tmp_path / name
        path.write_bytes(b"")
        for intent in (READ, WRITE):
            with pytest.raises(CorruptStore, match=r"is empty \(0 bytes\).*left untouched.*\.broken"):
                check_file(path, intent)
        assert path.read_bytes() == b""
    assert check_file(tmp_path / "new.sqlite", WRITE) == (tmp_path / "new.sqlite").resolve()
    with pytest.raises(StoreError, match="does not exist; create it"):
        check_file(tmp_path / "no" / "new.sqlite", WRITE)


def test_symlink_target_is_written_and_the_lock_is_shared(tmp_path):
    target = tmp_path / "shared" / "ledger.json"
    target.parent.mkdir()
    seeded(target)
    link = tmp_path / "mine.json"
    link.symlink_to(target)
    assert check_file(link, WRITE) == target.resolve()
    # Two clerks, one through the link and one through the target, write at once: every note lands.
    script = (
        "import sys\n"
        "from imtrack.config import DbLocation\n"
        "from imtrack.core.tracker import add_note, open_store\n"
        "store = open_store(DbLocation(__import__('pathlib').Path(sys.argv[1]), '--db'))\n"
        "for i in range(15):\n"
        "    add_note(store, 1 + i % 3, f'{sys.argv[2]} {i}')\n"
    )
    clerks = [
        subprocess.Popen([sys.executable, "-c", script, str(path), who])
        for path, who in ((link, "link"), (target, "target"))
    ]
    assert [c.wait(timeout=60) for c in clerks] == [0, 0]
    assert link.is_symlink() and os.readlink(link) == str(target)
    notes = [n.text for m in open_store(DbLocation(target, "--db")).find() for n in m.notes]
    assert sorted(notes) == sorted(f"{who} {i}" for who in ("link", "target") for i in range(15))
    assert not (tmp_path / "mine.json.lock").exists()  # one lock, the target's
    assert (target.parent / "ledger.json.lock").exists()


def test_temp_files_of_a_crashed_write_are_removed(run, db_path):
    seeded(db_path)
    for name in (f".{db_path.name}.abc123.tmp", f".{db_path.name}.schema1.bak.x.tmp"):
        (db_path.parent / name).write_bytes(b'{"half": ')
    unrelated = db_path.parent / ".other.json.abc.tmp"
    unrelated.write_bytes(b"")
    run.ok("list")  # a reader removes them when no writer holds the lock
    assert leftover_temps(db_path) == []
    (db_path.parent / f".{db_path.name}.def456.tmp").write_bytes(b"{")
    run.ok("note", "1", "x")  # a writer, under its lock
    assert leftover_temps(db_path) == []
    assert unrelated.exists()


HOLD_LOCK = "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)"


def test_a_reader_leaves_temp_files_while_a_writer_holds_the_lock(db_path):
    from imtrack.storage.lockfile import FileLock

    seeded(db_path)
    temp = db_path.parent / f".{db_path.name}.live.tmp"
    temp.write_bytes(b"{")
    lock = FileLock(str(db_path) + ".lock", timeout=0)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, lock.lock_file],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert open_store(DbLocation(db_path, "--db")).count() == 34
        assert temp.exists()  # perhaps a live writer's: not touched
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_at_random_moments_of_note_loses_nothing_reported(tmp_path):
    db = tmp_path / "ledger.json"
    seeded(db)
    rng = random.Random(20261130)
    reported: list[str] = []
    texts = {f"第{i}次" for i in range(20)}
    env = {**os.environ, "IMTRACK_USER": "测试员"}
    for i in range(20):
        text = f"第{i}次"
        proc = subprocess.Popen(
            [sys.executable, "-m", "imtrack", "--db", str(db), "note", str(1 + i % 5), text],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )
        time.sleep(rng.uniform(0.0, 0.25))  # a note takes about 0.1-0.2 s: before, during and after the write
        proc.kill()
        proc.wait()
        if proc.returncode == 0:
            reported.append(text)
        else:
            assert proc.returncode == -9, proc.stderr.read() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        json.loads(db.read_bytes())  # after every kill the file is one whole ledger
    store = open_store(DbLocation(db, "--db"))
    notes = {n.text for m in store.find() for n in m.notes}
    assert set(reported) <= notes
    print(f"{len(reported)} of 20 notes reported written, {len(notes & texts) - len(reported)} more landed")
    assert leftover_temps(db) == []  # the reading command above removed any the kills left
    add_note(store, 1, "之后")  # and the ledger takes writes
    assert "之后" in {n.text for n in store.get(1).notes}


# -- the fast path and the one that names the problem agree -------------------------------------

GOOD = {
    "text": "推进黄河流域生态保护", "sector": "ecology", "status": "in-progress", "source": "国发〔2023〕16号",
    "section": "一", "lead": "自治区水利厅", "partners": ["自治区林草局"], "due": "2026-12-31", "tags": ["督办"],
    "progress": 40, "sector_pinned": True, "created": "2026-01-01", "updated": "2026-02-01", "revision": 3,
    "notes": [{"at": "2026-01-02", "text": "开工", "txn": 2, "author": "张三"}],
    "history": [{"at": "2026-01-03", "field": "partners", "from": [], "to": ["自治区林草局"], "txn": 3, "author": "张三"}],
    "number": "（四）", "path": ["二、重点任务"], "lead_written": "水利厅", "partners_written": ["林草局"],
    "assignments": [{"sentence": "水利厅牵头", "agencies": ["水利厅"], "raw": "（水利厅牵头）"}],
}
VARIANTS = [
    ({}, True), ({"lead": None, "due": None, "progress": None}, True), ({"due": "ongoing"}, True),
    ({"partners": None, "tags": [], "notes": None, "history": []}, True), ({"progress": 0}, True),
    ({"source": None}, False), ({"number": None}, False), ({"lead": 5}, False), ({"lead_written": []}, False),
    ({"status": "finished"}, False), ({"status": None}, False), ({"sector": "太空"}, False), ({"sector": ["x"]}, False),
    ({"text": None}, False), ({"partners": "自治区林草局"}, False), ({"tags": [1]}, False), ({"path": [None]}, False),
    ({"due": "2026-13-01"}, False), ({"due": 20261231}, False), ({"progress": True}, False), ({"progress": 101}, False),
    ({"progress": 1.5}, False), ({"sector_pinned": 1}, False), ({"revision": -1}, False), ({"revision": "3"}, False),
    ({"assignments": [{"sentence": "x"}]}, False), ({"assignments": {}}, False), ({"stauts": "done"}, False),
    ({"id": 9}, False), ({"notes": [{"at": "x"}]}, False), ({"notes": [{"at": "x", "text": "y", "txn": 0}]}, False),
    ({"notes": [{"at": "x", "text": "y", "mood": "ok"}]}, False), ({"notes": "x"}, False),
    ({"history": [{"at": "x", "field": "assignments", "to": [{"sentence": "x", "agencies": ["y"]}]}]}, True),
    ({"history": [{"at": "x", "field": "f", "from": [[1]]}]}, True),
    ({"history": [{"at": "x", "field": "f", "from": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}]}, False),
    ({"history": [{"at": "x", "field": "f", "to": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": {"n": {"o": {"p": {"q": 1}}}}}}}}}}}}}}}}}}]}, False),
    ({"history": [{"at": "x", "field": "f", "to": {1, 2}}]}, False),
    ({"history": [{"at": "x", "field": "f", "author": 3}]}, False), ({"history": [None]}, False),
]


@pytest.mark.parametrize(("change", "healthy"), VARIANTS)
def test_the_quick_check_and_the_named_problems_agree(change, healthy):
    from imtrack.storage.records import _measure_ok, _sectors, measure_problems

    doc = {**GOOD, **change}
    problems = [str(p) for p in measure_problems("7", doc)]
    assert _measure_ok(doc, _sectors()) is healthy
    assert (problems == []) is healthy, problems
    assert all(p.startswith("measure 7") for p in problems)
    if not healthy:
        field = next(iter(change))
        assert any(f"field '{field}" in p for p in problems), problems


def test_a_hard_linked_file_is_read_but_not_split_in_two(run, db_path):
    content = seeded(db_path)
    other = db_path.with_name("copy.json")
    os.link(db_path, other)
    run.ok("show", "1")
    result = run.fail("note", "1", "x")
    assert "has 2 hard links" in result.stderr and "ln -sf" in result.stderr
    assert db_path.read_bytes() == content and os.path.samefile(db_path, other)
    # SQLite writes in place, so the same check lets it through
    assert check_file(db_path, WRITE, replaced=False) == db_path.resolve()


def test_a_dangling_symlink_creates_its_target(run, tmp_path):
    target = tmp_path / "elsewhere" / "ledger.json"
    link = tmp_path / "mine.json"
    link.symlink_to(target)
    result = run.fail("--db", str(link), "list")
    assert f"directory {target.parent} does not exist" in result.stderr
    target.parent.mkdir()
    run.ok("--db", str(link), "list")
    assert link.is_symlink() and target.is_file() and (target.parent / "ledger.json.lock").exists()


def test_one_row_at_a_time_as_an_sql_engine_reads():
    from imtrack.storage.records import check_measure

    check_measure(7, dict(GOOD), "postgresql://clerk@host/ledger", hint="ask the administrator")
    with pytest.raises(CorruptStore) as info:
        check_measure(7, {**GOOD, "status": "finished"}, "postgresql://clerk@host/ledger", hint="ask the administrator")
    assert str(info.value) == (
        "database postgresql://clerk@host/ledger: measure 7, field 'status': 'finished' is not a status; "
        "use one of: blocked, done, in-progress, not-started; ask the administrator"
    )
    with pytest.raises(CorruptStore, match="measure 0, field 'id'"):
        check_measure(0, dict(GOOD), "x.sqlite")


# -- the same rules on the SQLite engine (fileio.check_file, called by sqlite_store._connect) --


@pytest.fixture
def sqlite_ledger(run, db_path, tmp_path) -> Path:
    seeded(db_path)
    target = tmp_path / "ledger.sqlite"
    run.ok("db", "copy", str(db_path), str(target))
    return target


def test_sqlite_0_byte_fifo_and_read_only_files(run, tmp_path, sqlite_ledger):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    for args in (["list"], ["note", "1", "x"], ["path"]):
        assert "is empty (0 bytes)" in run.fail("--db", str(empty), *args).stderr
    assert empty.read_bytes() == b""  # not made into an empty ledger
    fifo = tmp_path / "pipe.sqlite"
    os.mkfifo(fifo)
    assert "is a FIFO (named pipe)" in _one_error_line(_cli(fifo, "note", "1", "x", timeout=20))
    content = sqlite_ledger.read_bytes()
    sqlite_ledger.chmod(0o444)
    try:
        assert "ID" in run.ok("--db", str(sqlite_ledger), "show", "1").stdout
        assert "is read-only" in run.fail("--db", str(sqlite_ledger), "note", "1", "x").stderr
        assert sqlite_ledger.read_bytes() == content
    finally:
        sqlite_ledger.chmod(0o644)


def test_sqlite_through_a_symlink_writes_the_target(run, tmp_path, sqlite_ledger):
    link = tmp_path / "mine.sqlite"
    link.symlink_to(sqlite_ledger)
    run.ok("--db", str(link), "note", "1", "经链接记录")
    assert link.is_symlink()
    assert "经链接记录" in run.ok("--db", str(sqlite_ledger), "show", "1").stdout
    assert not list(tmp_path.glob("mine.sqlite-*"))  # the journal files are the target's


def test_db_check_lists_every_problem_of_a_damaged_file(run, db_path):
    data = json.loads(seeded(db_path))
    data["measures"]["5"]["lead"] = 5
    data["measures"]["6"]["status"] = "finished"
    data["measures"]["01"] = dict(data["measures"]["1"])
    data["meta"]["1"]["next_id"] = 3
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()
    result = run("db", "check")
    assert result.exit_code == 1, result.output
    for expected in ("measure 5, field 'lead'", "measure 6, field 'status'", "measure 01, field 'id'",
                     "meta, field 'next_id'"):
        assert expected in result.stdout, result.stdout
    assert "Traceback" not in result.output
    assert run.fail("list").stderr.count("measure 5, field 'lead'") == 1  # a command stops at the first
    assert db_path.read_bytes() == before
