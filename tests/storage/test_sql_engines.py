"""The SQL engines (SQLite and PostgreSQL, storage/sql.py): what only they promise beyond the
store contract: a new ledger starts empty, a command is whole or nothing, revisions turn a stale
write into a Conflict while plain concurrent commands both land, authors, schema versions and
named migrations, damaged or foreign databases left untouched."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from imtrack.config import locate
from imtrack.domain.models import Change, Measure, Note
from imtrack.domain.query import MeasureFilter
from imtrack.errors import Conflict, CorruptStore, InvalidValue, NotFound, StoreError
from imtrack.storage import sql_migrations
from imtrack.storage.base import Store
from imtrack.storage.engines import open_store

STAMP = "2026-03-01T09:00:00+08:00"

Opener = Callable[..., Store]


@pytest.fixture
def opener() -> Iterator[Opener]:
    """open(url, command=...) -> Store; every store opened is closed after the test."""
    opened: list[Store] = []

    def open_(url: str, command: str = "test") -> Store:
        store = open_store(locate(url, "--db"), command=command)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return request.getfixturevalue("pg_url")


def measure(text: str = "推进呼南通道建设", sector: str = "transport", **fields) -> Measure:
    return Measure(0, text, sector, created=STAMP, updated=STAMP, **fields)


def seed(store: Store, n: int = 3) -> list[int]:
    with store.transaction() as tx:
        return [tx.add(measure(f"措施{i}", "transport" if i % 2 else "digital")).id for i in range(n)]


def add_note(store: Store, measure_id: int, text: str) -> None:
    with store.transaction() as tx:
        m = tx.get(measure_id)
        m.notes.append(Note(STAMP, text, tx.txn, tx.author))
        tx.mark_changed(m)


def test_new_ledger_starts_empty_and_reading_creates_nothing(url: str, opener: Opener, tmp_path: Path) -> None:
    store = opener(url)
    assert (store.exists(), store.count(), store.find(), store.ids(), store.meta()) == (False, 0, [], [], {})
    with pytest.raises(NotFound, match="no measures yet"):
        store.get(1)
    if store.engine == "sqlite":
        assert not (tmp_path / "ledger.sqlite").exists()
    with store.transaction() as tx:
        assert tx.ids() == []  # never seeded with the bundled dataset
        tx.meta["hello"] = "世界"
    assert store.exists() and store.count() == 0 and store.meta()["hello"] == "世界"


def test_measures_round_trip_with_notes_history_and_revision(url: str, opener: Opener) -> None:
    store = opener(url)
    original = measure(lead="自治区发展改革委", partners=["交通运输厅"], due="2026-12-31", tags=["重点"],
                       progress=40, sector_pinned=True, section="②")  # fmt: skip
    with store.transaction() as tx:
        added = tx.add(original)
        added.notes.append(Note(STAMP, "可研已批复 <b>", tx.txn, tx.author))
        added.history.append(Change(STAMP, "status", "not-started", "in-progress", tx.txn, tx.author))
        added.history.append(Change(STAMP, "tags", [], ["重点", {"nested": None}], tx.txn, tx.author))
    got = store.get(added.id)
    assert got == added and got.revision == 1
    assert got.history[1].new == ["重点", {"nested": None}]
    with store.transaction() as tx:
        m = tx.get(added.id)
        m.status = "done"
        tx.mark_changed(m)
    assert store.get(added.id).revision == 2


def test_a_failing_command_changes_nothing(url: str, opener: Opener) -> None:
    store = opener(url)
    ids = seed(store)
    before = (store.find(), store.meta(), store.commands())
    with pytest.raises(RuntimeError), store.transaction() as tx:
        m = tx.get(ids[0])
        m.notes.append(Note(STAMP, "half", tx.txn, tx.author))
        tx.mark_changed(m)
        tx.add(measure("新增"))
        tx.remove(ids[1])
        tx.meta["undone"] = [{"txn": 1, "by": 2}]
        raise RuntimeError("boom")
    after = (store.find(), store.meta(), store.commands())
    if store.engine == "postgresql":
        # txn ids come from a sequence, which a rollback does not give back (a harmless gap)
        after[1]["next_txn"] = before[1]["next_txn"]
    assert after == before


def test_find_pushes_down_exact_filters_and_applies_the_rest(url: str, opener: Opener) -> None:
    store = opener(url)
    seed(store, 6)
    transport = MeasureFilter.build(sectors=["transport"])
    assert [m.id for m in store.find(transport)] == [2, 4, 6]
    assert [m.id for m in store.find(transport, limit=2)] == [2, 4]
    # full-width digits fold to the half-width ones the text holds: a residual filter
    assert [m.id for m in store.find(MeasureFilter.build(sectors=["交通"], grep="措施３"))] == [4]
    assert store.counts("sector") == {"digital": {"not-started": 3}, "transport": {"not-started": 3}}
    assert store.counts("lead") == {"": {"not-started": 6}}


def test_ids_never_reused_and_commands_record_author(url: str, opener: Opener, monkeypatch) -> None:
    monkeypatch.setenv("IMTRACK_USER", "王科员")
    store = opener(url, command="import")
    seed(store, 2)
    with store.transaction() as tx:
        tx.remove(2)
    with store.transaction() as tx:
        assert tx.add(measure()).id == 3
    records = store.commands()
    assert [r.txn for r in records] == [3, 2, 1]
    assert records[1].ids == (2,) and records[0].command == "import"
    expected = "王科员" if store.engine == "sqlite" else "imtrack_admin"  # PostgreSQL: the database user
    assert {r.author for r in records} == {expected}
    assert store.commands(author="nobody") == []


def test_stale_revision_is_a_conflict_and_nothing_is_written(url: str, opener: Opener) -> None:
    store = opener(url)
    seed(store, 2)
    stale = store.get(1)
    add_note(store, 1, "先到")
    stale.status = "done"
    with pytest.raises(Conflict, match="measure 1 was changed by another command"), store.transaction() as tx:
        tx.put(measure("另一条"))  # part of the same command: rolled back with it
        tx.put(stale)
    assert store.get(1).status == "not-started" and store.count() == 2
    stale.revision = 0  # a record with no revision (a backup) replaces what is stored
    with store.transaction() as tx:
        tx.put(stale)
    assert store.get(1).status == "done" and store.get(1).notes == []


def test_metadata_lists_extended_by_two_commands_keep_both(url: str, opener: Opener) -> None:
    first, second = opener(url), opener(url)
    seed(first)
    # Interleaved by hand on SQLite is impossible (one writer); this is the merge itself.
    with first.transaction() as tx:
        tx.meta["undone"] = [{"txn": 1, "by": 2}]
    with second.transaction() as tx:
        tx.meta["undone"] = [*tx.meta["undone"], {"txn": 3, "by": 4}]
    assert first.meta()["undone"] == [{"txn": 1, "by": 2}, {"txn": 3, "by": 4}]


def test_history_by_day_and_measure(url: str, opener: Opener) -> None:
    store = opener(url)
    seed(store, 2)
    with store.transaction() as tx:
        a, b = tx.get_many([2, 1])
        a.notes.append(Note("2026-03-02T23:59:00+08:00", "晚", tx.txn, tx.author))
        b.history.append(Change("2026-03-03T08:00:00+08:00", "status", "not-started", "done", tx.txn, tx.author))
        b.notes.append(Note("2026-03-01T08:00:00+08:00", "早", tx.txn, tx.author))
        tx.mark_changed(a)
        tx.mark_changed(b)
    everything = store.history()
    assert [(e.measure_id, e.kind) for e in everything] == [(1, "change"), (1, "note"), (2, "note")]
    assert [e.text for e in store.history(since="2026-03-02", until="2026-03-02")] == ["晚"]
    assert [e.new for e in store.history(measure_id=1, since="2026-03-03")] == ["done"]


def test_newer_schema_is_refused_naming_the_release(url: str, opener: Opener) -> None:
    store = opener(url)
    seed(store, 1)
    store.close()
    with _raw(url) as conn:
        conn.execute("INSERT INTO migrations (name, applied) VALUES ('m099_future', 'x')")
        conn.execute("UPDATE meta SET value = '\"9.1.0\"' WHERE key = 'release'")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    again = opener(url)
    with pytest.raises(StoreError, match=r"written by .*9\.1\.0.*schema 2.*pip install -U 'imtrack>=9\.1\.0'"):
        again.find()
    with pytest.raises(StoreError, match="9.1.0"), again.transaction():
        pass


def test_sqlite_older_schema_is_upgraded_after_a_backup(tmp_path: Path, opener: Opener, monkeypatch) -> None:
    path = tmp_path / "old.sqlite"
    first, *later = sql_migrations.MIGRATIONS
    seed(opener(str(path)), 2)
    add_note(opener(str(path)), 1, "旧记录")
    with sqlite3.connect(path) as conn:  # as the first release with SQL left it
        conn.execute("ALTER TABLE measures DROP COLUMN document")
        conn.execute("ALTER TABLE notes DROP COLUMN effective")
        conn.execute("ALTER TABLE changes DROP COLUMN effective")
        conn.execute("DELETE FROM migrations WHERE name != ?", (first.name,))
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    store = opener(str(path))
    assert store.count() == 2
    backup = tmp_path / "old.sqlite.schema1.bak"
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT count(*) FROM measures").fetchone() == (2,)
        assert old.execute("SELECT name FROM migrations").fetchall() == [(first.name,)]
    with sqlite3.connect(path) as new:
        names = {r[0] for r in new.execute("SELECT name FROM migrations")}
        assert names == {m.name for m in sql_migrations.MIGRATIONS}
        assert new.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(sql_migrations.SCHEMA_VERSION),
        )
    # the upgraded ledger keeps what the later migrations added: a measure's document fields
    with store.transaction() as tx:
        m = tx.get(1)
        m.number, m.path, m.lead_written = "（二）", ["一、总体要求"], "发展改革委"
        tx.mark_changed(m)
    again = opener(str(path)).get(1)
    assert (again.number, again.path, again.lead_written) == ("（二）", ["一、总体要求"], "发展改革委")
    assert later, "a test of upgrading needs a migration after the first"
    # ... and the effective day of a record (NULL in the rows written before: the day of `at`)
    assert [(n.text, n.effective, n.day.isoformat()) for n in again.notes] == [("旧记录", None, STAMP[:10])]
    with store.transaction() as tx:
        m = tx.get(1)
        m.notes.append(Note("2026-03-06T16:00:00+08:00", "补记", tx.txn, tx.author, effective="2026-03-03"))
        tx.mark_changed(m)
    assert [e.text for e in opener(str(path)).history("2026-03-03", "2026-03-03")] == ["补记"]


def test_postgres_older_schema_needs_db_migrate(pg_url: str, opener: Opener, monkeypatch) -> None:
    seed(opener(pg_url), 2)
    extra = sql_migrations.Migration("m002_test", lambda dialect: ["CREATE INDEX measures_text ON measures (text)"])
    monkeypatch.setattr(sql_migrations, "MIGRATIONS", (*sql_migrations.MIGRATIONS, extra))
    monkeypatch.setattr(sql_migrations, "KNOWN", sql_migrations.KNOWN | {"m002_test"})
    store = opener(pg_url)
    with pytest.raises(StoreError, match=r"m002_test; run `imtrack db migrate`"):
        store.count()
    with pytest.raises(StoreError, match="db migrate"), store.transaction():
        pass
    assert store.migrate() == ["m002_test"]
    assert store.migrate() == []
    assert store.count() == 2


def test_damaged_sqlite_file_is_reported_and_left_untouched(tmp_path: Path, opener: Opener) -> None:
    path = tmp_path / "broken.sqlite"
    junk = b"SQLite format 3\x00" + b"\xff" * 5000
    path.write_bytes(junk)
    store = opener(str(path))
    with pytest.raises(CorruptStore, match="left untouched"):
        store.find()
    with pytest.raises(CorruptStore), store.transaction():
        pass
    assert path.read_bytes() == junk


def test_a_foreign_sqlite_database_is_not_written_into(tmp_path: Path, opener: Opener) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (n INTEGER)")
    before = path.read_bytes()
    store = opener(str(path))
    with pytest.raises(CorruptStore, match="not an imtrack ledger.*invoices"), store.transaction():
        pass
    assert path.read_bytes() == before


def test_postgres_author_is_the_database_user(pg_server, pg_url: str, opener: Opener, monkeypatch) -> None:
    seed(opener(pg_url), 1)
    clerk = grant(pg_server, pg_url, "clerk_li")
    monkeypatch.setenv("IMTRACK_USER", "someone-else")  # a claim the server does not take
    add_note(opener(clerk), 1, "李科员的备注")
    note = opener(pg_url).get(1).notes[0]
    assert note.author == "clerk_li"
    assert opener(pg_url).commands(author="clerk_li")[0].ids == (1,)


def test_postgres_password_never_printed(pg_server, pg_url: str, opener: Opener) -> None:
    secret = "s3cr3t-不可见"
    pg_server.role("clerk_pw", pg_url, password=secret)
    from urllib.parse import quote

    bad = pg_url.replace("imtrack_admin@", f"clerk_pw:{quote(secret)}@").replace("?host=", "?sslmode=disable&host=")
    # trust authentication accepts any password; a missing database makes the connection fail
    bad = bad.replace("/t", "/missing_t", 1)
    with pytest.raises(StoreError) as caught:
        opener(bad).count()
    assert secret not in str(caught.value) and quote(secret) not in str(caught.value)
    assert "***" in str(caught.value) and "cannot reach" in str(caught.value)


def test_postgres_two_clerks_noting_one_measure_both_land(pg_server, pg_url: str, opener: Opener) -> None:
    seed(opener(pg_url), 1)
    wang, li = opener(grant(pg_server, pg_url, "clerk_wang")), opener(grant(pg_server, pg_url, "clerk_li"))
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with wang.transaction() as tx:
                m = tx.get(1)  # locks the row
                m.notes.append(Note(STAMP, "王", tx.txn, tx.author))
                tx.mark_changed(m)
                holding.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001 - a thread cannot raise into the test; asserted below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    timer = threading.Timer(0.5, release.set)  # the second clerk waits on the row meanwhile
    timer.start()
    add_note(li, 1, "李")
    thread.join(10)
    timer.cancel()
    assert not errors
    notes = opener(pg_url).get(1).notes
    assert [(n.text, n.author) for n in notes] == [("王", "clerk_wang"), ("李", "clerk_li")]
    assert opener(pg_url).get(1).revision == 3


def test_postgres_second_clerk_on_a_stale_read_gets_a_conflict(pg_server, pg_url: str, opener: Opener) -> None:
    seed(opener(pg_url), 1)
    wang, li = opener(grant(pg_server, pg_url, "clerk_wang")), opener(grant(pg_server, pg_url, "clerk_li"))
    seen_by_li = li.get(1)  # e.g. an exported sheet, edited and imported back later
    with wang.transaction() as tx:
        m = tx.get(1)
        m.status = "in-progress"
        tx.mark_changed(m)
    seen_by_li.status = "blocked"
    with pytest.raises(Conflict, match="read it again"), li.transaction() as tx:
        tx.put(seen_by_li)
    assert opener(pg_url).get(1).status == "in-progress"


def test_postgres_nul_in_text_is_a_clear_error(pg_url: str, opener: Opener) -> None:
    store = opener(pg_url)
    with pytest.raises(InvalidValue, match="NUL character"), store.transaction() as tx:
        tx.add(measure("a\x00b"))
    assert store.count() == 0


def test_postgres_lock_timeout_is_a_clear_busy_message(pg_url: str, opener: Opener, monkeypatch) -> None:
    seed(opener(pg_url), 1)
    holder = opener(pg_url)
    monkeypatch.setenv("IMTRACK_LOCK_TIMEOUT", "0.3")
    waiter = opener(pg_url)
    with holder.transaction() as tx:
        tx.get(1)
        with pytest.raises(StoreError, match="busy.*try again"), waiter.transaction() as other:
            other.get(1)


# -- helpers ----------------------------------------------------------------------------------


def grant(pg_server, pg_url: str, role: str) -> str:
    clerk_url = pg_server.role(role, pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return clerk_url


class _raw:
    """A plain driver connection to a ledger, committing on exit (for tampering in tests)."""

    def __init__(self, url: str) -> None:
        self.conn = sqlite3.connect(url) if not url.startswith("postgresql") else psycopg.connect(url)

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.commit()
        self.conn.close()


def test_postgres_undo_is_each_clerks_own_and_refuses_after_another_clerk(
    pg_server, pg_url: str, run, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMTRACK_DB", str(tmp_path / "seed.json"))
    run.ok("list", "--limit", "1")  # the bundled dataset, on first use
    run.ok("db", "copy", str(tmp_path / "seed.json"), pg_url)
    wang, li = grant(pg_server, pg_url, "wang"), grant(pg_server, pg_url, "li")

    def as_clerk(url: str, *args: str, fail: bool = False):
        monkeypatch.setenv("IMTRACK_DB", url)
        return run.fail(*args) if fail else run.ok(*args)

    as_clerk(li, "set-status", "26", "done")
    as_clerk(wang, "note", "25", "王的备注")
    # li's undo is li's own last command, not wang's later one
    assert as_clerk(li, "undo").stdout.startswith("undid `imtrack set-status 26 done` of ")
    as_clerk(li, "set-status", "27", "blocked")
    as_clerk(wang, "note", "27", "王看过")
    refused = as_clerk(li, "undo", fail=True).stderr
    assert "wang" in refused and "27" in refused
    monkeypatch.setenv("IMTRACK_DB", pg_url)
    assert json.loads(run.ok("show", "27", "--format", "json").stdout)["status"] == "blocked"
    assert [n["text"] for n in json.loads(run.ok("show", "25", "--format", "json").stdout)["notes"]] == ["王的备注"]
    assert json.loads(run.ok("log", "25", "--format", "json").stdout)[0]["author"] == "wang"


def test_postgres_office_setup_of_the_readme(pg_server, pg_url: str, run, monkeypatch, tmp_path: Path) -> None:
    """The README's recipe: an owner role creates the tables with `db migrate`, grants a clerks
    group; a clerk (no other rights) then works and is recorded as the author."""
    dbname = pg_url.split("@/", 1)[1].split("?", 1)[0]
    owner = pg_server.role("imtrack_owner", pg_url)
    clerk = pg_server.role("clerk_zhao", pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" OWNER TO imtrack_owner')
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute("GRANT ALL ON SCHEMA public TO imtrack_owner")
        conn.execute("GRANT USAGE ON SCHEMA public TO clerk_zhao")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'clerks'").fetchone():
            conn.execute("CREATE ROLE clerks")
        conn.execute("GRANT clerks TO clerk_zhao")
    monkeypatch.setenv("IMTRACK_DB", owner)
    assert "applied m001_initial" in run.ok("db", "migrate").stdout
    with psycopg.connect(owner, autocommit=True) as conn:
        for statement in (
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clerks",
            "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO clerks",
            "ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO clerks",
            "ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO clerks",
        ):
            conn.execute(statement)
    monkeypatch.setenv("IMTRACK_DB", str(tmp_path / "seed.json"))
    run.ok("list", "--limit", "1")
    run.ok("db", "copy", str(tmp_path / "seed.json"), owner)
    monkeypatch.setenv("IMTRACK_DB", clerk)
    run.ok("note", "25", "赵科员的备注")
    run.ok("set-status", "25", "done")
    assert json.loads(run.ok("log", "25", "--format", "json").stdout)[0]["author"] == "clerk_zhao"
    # the clerk cannot change the schema: only the owner migrates
    with psycopg.connect(clerk, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE TABLE sneaky (x int)")


def test_sqlite_busy_ledger_is_a_clear_message(tmp_path: Path, opener: Opener, monkeypatch) -> None:
    path = tmp_path / "busy.sqlite"
    seed(opener(str(path)), 1)
    monkeypatch.setenv("IMTRACK_LOCK_TIMEOUT", "0.2")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert opener(str(path)).get(1).text == "措施0"  # WAL: readers never wait for the writer
        busy = opener(str(path))
        with pytest.raises(StoreError, match=r"is busy: another imtrack command is writing; try again"), \
                busy.transaction() as tx:
            tx.get(1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_postgres_password_from_pgpass_or_service_never_printed(
    pg_server, pg_url: str, run, monkeypatch, tmp_path: Path
) -> None:
    secret = "口令-s3cret"
    run.ok("db", "copy", _seeded(run, monkeypatch, tmp_path), pg_url)
    clerk = pg_server.role("clerk_pass", pg_url, password=secret)
    grant(pg_server, pg_url, "clerk_pass")
    pg_server.require_password("clerk_pass")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    refused = run.fail("--db", clerk, "list").stderr
    assert "cannot reach the ledger" in refused and "password" in refused
    wrong = clerk.replace("clerk_pass@", "clerk_pass:wrong-pw-123@")
    refused = run.fail("--db", wrong, "list").stderr
    assert "password authentication failed" in refused and "wrong-pw-123" not in refused and "***" in refused

    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:clerk_pass:{secret}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert "34 measures" in run.ok("--db", clerk, "list").stdout
    dbname = pg_url.split("@/", 1)[1].split("?", 1)[0]
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[office]\nhost={pg_server.socket_dir}\ndbname={dbname}\nuser=clerk_pass\n", encoding="utf-8")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    run.ok("--db", "postgresql:///?service=office", "note", "25", "经由 service 文件")
    entry = json.loads(run.ok("--db", "postgresql:///?service=office", "log", "25", "--format", "json").stdout)[0]
    assert entry["author"] == "clerk_pass"


def _seeded(run, monkeypatch, tmp_path: Path) -> str:
    """A JSON ledger with the bundled dataset (what `db copy` then moves)."""
    seed_path = tmp_path / "seed.json"
    monkeypatch.setenv("IMTRACK_DB", str(seed_path))
    run.ok("list", "--limit", "1")
    monkeypatch.delenv("IMTRACK_DB")
    return str(seed_path)


def test_first_writers_racing_to_create_a_ledger_all_land(url: str, opener: Opener) -> None:
    stores = [opener(url) for _ in range(6)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def first_write(store: Store, n: int) -> None:
        try:
            start.wait(10)
            with store.transaction() as tx:
                tx.add(measure(f"第{n}条"))
        except Exception as exc:  # noqa: BLE001 - a thread cannot raise into the test; asserted below
            errors.append(exc)

    threads = [threading.Thread(target=first_write, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    ledger = opener(url)
    assert ledger.ids() == [1, 2, 3, 4, 5, 6]
    assert sorted(m.text for m in ledger.find()) == sorted(f"第{n}条" for n in range(6))


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [
        ("status", "'finished'", "status"),
        ("sector", "'weather'", "sector"),
        ("lead", "X'C8'", "lead"),  # a blob: SQLite keeps any value in any column
        ("progress", "'half'", "progress"),
        ("partners", "'[1, 2]'", "partners"),
    ],
)
def test_a_hand_edited_sqlite_row_is_named_not_half_read(
    tmp_path: Path, opener: Opener, run, column: str, value: str, named: str
) -> None:
    path = tmp_path / "ledger.sqlite"
    seed(opener(str(path)), 2)
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE measures SET {column} = {value} WHERE id = 2")
    before = path.read_bytes()
    # report and the table list read a summary of each row (Store.summaries): the columns they
    # read are checked as strictly; the others are checked by every command that reads them
    summarised = column in ("status", "sector", "lead")
    for args in (("show", "2"), ("list", "-f", "json"), ("set-status", "2", "done"),
                 *((("report",), ("list",)) if summarised else ())):
        result = run("--db", str(path), *args)
        assert result.exit_code == 1, (args, result.output)
        assert "measure 2" in result.stderr and named in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == before
    assert run.ok("--db", str(path), "show", "1").stdout  # the sound row still reads
