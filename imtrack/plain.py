"""The measure listing as plain aligned text, without Rich.

Rich lays out a table cell by cell (about 2 ms a row here, 20 s for 10,000 measures), which is
right for a screenful and wrong for a long ledger. This listing has the
same columns and summary line, one measure per line with its full text last (nothing wrapped or
cut, so `grep`, `wc -l` and `cut` work), padded by display width so Chinese labels line up."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import IO

from imtrack.models import Measure, Status
from imtrack.sectors import label as sector_label

# Rich's table up to this many rows (on a terminal or in a pipe, so what a user saves or mails
# looks like what they saw); longer listings get plain text. Scripts use --format json/csv.
RICH_MAX_ROWS = 300
GAP = "  "


@cache
def cell_width(text: str) -> int:
    """Terminal columns `text` takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_width(text))


@cache
def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def measure_lines(measures: Sequence[Measure], total: int) -> Iterable[str]:
    headers = ("ID", "Sector", "Status", "Last note", "Measure")
    rows = []
    for m in measures:
        note = m.latest_note
        rows.append((str(m.id), sector_label(m.sector), _status_label(m.status),
                     note.at[:10] if note else "-", m.text))
    widths = [max([cell_width(headers[i])] + [cell_width(r[i]) for r in rows]) for i in range(4)]
    yield GAP.join(_pad(h, w) for h, w in zip(headers[:4], widths)) + GAP + headers[4]
    for r in rows:
        yield (r[0].rjust(widths[0]) + GAP + _pad(r[1], widths[1]) + GAP + _pad(r[2], widths[2])
               + GAP + _pad(r[3], widths[3]) + GAP + r[4])
    shown = len(measures)
    yield f"{shown} measures" if shown == total else f"{shown} of {total} measures"


def write_measures(measures: Sequence[Measure], total: int, stream: IO[str] | None = None) -> None:
    stream = stream or sys.stdout
    stream.write("\n".join(measure_lines(measures, total)) + "\n")
