"""The PostgreSQL test server is private: Unix socket in its own directory, no TCP port, and
a missing server binary fails the run rather than skipping it."""

from __future__ import annotations

from pathlib import Path

import pgserver
import psycopg
import pytest


def test_server_listens_only_on_its_private_socket(pg_server: pgserver.PgServer, pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(pg_server.socket_dir),)
        assert conn.execute("SELECT current_user").fetchone() == (pgserver.ADMIN,)
    assert list(pg_server.socket_dir.glob(".s.PGSQL.*"))


def test_each_database_starts_empty_and_apart(pg_server: pgserver.PgServer) -> None:
    first, second = pg_server.database(), pg_server.database()
    assert first != second
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE t (x int)")
    with psycopg.connect(second) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_clerk_role_connects_as_itself(pg_server: pgserver.PgServer, pg_url: str) -> None:
    with psycopg.connect(pg_server.role("clerk_wang", pg_url)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("clerk_wang",)


def test_bindir_found_outside_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Debian does not put initdb on PATH; the versioned directory must still be found.
    monkeypatch.setenv("PATH", "/nonexistent")
    bindir = pgserver.find_bindir()
    assert bindir is not None and (bindir / "initdb").exists()


def test_missing_binaries_fail_instead_of_skipping(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"import sys; sys.path.insert(0, {str(Path(pgserver.__file__).parent)!r})\n"
                          "import pgserver\nfrom pgserver import pg_server\n"
                          "pgserver.find_bindir = lambda: None\n")
    pytester.makepyfile("def test_needs_server(pg_server):\n    pass\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*PostgreSQL server binaries*never skip*"])
