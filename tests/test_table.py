"""The Rich-free table layout (table.py) and its two outputs (render.py): East Asian widths,
folding with kinsoku, width allocation at 80 columns, user text printed literally, plain text
without Rich when stdout is not a terminal, and the same text with ANSI styles on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imtrack.output import table
from imtrack.output.render import STYLES, sgr_codes
from imtrack.output.table import (
    NO_START,
    Column,
    Para,
    Table,
    cell_width,
    cell_widths,
    fold,
    layout,
    plain,
    render,
)

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
    for a, b in re.findall(r"(.)-(.)", table.WIDE):
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
    many = texts + [f"{i}研究" for i in range(table.BULK)]  # enough distinct strings for the bulk path
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


# -- width allocation -------------------------------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from(list("研究强化呼南通道，。（）ab 12")), max_size=70)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(1, 12)), min_size=1, max_size=5),
    st.lists(st.lists(TEXT, min_size=5, max_size=5), max_size=6),
    st.integers(20, 120),
)
def test_fast_path_lays_out_like_the_general_one(specs, rows, width):
    t = Table([Column(f"H{i}", right=r, fold=f, min_width=m) for i, (r, f, m) in enumerate(specs)])
    for row in rows:
        t.add_row(*((c, "dim") if i % 2 else c for i, c in enumerate(row[: len(specs)])))

    def strip(lines):
        return plain(lines), [[(s, x.strip()) for x, s in line if s and x.strip()] for line in lines]

    assert strip(t._fast_lines(width)) == strip(t._general_lines(width))
    codes = {"dim": "\x1b[2m", "header": "\x1b[1m"}
    assert t.text(width, codes) == render(t.lines(width), codes).splitlines()  # finished text, same bytes
    assert t.text(width, {}) == plain(t.lines(width)).splitlines()


@given(st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=8))
def test_cjk_tables_fit_80_columns(rows):
    t = Table([Column("ID", right=True), Column("名称", fold=2, max_width=16), Column("Measure", fold=1, min_width=16),
               Column("Note", fold=1)])
    for i, (a, b, c) in enumerate(rows):
        t.add_row(str(i), a, b, c)
    out = plain(layout([t, Para("".join(r[1] for r in rows))], 80))
    assert max(east_asian_width(line) for line in out.splitlines()) <= 80
    assert re.sub(r"\s", "", out).count("研") == sum(("".join(r) + r[1]).count("研") for r in rows)


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


def test_styles_are_the_sgr_codes_rich_writes():
    from rich.color import ColorSystem
    from rich.style import Style

    codes = sgr_codes()
    for name, spec in STYLES.items():
        expected = Style.parse(spec).render("x", color_system=ColorSystem.STANDARD) if spec else "x"
        assert (f"{codes[name]}x\x1b[0m" if name in codes else "x") == expected, name


# -- no Rich without a terminal ---------------------------------------------------------------

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


def test_piped_output_never_imports_rich(db_path, run):
    run.ok("note", "25", "开工")
    commands = [["list"], ["show", "25"], ["report"], ["report", "--since", "2020-01-01"], ["log"],
                ["sectors"], ["sources"], ["list", "--fields", "id,text"], ["update", "25", "--lead", "x", "--dry-run"]]
    env = {**os.environ, "IMTRACK_DB": str(db_path)}
    result = subprocess.run([sys.executable, "-c", NO_RICH.format(commands=commands)], capture_output=True,
                            text=True, encoding="utf-8", env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert "34 measures" in result.stdout and "开工" in result.stdout
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
