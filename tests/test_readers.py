"""Document readers: every format read into the paragraphs the parser expects, the format told
by content, and a clear one-line error for every file imtrack cannot read."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from imtrack.errors import ImtrackError
from imtrack.ingest.readers import read_document
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
    doc = read_document(CORPUS / f"{name}.html")
    assert doc.format == "html"
    assert doc.paragraphs == corpus_lines(name)
    assert doc.tables == []


@pytest.mark.parametrize(
    ("page", "encoding"), [("gbf-2018-115-page.html", "utf-8"), ("gbf-2018-115-portal.html", "gb18030")]
)
def test_full_saved_page_keeps_the_article_and_drops_the_furniture(page, encoding):
    doc = read_document(FORMATS / page)
    assert doc.paragraphs == corpus_lines("gbf-2018-115")
    assert doc.encoding == encoding  # the portal declares gb2312 in its <meta>
    text = doc.text
    for furniture in ("首页", "索引号", "分享到", "责任编辑", "扫一扫", "京ICP备", "hm.js", "最新文件"):
        assert furniture not in text


def test_html_blocks_breaks_and_whitespace():
    html = (
        "<div><p>一、总体<b>要求</b></p><p>第一行<br>第二行</p>\n<p>  空格  \n 折行 </p>"
        "<p>&nbsp;</p><ul><li>甲</li><li>乙</li></ul>尾巴</div>"
    )
    doc = read_document(_write("x.html", html.encode()))
    assert doc.paragraphs == ["一、总体要求", "第一行", "第二行", "空格 折行", "甲", "乙", "尾巴"]


def test_html_named_txt_is_read_as_html(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_bytes((CORPUS / "gf-2018-44.html").read_bytes())
    doc = read_document(path)
    assert doc.format == "html"
    assert doc.paragraphs == corpus_lines("gf-2018-44")


def test_import_html_gives_the_same_measures_as_the_text(run, tmp_path):
    for name in ("gbf-2018-121", "gf-2019-5"):
        from_text = _import(run, CORPUS / f"{name}.txt")
        from_html = _import(run, CORPUS / f"{name}.html")
        assert from_html["format"] == "html"
        assert _measures(from_html) == _measures(from_text)
        assert len(_measures(from_text)) > 5
    page = _import(run, FORMATS / "gbf-2018-115-page.html")
    assert _measures(page) == _measures(_import(run, CORPUS / "gbf-2018-115.txt"))


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
    ("fake.pdf", "一、总体要求".encode(), "fake.pdf is not a PDF (no %PDF header)"),
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
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("text", "gb18030")
    assert doc.paragraphs == corpus_lines("gf-2019-5")


def test_reader_errors_are_imtrack_errors(tmp_path):
    path = tmp_path / "x.ofd"
    path.write_bytes(OFD)
    with pytest.raises(ImtrackError):
        read_document(path)
