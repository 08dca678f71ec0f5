"""Arguments whose bytes are not text in the locale's encoding (cli/arguments.py), `-` for
--output, and a property-based fuzz of the whole CLI with arbitrary argument bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GBK_BAOTOU = b"\xb0\xfc\xcd\xb7"  # 包头 in GBK: not UTF-8 (its last two bytes happen to be)
GBK_BAO = b"\xb0\xfc"  # 包: no byte of it is UTF-8


def _imtrack(*args: bytes | str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The installed entry point with real argv bytes, as a GBK script would pass them."""
    argv = [sys.executable, "-m", "imtrack", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"}
    return subprocess.run(argv, check=False, cwd=cwd, env=env, capture_output=True, timeout=60)


def _clean_refusal(result: subprocess.CompletedProcess[bytes], code: int = 2) -> str:
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("imtrack: error: ") and stderr.count("\n") == 1, stderr
    return stderr


@pytest.mark.parametrize(
    "args",
    [
        ["note", "25", GBK_BAOTOU],
        ["update", "25", "--lead", GBK_BAOTOU],
        ["update", "25", "--note", b"ok " + GBK_BAOTOU],
        ["set-status", "25", GBK_BAOTOU],
        ["list", "--grep", GBK_BAOTOU],
        ["import", "x.txt", "--source", GBK_BAOTOU],
    ],
)
def test_undecodable_text_arguments_are_refused_before_anything_is_read(tmp_path, db_path, args):
    _imtrack("list", cwd=tmp_path)  # create the database
    before = db_path.read_bytes()
    stderr = _clean_refusal(_imtrack(*args, cwd=tmp_path))
    assert "is not UTF-8 text" in stderr and "the bytes b0 fc" in stderr
    assert "包头)" in stderr  # what the user meant, read as GB18030, to recognise it
    assert "nothing was changed" in stderr
    assert db_path.read_bytes() == before


@pytest.fixture(scope="module")
def gbk_locale(tmp_path_factory) -> Path:
    """A zh_CN.GBK locale built into a temp dir (LOCPATH), as on a GBK office machine."""
    import shutil

    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/zh_CN").exists():
        pytest.skip("localedef or the zh_CN locale source is not installed")
    where = tmp_path_factory.mktemp("locales")
    subprocess.run(["localedef", "-i", "zh_CN", "-f", "GBK", str(where / "zh_CN.GBK")], check=False, capture_output=True)
    if not (where / "zh_CN.GBK").exists():
        pytest.skip("localedef could not build zh_CN.GBK")
    return where


def test_in_a_gbk_locale_the_same_bytes_are_decoded_as_the_locale_says(tmp_path, db_path, gbk_locale, run):
    env = {**os.environ, "LOCPATH": str(gbk_locale), "LC_ALL": "zh_CN.GBK", "PYTHONUTF8": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "imtrack", b"note", b"25", GBK_BAOTOU], cwd=tmp_path, env=env, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    notes = json.loads(run.ok("show", "25", "-f", "json").stdout)["notes"]
    assert [n["text"] for n in notes] == ["包头"]


def test_an_undecodable_file_name_is_a_file_name(tmp_path, db_path):
    name = GBK_BAO + b".txt"
    (tmp_path / os.fsdecode(name)).write_text("■ 支持包头建设稀土新材料基地。\n", encoding="utf-8")
    # the file name would become the source name: say so and how to give one
    stderr = _clean_refusal(_imtrack("import", name, cwd=tmp_path))
    assert "the file name \\xb0\\xfc.txt is not text" in stderr and "--source NAME" in stderr
    done = _imtrack("import", name, "--source", "分工方案", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Imported \\xb0\\xfc.txt (utf-8) as source '\xe5\x88\x86" in done.stdout
    # a missing one is named with its bytes escaped
    stderr = _clean_refusal(_imtrack("import", b"\xff.txt", cwd=tmp_path), code=1)
    assert "no such file: \\xff.txt" in stderr


def test_export_output_with_undecodable_bytes_writes_that_file(tmp_path, db_path):
    name = GBK_BAO + b".csv"
    result = _imtrack("export", "-f", "csv", "--output", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "exported 34 measures to \\xb0\\xfc.csv (csv)\n"
    written = tmp_path / os.fsdecode(name)
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")  # the sheet itself, with its BOM
    assert os.fsencode(written.name) == name  # the very bytes typed


def test_a_database_path_with_undecodable_bytes_is_used_and_shown_escaped(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(GBK_BAO + b".json")
    assert run.ok("--db", name, "path").stdout.startswith("database:     \\xb0\\xfc.json  (from --db")
    assert '"database": "\\\\xb0\\\\xfc.json"' in run.ok("--db", name, "path", "-f", "json").stdout
    run.ok("--db", name, "note", "25", "记录")
    assert os.fsencode(name) in [os.fsencode(p.name) for p in tmp_path.iterdir()]


def test_unknown_command_or_option_with_undecodable_bytes_is_a_usage_error(tmp_path, db_path):
    assert "No such command '\\xb0\\xfc'" in _clean_refusal(_imtrack(GBK_BAO, cwd=tmp_path))
    refusal = _clean_refusal(_imtrack("list", b"--\xff", cwd=tmp_path))
    assert "No such option" in refusal and "--\\xff" in refusal  # click words it by version


def test_version_and_help_win_over_undecodable_bytes(tmp_path, db_path):
    version = _imtrack("--version", b"\xff", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.decode().count("imtrack ") == 1
    helped = _imtrack("list", "--help", b"\xff", cwd=tmp_path)
    assert helped.returncode == 0 and b"--grep" in helped.stdout, helped.stderr


def test_output_dash_means_stdout(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for fmt in ("csv", "json", "markdown"):
        result = run.ok("export", "-f", fmt, "--output", "-")
        assert "exported 34 measures" not in result.stdout  # the data alone: it may be piped on
        assert not (tmp_path / "-").exists()
    assert run.ok("export", "-f", "csv", "-o", "-").stdout.startswith("\ufeff序号,任务")
    # ./- is still a file of that name
    assert run.ok("export", "-f", "csv", "-o", "./-").stdout == "exported 34 measures to ./- (csv)\n"
    assert (tmp_path / "-").read_bytes().startswith(b"\xef\xbb\xbf")


def test_xlsx_to_stdout_only_when_piped(tmp_path, db_path):
    piped = _imtrack("export", "-f", "xlsx", "-o", "-", cwd=tmp_path)
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK\x03\x04"), piped.stderr
    assert not (tmp_path / "-").exists()


# -- the fuzz: any argument bytes, never a traceback -------------------------------------------

COMMANDS = [
    "list", "show", "note", "set-sector", "reclassify", "sectors", "path", "set-status", "update",
    "undo", "log", "report", "import", "sources", "export",
]
TOKENS = [
    "25", "0", "-1", "99999999999999999999", "--db", "--format", "-f", "json", "csv", "xlsx",
    "markdown", "--output", "-o", "-", "--since", "--until", "--due", "--lead", "--partner",
    "--note", "--sector", "--status", "--grep", "--where-sector", "--yes", "--dry-run", "--limit",
    "--progress", "--by", "--source", "--encoding", "transport", "交通", "done", "已完成",
    "本月", "2026-11", "一季度", "-7d", "none", "", "x.txt", "--help",
]
_ARG = st.one_of(
    st.sampled_from(TOKENS),
    st.binary(max_size=10).map(os.fsdecode),  # exactly what Python makes of argv bytes
    st.text(max_size=8),
)


_BYTES = st.binary(min_size=1, max_size=10).map(os.fsdecode)  # what Python makes of argv bytes
# Command lines that reach deep, with one value typed as arbitrary bytes (V).
TEMPLATES = [
    ["note", "25", "V"], ["update", "25", "--lead", "V"], ["update", "25", "--due", "V"],
    ["update", "25", "--partner", "V"], ["update", "25", "--tag", "V"], ["update", "25", "--note", "V"],
    ["set-status", "25", "V"], ["set-status", "25", "done", "--note", "V"], ["set-sector", "25", "V"],
    ["list", "--grep", "V"], ["list", "--lead", "V"], ["list", "--due-before", "V"], ["show", "V"],
    ["report", "--since", "V"], ["report", "--since", "本月", "--until", "V"], ["log", "--since", "V"],
    ["import", "V"], ["import", "V", "--source", "V"], ["export", "-f", "csv", "-o", "V"],
    ["export", "-f", "json", "--output", "V"], ["--db", "V", "list"], ["--db", "V", "path"], ["V"],
]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    if draw(st.booleans()):
        return [draw(_BYTES) if a == "V" else a for a in draw(st.sampled_from(TEMPLATES))]
    return [draw(st.sampled_from(COMMANDS)), *draw(st.lists(_ARG, max_size=6))]


@given(argv=command_lines())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzz_any_argument_bytes_give_exit_0_1_or_2_and_no_traceback(run, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)  # --output and --db write here, never into the repository
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-23T10:00:00+08:00")
    args = [a.replace("\x00", "") for a in argv]  # NUL cannot be in a real argv
    result = run(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, args
    if result.exit_code:
        assert result.stderr.startswith("imtrack: error: "), (args, result.stderr)
