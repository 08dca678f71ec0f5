"""Regression tests for the QA pass on the core: damaged due/progress values, undo after an
import, canonical agency names, sheet deadlines and silently ignored sheet cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imtrack.store import JsonStore

NOW = "2026-03-01T09:30:00+08:00"


def _backup(run, tmp_path: Path, **changes) -> Path:
    """A backup of the seeded database with `changes` applied to every record."""
    backup = tmp_path / "backup.json"
    run.ok("export", "--format", "json", "--output", str(backup))
    doc = json.loads(backup.read_text(encoding="utf-8"))
    for record in doc["measures"]:
        record.update(changes)
    backup.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return backup


# -- 1. a stored due/progress that imtrack never writes ------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due": "03/04/2025"}, "'due' must be an ISO date"),
        ({"due": "2025-3-4"}, "'due' must be an ISO date"),
        ({"progress": 500}, "'progress' must be a whole number from 0 to 100"),
        ({"progress": "50"}, "'progress' must be a whole number"),
    ],
)
def test_backup_with_a_bad_due_or_progress_is_refused(run, db_path, tmp_path, monkeypatch, change, message):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    backup = _backup(run, tmp_path, **change)
    before = db_path.read_bytes()
    result = run.fail("import", str(backup), code=2)
    assert "record 1 is invalid (id 1: " in result.stderr and message in result.stderr
    assert "nothing was restored" in result.stderr
    assert db_path.read_bytes() == before


def test_good_due_values_in_a_backup_still_restore(run, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    backup = _backup(run, tmp_path, due="ongoing", progress=100)
    run.ok("import", str(backup))
    assert {(m.due, m.progress) for m in JsonStore(db_path).load()} == {("ongoing", 100)}


@pytest.mark.parametrize(
    "args",
    [("show", "2"), ("list", "--overdue"), ("list", "--sort", "due"), ("report",), ("list",)],
)
def test_database_with_a_bad_due_is_reported_not_a_traceback(run, db_path, monkeypatch, args):
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    run.ok("list")
    data = json.loads(db_path.read_bytes())
    data["measures"]["2"]["due"] = "03/04/2025"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db_path.read_bytes()
    result = run.fail(*args)
    assert "measure 2 is malformed" in result.stderr and "03/04/2025" in result.stderr
    assert db_path.read_bytes() == before
