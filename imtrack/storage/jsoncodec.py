"""JSON encoding and decoding for the database file and `--format json`, fast when it can be.

orjson (the optional `imtrack[fast]` extra) parses and writes several times faster than the
standard library, whose encoder falls back to pure Python as soon as `indent` is given (about 1 s
for a 10,000-measure file here). Both paths give the same data; only the layout differs:

* with orjson the database file is indented by two spaces throughout;
* without it, the skeleton is indented and each document sits on one line, written by the C
  encoder, which keeps the file readable (one measure per line, diffs stay small) and fast.

Output is always UTF-8 with non-ASCII characters as they are (never \\u escapes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised by forcing FAST = False in the tests
    orjson = None  # type: ignore[assignment]

FAST = orjson is not None


def loads(raw: bytes | memoryview) -> Any:
    """Parse UTF-8 JSON; raises UnicodeDecodeError or json.JSONDecodeError like the stdlib."""
    if FAST:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # let the stdlib name the line and column of the mistake
    import json

    return json.loads(bytes(raw).decode("utf-8"))


def dump_database(data: dict[str, dict[str, Any]]) -> bytes:
    """The database file: {table: {doc_id: document}} as readable UTF-8 JSON."""
    if FAST:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    import json

    tables = []
    for name, table in data.items():
        docs = ",\n".join(
            f"  {json.dumps(key)}: {json.dumps(doc, ensure_ascii=False)}" for key, doc in table.items()
        )
        tables.append(f" {json.dumps(name, ensure_ascii=False)}: {{\n{docs}\n }}" if docs else
                      f" {json.dumps(name, ensure_ascii=False)}: {{}}")
    return ("{\n" + ",\n".join(tables) + "\n}\n").encode("utf-8")


def layout() -> str:
    """The name of the database file layout dump_database writes now (the store's index records
    it: an index made for one layout says nothing about a file in the other)."""
    return "orjson-indent-2" if FAST else "stdlib-doc-per-line"


def encode_document(doc: Any) -> bytes:
    """One document exactly as dump_database writes it inside a table (two levels deep).

    With orjson, a nested value is the value dumped on its own with every line break followed by
    four more spaces; JSON strings never hold a raw line break, so the replace touches only the
    layout. tests/test_store_index.py proves the pieces equal the whole dump."""
    if FAST:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")
    import json

    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def dumps_compact(data: Any) -> bytes:
    """Compact UTF-8 JSON (the store's index)."""
    if FAST:
        return orjson.dumps(data)
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Spans = dict[str, dict[str, tuple[int, int]]]


def dump_database_spans(data: dict[str, dict[str, Any]]) -> tuple[bytes, Spans]:
    """dump_database(data), built piece by piece, with the byte span [start, end) of every
    document's value: {table: {doc_id: (start, end)}}."""
    parts: list[bytes] = []
    spans: Spans = {}
    pos = 0
    for piece, name, key in _pieces(data):
        if key is not None:
            spans.setdefault(name, {})[key] = (pos, pos + len(piece))
        elif name is not None:
            spans[name] = {}
        parts.append(piece)
        pos += len(piece)
    return b"".join(parts), spans


def canonical_spans(data: dict[str, dict[str, Any]], raw: bytes) -> Spans | None:
    """The spans of dump_database_spans(data) if `raw` is exactly that dump, else None; a file
    in another layout is told apart at its first difference, without dumping all of it."""
    view = memoryview(raw)
    spans: Spans = {}
    pos = 0
    for piece, name, key in _pieces(data):
        end = pos + len(piece)
        if view[pos:end] != piece:
            return None
        if key is not None:
            spans.setdefault(name, {})[key] = (pos, end)
        elif name is not None:
            spans[name] = {}
        pos = end
    return spans if pos == len(raw) else None


def _pieces(data: dict[str, dict[str, Any]]) -> Iterator[tuple[bytes, str | None, str | None]]:
    """dump_database(data) in pieces: (bytes, table, doc_id) for each document's value,
    (bytes, table, None) for the opening of a table, (bytes, None, None) for the rest."""
    if FAST:
        if not data:
            yield b"{}\n", None, None
            return
        dump_key = orjson.dumps
        table_indent, doc_indent = b"  ", b"    "
    else:
        import json

        def dump_key(key: str) -> bytes:
            return json.dumps(key).encode("utf-8")

        table_indent, doc_indent = b" ", b"  "
    yield b"{\n", None, None
    for t, (name, table) in enumerate(data.items()):
        if FAST:
            head = table_indent + orjson.dumps(name) + b": {"
        else:
            head = table_indent + json.dumps(name, ensure_ascii=False).encode("utf-8") + b": {"
        yield (b",\n" + head if t else head), name, None
        for i, (key, doc) in enumerate(table.items()):
            yield (b",\n" if i else b"\n") + doc_indent + dump_key(key) + b": ", None, None
            yield encode_document(doc), name, key
        yield (b"\n" + table_indent + b"}") if table else b"}", None, None
    yield b"\n}\n", None, None


def dumps_pretty(data: Any) -> str:
    """Stable output for scripts: sorted keys, two-space indent, non-ASCII kept."""
    if FAST:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
