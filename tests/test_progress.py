"""Progress bars for long work: drawn by Rich on stderr when it is a terminal, never in a pipe
(where Rich is not imported), and never mixed into what the command writes on stdout."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from imtrack.domain.models import Measure
from imtrack.output import progress


@pytest.fixture
def big_ledger(db_path):
    from imtrack.config import locate
    from imtrack.core.tracker import open_store

    with open_store(locate(str(db_path), "--db")).transaction() as ledger:  # seeded: the default 34 first
        for i in range(progress.MIN_STEPS):
            ledger.add(Measure(id=0, text=f"措施{i}", sector="transport"))
    return db_path


def _export_with_stderr_on_a_terminal(db, out, env):
    return _with_stderr_on_a_terminal(["export", "--format", "csv", "--output", str(out)], env)


def _with_stderr_on_a_terminal(args, env):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "imtrack", *args],
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait() == 0
    return proc.stdout.read().decode("utf-8"), b"".join(chunks).decode("utf-8", "replace")


def test_export_draws_a_bar_on_a_terminal_only(big_ledger, tmp_path):
    env = {**os.environ, "IMTRACK_DB": str(big_ledger), "TERM": "xterm", "IMTRACK_LANG": "en"}
    out = tmp_path / "ledger.csv"
    stdout, terminal = _export_with_stderr_on_a_terminal(big_ledger, out, env)
    assert "Exporting" in terminal and "/234" in terminal  # the bar, with its count
    assert stdout.startswith("exported 234 measures to")
    assert "Exporting" not in stdout
    piped = subprocess.run([sys.executable, "-m", "imtrack", "export", "--format", "csv", "--output", str(out)],
                           capture_output=True, text=True, env=env, check=True)
    assert piped.stderr == ""
    assert out.read_text(encoding="utf-8-sig").count("\n") == 235


def test_no_bar_and_no_rich_off_a_terminal(monkeypatch):
    monkeypatch.setattr(progress, "on_terminal", lambda: False)
    items = list(range(1000))
    assert progress.track(items, "x") is items
    with progress.progress("x", total=10_000) as advance:
        advance(5)
    code = "import sys; from imtrack.output import progress as p; list(p.track(range(999), 'x')); " \
           "print(any(m.startswith('rich') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_db_copy_draws_a_bar_on_a_terminal_only(big_ledger, tmp_path):
    env = {**os.environ, "TERM": "xterm", "IMTRACK_LANG": "en"}
    target = tmp_path / "copy.sqlite"
    stdout, terminal = _with_stderr_on_a_terminal(["db", "copy", str(big_ledger), str(target)], env)
    assert "Copying" in terminal and "/234" in terminal
    assert stdout.startswith("copied 234 measures")
    piped = subprocess.run([sys.executable, "-m", "imtrack", "db", "copy", str(big_ledger), str(tmp_path / "b.sqlite")],
                           capture_output=True, text=True, env=env, check=True)
    assert piped.stderr == "" and piped.stdout.startswith("copied 234 measures")


def test_import_of_a_pdf_shows_a_bar_on_a_terminal_only(tmp_path):
    pdf = Path(__file__).parent / "fixtures" / "formats" / "gf-2019-5.pdf"
    env = {**os.environ, "TERM": "xterm", "IMTRACK_LANG": "en", "IMTRACK_DB": str(tmp_path / "l.sqlite")}
    stdout, terminal = _with_stderr_on_a_terminal(["import", str(pdf)], env)
    assert "Reading gf-2019-5.pdf" in terminal
    assert stdout.startswith("Imported ")
    env["IMTRACK_DB"] = str(tmp_path / "piped.sqlite")
    piped = subprocess.run([sys.executable, "-m", "imtrack", "import", str(pdf)], capture_output=True, text=True,
                           env=env, check=True)
    assert "Reading" not in piped.stderr and piped.stdout.startswith("Imported ")
