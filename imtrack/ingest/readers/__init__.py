"""File -> Document (paragraphs and tables), whatever the format: see detect.py for how the
format is told, and one module per format. Each reader imports its library only when used."""

from __future__ import annotations

from pathlib import Path

from imtrack.ingest.document import Document
from imtrack.ingest.readers.detect import DOCX, HTML, MHTML, PDF, TEXT, XLSX, sniff
from imtrack.ingest.textio import check_encoding, read_bytes

__all__ = ["read_file"]


def read_file(path: Path, encoding: str | None = None) -> Document:
    """Read `path` as a document. `encoding` applies to text and HTML (detected if None)."""
    if encoding is not None:
        check_encoding(encoding)  # a typo is a usage error even when the file is missing
    data = read_bytes(path)
    name = str(path)
    kind = sniff(data, name)
    if kind == TEXT:
        from imtrack.ingest.readers.text import read_text_document

        return read_text_document(data, name, encoding)
    if kind == HTML:
        from imtrack.ingest.readers.html import read_html

        return read_html(data, name, encoding)
    if kind == MHTML:
        from imtrack.ingest.readers.html import read_mhtml

        return read_mhtml(data, name, encoding)
    if kind == DOCX:
        from imtrack.ingest.readers.docx import read_docx

        return read_docx(data, name)
    if kind == PDF:
        from imtrack.ingest.readers.pdf import read_pdf

        return read_pdf(data, name)
    if kind == XLSX:
        from imtrack.ingest.readers.sheet import read_xlsx

        return read_xlsx(data, name)
    raise AssertionError(kind)
