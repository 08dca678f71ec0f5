"""A plain-text document: decoded (textio), one paragraph per line, with any task-division
table whose cells are still told apart (tabs, |, runs of spaces) taken out as a table."""

from __future__ import annotations

from imtrack.i18n import _
from imtrack.ingest.document import Document
from imtrack.ingest.readers.detect import UnsupportedFormat, looks_binary
from imtrack.ingest.tables import split_text_tables
from imtrack.ingest.textio import decode


def read_text_document(data: bytes, name: str, encoding: str | None = None) -> Document:
    decoded = decode(data, name, encoding)
    text = decoded.text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    offset = looks_binary(text)
    if offset is not None:
        raise UnsupportedFormat(
            _("{name} is not a text document: it holds binary data (character {char} "
              "at character {offset}); import a .txt, .html, .docx, .pdf or .xlsx file").format(
                name=name, char=f"{ord(text[offset]):#04x}", offset=offset)
        )
    # Lines keep their places (blank ones too), so the parser's line numbers are the file's.
    doc = Document(name=name, format="text", encoding=decoded.encoding)
    doc.blocks = split_text_tables(text.split("\n"))
    return doc
