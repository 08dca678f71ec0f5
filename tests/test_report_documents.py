"""`report --format docx|html`: the bulletin read back with python-docx, the HTML page opened in
headless Chromium (no console errors, a screenshot that is not blank), the charts' data equal to
`report`'s figures, the burn-up of a scripted ledger, the filters, and the bad-input paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from imtrack.core.report import burnup, burnup_days, burnup_step
from imtrack.core.tracker import open_store
from imtrack.domain.derived import Settings
from imtrack.exchange import charts
from imtrack.exchange.report_facts import STATUSES, gather, progress_rows
from imtrack.exchange.report_words import WORDS, Words, language

NOW = "2026-11-20T16:00:00+08:00"


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The documents in Chinese, as the offices read them (tests of English set en)."""
    monkeypatch.setenv("IMTRACK_LANG", "zh")


def at(run, monkeypatch: pytest.MonkeyPatch, day: str, *args: str):
    monkeypatch.setenv("IMTRACK_NOW", f"{day}T10:00:00+08:00")
    return run.ok(*args)


@pytest.fixture
def scripted(run, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Three weeks of a ledger: the seed recorded on Monday 11-02, completions, a reopening,
    an undone mistake, an overdue measure; the clock then stands at Friday 11-20. A test marked
    `engines` gets it on each engine (the seed copied there on 11-02)."""
    monkeypatch.setenv("IMTRACK_NOW", "2026-11-02T09:00:00+08:00")
    if "ledger_engine" in request.fixturenames:
        request.getfixturevalue("ledger_engine")
    at(run, monkeypatch, "2026-11-02", "list")
    at(run, monkeypatch, "2026-11-02", "update", "26", "--due", "2026-11-18", "--lead", "交通运输厅")
    at(run, monkeypatch, "2026-11-02", "update", "25", "27", "--lead", "交通运输厅")
    at(run, monkeypatch, "2026-11-02", "update", "1", "--lead", "科技厅")
    at(run, monkeypatch, "2026-11-03", "set-status", "1", "done")
    at(run, monkeypatch, "2026-11-04", "set-status", "2", "3", "done", "--yes")
    at(run, monkeypatch, "2026-11-06", "note", "1", "验收完成")
    at(run, monkeypatch, "2026-11-10", "set-status", "2", "in-progress")
    at(run, monkeypatch, "2026-11-11", "set-status", "5", "done")
    at(run, monkeypatch, "2026-11-11", "undo")
    at(run, monkeypatch, "2026-11-12", "set-status", "6", "done")
    at(run, monkeypatch, "2026-11-16", "set-status", "12", "blocked")
    at(run, monkeypatch, "2026-11-18", "set-status", "7", "8", "done", "--yes")
    monkeypatch.setenv("IMTRACK_NOW", NOW)


def _ledger(db_path: Path):
    """The ledger's store, as the commands open it (IMTRACK_DB: db_path, or the engine's)."""
    import os

    from imtrack.config import locate

    return open_store(locate(os.environ["IMTRACK_DB"], "IMTRACK_DB"))


# -- the burn-up ------------------------------------------------------------------------------


def test_burnup_days_by_week_and_month() -> None:
    assert burnup_days(date(2026, 11, 2), date(2026, 11, 15), "week") == [
        date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)
    ]
    assert burnup_days(date(2026, 11, 4), date(2026, 11, 5), "week") == [date(2026, 11, 3), date(2026, 11, 5)]
    assert burnup_days(date(2026, 1, 15), date(2026, 6, 10), "month") == [
        date(2026, 1, 14), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
        date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 10),
    ]
    assert burnup_days(date(2026, 11, 1), date(2027, 1, 31), "month")[-2:] == [date(2026, 12, 31), date(2027, 1, 31)]
    assert burnup_step(date(2026, 11, 1), date(2026, 11, 30)) == "week"
    assert burnup_step(date(2026, 1, 1), date(2026, 11, 30)) == "month"


@pytest.mark.engines
def test_scripted_weeks_give_the_expected_burnup(scripted, db_path: Path) -> None:
    points = burnup(_ledger(db_path), date(2026, 10, 26), date(2026, 11, 20))
    assert [(p.day.isoformat(), p.done, p.total) for p in points] == [
        ("2026-10-25", 0, 0),  # the eve of the period: nothing recorded yet
        ("2026-11-01", 0, 0),
        ("2026-11-08", 3, 34),  # 1, 2, 3 done
        ("2026-11-15", 3, 34),  # 2 reopened, 6 done; 5's completion was undone: it never counts
        ("2026-11-20", 5, 34),  # 7 and 8 done
    ]


@pytest.mark.engines
def test_burnup_takes_the_filters(scripted, db_path: Path) -> None:
    from imtrack.domain.query import MeasureFilter

    by_lead = MeasureFilter.build(leads=["科技厅"])  # measure 1 only
    points = burnup(_ledger(db_path), date(2026, 11, 2), date(2026, 11, 20), "week", where=by_lead)
    assert [(p.done, p.total) for p in points] == [(0, 0), (1, 1), (1, 1), (1, 1)]
    innovation = MeasureFilter.build(["innovation"])  # 1-5: 1, 2, 3 done by 11-08; 2 reopened
    points = burnup(_ledger(db_path), date(2026, 11, 2), date(2026, 11, 20), "week", where=innovation)
    assert [(p.done, p.total) for p in points] == [(0, 0), (3, 5), (2, 5), (2, 5)]


def test_burnup_rejects_a_reversed_period(db_path: Path, run) -> None:
    from imtrack.errors import InvalidValue

    run.ok("list")
    with pytest.raises(InvalidValue, match="请对调"):
        burnup(_ledger(db_path), date(2026, 11, 20), date(2026, 11, 2))


# -- the facts and the charts equal report's figures ------------------------------------------


@pytest.mark.parametrize("by", ["sector", "lead", "status"])
@pytest.mark.engines
def test_chart_data_equals_the_report(scripted, run, db_path: Path, by: str) -> None:
    shown = json.loads(run.ok("report", "--by", by, "-f", "json").stdout)
    facts = gather(_ledger(db_path), by, Settings(), date(2026, 11, 2), date(2026, 11, 20))
    rows = progress_rows(facts.progress)
    assert [(r["key"], r["counts"], r["total"], r["percent_done"], r["overdue"]) for r in rows] == [
        (r["key"], r["counts"], r["total"], r["percent_done"], r["overdue"]) for r in [*shown["rows"], shown["total"]]
    ]
    # the burn-up ends where the report stands today
    assert (facts.burnup[-1].done, facts.burnup[-1].total) == (shown["total"]["done"], shown["total"]["total"])
    # the stacked bars: one container per status, each bar's width the row's count
    from matplotlib.figure import Figure

    fig = Figure()
    charts.progress_chart(fig, facts, Words("zh"))
    bars = fig.axes[0].containers
    assert len(bars) == len(STATUSES)
    for status, container in zip(STATUSES, bars):
        assert [p.get_width() for p in container.patches] == [r["counts"][status] for r in shown["rows"]]


@pytest.mark.engines
def test_overdue_chart_equals_the_report_by_lead(scripted, run, db_path: Path) -> None:
    shown = json.loads(run.ok("report", "--by", "lead", "-f", "json").stdout)
    expected = sorted(((r["label"], r["overdue"]) for r in shown["rows"] if r["overdue"]), key=lambda r: -r[1])
    assert expected  # 26 is overdue since 11-18
    facts = gather(_ledger(db_path), "sector", Settings(), date(2026, 11, 2), date(2026, 11, 20))
    from matplotlib.figure import Figure

    fig = Figure()
    charts.overdue_chart(fig, facts, Words("zh"))
    ax = fig.axes[0]
    assert [p.get_width() for p in ax.patches] == [n for _, n in expected]
    assert [t.get_text() for t in ax.get_yticklabels()] == [charts._short(label) for label, _ in expected]


@pytest.mark.engines
def test_the_period_in_the_documents_is_report_since(scripted, run, db_path: Path) -> None:
    period = json.loads(run.ok("report", "--since", "2026-11-02", "-f", "json").stdout)
    facts = gather(_ledger(db_path), "sector", Settings(), date(2026, 11, 2), date(2026, 11, 20))
    assert facts.period.to_dict() == period
    assert [c["id"] for c in period["completed"]] == [1, 3, 6, 7, 8]


def test_svg_keeps_text_as_text_and_escapes_it(scripted, run, db_path: Path) -> None:
    run.ok("update", "26", "--lead", "<b>$x$</b>办")
    facts = gather(_ledger(db_path), "lead", Settings(), None, date(2026, 11, 20))
    svg = charts.svg_inline("overdue", facts, Words("zh"))
    assert svg.startswith("<svg")
    assert "各牵头单位逾期任务" in svg  # text, not glyph outlines
    assert "&lt;b&gt;$x$&lt;/b&gt;办" in svg  # literal: no markup, no mathtext
    assert "<b>" not in svg


# -- the bulletin (docx) ----------------------------------------------------------------------


def _docx(path: Path):
    from docx import Document

    return Document(str(path))


@pytest.mark.engines
def test_bulletin_read_back(scripted, run, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    result = run.ok("report", "-f", "docx", "--by", "lead", "--since", "2026-11-02", "-o", str(out))
    assert result.stdout.strip() == f"已将 docx 报告写入 {out}"
    doc = _docx(out)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        "工作进展通报", "一、总体情况", "二、分牵头单位完成情况", "三、督办事项", "四、本时段进展",
        "完成的任务", "状态变更",
    ]
    texts = [p.text for p in doc.paragraphs]
    assert "统计时段：2026-11-02 至 2026-11-20" in texts
    assert any(t.startswith("共有任务 34 项，已完成 5 项") for t in texts)
    shown = json.loads(run.ok("report", "--by", "lead", "-f", "json").stdout)
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:2] == ["牵头单位", "任务数"]
    expected = [
        [r["label"], str(r["total"]), *(str(r["counts"][s]) for s in STATUSES), f"{r['percent_done']}%", str(r["overdue"])]
        for r in shown["rows"]
    ]
    total = shown["total"]
    expected.append(["合计", str(total["total"]), *(str(total["counts"][s]) for s in STATUSES),
                     f"{total['percent_done']}%", str(total["overdue"])])
    assert cells[1:] == expected
    # the attention list: the overdue measure first, its colour cell shaded red
    attention = doc.tables[1]
    assert attention.rows[1].cells[1].text == "26"
    assert 'w:fill="F4B6B6"' in attention.rows[1].cells[0]._tc.xml
    # completions of the period
    completed = [[c.text for c in row.cells] for row in doc.tables[2].rows][1:]
    assert [row[1] for row in completed] == ["1", "3", "6", "7", "8"]
    assert len(doc.inline_shapes) == 3
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert all(r.target_part.blob.startswith(b"\x89PNG") for r in images) and len(images) == 3
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_bulletin_sets_the_east_asian_fonts(scripted, run, tmp_path: Path) -> None:
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "-o", str(out))
    styles = _docx(out).styles
    from docx.oxml.ns import qn

    for name, font in (("Normal", "仿宋"), ("Heading 1", "黑体"), ("Title", "黑体")):
        fonts = styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the name


def test_bulletin_in_english(scripted, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_LANG", "en")
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "-o", str(out))
    doc = _docx(out)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:3] == ["Progress bulletin", "1. Overview", "2. Progress by sector"]
    assert doc.tables[0].rows[-1].cells[0].text == "Total"


def test_bulletin_fills_an_office_template(scripted, run, tmp_path: Path) -> None:
    from docx import Document

    template = Document()
    template.sections[0].header.paragraphs[0].text = "某某办公室 {{日期}}"
    template.add_paragraph("{{标题}}")
    template.add_paragraph("{{正文}}")
    template.add_paragraph("抄送：各有关单位")
    path = tmp_path / "office.docx"
    template.save(str(path))
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "--template", str(path), "-o", str(out))
    doc = _docx(out)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "工作进展通报"
    assert texts[-1] == "抄送：各有关单位"  # the bulletin went where {{正文}} was
    assert "一、总体情况" in texts and not any("{{" in t for t in texts)
    assert texts.count("工作进展通报") == 1  # the template's title place holds the title
    assert doc.sections[0].header.paragraphs[0].text == "某某办公室 2026-11-20"


# -- the HTML page ----------------------------------------------------------------------------


def test_html_is_self_contained_and_escapes_user_text(scripted, run, tmp_path: Path) -> None:
    run.ok("update", "26", "--lead", "<script>alert(1)</script>办")
    page = run.ok("report", "-f", "html", "--by", "lead").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;办" in page
    # nothing to fetch: the only URLs are the SVG namespaces, the only references inside the page
    import re

    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert all(ref.startswith("#") for ref in re.findall(r'href="([^"]*)"', page))
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", page))
    for reference in ("src=", "<link", "@import", "@font-face"):
        assert reference not in page
    assert page.count("<svg") == 3
    assert "二、分牵头单位完成情况" in page


def test_html_output_to_a_file_and_to_stdout_agree(scripted, run, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run.ok("report", "-f", "html", "-o", str(out))
    assert out.read_text(encoding="utf-8") == run.ok("report", "-f", "html", "-o", "-").stdout


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_in_a_headless_browser(scripted, run, tmp_path: Path) -> None:
    from PIL import Image

    page = tmp_path / "report.html"
    run.ok("report", "-f", "html", "--since", "2026-11-02", "-o", str(page))
    shot = tmp_path / "shot.png"
    started = time.monotonic()
    proc = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", "--proxy-server=127.0.0.1:9",  # any fetch would fail
         "--window-size=800,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    ).stdout
    assert dom.count("<svg") == 3 and "工作进展通报" in dom
    assert time.monotonic() - started < 20
    image = Image.open(shot).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 0.01 * image.width * image.height  # text, tables and charts drew something


def test_browser_check_sees_console_errors(tmp_path: Path) -> None:
    """The check above can fail: a page with a script error is caught."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>", encoding="utf-8")
    proc = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert any(":CONSOLE" in line and "undefinedFunction" in line for line in proc.stderr.splitlines())


# -- filters ---------------------------------------------------------------------------------


@pytest.mark.engines
def test_report_takes_the_list_filters(scripted, run) -> None:
    shown = json.loads(run.ok("report", "--sector", "交通", "-f", "json").stdout)
    assert [r["key"] for r in shown["rows"]] == ["transport"]
    listed = json.loads(run.ok("list", "--sector", "交通", "-f", "json").stdout)
    assert shown["total"]["total"] == len(listed)
    lead = json.loads(run.ok("report", "--by", "lead", "-f", "json").stdout)["rows"][0]
    only = json.loads(run.ok("report", "--lead", lead["label"], "--by", "lead", "-f", "json").stdout)
    assert [r["label"] for r in only["rows"]] == [lead["label"]]
    assert only["total"]["total"] == lead["total"]
    period = json.loads(run.ok("report", "--since", "2026-11-02", "--sector", "innovation", "-f", "json").stdout)
    assert period["total"] == 5 and [c["id"] for c in period["completed"]] == [1, 3]


def test_documents_name_their_filters(scripted, run, tmp_path: Path) -> None:
    page = run.ok("report", "-f", "html", "--sector", "交通").stdout
    assert "范围：领域 交通" in page
    assert "共有任务 6 项" in page
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "--sector", "innovation", "--since", "2026-11-02", "-o", str(out))
    doc = _docx(out)
    completed = next(t for t in doc.tables if t.rows[0].cells[2].text == "任务" and t.rows[0].cells[3].text == "牵头单位")
    assert [row.cells[1].text for row in completed.rows][1:] == ["1", "3"]


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "docx"], "add --output bulletin.docx"),
        (["-f", "docx", "-o", "-"], "add --output bulletin.docx"),
        (["-f", "html", "-o", ""], "--output is empty"),
        (["-f", "html", "--template", "x.docx"], "use it with --format docx"),
        (["-f", "json", "-o", "r.json"], "--output is for --format docx or html"),
        (["-f", "docx", "-o", "b.docx", "--until", "本月"], "--until needs --since"),
        (["-f", "docx", "-o", "b.docx", "--template", "missing.docx"], "no such file"),
        (["-f", "html", "-o", "no/such/dir/r.html"], "does not exist"),
        (["-f", "docx", "-o", "."], "is a directory; give a file name, e.g. report.docx"),
        (["-f", "html", "--since", "2099-01-01"], "nothing has happened"),
    ],
)
def test_bad_input_is_one_line(run, args: list[str], message: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMTRACK_LANG", "en")
    result = run.fail("report", *args, code=1 if "does not exist" in message else 2)
    assert message in result.stderr


def test_a_template_that_is_not_a_docx(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_LANG", "en")
    bad = tmp_path / "t.docx"
    bad.write_text("not a zip", encoding="utf-8")
    result = run.fail("report", "-f", "docx", "--template", str(bad), "-o", str(tmp_path / "b.docx"), code=2)
    assert "is not a Word .docx document" in result.stderr
    assert not (tmp_path / "b.docx").exists()
    import zipfile

    with zipfile.ZipFile(bad, "w") as zf:  # a zip, but no Word package
        zf.writestr("notes.txt", "x")
    result = run.fail("report", "-f", "docx", "--template", str(bad), "-o", str(tmp_path / "b.docx"), code=2)
    assert "is not a Word .docx document" in result.stderr
    assert not (tmp_path / "b.docx").exists()


def test_unknown_format(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_LANG", "en")
    assert "'pdf' is not one of 'table', 'json', 'docx', 'html'" in run.fail("report", "-f", "pdf", code=2).stderr


def test_the_documents_speak_the_interface_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IMTRACK_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert language() == "en" and Words()("title") == "Progress bulletin"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert language() == "zh" and Words()("title") == "工作进展通报"
    monkeypatch.setenv("IMTRACK_LANG", "en")
    assert Words()("title") == "Progress bulletin"
    # every word in both languages (from the catalog), with the same placeholders; the
    # documents' own sense of a word is kept apart from the interface's by its context
    import string

    zh, en = Words("zh"), Words("en")
    for key in WORDS:  # without values a word is its template
        assert zh(key) != en(key) == WORDS[key], key
        fields = {f for _, f, _, _ in string.Formatter().parse(zh(key)) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(en(key)) if f}, key
    assert (zh("col_total"), zh("total_row")) == ("任务数", "合计")  # one English "Total", two words


def test_plain_report_does_not_import_the_makers(tmp_path: Path) -> None:
    """matplotlib and python-docx cost start-up: only the docx and html formats load them."""
    import os

    env = {**os.environ, "IMTRACK_DB": str(tmp_path / "db.json"), "IMTRACK_CACHE_DIR": str(tmp_path / "c")}
    env.pop("IMTRACK_NOW", None)

    def imported(*args: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "imtrack", *args],
                              capture_output=True, text=True, env=env, check=True, cwd=tmp_path)
        return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}

    def makers(modules: set[str]) -> set[str]:
        return {m for m in modules if m.split(".")[0] in ("matplotlib", "docx") or m.startswith("imtrack.exchange")}

    assert makers(imported("report")) == set()
    assert makers(imported("report", "--by", "lead", "-f", "json")) == set()
    assert {"matplotlib", "imtrack.exchange.charts", "imtrack.exchange.report_html"} <= makers(
        imported("report", "-f", "html", "-o", "r.html"))


def test_long_period_lists_are_cut_to_the_latest(scripted, run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from imtrack.exchange import report_html

    monkeypatch.setattr(report_html, "PERIOD_SHOWN", 2)
    page = run.ok("report", "-f", "html", "--since", "2026-11-02").stdout
    assert "仅列最近 2 项，另有 3 项较早的未列出" in page  # completions: 1, 3, 6 cut; 7, 8 shown
    changes = page.split("状态变更</h3>", 1)[1]
    assert changes.count("<tr>") == 3  # the head and the two latest
    assert changes.count("<td>2026-11-18</td>") == 2 and "2026-11-16" not in changes  # 7 and 8
    assert "仅列最近 2 项，另有 6 项较早的未列出" in changes
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "--since", "2026-11-02", "-o", str(out))
    texts = [p.text for p in _docx(out).paragraphs]
    assert "仅列最近 2 项，另有 3 项较早的未列出（imtrack report --since 可列出全部）。" in texts


def test_control_characters_are_shown_not_acted_on(scripted, run, tmp_path: Path) -> None:
    run.ok("update", "26", "--lead", "交通\x07运输厅")
    page = run.ok("report", "-f", "html").stdout
    assert "交通\\x07运输厅" in page and "\x07" not in page
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "-o", str(out))  # XML 1.0 cannot hold \x07: no crash
    cells = [c.text for t in _docx(out).tables for row in t.rows for c in row.cells]
    assert "交通\\x07运输厅" in cells


def test_a_template_without_heading_styles(scripted, run, tmp_path: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    template = Document()
    for name in ("Title", "Heading 1", "Heading 2"):
        template.styles[name].delete()
    path = tmp_path / "plain.docx"
    template.save(str(path))
    out = tmp_path / "b.docx"
    run.ok("report", "-f", "docx", "--template", str(path), "-o", str(out))
    doc = _docx(out)
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert heading.runs[0].bold and heading.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.paragraphs[0].text == "工作进展通报"


def test_both_formats_from_the_fresh_seed(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMTRACK_NOW", NOW)
    page = run.ok("report", "-f", "html").stdout
    assert "共有任务 34 项，已完成 0 项（0.0%）" in page
    assert "统计时段：2026-11-20 至 2026-11-20" in page  # recorded today: the period is today
    out = tmp_path / "seed.docx"
    run.ok("report", "-f", "docx", "-o", str(out))
    doc = _docx(out)
    assert len(doc.inline_shapes) == 3 and doc.tables[0].rows[-1].cells[1].text == "34"
