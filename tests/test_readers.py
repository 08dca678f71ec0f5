"""Document readers: every format read into the paragraphs the parser expects, the format told
by content, and a clear one-line error for every file imtrack cannot read."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from imtrack.errors import ImtrackError
from imtrack.ingest.readers import read_file
from imtrack.ingest.readers.detect import OLE2_MAGIC, sniff

FORMATS = Path(__file__).parent / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "gov-cn"
NAMES = sorted(p.stem for p in CORPUS.glob("*.html"))


def corpus_lines(name: str) -> list[str]:
    if not CORPUS.is_dir():
        pytest.fail(f"the corpus is missing: expected {CORPUS} beside the checkout")
    return (CORPUS / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def test_the_corpus_is_there():
    assert len(NAMES) == 12, f"expected the 12 gov.cn documents in {CORPUS}"


# -- HTML -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_gov_cn_article_body_reads_as_the_corpus_text(name):
    doc = read_file(CORPUS / f"{name}.html")
    assert doc.format == "html"
    assert doc.paragraphs == corpus_lines(name)
    assert doc.tables == []


@pytest.mark.parametrize(
    ("page", "encoding"), [("gbf-2018-115-page.html", "utf-8"), ("gbf-2018-115-portal.html", "gb18030")]
)
def test_full_saved_page_keeps_the_article_and_drops_the_furniture(page, encoding):
    doc = read_file(FORMATS / page)
    assert doc.paragraphs == corpus_lines("gbf-2018-115")
    assert doc.encoding == encoding  # the portal declares gb2312 in its <meta>
    text = doc.text
    for furniture in ("首页", "索引号", "分享到", "责任编辑", "扫一扫", "京ICP备", "hm.js", "最新文件"):
        assert furniture not in text


@pytest.mark.parametrize("name", NAMES)
def test_corpus_text_files_read_unchanged(name):
    """No line of a real document is mistaken for a table: the parser gets the file as it is."""
    doc = read_file(CORPUS / f"{name}.txt")
    assert (doc.format, doc.encoding, doc.tables) == ("text", "utf-8", [])
    assert doc.text == (CORPUS / f"{name}.txt").read_text(encoding="utf-8")


def test_html_blocks_breaks_and_whitespace():
    html = (
        "<div><p>一、总体<b>要求</b></p><p>第一行<br>第二行</p>\n<p>  空格  \n 折行 </p>"
        "<p>&nbsp;</p><ul><li>甲</li><li>乙</li></ul>尾巴</div>"
    )
    doc = read_file(_write("x.html", html.encode()))
    assert doc.paragraphs == ["一、总体要求", "第一行", "第二行", "空格 折行", "甲", "乙", "尾巴"]


def test_html_named_txt_is_read_as_html(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_bytes((CORPUS / "gf-2018-44.html").read_bytes())
    doc = read_file(path)
    assert doc.format == "html"
    assert doc.paragraphs == corpus_lines("gf-2018-44")


def _mhtml(html: str, charset: str = "gb2312") -> bytes:
    """A page saved as one file by a browser (or served as a "Word" .doc by a site): MIME
    multipart with the HTML quoted-printable in a Chinese encoding."""
    import quopri

    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body>{html}</body></html>'
    return (
        b"From: <Saved by Windows Internet Explorer 8>\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----=_NextPart_000"\r\n\r\n'
        b"This is a multi-part message in MIME format.\r\n\r\n------=_NextPart_000\r\n"
        + f'Content-Type: text/html;\r\n\tcharset="{charset}"\r\n'.encode()
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(page.encode("gb18030"))
        + b"\r\n------=_NextPart_000--\r\n"
    )


def test_saved_web_archive_named_doc_is_read_as_its_page(tmp_path):
    path = tmp_path / "下载.doc"
    path.write_bytes(_mhtml((CORPUS / "gf-2018-44.html").read_text(encoding="utf-8")))
    doc = read_file(path)
    assert doc.format == "html"
    # gb2312 is read as browsers read it (GB18030): 云—端 keeps its dash U+2014
    assert doc.paragraphs == corpus_lines("gf-2018-44")
    assert "云—端" in doc.text


def test_gb2312_page_keeps_its_dashes(tmp_path):
    page = '<html><head><meta charset="gb2312"></head><body><p>云—端融合，鍶</p></body></html>'
    path = tmp_path / "p.html"
    path.write_bytes(page.encode("gb18030"))
    assert read_file(path).paragraphs == ["云—端融合，鍶"]


def test_import_html_gives_the_same_measures_as_the_text(run, tmp_path):
    for name in ("gbf-2018-121", "gf-2019-5"):
        from_text = _import(run, CORPUS / f"{name}.txt")
        from_html = _import(run, CORPUS / f"{name}.html")
        assert from_html["format"] == "html"
        assert _measures(from_html) == _measures(from_text)
        assert len(_measures(from_text)) > 5
    page = _import(run, FORMATS / "gbf-2018-115-page.html")
    assert _measures(page) == _measures(_import(run, CORPUS / "gbf-2018-115.txt"))


# -- Word -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gbh-2018-71", "gbf-2018-121"])
def test_docx_reads_as_the_corpus_text_with_word_numbering(name):
    import docx

    path = FORMATS / f"{name}.docx"
    raw = [p.text for p in docx.Document(str(path)).paragraphs]
    # The markers are Word's automatic numbering, not text: the reader has to count them.
    assert not any(line.startswith(("一、", "（一）", "1.")) for line in raw)
    doc = read_file(path)
    assert doc.format == "docx"
    assert doc.paragraphs == corpus_lines(name)
    assert "国务院办公厅文件" not in doc.text  # the page header is not the body


def test_docx_numbering_formats_and_restarts(tmp_path):
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("decimal", "%1.%2"), ("decimalEnclosedCircle", "%3"), ("bullet", "\uf0b7")]
    # level 1 is "legal" (isLgl): the 一 of level 0 is written 1 in its number
    body = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{f}"/><w:lvlText w:val="{t}"/>'
        f'{"<w:isLgl/>" if i == 1 else ""}</w:lvl>'
        for i, (f, t) in enumerate(levels)
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="900">{body}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="900"><w:abstractNumId w:val="900"/></w:num>'))
    for level, text in [(0, "甲"), (1, "乙"), (2, "丙"), (2, "丁"), (1, "戊"), (0, "己"), (1, "庚"), (3, "辛")] + [(0, "x")] * 9:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="900"/></w:numPr>')
        )
    path = tmp_path / "n.docx"
    document.save(path)
    lines = read_file(path).paragraphs
    assert lines[:8] == ["一、甲", "1.1乙", "①丙", "②丁", "1.2戊", "二、己", "2.1庚", "•辛"]  # a Symbol-font bullet
    assert lines[-1] == "十一、x"


def test_docx_numbering_from_the_paragraph_style(tmp_path):
    """Heading styles often carry the numbering (一、 on every 标题 1), not the paragraphs."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="901"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="901"><w:abstractNumId w:val="901"/></w:num>'))
    base = document.styles.add_style("编号标题", WD_STYLE_TYPE.PARAGRAPH)
    base.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="901"/></w:numPr>'))
    derived = document.styles.add_style("一级标题", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = base  # the numbering comes through basedOn
    for text, style in [("总体要求", base), ("正文。", None), ("主要任务", derived)]:
        document.add_paragraph(text, style=style)
    path = tmp_path / "s.docx"
    document.save(path)
    assert read_file(path).paragraphs == ["一、总体要求", "正文。", "二、主要任务"]


def test_docx_line_breaks_and_plain_tables(tmp_path):
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "地区", (0, 1): "城市", (1, 0): "华北", (1, 1): "北京"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("（一）完成试点。")
    path = tmp_path / "b.docx"
    document.save(path)
    doc = read_file(path)
    assert doc.paragraphs == ["第一行", "第二行", "地区", "城市", "华北", "北京", "（一）完成试点。"]
    assert doc.tables == []  # not a task-division table: its cells are paragraphs


def test_docx_tracked_changes_read_as_accepted(tmp_path):
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("（一）加强")
    paragraph._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="处室" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:t>统筹</w:t></w:r></w:ins>"
    ))
    paragraph._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="处室" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:delText>协调</w:delText></w:r></w:del>"
    ))
    paragraph.add_run("推进。")
    path = tmp_path / "draft.docx"
    document.save(path)
    assert paragraph.text == "（一）加强推进。"  # what python-docx alone would give
    assert read_file(path).paragraphs == ["（一）加强统筹推进。"]


def test_import_docx_gives_the_same_measures_as_the_text(run):
    for name in ("gbh-2018-71", "gbf-2018-121"):
        from_docx = _import(run, FORMATS / f"{name}.docx")
        assert from_docx["format"] == "docx"
        assert from_docx["encoding"] is None
        assert _measures(from_docx) == _measures(_import(run, CORPUS / f"{name}.txt"))
        assert len(_measures(from_docx)) > 5


def test_import_summary_names_the_format(run):
    result = run.ok("import", str(FORMATS / "gbf-2018-121.docx"), "--dry-run")
    assert f"Would import {FORMATS / 'gbf-2018-121.docx'} (docx) as source 'gbf-2018-121.docx'" in result.stdout
    result = run.ok("import", str(FORMATS / "gbf-2018-115-portal.html"), "--dry-run")
    assert "(html, gb18030) as source" in result.stdout


# -- PDF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pdf", ["gf-2019-5.pdf", "gf-2019-5-embedded.pdf", "gbf-2018-129.pdf"])
def test_pdf_reads_as_the_corpus_text(pdf):
    doc = read_file(FORMATS / pdf)
    assert doc.format == "pdf"
    # headers (国务院文件) and page numbers (— 2 —) dropped, hard wraps joined, indents kept apart
    assert doc.paragraphs == corpus_lines(pdf.split(".")[0].removesuffix("-embedded"))


def test_import_pdf_gives_the_same_measures_as_the_text(run):
    for name in ("gf-2019-5", "gbf-2018-129"):
        from_pdf = _import(run, FORMATS / f"{name}.pdf")
        assert from_pdf["format"] == "pdf"
        assert _measures(from_pdf) == _measures(_import(run, CORPUS / f"{name}.txt"))
        assert len(_measures(from_pdf)) > 5


def test_pdf_wraps_and_furniture_unit():
    from imtrack.ingest.readers.pdf import _Line, drop_furniture, paragraphs

    def page(n: int, body: list[tuple[float, float, str]]) -> list[_Line]:
        lines = [_Line(n, 250, 340, 40, 10, "某某市人民政府文件")]
        lines += [_Line(n, x0, x1, 100 + 26 * i, 14, t) for i, (x0, x1, t) in enumerate(body)]
        return [*lines, _Line(n, 280, 310, 800, 10, f"- {n} -")]

    full, indent = 72 + 14 * 30, 72 + 28
    lines = page(1, [(indent, full, "一、总体"), (72, full, "要求继续"), (72, 300, "写完。"), (indent, full, "二、下段")])
    lines += page(2, [(72, full, "跨页"), (72, 200, "接上。"), (indent, full, "3. Latin"), (72, 150, "words")])
    kept = drop_furniture(lines)
    assert [line.text for line in kept if "文件" in line.text or "-" in line.text] == []
    assert paragraphs(kept) == ["一、总体要求继续写完。", "二、下段跨页接上。", "3. Latin words"]


def test_scanned_pdf_is_a_clear_error(run, db_path):
    result = run.fail("import", str(FORMATS / "scanned.pdf"))
    assert "scanned.pdf is a scanned PDF: its pages are images with no text layer; run OCR" in result.stderr
    assert not db_path.exists()


def test_damaged_pdf_is_a_clear_error(run, tmp_path):
    data = (FORMATS / "gf-2019-5.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    result = run.fail("import", str(path))
    assert "cut.pdf" in result.stderr


# -- helpers ----------------------------------------------------------------------------------------

_TMP: list[Path] = []


@pytest.fixture(autouse=True)
def _tmp_dir(tmp_path):
    _TMP[:] = [tmp_path]


def _write(name: str, data: bytes) -> Path:
    path = _TMP[0] / name
    path.write_bytes(data)
    return path


def _import(run, path: Path) -> dict:
    return json.loads(run.ok("import", str(path), "--dry-run", "--format", "json").stdout)


def _measures(result: dict) -> list[tuple]:
    return [(m["text"], m["lead"], m["partners"], m["due"]) for m in result["added"]]


# -- what imtrack cannot read ---------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


OLE2 = OLE2_MAGIC + bytes(504) + b"WordDocument" + bytes(200)
OFD = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})

BAD_FILES = [
    ("empty.txt", b"", "empty.txt is empty; there is nothing to import"),
    ("blank.txt", b" \n\r\n\t\n", "blank.txt is empty; there is nothing to import"),
    ("old.doc", OLE2, "old.doc is a Word 97-2003 document (.doc), which imtrack cannot read; open it in Word"),
    ("kingsoft.wps", OLE2, "kingsoft.wps is a WPS Office document (.wps), which imtrack cannot read"),
    ("renamed.txt", OLE2, "renamed.txt is an old-format Office document (Word .doc, WPS .wps or Excel .xls)"),
    ("paper.ofd", OFD, "paper.ofd is an OFD e-document (版式文件), which imtrack cannot read; open it in an OFD reader"),
    ("paper.pdf", OFD, "paper.pdf is an OFD e-document"),
    ("broken.ofd", b"not a zip at all", "broken.ofd is not a readable OFD file"),
    ("broken.docx", b"PK\x03\x04garbage" + bytes(100), "broken.docx is a damaged Word document"),
    ("renamed.docx", "一、总体要求".encode(), "renamed.docx is not a readable .docx file (it is not a zip package"),
    ("other.docx", _zip({"a.txt": b"x"}), "other.docx is a zip package without the parts of a .docx file"),
    ("files.zip", _zip({"a.txt": b"x"}), "files.zip is a zip archive, not a document"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "photo.txt is a PNG image, not text; run OCR"),
    ("binary.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(64) + b"\x03\x04", "binary.txt is not a text document: it holds binary data"),
    ("notes.rtf", b"{\\rtf1\\ansi hello}", "notes.rtf is an RTF document"),
    ("locked.docx", OLE2, "locked.docx is password-protected; open it with its password and save an unprotected copy"),
    ("fake.pdf", "一、总体要求".encode(), "fake.pdf is not a PDF (no %PDF header)"),
    ("app.html", b"<!DOCTYPE html><html><head><script>load()</script></head><body><div id='app'></div></body></html>",
     "app.html is a web page without any text (its article may be loaded by a script)"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unreadable_files_fail_with_one_clear_line(run, tmp_path, db_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = run.fail("import", str(path))
    assert message in result.stderr, result.stderr
    assert not db_path.exists()


def test_sniff_goes_by_content_before_suffix():
    assert sniff(b"%PDF-1.4\n...", "a.txt") == "pdf"
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><html><p>x</p></html>", "a.txt") == "html"
    assert sniff("<p>第一段</p>".encode(), "a.doc") == "html"
    assert sniff("一、总体要求\n<注意>".encode(), "a.html") == "text"
    assert sniff("一、总体要求".encode(), "a.doc") == "text"


def test_a_gbk_text_file_is_text_not_binary(run, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((CORPUS / "gf-2019-5.txt").read_text(encoding="utf-8").encode("gb18030"))
    doc = read_file(path)
    assert (doc.format, doc.encoding) == ("text", "gb18030")
    assert doc.paragraphs == corpus_lines("gf-2019-5")


def test_reader_errors_are_imtrack_errors(tmp_path):
    path = tmp_path / "x.ofd"
    path.write_bytes(OFD)
    with pytest.raises(ImtrackError):
        read_file(path)


# -- properties -----------------------------------------------------------------------------------

from hypothesis import assume, given, settings
from hypothesis import strategies as st


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(25, 160), st.integers(0, 10**6)), min_size=1, max_size=10),
    st.integers(min_value=10, max_value=24),
    st.integers(min_value=4, max_value=30),
)
def test_pdf_rewrapping_never_changes_the_paragraphs(bodies, per_line, lines_per_page):
    """Any paragraphs, set at any width with a first-line indent and broken over pages with a
    running head and page numbers, come back exactly. (Text is drawn from the whole CJK block:
    the same line of body text at the same place on most pages would be a running head.)"""
    from imtrack.ingest.readers.pdf import _Line, drop_furniture, paragraphs

    def body(length: int, seed: int) -> str:
        return "".join(chr(0x4E00 + (seed + 7919 * j * j + 31 * j) % 20000) for j in range(length))

    texts = [f"（{i}）{body(length, seed)}" for i, (length, seed) in enumerate(bodies, start=1)]
    size, left = 14.0, 72.0
    set_lines: list[tuple[float, str]] = []
    for text in texts:
        first, rest = text[: per_line - 2], text[per_line - 2 :]
        set_lines.append((left + 2 * size, first))
        set_lines += [(left, rest[i : i + per_line]) for i in range(0, len(rest), per_line)]
    # On a single page a running head cannot be told from a title: it takes two pages.
    assume(len(set_lines) > lines_per_page)
    lines: list[_Line] = []
    for n, start in enumerate(range(0, len(set_lines), lines_per_page), start=1):
        lines.append(_Line(n, 200, 300, 30, 10, "某某省人民政府办公厅文件"))
        for row, (x0, text) in enumerate(set_lines[start : start + lines_per_page]):
            lines.append(_Line(n, x0, x0 + size * len(text), 80 + 26 * row, size, text))
        lines.append(_Line(n, 250, 280, 80 + 26 * lines_per_page + 40, 10, f"— {n} —"))  # in the margin
    assert paragraphs(drop_furniture(lines)) == texts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="政策措施推进建设加强完善体系，。、；“”（）2025 ", min_size=10, max_size=60), min_size=1, max_size=3), min_size=1, max_size=10))
def test_html_paragraphs_come_back_whatever_the_inline_markup(paragraphs):
    """Each <p> is one line, however its text is split over inline elements (a run of spaces
    shows as one, as in a browser)."""
    from html import escape

    from imtrack.ingest.readers.html import read_html

    paragraphs = [[f"第{i}段：", *pieces] for i, pieces in enumerate(paragraphs, start=1)]
    body = "".join(
        "<p>" + "".join(f"<span style='x'>{escape(piece)}</span>" for piece in pieces) + "</p>\n"
        for pieces in paragraphs
    )
    page = f"<html><body><div class='menu'><a href='/'>首页</a></div><div>{body}</div></body></html>"
    doc = read_html(page.encode(), "x.html")
    expected = [re.sub(" +", " ", "".join(pieces)).strip() for pieces in paragraphs]
    assert doc.paragraphs == [p for p in expected if p]
