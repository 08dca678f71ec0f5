"""Which kind of file this is, told by its bytes first and its name second.

Offices rename files freely (a .txt that is a saved web page, a .doc that is really .docx), so
the content decides wherever it can: PDF and the zip packages (.docx, .xlsx, .ofd) and the old
binary Office formats carry a signature at the start. The suffix only tells apart formats that
share one (the OLE2 container holds .doc, .wps, .xls and .et alike) and decides nothing for
text, where a page saved as .txt is still HTML.

Formats imtrack does not read get an error that names how to convert them, never a guess."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import PurePath

from imtrack.errors import ImtrackError
from imtrack.i18n import N_, _

PDF, DOCX, XLSX, HTML, MHTML, TEXT = "pdf", "docx", "xlsx", "html", "mhtml", "text"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_IMAGES = {
    b"\x89PNG\r\n\x1a\n": N_("a PNG image"),
    b"\xff\xd8\xff": N_("a JPEG image"),
    b"GIF8": N_("a GIF image"),
    b"II*\x00": N_("a TIFF image"),
    b"MM\x00*": N_("a TIFF image"),
}
_SAVE_AS_DOCX = N_(
    "open it in Word or WPS Office and save it as a Word document (.docx) (另存为 → .docx), "
    "or convert it with `libreoffice --headless --convert-to docx FILE`"
)
_OCR = N_("run OCR on it first (e.g. `ocrmypdf -l chi_sim IN.pdf OUT.pdf`) or ask for the Word or text version")
# A saved page starts with one of these (after a BOM, blanks and comments); the gov.cn
# article bodies in the corpus start with <tbody>.
_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body|meta|title|table|tbody|div|p|span|article|section)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_MHTML = re.compile(rb"^(?:[\w-]+:.*\r?\n)*MIME-Version:.*\r?\n(?:[\w-]+:.*\r?\n|[ \t].*\r?\n)*Content-Type:\s*multipart/related", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_HTML_CLOSE = re.compile(rb"</(?:p|div|td|span|body|html)\s*>", re.IGNORECASE)


class UnsupportedFormat(ImtrackError):
    """A file imtrack cannot read as a document; the message names how to convert it."""


class DamagedFile(ImtrackError):
    """A file of a format imtrack reads whose contents are broken."""


def sniff(data: bytes, name: str) -> str:
    """The reader for `data` (the contents of file `name`): one of PDF, DOCX, XLSX, HTML, MHTML
    (a web page saved as one file, as .mht, or as .doc by sites that offer "Word" downloads), TEXT.
    Raises UnsupportedFormat / DamagedFile with a message that names the fix."""
    suffix = PurePath(name).suffix.lower()
    if not data.strip():
        raise UnsupportedFormat(_("{name} is empty; there is nothing to import").format(name=name))
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data, name, suffix)
    if data.startswith(OLE2_MAGIC):
        if suffix in (".docx", ".xlsx") or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            # Word and Excel wrap a password-protected .docx/.xlsx in the old container
            raise UnsupportedFormat(
                _("{name} is password-protected; open it with its password and save an unprotected copy").format(name=name)
            )
        raise UnsupportedFormat(_ole2_message(name, suffix))
    if _MHTML.search(head):
        return MHTML
    if data.startswith(b"{\\rtf"):
        raise UnsupportedFormat(_("{name} is an RTF document, which imtrack cannot read; {fix}").format(name=name, fix=_(_SAVE_AS_DOCX)))
    for magic, kind in _IMAGES.items():
        if data.startswith(magic):
            raise UnsupportedFormat(_("{name} is {kind}, not text; {fix}").format(name=name, kind=_(kind), fix=_(_OCR)))
    if suffix == ".ofd":
        raise DamagedFile(_("{name} is not a readable OFD file (it is not a zip package); {fix}").format(name=name, fix=_(_OFD_FIX)))
    if suffix in (".docx", ".xlsx"):
        raise DamagedFile(
            _("{name} is not a readable {suffix} file (it is not a zip package: damaged, or another "
              "format renamed); open it in Word/WPS and save it again as {suffix}").format(name=name, suffix=suffix)
        )
    if suffix == ".pdf":
        raise DamagedFile(_("{name} is not a PDF (no %PDF header): damaged, or another format renamed").format(name=name))
    if _HTML_START.match(data.lstrip(b"\xef\xbb\xbf")) or (
        suffix in _HTML_SUFFIXES and _HTML_CLOSE.search(data)
    ):
        return HTML
    return TEXT


_OFD_FIX = N_(
    "open it in an OFD reader (数科OFD阅读器, 福昕OFD版式办公套件 or WPS) and export or print it to "
    "PDF, then import the PDF"
)


def _zip_kind(data: bytes, name: str, suffix: str) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = {n.lower() for n in archive.namelist()}
    except (zipfile.BadZipFile, OSError, EOFError):
        what = {".docx": N_("Word document"), ".xlsx": N_("workbook"), ".ofd": N_("OFD file")}.get(suffix, N_("zip package"))
        raise DamagedFile(
            _("{name} is a damaged {what} (its zip package cannot be opened); open it in the program "
              "that made it and save it again").format(name=name, what=_(what))
        ) from None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "ofd.xml" in names:
        raise UnsupportedFormat(_("{name} is an OFD e-document (版式文件), which imtrack cannot read; {fix}").format(name=name, fix=_(_OFD_FIX)))
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedFormat(_("{name} is a PowerPoint file; copy its text into a .docx or .txt file").format(name=name))
    if "content.xml" in names:
        raise UnsupportedFormat(_("{name} is an OpenDocument file; {fix}").format(name=name, fix=_(_SAVE_AS_DOCX)))
    if suffix in (".docx", ".xlsx"):
        raise DamagedFile(
            _("{name} is a zip package without the parts of a {suffix} file (damaged, or another "
              "format renamed); open it in Word/WPS and save it again as {suffix}").format(name=name, suffix=suffix)
        )
    raise UnsupportedFormat(_("{name} is a zip archive, not a document; unpack it and import the document inside").format(name=name))


def _ole2_message(name: str, suffix: str) -> str:
    if suffix in (".xls", ".et"):
        return _("{name} is an old Excel/WPS spreadsheet ({suffix}), which imtrack cannot read; open it "
                 "and save it as an Excel workbook (.xlsx)").format(name=name, suffix=suffix)
    if suffix == ".wps":
        what = N_("a WPS Office document (.wps)")
    elif suffix == ".doc":
        what = N_("a Word 97-2003 document (.doc)")
    else:
        what = N_("an old-format Office document (Word .doc, WPS .wps or Excel .xls)")
    return _("{name} is {what}, which imtrack cannot read; {fix}").format(name=name, what=_(what), fix=_(_SAVE_AS_DOCX))


def looks_binary(text: str) -> int | None:
    """The offset of the first character that no text document holds (NUL and the C0
    controls other than tab, newline, CR, form feed), or None. Nearly any bytes decode as
    GB18030, so decoding alone does not tell a binary file from text."""
    m = _BINARY.search(text)
    return None if m is None else m.start()


_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
