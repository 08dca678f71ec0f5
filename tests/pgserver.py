"""One private, throwaway PostgreSQL server per test session.

`initdb` + `pg_ctl` in a temporary directory: the server listens only on a Unix socket in that
directory (no TCP port, no system service) and is stopped and deleted at the end of the session.
A machine without the server binaries fails the tests that need it instead of skipping them: a
skipped PostgreSQL suite would let the shared-ledger engine rot unseen (`.ci/run` installs
Debian's `postgresql`).

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system user
(else `nobody`) through `runuser`; the test process connects over the socket with trust
authentication, as the superuser role `imtrack_admin` or as a clerk role a test creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

ADMIN = "imtrack_admin"
SERVER_BINARIES = ("initdb", "pg_ctl")


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directory
    (/usr/lib/postgresql/<major>/bin, not on PATH by default), newest major first."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if all(os.access(Path(bindir) / b, os.X_OK) for b in SERVER_BINARIES):
            return Path(bindir)
    return None


def _server_user() -> str | None:
    """The account the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root with neither a 'postgres' nor a 'nobody' account to run the server as")


class PgServer:
    """A running throwaway server; `database()` makes a fresh empty database and returns its URL."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="imtrack-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._names = itertools.count(1)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o700)
        self._run(
            "initdb", "-D", str(self.data), "-U", ADMIN, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        # fsync off: a throwaway server need not survive a power cut, and the tests run faster.
        options = f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-o", options,
                  "-l", str(self.root / "server.log"), "start")  # fmt: skip

    def _run(self, binary: str, *args: str) -> None:
        cmd = [str(self.bindir / binary), *args]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}{done.stdout}{tail}")

    def url(self, dbname: str = "postgres", user: str = ADMIN) -> str:
        """A libpq URL reaching the socket directory (the host is a path, so it goes in the query)."""
        return f"postgresql://{quote(user)}@/{quote(dbname)}?host={quote(str(self.socket_dir))}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def database(self) -> str:
        """A new, empty database (owned by the admin, open to every role) and its admin URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"')
        self.admin(f'GRANT ALL ON DATABASE "{name}" TO PUBLIC')
        self.admin("GRANT ALL ON SCHEMA public TO PUBLIC", dbname=name)
        return self.url(name)

    def role(self, name: str, url: str, password: str | None = None) -> str:
        """A login role for one clerk (created once per session) and its URL for the database
        `url` (a URL from `database()`) names."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
            if password is not None:
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(name), sql.Literal(password)
                    )
                )
        dbname = url.split("@/", 1)[1].split("?", 1)[0]
        return self.url(unquote(dbname), user=name)

    def require_password(self, role: str) -> None:
        """From now on `role` must log in with its password (scram-sha-256), as on an office
        server; every other role keeps trust authentication."""
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
        self.admin("SELECT pg_reload_conf()")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
            "/usr/lib/postgresql/*/bin; install them (Debian: apt-get install -y postgresql). "
            "The PostgreSQL tests never skip.",
            pytrace=False,
        )
    server = PgServer(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty database on the session's server, as its superuser."""
    return pg_server.database()
