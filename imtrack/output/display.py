"""How a field's value reads to a person: Chinese labels for statuses and sectors, lists joined
with 、, booleans as yes/no, "-" for nothing. One place, so tables, Markdown and summaries agree.
("-" rather than "—": the dash is ambiguous-width and misaligns CJK terminals, pitfalls §2b.)"""

from __future__ import annotations

from imtrack.domain.models import Status
from imtrack.vocab.sectors import label as sector_label

LIST_SEPARATOR = "、"
EMPTY = "-"


def display_value(field: str, value: object, labels: bool = True) -> str:
    """`labels=False` keeps slugs (English headers, scripts)."""
    if value is None or value == []:
        return EMPTY
    if isinstance(value, bool):  # sector_pinned: set by hand or not
        return "yes" if value else "no"
    if isinstance(value, list):  # partners, tags
        return LIST_SEPARATOR.join(map(str, value))
    if labels and field == "status":
        try:
            return Status(str(value)).label
        except ValueError:
            return str(value)
    if labels and field == "sector":
        return sector_label(str(value))
    return str(value)
