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


def change_text(field: str, old: object, new: object) -> str:
    return f"{field}: {display_value(field, old)} -> {display_value(field, new)}"


# What a terminal would act on rather than show: C0 and C1 controls (ESC starts colour codes,
# window titles and cursor moves; a bare CR overwrites the line), DEL, the bidi embeddings,
# overrides and isolates (which reorder what follows: "Trojan Source"), and the line and
# paragraph separators. Each is shown as its Python escape (\x1b, \r, \u202e); a newline stays
# a line break where `keep_newlines` (a multi-line note in a table cell).
_CONTROLS = [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {c: ascii(chr(c))[1:-1] for c in _CONTROLS}
_ESCAPES_KEEP_NEWLINE = {**_ESCAPES, ord("\n"): "\n"}


def visible(text: str, keep_newlines: bool = True) -> str:
    """`text` as it may go to a terminal: every control, escape sequence and bidi override made
    visible and inert (`\\x1b[31m` reads as those characters), everything else unchanged. Only
    for display: stored and exported text keeps them exactly."""
    if text.isprintable():  # the common case, a scan in C
        return text
    return text.translate(_ESCAPES_KEEP_NEWLINE if keep_newlines else _ESCAPES)
