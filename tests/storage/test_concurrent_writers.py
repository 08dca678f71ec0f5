"""Concurrent writers lose nothing, on every engine: 8 processes x 50 writes each, then exact
counts. Each process opens the ledger through the Store interface, as a command does, and makes
one transaction per write: a note on one of three shared measures, and every tenth write a new
measure, so that the measures and the id counter are contended alike.

An engine joins by adding a function to LOCATIONS giving what --db would name for a new, empty
ledger of it in a temp directory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from imtrack.config import locate
from imtrack.domain.models import Measure
from imtrack.storage.engines import open_store

PROCESSES = 8
WRITES = 50

LOCATIONS: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    "tinydb": lambda request, tmp: str(tmp / "ledger.json"),
    "sqlite": lambda request, tmp: str(tmp / "ledger.sqlite"),
    # a fresh database on the session's private server (tests/pgserver.py)
    "postgresql": lambda request, tmp: request.getfixturevalue("pg_url"),
}

WRITER = """
import sys
from imtrack.config import locate
from imtrack.domain.models import Measure, Note
from imtrack.storage.engines import open_store

location, name, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(locate(location, "--db"), command="note")
for i in range(writes):
    with store.transaction() as tx:
        if i % 10 == 9:
            tx.add(Measure(id=0, text=f"{name} 新增 {i}", sector="other"))
        else:
            m = tx.get(1 + i % 3)
            m.notes.append(Note("2026-03-02T09:00:00+08:00", f"{name}-{i}", tx.txn, tx.author))
            tx.mark_changed(m)
"""


@pytest.mark.parametrize("engine", sorted(LOCATIONS))
def test_eight_processes_of_fifty_writes_lose_nothing(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    location = LOCATIONS[engine](request, tmp_path)
    store = open_store(locate(location, "--db"), seed=None)
    with store.transaction() as tx:
        for k in range(3):
            tx.add(Measure(id=0, text=f"共用{k}", sector="other"))
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, location, f"w{p}", str(WRITES)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p in range(PROCESSES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err

    notes_per_writer = WRITES - WRITES // 10
    shared = store.get_many([1, 2, 3])
    texts = sorted(n.text for m in shared for n in m.notes)
    assert texts == sorted(f"w{p}-{i}" for p in range(PROCESSES) for i in range(WRITES) if i % 10 != 9)
    assert len(texts) == PROCESSES * notes_per_writer
    # each note was one committed change of its measure: the revisions count them exactly
    assert sum(m.revision for m in shared) == 3 + PROCESSES * notes_per_writer
    added = PROCESSES * (WRITES // 10)
    assert store.count() == 3 + added
    assert store.ids() == list(range(1, 4 + added))  # every id handed out once, none twice
    assert len([c for c in store.commands() if c.ids]) == 1 + PROCESSES * WRITES
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    store.close()
