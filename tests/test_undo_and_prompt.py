"""Ctrl-C at a confirmation (aborted, exit 130, nothing changed), a closed stdin, and `undo`
naming the command it reverts, with --dry-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def test_ctrl_c_at_the_confirmation_aborts_with_130_and_changes_nothing(tmp_path, db_path, run):
    run.ok("list")
    before = db_path.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "imtrack", "set-status", "--where-sector", "transport", "done"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 30
    while b"[y/N]: " not in seen and time.monotonic() < deadline:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    assert b"Change these 6 measures? [y/N]: " in seen, seen
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().strip() == "imtrack: error: aborted"
    assert b"Traceback" not in err
    assert db_path.read_bytes() == before


def test_a_closed_stdin_names_yes_and_changes_nothing(run, db_path):
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("set-status", "--where-sector", "transport", "done", code=1)
    assert "no answer could be read" in result.stderr and "--yes" in result.stderr
    assert db_path.read_bytes() == before


def test_an_answer_in_another_encoding_is_not_a_yes(monkeypatch, capsys):
    import io

    from imtrack.cli.common import ask_yes_no

    # 是 typed in a GBK terminal, read by a strict UTF-8 stdin (as under en_US.UTF-8)
    gbk = io.TextIOWrapper(io.BytesIO("是\n".encode("gbk")), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdin", gbk)
    assert ask_yes_no("Change these 6 measures?") is False
    monkeypatch.setattr(sys, "stdin", io.StringIO("是\n"))
    assert ask_yes_no("Change these 6 measures?") is True
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert ask_yes_no("Change these 6 measures?") is None
    assert capsys.readouterr().out.startswith("Change these 6 measures? [y/N]: ")


def test_the_answer_decides(run):
    assert "not confirmed; nothing was changed" in run("set-status", "--where-sector", "transport", "done", input="n\n").stderr
    result = run("set-status", "--where-sector", "transport", "done", input="是\n")
    assert result.exit_code == 0 and "30: status set to 已完成" in result.stdout


def test_undo_names_the_command_and_its_measures_and_dry_run_changes_nothing(run, db_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-20T10:00:00+08:00")
    run.ok("update", "25", "26", "--lead", "发改委", "--note", "已分工")
    before = db_path.read_bytes()
    dry = run.ok("undo", "--dry-run").stdout
    assert dry.splitlines()[0] == (
        "would undo `imtrack update 25 26 --lead 发改委 --note 已分工` of 2026-11-20T10:00:00+08:00 "
        "(2 measures: 25, 26)"
    )
    assert dry.endswith("dry run: nothing was changed\n")
    assert db_path.read_bytes() == before
    data = json.loads(run.ok("undo", "--dry-run", "-f", "json").stdout)
    assert data["command"] == "update 25 26 --lead 发改委 --note 已分工" and data["dry_run"] is True
    assert data["measures"] == [25, 26] and data["by"] is None
    assert db_path.read_bytes() == before
    done = run.ok("undo").stdout
    assert done.splitlines()[0] == dry.splitlines()[0].replace("would undo", "undid")
    assert "25: note removed: 已分工" in done
    assert json.loads(run.ok("show", "25", "-f", "json").stdout)["lead"] is None
    # the global --db is not part of the command named
    run.ok("--db", str(db_path), "note", "27", "x y")
    assert run.ok("undo").stdout.startswith("undid `imtrack note 27 'x y'` of ")


def test_undo_of_a_command_recorded_without_its_command_line_says_the_command(run, db_path):
    from imtrack.config import locate
    from imtrack.core import tracker

    run.ok("list")
    # a caller that names no command line (a script using the core, or an older imtrack)
    tracker.add_note(tracker.open_store(locate(str(db_path), "--db"), command=""), 25, "旧记录")
    assert run.ok("undo").stdout.startswith("undid the command of ")
