#!/usr/bin/env python3
"""imtrack beside Taskwarrior: start-up, and six everyday operations at 1k and 10k measures on the
default engine (TinyDB, one JSON file), at 10k and 100k on SQLite and at 10k on PostgreSQL, and
8 concurrent writers on the SQL engines.

    python bench/bench.py                    # full run; writes bench/RESULTS.md
    python bench/bench.py --quick            # 1k only, one run, no warm-up (CI runs this)
    python bench/bench.py --sizes 100000     # larger TinyDB ledgers (the whole-file engine's limits)
    python bench/bench.py --sqlite-sizes 10000 --pg-sizes 0    # only some SQL rows

PostgreSQL: `--pg-url postgresql://…` names an empty database to use; without it the bench starts
a private throwaway server on a Unix socket (initdb + pg_ctl, as the tests do: tests/pgserver.py).

Run it with the interpreter that has imtrack installed (e.g. .venv/bin/python). Standard library
only, plus imtrack itself: the synthetic databases are written through imtrack's own store
interface (one transaction), so the file format is the real one. Taskwarrior (`task`, 2.6.x) is optional; without it
the imtrack side still runs and the script says how to install it.

Every figure is a whole process (what a user waits for), timed with perf_counter around
spawn-and-wait, peak memory from wait4()'s ru_maxrss of that very process. imtrack and Taskwarrior
run in alternation inside each round, so a noisy machine slows both alike; the ratio of the
medians is the figure that matters, absolute times mean little.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED_FILE = ROOT / "data" / "000_57ace6c6df350a4e.txt"
RESULTS = HERE / "RESULTS.md"

TARGET_STARTUP_JSON = 1.2  # `list --format json` on the seed vs `python -c "import typer"`
TARGET_STARTUP_TABLE = 1.15
TARGET_READ_1K_MS = 20  # at 1k every reading command within 20 ms of a minimal Typer app
TARGET_RATIO_10K = 1.5  # at 10k every operation at most 1.5x Taskwarrior's
TARGET_RATIO_SQLITE = 0.5  # SQLite at 10k and 100k: every operation at most 0.5x Taskwarrior's
TARGET_RATIO_PG = 2.0  # PostgreSQL at 10k (local server): every operation at most 2x Taskwarrior's
TARGET_MEMORY_SQLITE = 2.0  # SQLite at 100k: peak memory at most 2x the database file
WRITERS, WRITES = 8, 50  # concurrent writers on the SQL engines: processes x commands each
SUFFIX = {"tinydb": ".json", "sqlite": ".sqlite"}
READING = ("list (table)", "list --sector transport --format json", "show N", "report")
# The smallest Typer application that runs a command: what any Typer CLI pays before its work.
MINIMAL_TYPER = "import typer\napp = typer.Typer()\n@app.command()\ndef main() -> None:\n    pass\napp()"

AGENCIES = ["自治区发展改革委", "自治区科技厅", "自治区工业和信息化厅", "自治区交通运输厅",
            "自治区能源局", "自治区财政厅", "自治区商务厅", "自治区农牧厅", "呼和浩特市人民政府",
            "包头市人民政府", "鄂尔多斯市人民政府"]
NOTES = ["已召开专题推进会，明确责任分工和时间节点。", "完成可研批复，正在开展初步设计。",
         "受资金到位影响，进度滞后约一个月，已协调财政厅。", "已向国家有关部委报送申请材料。",
         "项目用地预审通过，环评公示中。", "季度调度：完成年度投资计划的62%。"]
NOTE_TEXT = "基准测试：已完成阶段性任务，下一步组织验收。"
BASE = dt.datetime(2024, 1, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# -- the synthetic ledger -------------------------------------------------------------------------

@dataclass
class Row:
    """One synthetic measure, shared by both tools so they hold the same data."""

    text: str
    sector: str
    status: str
    lead: str
    created: dt.datetime
    notes: list[tuple[dt.datetime, str]]
    history: list[tuple[dt.datetime, str, str, str]]  # at, field, from, to


def seed_texts() -> list[str]:
    from imtrack.ingest.parser import parse_text

    texts = [p.text for p in parse_text(SEED_FILE.read_text(encoding="utf-8"))]
    if not texts:
        raise SystemExit(f"bench: no measures parsed from {SEED_FILE}")
    return texts


def synthetic_rows(n: int) -> list[Row]:
    from imtrack.domain.models import Status
    from imtrack.vocab.sectors import SECTORS

    texts = seed_texts()
    statuses = [s.value for s in Status]
    rows = []
    for i in range(n):
        text = texts[i % len(texts)]
        batch = i // len(texts)
        if batch:  # same wording across documents happens, but not 3,000 times
            text = f"{text[:-1]}（第{batch + 1}批，{AGENCIES[batch % len(AGENCIES)]}牵头）。"
        sector = SECTORS[i % len(SECTORS)].slug
        status = statuses[(i // len(SECTORS)) % len(statuses)]
        created = BASE + dt.timedelta(minutes=i)
        notes = [(created + dt.timedelta(days=7 * (k + 1)), NOTES[(i + k) % len(NOTES)]) for k in range(3)]
        mid = "in-progress" if status != "in-progress" else "blocked"
        history = [(created + dt.timedelta(days=10), "status", "not-started", mid),
                   (created + dt.timedelta(days=30), "status", mid, status)]
        rows.append(Row(text, sector, status, AGENCIES[i % len(AGENCIES)], created, notes, history))
    return rows


def write_imtrack_db(path: Path | str, rows: list[Row]) -> None:
    """The ledger at `path` (a file, or a postgresql:// URL of an empty database), in one
    transaction through imtrack's own store, so the format is the engine's real one."""
    from imtrack.config import locate
    from imtrack.domain.models import Change, Measure, Note
    from imtrack.storage.engines import open_store

    if isinstance(path, Path) and path.exists():
        path.unlink()
    store = open_store(locate(str(path), "bench"), seed=None)
    with store.transaction() as ledger:
        for r in rows:
            ledger.add(Measure(
                id=0, text=r.text, sector=r.sector, status=r.status,
                source="国务院关于推动内蒙古高质量发展奋力书写中国式现代化新篇章的意见（国发〔2023〕16号）",
                section="七个方面主要任务", lead=r.lead, partners=[AGENCIES[0]],
                created=r.created.isoformat(), updated=r.history[-1][0].isoformat(),
                notes=[Note(at.isoformat(), t) for at, t in r.notes],
                history=[Change(at.isoformat(), f, old, new) for at, f, old, new in r.history],
            ))
    store.close()


def _tw_escape(value: str) -> str:
    # Taskwarrior 2.6's FF4 line format: JSON string escapes, then [ and ] as &open; &close;.
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value.replace("[", "&open;").replace("]", "&close;")


def _tw_line(attrs: dict[str, str]) -> str:
    return "[" + " ".join(f'{k}:"{_tw_escape(v)}"' for k, v in sorted(attrs.items())) + "]\n"


def write_taskwarrior_data(data: Path, rows: list[Row]) -> int:
    """pending.data and completed.data in Taskwarrior's own file format (what `task import` writes;
    importing 100k tasks through `task import` is quadratic). Notes become annotations; done
    measures are completed tasks, in-progress ones are started, blocked ones carry +blocked.
    Returns the number of pending tasks (Taskwarrior ids run 1..that)."""
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    pending = completed = 0
    with open(data / "pending.data", "w", encoding="utf-8") as pf, \
            open(data / "completed.data", "w", encoding="utf-8") as cf:
        for i, r in enumerate(rows):
            attrs = {
                "uuid": f"{i:08x}-0000-4000-8000-{i:012x}",
                "description": r.text,
                "project": r.sector,
                "entry": str(int(r.created.timestamp())),
                "modified": str(int(r.history[-1][0].timestamp())),
                "status": "pending",
            }
            for at, text in r.notes:
                attrs[f"annotation_{int(at.timestamp())}"] = text
            if r.status == "done":
                attrs["status"] = "completed"
                attrs["end"] = attrs["modified"]
            elif r.status == "in-progress":
                attrs["start"] = str(int(r.history[0][0].timestamp()))
            elif r.status == "blocked":
                attrs["tags"] = "blocked"
                attrs["tags_blocked"] = "x"
            if attrs["status"] == "completed":
                cf.write(_tw_line(attrs))
                completed += 1
            else:
                pf.write(_tw_line(attrs))
                pending += 1
    for name in ("undo.data", "backlog.data"):
        (data / name).touch()
    return pending


def write_taskrc(rc: Path, data: Path) -> None:
    rc.write_text(
        f"data.location={data}\n"
        "confirmation=no\nverbose=nothing\ncolor=off\nhooks=off\ndetection=off\n"
        "defaultwidth=120\nrecurrence=off\nnews.version=2.6.0\n",
        encoding="utf-8",
    )


# -- running and timing ---------------------------------------------------------------------------

@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process tree
    maxrss_kb: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def cpu_min(self) -> float | None:
        """The least CPU time of the runs: on a machine shared with other work, wall times
        stretch with the load while the CPU a command needs does not."""
        return min(self.cpu) if self.cpu else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.maxrss_kb) / 1024 if self.maxrss_kb else None


def _gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if path is None:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = _gnu_time()
# Peak RSS: a forked child starts with its parent's resident pages counted in its high-water mark
# (Linux keeps it across exec), so wait4() on a child of this (large) process over-reports small
# programs. GNU time is a small parent; without it the figure has the bench process as its floor.
MEMORY_METHOD = ("GNU time %M (peak RSS of the process itself)" if GNU_TIME else
                 "wait4 ru_maxrss (floor: the bench process's own RSS; install GNU time for exact figures)")


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:  # EIO: the terminal's last writer has gone
        pass
    finally:
        os.close(fd)


def run_once(cmd: list[str], env: dict[str, str], sample: Sample | None, tty: bool = False) -> None:
    """Spawn, wait, record wall time and that process's own peak RSS. With `tty`, stdout is a
    pseudo-terminal (what a person at a terminal gets), drained by a thread; else /dev/null."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        full = [GNU_TIME, "-q", "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd
        start = time.perf_counter()
        if tty:
            master, slave = pty.openpty()
            reader = threading.Thread(target=_drain, args=(master,))
            reader.start()
            proc = subprocess.Popen(full, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=err)
            os.close(slave)
        else:
            proc = subprocess.Popen(full, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        if tty:
            reader.join()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            line = f"{' '.join(cmd[-4:])}: exit {proc.returncode}: {message[0]}"
            if sample is None:
                raise SystemExit(f"bench: warm-up failed: {line}")
            sample.errors.append(line)
            return
        maxrss = usage.ru_maxrss  # KiB on Linux
        cpu = usage.ru_utime + usage.ru_stime  # the child's, with the descendants it waited for
        if GNU_TIME:
            maxrss = int(rss.read().strip().splitlines()[-1])
    if sample is not None:
        sample.seconds.append(elapsed)
        sample.cpu.append(cpu)
        sample.maxrss_kb.append(maxrss)


def ensure_bytecode() -> str:
    """Compile the imported imtrack package's bytecode, as pip does on a normal install: with
    an editable install and PYTHONDONTWRITEBYTECODE set, every run would otherwise compile
    every imtrack module again (~50 ms that no installed copy pays). Returns the directory."""
    import compileall

    import imtrack

    package = Path(imtrack.__file__).resolve().parent
    compileall.compile_dir(package, quiet=1)
    return str(package)


def imtrack_command() -> list[str]:
    script = Path(sys.executable).with_name("imtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "imtrack"]


@dataclass
class Op:
    name: str
    imtrack: list[str] | list[list[str]]  # one command, or several used in turn (writes)
    task: list[str] | list[list[str]] | None
    tty: bool = False  # stdout is a terminal (tables), else /dev/null
    target: bool = True  # False: shown for comparison, not one of the targets

    def pick(self, which: str, i: int) -> list[str]:
        cmd = self.imtrack if which == "imtrack" else self.task
        assert cmd is not None
        return cmd[i % len(cmd)] if isinstance(cmd[0], list) else cmd  # type: ignore[return-value]


def operations(imtrack_id: int | str = "N", task_id: int | str = "N") -> list[Op]:
    n, t = str(imtrack_id), str(task_id)
    return [
        Op("list (table)", ["list"], ["project:transport", "list"], tty=True),
        # The same records on both sides: one sector's measures, one project's tasks.
        Op("list --sector transport --format json", ["list", "--sector", "transport", "--format", "json"],
           ["project:transport", "export"]),
        Op("show N", ["show", n], [t, "info"]),
        Op("note N TEXT", ["note", n, NOTE_TEXT], [t, "annotate", NOTE_TEXT]),
        Op("set-status N STATUS", [["set-status", n, "blocked"], ["set-status", n, "in-progress"]],
           [[t, "modify", "priority:H"], [t, "modify", "priority:L"]]),
        Op("report", ["report"], ["summary"]),
        # `imtrack list` lists every measure while `task project:transport list` lists one
        # project's pending tasks (about 1/15 as many rows); this row lists the same selection.
        Op("list --sector transport (table)", ["list", "--sector", "transport"], ["project:transport", "list"],
           tty=True, target=False),
    ]


def measure_pair(a: tuple[list[str], dict], b: tuple[list[str], dict] | None, runs: int, warmup: int,
                 a_cmds: list[list[str]] | None = None, b_cmds: list[list[str]] | None = None,
                 tty: bool = False) -> tuple[Sample, Sample | None]:
    """Alternate a and b: warm-up rounds first, then `runs` timed rounds."""
    sa, sb = Sample(), (Sample() if b else None)
    for i in range(warmup + runs):
        timed = i >= warmup
        run_once(a_cmds[i % len(a_cmds)] if a_cmds else a[0], a[1], sa if timed else None, tty)
        if b:
            run_once(b_cmds[i % len(b_cmds)] if b_cmds else b[0], b[1], sb if timed else None, tty)
    return sa, sb


# -- the SQL engines ------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if int(x) > 0]


WRITER = """
import sys
from imtrack.config import locate
from imtrack.domain.models import Note
from imtrack.storage.engines import open_store

name, who, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(locate(name, "bench"), command="note")
for i in range(writes):
    with store.transaction() as tx:
        m = tx.get(1 + i % 3)
        m.notes.append(Note("2026-03-02T09:00:00+08:00", f"{who}-{i}", tx.txn, tx.author))
        tx.mark_changed(m)
store.close()
"""


def concurrent_writers(name: str, writes: int, env: dict[str, str]) -> tuple[float, int]:
    """WRITERS processes, each `writes` commands adding a note to one of three shared measures,
    all at once; the wall time and how many of those notes the ledger then holds."""
    from imtrack.config import locate
    from imtrack.storage.engines import open_store

    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, f"writer{k}", str(writes)], env=env,
                              stderr=subprocess.PIPE, text=True) for k in range(WRITERS)]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode:
            raise SystemExit(f"bench: a concurrent writer failed: {err.strip().splitlines()[-1:]}")
    elapsed = time.perf_counter() - start
    store = open_store(locate(name, "bench"))
    try:
        found = sum(1 for m in store.get_many([1, 2, 3]) for n in m.notes if n.text.startswith("writer"))
    finally:
        store.close()
    return elapsed, found


class _Postgres:
    """Where the PostgreSQL ledgers live: the database --pg-url names, or fresh databases on a
    private throwaway server (tests/pgserver.py), stopped at the end."""

    def __init__(self, url: str | None) -> None:
        self.url, self.server, self.used = url, None, False

    def database(self) -> str:
        if self.url:
            if self.used:
                raise SystemExit("bench: --pg-url holds one ledger; give one --pg-sizes value")
            self.used = True
            return self.url
        if self.server is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from pgserver import PgServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("bench: PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
            self.server = PgServer(bindir)
        return self.server.database()

    def size(self, url: str) -> int:
        import psycopg

        with psycopg.connect(url) as conn:
            return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def sql_engines(plan: list[tuple[str, int]], args: argparse.Namespace, work: Path, base_env: dict[str, str],
                im: list[str], task: str | None, say) -> list[tuple[str, str, bool | None]]:
    """The operations on SQLite and PostgreSQL beside Taskwarrior at the same sizes, peak memory
    against the file, and 8 concurrent writers; returns the verdicts of their targets."""
    verdicts: list[tuple[str, str, bool | None]] = []
    table: dict[tuple[str, int], dict[str, tuple[Sample, Sample | None]]] = {}
    sizes: dict[tuple[str, int], int] = {}
    writers: dict[tuple[str, int], tuple[float, int, int]] = {}
    tw_data: dict[int, tuple[dict[str, str] | None, int]] = {}
    postgres = _Postgres(args.pg_url)
    try:
        for engine, n in plan:
            t_gen = time.perf_counter()
            rows = synthetic_rows(n)
            name = str(work / f"imtrack-{n}.sqlite") if engine == "sqlite" else postgres.database()
            write_imtrack_db(Path(name) if engine == "sqlite" else name, rows)
            sizes[(engine, n)] = Path(name).stat().st_size if engine == "sqlite" else postgres.size(name)
            if n not in tw_data:
                tenv, task_id = None, 1
                if task:
                    tw = work / f"task-{n}"
                    if not (tw / "rc").exists():
                        write_taskwarrior_data(tw / "data", rows)
                        write_taskrc(tw / "rc", tw / "data")
                    task_id = max(1, sum(1 for r in rows if r.status != "done") // 2)
                    tenv = {**base_env, "TASKRC": str(tw / "rc"), "TASKDATA": str(tw / "data")}
                tw_data[n] = (tenv, task_id)
            tenv, task_id = tw_data[n]
            del rows
            print(f"bench: {engine} {n} measures written in {time.perf_counter() - t_gen:.1f}s "
                  f"({sizes[(engine, n)] / 1e6:.1f} MB)", file=sys.stderr, flush=True)
            env = {**base_env, "IMTRACK_DB": name}
            runs = 1 if args.quick else (args.runs or (3 if n >= 100_000 else 5))
            warm = 0 if args.quick else 1
            results = table[(engine, n)] = {}
            for op in operations(n // 2 + 1, task_id):
                icmds = [[*im, *op.pick("imtrack", i)] for i in range(2)]
                tcmds = [[task, *op.pick("task", i)] for i in range(2)] if task and op.task else None
                si, st = measure_pair((icmds[0], env), (tcmds[0], tenv) if tcmds else None, runs, warm,
                                      a_cmds=icmds, b_cmds=tcmds, tty=op.tty)
                results[op.name] = (si, st)
                for e in si.errors + (st.errors if st else []):
                    print(f"bench: ERROR {e}", file=sys.stderr)
            writes = 5 if args.quick else WRITES
            elapsed, found = concurrent_writers(name, writes, base_env)
            writers[(engine, n)] = (elapsed, found, WRITERS * writes)
    finally:
        postgres.stop()

    say("## SQL engines (median of whole-process wall time; peak = max RSS of one process)\n")
    say("| engine | measures | imtrack | ms | peak MB | Taskwarrior | ms | peak MB | ratio |")
    say("|---|---:|---|---:|---:|---|---:|---:|---:|")
    for (engine, n), results in table.items():
        for op in operations():
            si, st = results[op.name]
            tname = " ".join(op.pick("task", 0)) if op.task else "—"
            fails = " (FAILED)" if si.errors else ""
            fails += "" if op.target else " (like for like; no target)"
            say(f"| {engine} | {n:,} | `{op.name}`{fails} | {ms(si.median)} | {mb(si.peak_mb)} | `task {tname}` "
                f"| {ms(st.median if st else None)} | {mb(st.peak_mb if st else None)} "
                f"| {fmt_ratio(ratio(si.median, st.median if st else None))} |")
    say()
    say("Ledger sizes: " + ", ".join(f"{e} {n:,}: {b / 1e6:.1f} MB" for (e, n), b in sizes.items()) + "\n")
    say(f"Concurrent writers ({WRITERS} processes at once, each one command per note on three shared measures):\n")
    say("| engine | measures | notes written | notes found | seconds | commands/s |")
    say("|---|---:|---:|---:|---:|---:|")
    for (engine, n), (elapsed, found, expected) in writers.items():
        say(f"| {engine} | {n:,} | {expected} | {found} | {elapsed:.1f} | {expected / elapsed:.0f} |")
        verdicts.append((f"{engine} {n:,}: {WRITERS} concurrent writers lose nothing ({expected / elapsed:.0f} commands/s)",
                         f"{found}/{expected}", found == expected))  # fmt: skip
    say()
    for (engine, n), results in table.items():
        limit = TARGET_RATIO_SQLITE if engine == "sqlite" else TARGET_RATIO_PG
        if n < 10_000:
            continue  # the targets are for 10k and more (quick runs still exercise the rows)
        for op in (op for op in operations() if op.target):
            si, st = results[op.name]
            r = ratio(si.median, st.median if st else None)
            verdicts.append((f"{engine} {n // 1000}k `{op.name}` ≤ {limit}x Taskwarrior", fmt_ratio(r),
                             None if r is None else r <= limit))
        if engine == "sqlite" and n >= 100_000:
            peak = max((si.peak_mb or 0) for si, _ in results.values())
            file_mb = sizes[(engine, n)] / 2**20
            verdicts.append((f"sqlite {n // 1000}k peak memory ≤ {TARGET_MEMORY_SQLITE}x the file ({file_mb:.0f} MB)",
                             f"{peak:.0f} MB = {peak / file_mb:.2f}x", peak <= TARGET_MEMORY_SQLITE * file_mb))
    return verdicts


# -- the report -----------------------------------------------------------------------------------

def ms(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:.0f}"


def mb(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}x"


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    u = platform.uname()
    return (f"{u.system} {u.release} {u.machine}; CPU {cpu or 'unknown'} x{os.cpu_count()}; "
            f"Python {platform.python_version()} ({sys.executable})")


def versions(task: str | None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("imtrack", "typer", "rich", "tinydb", "orjson"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} absent")
    if task:
        out = subprocess.run([task, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        parts.append(f"Taskwarrior {out}")
    else:
        parts.append("Taskwarrior absent")
    return ", ".join(parts)


TARGET_RICH_REFERENCE = 1.2


def ui_rows(im: list[str], env: dict[str, str], work: Path, runs: int, warm: int, say,
            verdicts: list[tuple[str, str, bool | None]]) -> None:
    """Issue 12: what Rich costs. `imtrack list` and `imtrack report` on a terminal beside a
    reference that imports typer and prints the seed's 34 measures as a Rich table
    (bench/rich_reference.py, the same columns and texts), and `list --format json` beside
    `import typer` (Rich never imported there)."""
    rows = work / "seed-rows.json"
    with rows.open("w", encoding="utf-8") as fh:
        subprocess.run([*im, "list", "--format", "json"], env=env, stdout=fh, check=True)
    py = sys.executable
    reference = [py, str(HERE / "rich_reference.py"), str(rows)]
    say("## Tables on Rich (the seed database, 34 measures, stdout a terminal)\n")
    say("| command | median ms | baseline | baseline ms | ratio | target |")
    say("|---|---:|---|---:|---:|---|")
    for cmd, base, name, tty in (
        (["list"], reference, "rich_reference.py (typer + a Rich table of the 34)", True),
        (["report"], reference, "rich_reference.py (typer + a Rich table of the 34)", True),
        (["list", "--format", "json"], [py, "-c", "import typer"], "import typer", False),
    ):
        si, sb = measure_pair(([*im, *cmd], env), (base, env), runs, warm, tty=tty)
        r = ratio(si.median, sb.median if sb else None)
        ok = None if r is None else r <= TARGET_RICH_REFERENCE
        label = f"imtrack {' '.join(cmd)}"
        verdicts.append((f"{label} vs {name}", fmt_ratio(r), ok))
        say(f"| `{label}` | {ms(si.median)} | {name} | {ms(sb.median if sb else None)} | {fmt_ratio(r)} "
            f"| <= {TARGET_RICH_REFERENCE} |")
    say()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k only, one run, no warm-up (for CI)")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 1000,10000")
    ap.add_argument("--runs", type=int, help="timed runs per operation (default 5; 3 at 100k)")
    ap.add_argument("--write-results", action="store_true", help="write bench/RESULTS.md even with --quick/--sizes")
    ap.add_argument("--workdir", type=Path, help="keep the generated data here instead of a temp dir")
    ap.add_argument("--ui-only", action="store_true", help="only the Rich rows (ui_rows); writes nothing")
    ap.add_argument("--sqlite-sizes", type=_sizes, help="SQLite ledgers (default 10000,100000; --quick: 1000; 0: none)")
    ap.add_argument("--pg-sizes", type=_sizes, help="PostgreSQL ledgers (default 10000; --quick: 1000; 0: none)")
    ap.add_argument("--pg-url", help="an empty PostgreSQL database to use (one size); default: a private server")
    args = ap.parse_args(argv)

    sizes = args.sizes or ([1000] if args.quick else [1000, 10_000])
    write_results = args.write_results or not (args.quick or args.sizes)
    task = shutil.which("task")
    if task is None:
        print("bench: Taskwarrior (`task`) not found; measuring imtrack alone. To compare, install it:\n"
              "    sudo apt-get install taskwarrior    (Debian/Ubuntu; the figures here used 2.6.2)\n",
              file=sys.stderr)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="imtrack-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("IMTRACK_", "TASK"))}
    # the data-file cache (imtrack/datacache.py) in the work directory, not the user's
    base_env.update(COLUMNS="120", LC_ALL="C.UTF-8", NO_COLOR="1", IMTRACK_CACHE_DIR=str(work / "cache"))
    im = imtrack_command()
    compiled = ensure_bytecode()
    print(f"bench: compiled the bytecode of {compiled}", file=sys.stderr)
    out: list[str] = []
    verdicts: list[tuple[str, str, bool | None]] = []
    t0 = time.perf_counter()

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    # -- start-up ------------------------------------------------------------------------------
    seed_db = work / "seed.json"
    env = {**base_env, "IMTRACK_DB": str(seed_db)}
    subprocess.run([*im, "list", "--format", "json"], env=env, stdout=subprocess.DEVNULL, check=True)
    runs = 1 if args.quick else (args.runs or 15)
    warm = 0 if args.quick else 2
    py = sys.executable
    ui_rows(im, env, work, runs, warm, say, verdicts)
    if args.ui_only:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    say("## Start-up (the seed database, 34 measures)\n")
    say("| command | median ms | baseline | baseline ms | ratio | target |")
    say("|---|---:|---|---:|---:|---|")
    for cmd, base, target, tty in (
        (["list", "--format", "json"], "import typer", TARGET_STARTUP_JSON, False),
        (["list"], "import typer, rich.console, rich.table", TARGET_STARTUP_TABLE, True),
    ):
        si, sb = measure_pair(([*im, *cmd], env), ([py, "-c", base], env), runs, warm, tty=tty)
        r = ratio(si.median, sb.median if sb else None)
        ok = None if r is None else r <= target
        name = f"imtrack {' '.join(cmd)}"
        say(f"| `{name}` | {ms(si.median)} | `python -c \"{base}\"` | {ms(sb.median if sb else None)} "
            f"| {fmt_ratio(r)} | ≤ {target}x {'met' if ok else 'MISSED'} |")
        verdicts.append((f"start-up `{name}` ≤ {target}x `{base}`", fmt_ratio(r), ok))
    say()

    # -- the operations at each size ---------------------------------------------------------
    table: dict[tuple[int, str], tuple[Sample, Sample | None]] = {}
    db_sizes: dict[int, int] = {}
    for n in sizes:
        t_gen = time.perf_counter()
        rows = synthetic_rows(n)
        db = work / f"imtrack-{n}.json"
        write_imtrack_db(db, rows)
        db_sizes[n] = db.stat().st_size
        env = {**base_env, "IMTRACK_DB": str(db)}
        tenv = None
        task_id = 1
        if task:
            tw = work / f"task-{n}"
            task_id = max(1, write_taskwarrior_data(tw / "data", rows) // 2)
            write_taskrc(tw / "rc", tw / "data")
            tenv = {**base_env, "TASKRC": str(tw / "rc"), "TASKDATA": str(tw / "data")}
        del rows
        print(f"bench: {n} measures generated in {time.perf_counter() - t_gen:.1f}s "
              f"(imtrack file {db_sizes[n] / 1e6:.1f} MB)", file=sys.stderr, flush=True)
        runs = 1 if args.quick else (args.runs or (3 if n >= 100_000 else 5))
        warm = 0 if args.quick else 1
        for op in operations(n // 2 + 1, task_id):
            icmds = [[*im, *op.pick("imtrack", i)] for i in range(2)]
            tcmds = [[task, *op.pick("task", i)] for i in range(2)] if task and op.task else None
            si, st = measure_pair((icmds[0], env), (tcmds[0], tenv) if tcmds else None, runs, warm,
                                  a_cmds=icmds, b_cmds=tcmds, tty=op.tty)
            table[(n, op.name)] = (si, st)
            for e in si.errors + (st.errors if st else []):
                print(f"bench: ERROR {e}", file=sys.stderr)

    say("## Operations (median of whole-process wall time; peak = max RSS of one process)\n")
    say("| measures | imtrack | ms | peak MB | Taskwarrior | ms | peak MB | ratio |")
    say("|---:|---|---:|---:|---|---:|---:|---:|")
    for n in sizes:
        for op in operations():
            si, st = table[(n, op.name)]
            tname = " ".join(op.pick("task", 0)) if op.task else "—"
            fails = " (FAILED)" if si.errors else ""
            fails += "" if op.target else " (like for like; no target)"
            say(f"| {n:,} | `{op.name}`{fails} | {ms(si.median)} | {mb(si.peak_mb)} | `task {tname}` "
                f"| {ms(st.median if st else None)} | {mb(st.peak_mb if st else None)} "
                f"| {fmt_ratio(ratio(si.median, st.median if st else None))} |")
    say()
    say("Database files: " + ", ".join(f"{n:,}: {s / 1e6:.1f} MB" for n, s in db_sizes.items()) + "\n")

    # -- targets -----------------------------------------------------------------------------
    if 1000 in sizes:
        # Each reading command again, alternating with a minimal Typer app (what "within 20 ms
        # of" is measured from), so that a busy machine slows both alike.
        env = {**base_env, "IMTRACK_DB": str(work / "imtrack-1000.json")}
        say("## 1k reading commands beside a minimal Typer app (the same rounds)\n")
        say("| imtrack | ms | minimal Typer app ms | difference | CPU ms (least) | minimal app CPU ms | CPU difference |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for op in (op for op in operations(501) if op.name in READING):
            si, sm = measure_pair(([*im, *op.pick("imtrack", 0)], env), ([sys.executable, "-c", MINIMAL_TYPER], env),
                                  1 if args.quick else (args.runs or 7), 0 if args.quick else 1, tty=op.tty)
            gap = None if si.median is None or sm is None or sm.median is None else si.median - sm.median
            cgap = None if si.cpu_min is None or sm is None or sm.cpu_min is None else si.cpu_min - sm.cpu_min
            say(f"| `{op.name}` | {ms(si.median)} | {ms(sm.median if sm else None)} | "
                f"{'—' if gap is None else f'{gap * 1000:+.0f}'} | {ms(si.cpu_min)} | "
                f"{ms(sm.cpu_min if sm else None)} | {'—' if cgap is None else f'{cgap * 1000:+.0f}'} |")
            verdicts.append((f"1k `{op.name}` within {TARGET_READ_1K_MS} ms of a minimal Typer app (wall; CPU)",
                             ("—" if gap is None else f"{gap * 1000:+.0f} ms")
                             + ("" if cgap is None else f"; CPU {cgap * 1000:+.0f} ms"),
                             None if gap is None else gap * 1000 <= TARGET_READ_1K_MS))
        say()
        # What a write adds: `note` and `set-status` alternating with `show` of the same measure.
        say("## 1k writes beside `show N` (the same rounds)\n")
        say("| imtrack | ms | `show N` ms | difference |")
        say("|---|---:|---:|---:|")
        show = [*im, "show", "501"]
        for op in (op for op in operations(501) if op.name in ("note N TEXT", "set-status N STATUS")):
            wcmds = [[*im, *op.pick("imtrack", i)] for i in range(2)]
            sw, ss = measure_pair((wcmds[0], env), (show, env), 1 if args.quick else (args.runs or 7),
                                  0 if args.quick else 1, a_cmds=wcmds)
            extra = None if sw.median is None or ss is None or ss.median is None else sw.median - ss.median
            say(f"| `{op.name}` | {ms(sw.median)} | {ms(ss.median if ss else None)} | "
                f"{'—' if extra is None else f'{extra * 1000:+.0f}'} |")
            verdicts.append((f"1k `{op.name}`: what a write adds to `show N` (lock, encode, write, fsync; no target)",
                             "—" if extra is None else f"{extra * 1000:+.0f} ms", None))
        say()
    if 10_000 in sizes:
        for op in (op for op in operations() if op.target):
            si, st = table[(10_000, op.name)]
            r = ratio(si.median, st.median if st else None)
            verdicts.append((f"10k `{op.name}` ≤ {TARGET_RATIO_10K}x Taskwarrior", fmt_ratio(r),
                             None if r is None else r <= TARGET_RATIO_10K))
    # -- the SQL engines ----------------------------------------------------------------------
    quick = args.quick
    sqlite_sizes = args.sqlite_sizes if args.sqlite_sizes is not None else ([1000] if quick else [10_000, 100_000])
    pg_sizes = args.pg_sizes if args.pg_sizes is not None else ([1000] if quick else [10_000])
    plan = [("sqlite", n) for n in sqlite_sizes] + [("postgresql", n) for n in pg_sizes]
    if plan:
        verdicts += sql_engines(plan, args, work, base_env, im, task, say)

    say("## Targets\n")
    say("| target | figure | verdict |")
    say("|---|---:|---|")
    for name, figure, ok in verdicts:
        say(f"| {name} | {figure} | {'—' if ok is None else ('met' if ok else 'MISSED')} |")
    say()
    total = time.perf_counter() - t0
    print(f"bench: finished in {total:.0f}s; data in {work}", file=sys.stderr)

    if write_results:
        header = [
            "# imtrack benchmark results", "",
            (f"Generated by `python bench/bench.py` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
            f" in {total:.0f} s."), "",
            f"- Machine: {machine()}",
            f"- Versions: {versions(task)}",
            ("- Method: whole processes, alternating imtrack and Taskwarrior in each round; "
            "1-2 warm-up rounds, then the median of "
            + (f"{args.runs} runs. " if args.runs else "15 (start-up), 5 (1k, 10k) or 3 (100k) runs. ")
            + "`list (table)` and the start-up `imtrack list` write to a pseudo-terminal (what a person "
            "sees), the other operations to /dev/null, the same for both tools. imtrack's bytecode is "
            "compiled first (`compileall` of the imported package, as pip does on install), and its "
            "data-file cache is warm after the first run."),
            f"- Peak memory: {MEMORY_METHOD}.", "",
        ]
        notes = RESULTS.read_text(encoding="utf-8").split("<!-- notes -->", 1)[1] if RESULTS.exists() and \
            "<!-- notes -->" in RESULTS.read_text(encoding="utf-8") else "\n"
        RESULTS.write_text("\n".join(header + out) + "\n<!-- notes -->" + notes, encoding="utf-8")
        print(f"bench: wrote {RESULTS}", file=sys.stderr)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    failed = any(si.errors for si, _ in table.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
