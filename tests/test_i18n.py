"""The Chinese interface: how the language is chosen, a catalog that is complete (every marked
message and help text translated, placeholders kept, the .mo compiled from the .po, shipped in
the wheel), click's own words translated, and both languages end to end."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from imtrack import i18n
from imtrack.cli.helptext import help_texts

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "imtrack"
PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "imtrack.po"
MO = PO.with_suffix(".mo")


def catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh")


def translated() -> dict:
    """The catalog's entries by (context, message id): the report's words carry a context."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog() if m.id}


# -- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "IMTRACK_LANG": "en"}, "en"),
        ({"LANG": "C", "IMTRACK_LANG": "zh"}, "zh"),
        ({"IMTRACK_LANG": "zh_TW"}, "zh"),
        ({"IMTRACK_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_imtrack_lang_wins_over_the_locale(monkeypatch, env, lang):
    for name in ("IMTRACK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == lang


def test_click_binds_our_gettext():
    import gettext

    import click.core

    assert gettext.gettext is i18n.gettext
    assert click.core._ is i18n.gettext  # installed before click was imported (imtrack.cli)


# -- the catalog ------------------------------------------------------------------------------


def marked_messages() -> set:
    """Every message the code marks, in the whole package (storage and ingest included), as
    Babel extracts it with babel.cfg and the keywords of README "Development", as (context,
    message id); and every help text."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    method_map = [(pattern, method) for pattern, method in method_map if method == "python"]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "NP_": ((1, "c"), 2)}
    found = {(context, message if isinstance(message, str) else message[0])
             for _file, _line, message, _comments, context in extract_from_dir(
                 str(PACKAGE), method_map, options_map, keywords=keywords)}
    return found | {(None, text) for text in help_texts()}


def test_every_marked_message_and_help_text_has_a_chinese_translation():
    entries = translated()
    missing = sorted((m for m in marked_messages() if m not in entries or not _strings(entries[m])[0]),
                     key=lambda m: (m[0] or "", m[1]))
    assert not missing, (
        f"{len(missing)} messages without a Chinese translation, e.g. {missing[:3]}; run the catalog "
        "update (README, Development) and translate them in imtrack/locale/zh/LC_MESSAGES/imtrack.po"
    )


def test_clicks_own_words_are_translated():
    entries = translated()
    for word in ("Usage:", "Options", "Commands", "Show this message and exit.", "Missing argument",
                 "No such option {name!r}.", "Invalid value for {param_hint}: {message}"):
        assert _strings(entries[None, word])[0], word


def _strings(message) -> tuple:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)s")


def test_translations_keep_the_placeholders():
    for m in catalog():
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for text in _strings(m):
            assert set(PLACEHOLDER.findall(text)) <= wanted, (m.id, text)
            assert text.count("{") == text.count("}"), text


def test_the_mo_is_compiled_from_the_po():
    with MO.open("rb") as fh:
        compiled = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): _strings(m) for m in read_mo(fh) if m.id}
    source = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): _strings(m) for m in catalog() if m.id}
    assert compiled == source, "run: pybabel compile -d imtrack/locale -D imtrack"


def test_the_wheel_ships_the_catalog(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("imtrack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "imtrack/locale/zh/LC_MESSAGES/imtrack.mo" in names


# -- nothing user-visible left unmarked -------------------------------------------------------



def _error_classes(trees: list[ast.Module]) -> set[str]:
    """ImtrackError and every subclass the package defines (DecodeError, NoMeasures, ...), and
    click's BadParameter: what they carry reaches the user as one line on stderr."""
    names = {"ImtrackError", "BadParameter"}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (getattr(b, "id", None) or getattr(b, "attr", None)) in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def _shown(node: ast.Call) -> bool:
    """A call whose first argument reaches a person: an error, an echoed or said line, a line
    written to stderr, a warning collected for stderr."""
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
    if name in ("echo", "_say"):
        return True
    if name == "write":
        return "stderr" in ast.unparse(node.func.value)  # type: ignore[attr-defined]
    if name in ("append", "extend"):
        return "warnings" in ast.unparse(node.func.value)  # type: ignore[attr-defined]
    return False


def unmarked() -> list[str]:
    """Error messages, printed lines and warnings written as bare string literals (not through _())."""
    files = {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}
    errors = _error_classes(list(files.values()))
    out = []
    for path, tree in files.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in errors or _shown(node):
                arg = node.args[0]
                if isinstance(arg, ast.JoinedStr) or (
                        isinstance(arg, ast.Constant) and isinstance(arg.value, str) and any(c.isalpha() for c in arg.value)):
                    if isinstance(arg, ast.JoinedStr) and "__version__" in ast.unparse(arg):
                        continue
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_the_detector_finds_an_unmarked_message(tmp_path, monkeypatch):
    """The check below is only as good as what it sees: a planted f-string error, warning and
    stderr line are found; the same lines through _() are not."""
    package = tmp_path / "imtrack"
    package.mkdir()
    (package / "errors.py").write_text("class ImtrackError(Exception): ...\nclass Refused(ImtrackError): ...\n")
    (package / "bad.py").write_text(
        "import sys\n"
        "def f(x, warnings):\n"
        "    warnings.append(f'{x} was skipped')\n"
        "    sys.stderr.write('imtrack: warning: late\\n')\n"
        "    raise Refused(f'no {x}')\n")
    (package / "good.py").write_text(
        "from imtrack.i18n import _\n"
        "def f(x, warnings):\n"
        "    warnings.append(_('{x} was skipped').format(x=x))\n"
        "    raise Refused(_('no {x}').format(x=x))\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert sorted(unmarked()) == ["imtrack/bad.py:3", "imtrack/bad.py:4", "imtrack/bad.py:5"]


def test_no_message_is_left_unmarked():
    left = unmarked()
    assert not left, f"mark these with imtrack.i18n._: {left}"


# -- both languages, end to end ---------------------------------------------------------------


def test_chinese_tables_messages_and_errors(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_LANG", "zh")
    listing = run.ok("list", "--sector", "交通").stdout
    assert listing.splitlines()[0].split() == ["序号", "领域", "状态", "任务", "最新进展"]
    assert "34 项任务中的 6 项" in listing
    assert "34 项任务已完成 0 项" in run.ok("report").stdout
    assert "25：已于" in run.ok("note", "25", "开工").stdout
    assert "进展记录" in run.ok("show", "25").stdout
    err = run.fail("list", "--status", "finished", code=2).stderr
    assert err.startswith("imtrack：错误：未知状态 'finished'；请使用以下之一：")
    err = run.fail("show", "x", code=2).stderr
    assert "不是任务序号" in err and "（见 'imtrack show --help'）" in err
    assert "用法: imtrack show [OPTIONS] ID" in run.ok("show", "--help").stdout


def test_english_stays_english(run, monkeypatch):
    monkeypatch.setenv("IMTRACK_LANG", "en")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run.ok("list", "--sector", "交通").stdout.splitlines()[0].split()[:3] == ["ID", "Sector", "Status"]
    assert "unknown status 'finished'" in run.fail("list", "--status", "finished", code=2).stderr


def test_a_chinese_locale_translates_clicks_words_in_a_real_process(db_path):
    env = {k: v for k, v in os.environ.items() if k not in ("IMTRACK_LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG="zh_CN.UTF-8", IMTRACK_DB=str(db_path))
    proc = subprocess.run([sys.executable, "-m", "imtrack", "list", "--bogus"], check=False, capture_output=True,
                          text=True, encoding="utf-8", env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("imtrack：错误：没有选项 '--bogus'。"), proc.stderr
    proc = subprocess.run([sys.executable, "-m", "imtrack"], check=False, capture_output=True, text=True,
                          encoding="utf-8", env=env)
    assert proc.returncode == 0 and proc.stdout.startswith("用法: imtrack") and "命令:" in proc.stdout


def test_chinese_import_reading_warnings_and_errors(run, monkeypatch, tmp_path):
    """What `import` says about a document, in Chinese: the reading (skip reasons, agencies),
    the summary, a table's warning and a reader's error."""
    monkeypatch.setenv("IMTRACK_LANG", "zh")
    doc = tmp_path / "方案.txt"
    doc.write_text("一、总体要求\n（一）指导思想。坚持稳中求进。\n二、重点任务\n"
                   "（二）加快建设铁路。（自治区交通运输厅牵头）\n", encoding="utf-8")
    out = run.ok("import", "--dry-run", str(doc)).stdout
    flat = out.replace("\n", "")  # the reading is folded at 80 columns
    assert "跳过第 2 行 （一）指导思想。坚持稳中求进。：位于“一、总体要求”之下（引言，不是任务）" in flat
    assert "牵头 自治区交通运输厅" in out
    assert "  新增：        1（序号 35）" in out and out.rstrip().endswith("试运行：未做任何修改。")
    table = tmp_path / "分工.txt"
    table.write_text("序号 | 重点任务 | 牵头单位 | 完成时限\n1 | 推进铁路建设 | 自治区交通运输厅 | 尽快\n",
                     encoding="utf-8")
    result = run.ok("import", "--dry-run", str(table))
    assert "imtrack：警告：第 2 行：完成时限 '尽快' 不是单一日期；已按无完成时限导入" in result.stderr
    assert run.fail("import", str(tmp_path / "无.txt")).stderr.startswith("imtrack：错误：没有文件 ")
    scan = tmp_path / "扫描件.txt"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    err = run.fail("import", str(scan)).stderr
    assert "扫描件.txt 是PNG 图片，不是文字；请先做文字识别" in err
