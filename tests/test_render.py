"""Tables drawn by Rich (render.py) with our kinsoku fold (fold.py): East Asian widths, folding
with kinsoku, 80 columns, user text printed literally, the same text with ANSI styles on a
terminal, and machine formats that never import Rich."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imtrack.output import fold as folding
from imtrack.output.fold import NO_START, cell_width, cell_widths, fold
from imtrack.output.render import Folded, emit, short_column, table, text_column

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MARKUP = ["[bold]x[/]", "[link=https://example.com/a]链接[/link]", "[/]", "C:\\data\\[new]"]


def east_asian_width(text: str) -> int:
    """An independent measure: W/F two cells, combining and format characters none."""
    return sum(
        0 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf")
        else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


# -- widths -----------------------------------------------------------------------------------


def test_wide_ranges_are_wide_three_byte_characters():
    for a, b in re.findall(r"(.)-(.)", folding.WIDE):
        for code in range(ord(a), ord(b) + 1):
            ch = chr(code)
            assert unicodedata.east_asian_width(ch) in "WF" and not unicodedata.combining(ch), hex(code)
            assert len(ch.encode("utf-8")) == 3


@pytest.mark.parametrize(
    ("text", "cells"),
    [("", 0), ("abc", 3), ("中文", 4), ("（银）", 6), ("ａ", 2), ("10万", 4), ("é", 1), ("e\u0301", 1),
     ("\u200b", 0), ("—·①", 3), ("한국", 4), ("𠀀", 2)],
)
def test_cell_width(text, cells):
    assert cell_width(text) == cells


CJK_TEXT = st.text(
    alphabet=st.sampled_from(list("研究强化呼南通道与包银海铁路１２３abc 12-，。、；：？！）」』】〉》”’（「《“é\u0301—·")),
    max_size=80,
)


@given(st.lists(CJK_TEXT, max_size=30))
def test_bulk_widths_agree_with_cell_width(texts):
    many = texts + [f"{i}研究" for i in range(folding.BULK)]  # enough distinct strings for the bulk path
    widths = cell_widths(many)
    assert all(widths[t] == cell_width(t) == east_asian_width(t) for t in texts)


# -- folding and kinsoku ----------------------------------------------------------------------

CLOSING = "，。、；：？！）」』】〉》”’"
OPENING = "（「《“"
# Chinese-like text: words of 1-4 characters, each maybe followed by a closing mark or preceded by
# an opening one, so punctuation never runs longer than a line could hold.
WORD = st.tuples(
    st.sampled_from(["", *OPENING]),
    st.text(alphabet=st.sampled_from(list("研究强化呼南通道与包银海铁路数字经济东西部算力")), min_size=1, max_size=4),
    st.sampled_from(["", "", *CLOSING, "）。", "」，"]),
).map("".join)
CHINESE = st.lists(WORD, min_size=1, max_size=40).map("".join)


@settings(max_examples=300)
@given(CHINESE, st.integers(min_value=6, max_value=60))
def test_fold_never_starts_a_line_with_closing_punctuation(text, width):
    cuts = fold(text, width)
    lines = [text[a:b] for a, b, _ in cuts]
    assert "".join(lines) == text  # nothing lost, nothing added
    for line, (_, _, cells) in zip(lines, cuts):
        assert cells == cell_width(line) <= width
    for line in lines[1:]:
        assert line[0] not in NO_START, lines


@given(CJK_TEXT, st.integers(min_value=2, max_value=40))
def test_fold_keeps_every_character_and_the_width(text, width):
    cuts = fold(text, width)
    assert all(cell_width(text[a:b]) == w <= width or b - a == 1 for a, b, w in cuts)
    assert "".join(text[a:b] for a, b, _ in cuts).replace(" ", "") == text.replace(" ", "")


def test_kinsoku_moves_the_last_character_down():
    # 10 cells hold 5 characters; the 6th is "，", which must not start the next line
    assert [("研究强化呼，南通道"[a:b]) for a, b, _ in fold("研究强化呼，南通道", 10)] == ["研究强化", "呼，南通道"]
    # an opening bracket does not end a line: "（" moves down with what it opens
    assert [("研究强（呼南）"[a:b]) for a, b, _ in fold("研究强（呼南）", 8)] == ["研究强", "（呼南）"]
    # a closing pair moves down with the character before it
    assert [("研究强化）。呼南"[a:b]) for a, b, _ in fold("研究强化）。呼南", 10)] == ["研究强", "化）。呼南"]
    # no good break in reach: at least no line starts with "。"
    assert [("（与）。"[a:b]) for a, b, _ in fold("（与）。", 6)] == ["（", "与）。"]


def test_ascii_words_wrap_at_spaces():
    assert [("see the rail plan"[a:b]) for a, b, _ in fold("see the rail plan", 9)] == ["see the", "rail plan"]


# -- Rich tables with the fold ----------------------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from(list("研究强化呼南通道，。（）ab 12")), max_size=70)


def _text(doc, width: int = 80) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", str(width))
        emit(doc, out)
    return out.getvalue()


@settings(max_examples=100)
@given(st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=8), st.integers(40, 120))
def test_rich_tables_of_folded_cjk_fit_the_width_and_keep_every_character(rows, width):
    t = table()
    short_column(t, "ID", right=True)
    t.add_column("名称", max_width=16)
    text_column(t, "Measure")
    text_column(t, "Note")
    for i, (a, b, c) in enumerate(rows):
        t.add_row(str(i), Folded(a), Folded(b), Folded(c))
    out = _text([t, Folded("".join(r[1] for r in rows))], width)
    assert max(east_asian_width(line) for line in out.splitlines()) <= width
    assert re.sub(r"\s", "", out).count("研") == sum(("".join(r) + r[1]).count("研") for r in rows)
    lines = out.splitlines()
    assert lines[1].strip(" -") == ""  # the ASCII rule under the header


def test_a_folded_cell_never_starts_a_line_with_closing_punctuation():
    t = table()
    short_column(t, "ID")
    text_column(t, "Measure")
    t.add_row("1", Folded("研究强化呼，南通道" * 3))
    lines = _text([t], 20).splitlines()[2:]
    assert len(lines) > 1 and not [line for line in lines if line[4:5] in NO_START]


def test_list_and_show_fit_80_columns_by_east_asian_width(run):
    run.ok("note", "25", "完成第一段（包头至鄂尔多斯），下一步：验收。" * 4)
    for args in (["list"], ["show", "25"], ["report"], ["sources"], ["log"], ["sectors"]):
        out = run.ok(*args).stdout
        assert max(east_asian_width(line) for line in out.splitlines()) <= 80, args
        assert not any(line.endswith(" ") for line in out.splitlines()), args


def test_wrapped_lines_of_the_listing_never_start_with_closing_punctuation(run):
    out = run.ok("list").stdout.splitlines()
    start = out[0].index("Measure")
    continued = [line[start - 12:].strip() for line in out[2:-1] if not line[:4].strip()]
    assert continued and not [line for line in continued if line[:1] in NO_START]


# -- user text is text, on both paths ---------------------------------------------------------


def test_markup_looking_text_is_printed_literally_in_a_pipe(run):
    for text in MARKUP:
        run.ok("note", "3", text)
    run.ok("update", "3", "--lead", MARKUP[1], "--yes")
    show = run.ok("show", "3").stdout
    log = re.sub(r"\s+", "", run.ok("log").stdout)
    for text in MARKUP:
        assert text in show
        assert re.sub(r"\s+", "", text) in log


def _pty_run(args: list[str], env: dict[str, str]) -> str:
    """`imtrack ARGS` with stdout on a pseudo-terminal; what it wrote, \\r\\n made \\n."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "imtrack", *args], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.fixture
def cli_env(db_path, run):
    run.ok("note", "25", MARKUP[0])
    run.ok("note", "25", MARKUP[1])
    run.ok("set-status", "26", "done")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "FORCE_COLOR", "TTY_COMPATIBLE")}
    return {**env, "COLUMNS": "80", "IMTRACK_DB": str(db_path), "TERM": "xterm-256color"}


@pytest.mark.parametrize("args", [["list"], ["show", "25"], ["report"], ["log"]])
def test_terminal_output_is_the_piped_text_with_styles(cli_env, args):
    piped = subprocess.run([sys.executable, "-m", "imtrack", *args], capture_output=True, text=True,
                           encoding="utf-8", env=cli_env, check=True).stdout
    assert "\x1b[" not in piped
    styled = _pty_run(args, cli_env)
    assert "\x1b[" in styled  # headers bold, statuses coloured
    assert ANSI.sub("", styled) == piped
    if args[0] in ("show", "log"):
        for text in MARKUP[:2]:
            assert text in piped  # literally, not a style or a link


def test_terminal_colours_follow_no_color_and_dumb_terminals(cli_env):
    assert "\x1b[32m" in _pty_run(["list"], cli_env)  # 已完成 in green
    no_color = _pty_run(["list"], {**cli_env, "NO_COLOR": "1"})
    assert "\x1b[1m" in no_color and not re.search(r"\x1b\[[0-9;]*3[0-7]m", no_color)
    assert "\x1b[" not in _pty_run(["list"], {**cli_env, "TERM": "dumb"})


def test_force_color_styles_a_pipe(cli_env):
    out = subprocess.run([sys.executable, "-m", "imtrack", "list"], capture_output=True, text=True,
                         encoding="utf-8", env={**cli_env, "FORCE_COLOR": "1"}, check=True).stdout
    assert "\x1b[1mID\x1b[0m" in out


def test_tables_are_drawn_by_rich():
    from rich.table import Table as RichTable

    from imtrack.core.report import ProgressReport  # noqa: F401  (the report's rows)
    from imtrack.output import render

    doc = render.sectors_table({"transport": 2})
    assert isinstance(doc[0], RichTable)
    assert not hasattr(render, "layout") and not (Path(render.__file__).parent / "table.py").exists()


# -- machine formats never import Rich --------------------------------------------------------

NO_RICH = """
import json, sys
from imtrack.cli.app import app
for args in {commands!r}:
    try:
        app(args, prog_name="imtrack", standalone_mode=False)
    except SystemExit:
        pass
sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m == "rich" or m.startswith("rich."))))
"""


def test_json_csv_and_markdown_never_import_rich(db_path, run):
    run.ok("note", "25", "开工")
    commands = [["list", "-f", "json"], ["show", "25", "-f", "json"], ["report", "-f", "json"],
                ["report", "--since", "2020-01-01", "-f", "json"], ["log", "-f", "json"], ["sectors", "-f", "json"],
                ["sources", "-f", "json"], ["list", "-f", "csv"], ["list", "-f", "markdown"],
                ["show", "25", "-f", "markdown"], ["export", "--format", "csv", "--output", str(db_path) + ".csv"],
                ["update", "25", "--lead", "x", "--dry-run", "-f", "json"]]
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    result = subprocess.run([sys.executable, "-c", NO_RICH.format(commands=commands)], capture_output=True,
                            text=True, encoding="utf-8", env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert '"开工"' in result.stdout and "| 25 |" in result.stdout
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


# -- widths of reports ------------------------------------------------------------------------

LEADS = ["自治区工业和信息化厅", "呼和浩特市人民政府", "自治区发展改革委", "鄂尔多斯市人民政府"]


@pytest.mark.parametrize("columns", ["80", "120"])
def test_agency_names_are_never_folded_beside_their_numbers(run, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    for i, lead in enumerate(LEADS):
        run.ok("update", str(20 + i), "--lead", lead)
    out = run.ok("report", "--by", "lead").stdout.splitlines()
    for lead in LEADS:
        (line,) = [line for line in out if lead in line]  # whole, on one line
        assert line.startswith(lead) and line.split()[1].isdigit()
    assert max(east_asian_width(line) for line in out) <= int(columns)


def test_report_tables_keep_measure_texts_whole(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-21T10:00:00+08:00")
    run.ok("update", "25", "26", "--due", "2026-10-31", "--yes")
    run.ok("set-status", "25", "done")
    texts = {m["id"]: m["text"] for m in json.loads(run.ok("list", "-f", "json").stdout)}
    flat = re.sub(r"\s+", "", run.ok("report").stdout)
    assert re.sub(r"\s+", "", texts[26]) in flat  # the 督办 list: overdue, the whole text
    period = re.sub(r"\s+", "", run.ok("report", "--since", "2026-11-01").stdout)
    assert re.sub(r"\s+", "", texts[25]) in period and "..." not in period


def test_a_long_listing_is_plain_lines_without_rich(db_path, run):
    from imtrack.config import locate
    from imtrack.domain.models import Measure
    from imtrack.output.plainlist import FOLD_MAX_ROWS
    from imtrack.storage.engines import open_store

    run.ok("list")  # creates the default 34
    with open_store(locate(str(db_path), "--db")).transaction() as ledger:
        for i in range(FOLD_MAX_ROWS):
            ledger.add(Measure(id=0, text=f"措施{i}\x1b[31m红", sector="transport"))
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "imtrack", "list"], capture_output=True,
                          text=True, encoding="utf-8", env=env, check=True)
    assert not [line for line in proc.stderr.splitlines() if line.rstrip().endswith(("| rich", "| rich.console"))]
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 + 34 + FOLD_MAX_ROWS + 1 and lines[-1] == f"{34 + FOLD_MAX_ROWS} measures"
    assert lines[-2].endswith("措施299\\x1b[31m红") and "\x1b" not in proc.stdout
