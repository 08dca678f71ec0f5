"""Two processes writing at once lose nothing (TinyDB alone loses updates: pitfalls §1a).

A `python -m imtrack` start costs ~0.3-0.4 s of CPU, so 2 x 25 of them take 10-20 s on a small
machine. The main test therefore runs two real writer processes that each make 25 complete CLI
invocations in one interpreter (each one opens the store, takes the lock, reads, writes), which
also makes the writes overlap far more densely; a smaller test does the same with one
`python -m imtrack` process per note."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

NOTES_PER_WRITER = 25
PROCESSES_PER_STREAM = 6


def imtrack(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imtrack", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


WRITER = """
import sys
from imtrack.cli.app import app

failures = 0
for item in sys.argv[1:]:
    measure_id, text = item.split(":", 1)
    try:
        app(["note", measure_id, text], prog_name="imtrack", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            failures += 1
sys.exit(failures)
"""


def plans(prefix_a: str, prefix_b: str, n: int) -> dict[str, list[tuple[int, str]]]:
    # writer A notes measures 1 and 3, writer B notes 2 and 3, alternating
    return {
        "A": [(1 if i % 2 else 3, f"{prefix_a}{i:02d}") for i in range(n)],
        "B": [(2 if i % 2 else 3, f"{prefix_b}{i:02d}") for i in range(n)],
    }


def check_all_present(env, before, plan_by_writer, total) -> None:
    after = {m["id"]: m for m in json.loads(imtrack(env, "list", "--format", "json").stdout)}
    for measure_id in (1, 2, 3):
        expected = sorted(t for plan in plan_by_writer.values() for mid, t in plan if mid == measure_id)
        assert sorted(n["text"] for n in after[measure_id]["notes"]) == expected
    assert sum(len(m["notes"]) for m in after.values()) == total
    for measure_id in range(4, 35):  # nothing else moved
        assert after[measure_id] == before[measure_id]


def fresh_database(db_path) -> tuple[dict[str, str], dict[int, dict]]:
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    first = imtrack(env, "list", "--format", "json")  # create the database up front
    assert first.returncode == 0, first.stderr
    return env, {m["id"]: m for m in json.loads(first.stdout)}


def test_two_writer_processes_lose_nothing(db_path, tmp_path):
    env, before = fresh_database(db_path)
    plan_by_writer = plans("A", "B", NOTES_PER_WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, *(f"{mid}:{text}" for mid, text in plan)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for plan in plan_by_writer.values()
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.count("note added") == NOTES_PER_WRITER
    check_all_present(env, before, plan_by_writer, 2 * NOTES_PER_WRITER)
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_two_streams_of_imtrack_processes_lose_nothing(db_path, tmp_path):
    env, before = fresh_database(db_path)
    plan_by_writer = plans("A", "B", PROCESSES_PER_STREAM)
    failures: list[str] = []
    start = threading.Barrier(len(plan_by_writer))

    def writer(plan: list[tuple[int, str]]) -> None:
        start.wait()
        for measure_id, text in plan:
            result = imtrack(env, "note", str(measure_id), text)
            if result.returncode != 0:
                failures.append(f"{text}: {result.returncode} {result.stderr}")

    threads = [threading.Thread(target=writer, args=(plan,)) for plan in plan_by_writer.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    check_all_present(env, before, plan_by_writer, 2 * PROCESSES_PER_STREAM)
