"""A long listing as plain lines: one measure per line, the columns before the text padded by
display width, the full text last (not a table: nothing folded, no styles, no Rich). What
`imtrack list` prints beyond FOLD_MAX_ROWS measures, so that grep, wc -l and cut work on it and
10,000 rows cost a few milliseconds, not Rich's table layout. User text is made visible."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from imtrack.domain.models import Status
from imtrack.i18n import _, ngettext
from imtrack.output.display import visible
from imtrack.output.fold import cell_widths

# Up to this many rows `list` is a Rich table folding long texts (render.py); beyond it, these
# plain lines. Scripts use --format json/csv.
FOLD_MAX_ROWS = 300


def _plain(values: Sequence[Any]) -> list[str]:
    """Cell values (strings, (string, style) pairs, or Rich Text) as display strings; each
    distinct value made visible once."""
    out = [v if v.__class__ is str else v[0] if v.__class__ is tuple else getattr(v, "plain", str(v))
           for v in values]
    shown = {v: visible(v, keep_newlines=False) for v in set(out)}
    return [shown[v] for v in out]


def _status_names(statuses: Sequence[Any]) -> list[str]:
    labels: dict[str, str] = {}
    for s in set(statuses):
        if isinstance(s, str):
            try:
                labels[s] = Status(s).label
            except ValueError:
                labels[s] = s
    return [labels[s] for s in statuses] if labels else _plain(statuses)


def _pad(header: str, values: list[str], right: bool) -> list[str]:
    widths = cell_widths([header, *values])
    w = max(widths.values())
    if right:
        padded = {v: " " * (w - n) + v for v, n in widths.items()}
    else:
        padded = {v: v + " " * (w - n) for v, n in widths.items()}
    return [padded[header], *(padded[v] for v in values)]


def width(stream: IO[str]) -> int:
    """$COLUMNS, else the terminal's width, else 80 (as Rich)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        pass
    return 80


def one_line_listing(ids: Sequence[Any], sectors: Sequence[Any], statuses: Sequence[Any], texts: Sequence[str],
                     dues: Sequence[Any] | None, notes: Sequence[Any], total: int, stream: IO[str] | None = None) -> None:
    """Write the listing to `stream` (stdout): a header, a rule as wide as the screen, one line
    per measure, and how many were listed."""
    stream = stream or sys.stdout
    columns = [_pad(_("ID"), _plain(ids), True), _pad(_("Sector"), _plain(sectors), False),
               _pad(_("Status"), _status_names(statuses), False)]
    if dues is not None:
        columns.append(_pad(_("Due"), _plain(dues), False))
    columns.append(_pad(_("Last note"), _plain(notes), False))
    full = [_("Measure"), *(t if t.isprintable() else visible(t, keep_newlines=False) for t in texts)]
    lines = ["   ".join(parts).rstrip(" ") for parts in zip(*columns, full)]
    shown = len(ids)
    if shown == total:
        summary = ngettext("{n} measure", "{n} measures", total).format(n=total)
    else:
        summary = ngettext("{shown} of {n} measure", "{shown} of {n} measures", total).format(shown=shown, n=total)
    stream.write("\n".join([lines[0], "-" * width(stream), *lines[1:], summary, ""]))
    stream.flush()
