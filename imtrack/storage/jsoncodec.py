"""JSON for `--format json`: stable (sorted keys, two-space indent), UTF-8 as it is (never \\u
escapes). orjson (a dependency) writes it several times faster than the standard library; the
fallback keeps imtrack usable where orjson cannot be installed."""

from __future__ import annotations

from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; a broken install still works
    orjson = None  # type: ignore[assignment]


def dumps_pretty(data: Any) -> str:
    """Stable output for scripts: sorted keys, two-space indent, non-ASCII kept."""
    if orjson is not None:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
