"""JSON encoding and decoding for the database file and `--format json`, fast when it can be.

orjson (the optional `imtrack[fast]` extra) parses and writes several times faster than the
standard library, whose encoder falls back to pure Python as soon as `indent` is given (about 1 s
for a 10,000-measure file here). Both paths give the same data; only the layout differs:

* with orjson the database file is indented by two spaces throughout;
* without it, the skeleton is indented and each document sits on one line, written by the C
  encoder, which keeps the file readable (one measure per line, diffs stay small) and fast.

Output is always UTF-8 with non-ASCII characters as they are (never \\u escapes)."""

from __future__ import annotations

from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised by forcing FAST = False in the tests
    orjson = None  # type: ignore[assignment]

FAST = orjson is not None


def loads(raw: bytes) -> Any:
    """Parse UTF-8 JSON; raises UnicodeDecodeError or json.JSONDecodeError like the stdlib."""
    if FAST:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # let the stdlib name the line and column of the mistake
    import json

    return json.loads(raw.decode("utf-8"))


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


def dumps_pretty(data: Any) -> str:
    """Stable output for scripts: sorted keys, two-space indent, non-ASCII kept."""
    if FAST:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
