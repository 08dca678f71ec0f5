"""Concurrent writers lose nothing, on every engine: 8 processes x 50 commands each, every one
adding a note to one of three measures (so writers collide on the same measures all the time),
then exact counts: every note, every command record, every revision step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from imtrack.config import locate
from imtrack.domain.models import Measure
from imtrack.storage.engines import open_store

PROCESSES, WRITES = 8, 50

WRITER = """
import sys
from imtrack.config import locate
from imtrack.domain.models import Note
from imtrack.storage.engines import open_store

url, name, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(locate(url, "--db"), command="note")
for i in range(writes):
    with store.transaction() as tx:
        m = tx.get(i % 3 + 1)
        m.notes.append(Note("2026-03-01T09:00:00+08:00", f"{name}-{i}", tx.txn, tx.author))
        tx.mark_changed(m)
store.close()
"""


@pytest.mark.parametrize("engine", ["tinydb", "sqlite", "postgresql"])
def test_eight_writers_fifty_commands_each_lose_nothing(engine: str, tmp_path: Path, request) -> None:
    url = {"tinydb": str(tmp_path / "l.json"), "sqlite": str(tmp_path / "l.sqlite")}.get(engine) or (
        request.getfixturevalue("pg_url")
    )
    store = open_store(locate(url, "--db"), command="seed")
    with store.transaction(seed=False) as tx:
        for text in ("甲", "乙", "丙"):
            tx.add(Measure(0, text, "transport", created="2026-03-01T09:00:00+08:00", updated="2026-03-01T09:00:00+08:00"))
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, f"w{n}", str(WRITES)], stderr=subprocess.PIPE, text=True)
        for n in range(PROCESSES)
    ]
    failures = [(w.wait(timeout=300), w.stderr.read()) for w in writers]
    assert all(code == 0 for code, _ in failures), failures
    measures = store.find()
    notes = sorted(n.text for m in measures for n in m.notes)
    expected = sorted(f"w{n}-{i}" for n in range(PROCESSES) for i in range(WRITES))
    assert notes == expected
    per_measure = [len(m.notes) for m in measures]
    assert per_measure == [sum(1 for i in range(WRITES) if i % 3 == k) * PROCESSES for k in range(3)]
    assert [m.revision for m in measures] == [1 + n for n in per_measure]
    commands = store.commands()
    assert len(commands) == PROCESSES * WRITES + 1
    assert len({c.txn for c in commands}) == len(commands)
    # every note names the command that added it, and each command added exactly one note
    assert sorted(n.txn for m in measures for n in m.notes) == sorted(c.txn for c in commands if c.command == "note")
    store.close()
