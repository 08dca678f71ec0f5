"""The plain `list` from the store index's columns (storeindex.ColumnView), not its digests.

`imtrack list` of 10,000 measures spent a fifth of its time parsing every digest (7 MB of JSON)
and making Summary rows, to show five short fields of each (issue 6). What the one-line listing
shows is in the index as fixed-width columns (status and sector codes, due and latest-note days)
and a list of texts, so the rows are made column by column: each distinct code or day is turned
into its text once. The output is byte for byte that of the digest path (tests/test_listing.py).
Used only when that is exact: no filter but sectors and statuses, id order, the table format."""

from __future__ import annotations

from datetime import date
from typing import Any

from imtrack.storage.storeindex import DUE_NONE, DUE_ONGOING, ONGOING


def exact_for_columns(flt: Any) -> bool:
    """Whether the filter sets nothing but sectors and statuses (which the codes can match)."""
    from imtrack.domain.query import MeasureFilter

    return flt == MeasureFilter(sectors=flt.sectors, statuses=flt.statuses, settings=flt.settings)


def positions(view: Any, sectors: frozenset[str], statuses: frozenset[str], limit: int | None) -> list[int]:
    """The positions (in the view) of the measures listed, in id order: those of the sectors
    and statuses given (any when empty), the first `limit` of them."""
    order: Any = view.id_order()
    if statuses:
        wanted = {code for code, name in enumerate(view.codes["status"]) if name in statuses}
        status = view.status
        order = [i for i in order if status[i] in wanted]
    if sectors:
        wanted = {code for code, name in enumerate(view.codes["sector"]) if name in sectors}
        sector = view.sector
        order = [i for i in order if sector[i] in wanted]
    order = list(order)
    return order[:limit] if limit is not None else order


def _day_text(day: int) -> str:
    if day == DUE_NONE:
        return "-"
    if day == DUE_ONGOING:
        return ONGOING
    return date.fromordinal(day).isoformat()


def cells(view: Any, texts: list[str], rows: list[int], sector_label: Any, status_cell: Any) -> tuple:
    """(ids, sector cells, status cells, texts, due texts or None, note days) of `rows`, as
    render.measures_table makes them from Summaries: labels made once per distinct code, days
    once per distinct day."""
    ids = view.ids
    id_cells = [str(ids[i]) for i in rows]
    sector_names, status_names = view.codes["sector"], view.codes["status"]
    sector_of = [sector_label(name) for name in sector_names]
    status_of = [status_cell(name) for name in status_names]
    sector, status, due, note = view.sector, view.status, view.due, view.note
    sector_cells = [sector_of[sector[i]] for i in rows]
    status_cells = [status_of[status[i]] for i in rows]
    text_cells = [texts[i] for i in rows]
    dues = [due[i] for i in rows]
    due_cells = None
    if any(dues):
        shown = {d: _day_text(d) for d in set(dues)}
        due_cells = [shown[d] for d in dues]
    notes = [note[i] for i in rows]
    shown = {d: _day_text(d) for d in set(notes)}
    return id_cells, sector_cells, status_cells, text_cells, due_cells, [shown[d] for d in notes]
