"""`report --format docx`: the progress bulletin (工作进展通报) as a Word document a clerk can send
as it is: title, source documents and period, a summary in sentences, the progress table, the
attention list in red/yellow/blue, the period's completions and status changes, the charts.

A4 with the margins of GB/T 9704 (党政机关公文格式); headings in 黑体 and text in 仿宋, set as the
East Asian font (w:eastAsia: python-docx's font.name sets only the Latin one). A reader without
those fonts gets Word's or LibreOffice's substitute, as with any official document.
`--template FILE.docx` fills an office's own document: its page, header and styles are kept;
{{title}}/{{标题}} and {{date}}/{{日期}} are replaced, and the bulletin goes where a paragraph
says {{body}} or {{正文}} (else at the end)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from imtrack.errors import InvalidValue
from imtrack.exchange import charts
from imtrack.exchange.report_facts import ReportFacts
from imtrack.exchange.report_html import (
    attention_rows,
    change_rows,
    completed_rows,
    earlier_note,
    heading_lines,
    progress_table_rows,
    summary_sentences,
)
from imtrack.exchange.report_words import Words
from imtrack.i18n import _

HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
# shading of the attention list's colour cell
FILLS = {"red": "F4B6B6", "yellow": "FFE699", "blue": "BDD7EE"}
PLACEHOLDERS = {"title": ("{{title}}", "{{标题}}"), "date": ("{{date}}", "{{日期}}")}
BODY_MARKS = ("{{body}}", "{{正文}}")


def _xml_text(text: Any) -> str:
    """User text for Word: XML 1.0 cannot hold most control characters, so they are shown as
    their code (never dropped silently, never a crash)."""
    return "".join(
        ch if ch in "\t\n" or (ch.isprintable() and ch not in "\ufffe\uffff") else f"\\x{ord(ch):02x}"
        for ch in str(text)
    )


def set_fonts(element: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts of a style's or run's rPr; theme fonts (which win
    over named ones) are removed."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style_fonts(doc: Any) -> None:
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    if "Normal" in [s.name for s in styles]:
        normal = styles["Normal"]
        set_fonts(normal.element, BODY_FONT)
        normal.font.size = Pt(14)
    for name, size in (("Title", HEADING_SIZES[0]), ("Heading 1", HEADING_SIZES[1]), ("Heading 2", HEADING_SIZES[2])):
        try:
            style = styles[name]
        except KeyError:  # an office template without it: the paragraph keeps its own look
            continue
        set_fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)


def _page(doc: Any) -> None:
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def _borders(table: Any) -> None:
    """Grid lines drawn on the table itself: an office template may have no 'Table Grid'."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:color"), "808080")
        borders.append(line)
    table._tbl.tblPr.append(borders)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _table(doc: Any, head: list[str], rows: list[list[Any]], fills: list[str | None] | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(head))
    _borders(table)
    for cell, text in zip(table.rows[0].cells, head):
        run = cell.paragraphs[0].add_run(_xml_text(text))
        run.bold = True
    for i, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.paragraphs[0].add_run(_xml_text("" if value is None else value))
        if fills and fills[i]:
            _shade(cells[0], fills[i])
    numeric = [all(isinstance(row[j], int) or str(row[j]).endswith("%") for row in rows) for j in range(len(head))]
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(0)
                paragraph.paragraph_format.line_spacing = 1.0
                if numeric[j] and rows:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)
    return table


HEADING_SIZES = {0: 22, 1: 16, 2: 14}


def _heading(doc: Any, text: str, level: int) -> Any:
    """A heading in the document's Title/Heading N style; an office template without that
    style gets a bold 黑体 paragraph of the same size instead of an error."""
    try:  # checked first: add_heading would leave its paragraph behind when it fails
        doc.styles["Title" if level == 0 else f"Heading {level}"]
    except KeyError:
        from docx.shared import Pt

        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        set_fonts(run._r, HEADING_FONT)
        run.font.size = Pt(HEADING_SIZES[level])
        run.bold = True
        return paragraph
    return doc.add_heading(text, level=level)


def _open(template: Path | None) -> Any:
    from docx import Document
    from docx.opc.exceptions import OpcError

    if template is None:
        doc = Document()
        _page(doc)
        return doc
    if not template.is_file():
        raise InvalidValue(_("--template {path}: no such file; give an office template .docx").format(path=template))
    try:
        return Document(str(template))
    except OpcError as exc:  # a zip that is no Word package
        raise InvalidValue(_("--template {path} is not a Word .docx document; save it as .docx").format(
            path=template)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:  # not a zip, or a damaged one
        raise InvalidValue(_("--template {path} is not a Word .docx document ({reason}); save it as .docx").format(
            path=template, reason=exc)) from exc


def _fill_placeholders(doc: Any, values: dict[str, str]) -> set[str]:
    """Replace {{title}}, {{date}} (and the Chinese forms) in the template; the names filled."""
    filled = set()
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    for section in doc.sections:
        paragraphs += section.header.paragraphs + section.footer.paragraphs
    for paragraph in paragraphs:
        for name, marks in PLACEHOLDERS.items():
            for mark in marks:
                if mark not in paragraph.text:
                    continue
                filled.add(name)
                runs = [r for r in paragraph.runs if mark in r.text]
                if runs:  # keep the run's formatting
                    for run in runs:
                        run.text = run.text.replace(mark, values[name])
                else:  # the mark is split over runs: the paragraph's text, in its first run
                    text = paragraph.text.replace(mark, values[name])
                    for run in paragraph.runs[1:]:
                        run.text = ""
                    paragraph.runs[0].text = text
    return filled


def document_bytes(facts: ReportFacts, template: Path | None = None, words: Words | None = None) -> bytes:
    """The bulletin as .docx bytes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    words = words or Words()
    doc = _open(template)
    _style_fonts(doc)
    title = words("title")
    filled = _fill_placeholders(doc, {"title": title, "date": facts.today.isoformat() if facts.today else ""})
    body = doc.element.body
    before = list(body)  # held, so lxml keeps these proxies (compared by identity)

    if "title" not in filled:
        heading = _heading(doc, title, 0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in heading_lines(facts, words):
        paragraph = doc.add_paragraph(_xml_text(line))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _heading(doc, words("summary_heading"), 1)
    for sentence in summary_sentences(facts, words):
        doc.add_paragraph(sentence)
    doc.add_picture(io.BytesIO(charts.render("burnup", facts, words, "png")), width=Mm(150))

    _heading(doc, words("progress_heading", by=words("by_" + facts.by)), 1)
    head, rows = progress_table_rows(facts, words)
    _table(doc, head, rows)
    doc.add_picture(io.BytesIO(charts.render("progress", facts, words, "png")), width=Mm(150))

    _heading(doc, words("attention_heading"), 1)
    head, rows, colours = attention_rows(facts, words)
    if rows:
        _table(doc, head, rows, [FILLS.get(c) for c in colours])
        more = len(facts.progress.attention) - len(rows)
        if more > 0:
            doc.add_paragraph(words("attention_more", n=more))
    else:
        doc.add_paragraph(words("attention_none"))
    doc.add_picture(io.BytesIO(charts.render("overdue", facts, words, "png")), width=Mm(150))

    _heading(doc, words("period_heading"), 1)
    _heading(doc, words("completed_heading"), 2)
    head, rows = completed_rows(facts, words)
    if rows:
        _table(doc, head, rows)
    else:
        doc.add_paragraph(words("completed_none"))
    note = earlier_note(len(facts.period.completed), len(rows), words)
    if note:
        doc.add_paragraph(note)
    _heading(doc, words("changes_heading"), 2)
    head, rows = change_rows(facts, words)
    if rows:
        _table(doc, head, rows)
    else:
        doc.add_paragraph(words("changes_none"))
    note = earlier_note(len(facts.period.status_changes), len(rows), words)
    if note:
        doc.add_paragraph(note)

    _move_to_mark(doc, before)
    doc.core_properties.title = title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _move_to_mark(doc: Any, before: list[Any]) -> None:
    """Move what was added (the body's children not in `before`) to the template's {{body}}
    paragraph, which goes; without one it stays at the end."""
    body = doc.element.body
    mark = next((p for p in doc.paragraphs if p.text.strip() in BODY_MARKS), None)
    if mark is None:
        return
    for el in [el for el in body if el not in before and not el.tag.endswith("}sectPr")]:
        mark._p.addprevious(el)
    body.remove(mark._p)
