"""A measure's digest: what `report` and the listings read of every measure, so that at 10,000
measures they need not parse and build every note and history entry (issue 6).

The digest of a stored measure document is the document without its `notes` and `history`, plus
the facts computed from those two lists that the flags of flags.py need:

* ``last_activity``: the latest day (``YYYY-MM-DD``) among created, updated, every note and every
  history change, or None when none is readable (flags.last_activity);
* ``done_on``: while the measure is done, the day of the last change that made it done, else None
  (flags.done_on);
* ``latest_note``: the last note as stored ({"at", "text", ...}), or None;
* ``note_count``: how many notes it has.

Digests are derived data: the store's index keeps them beside the byte spans of the documents and
rebuilds them from the documents whenever the index is missing or stale, so nothing here is ever
the only copy of anything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

DROPPED = ("notes", "history")
DONE = "done"  # models.Status.DONE; not imported so that reading digests stays cheap


def _day(stamp: Any) -> str | None:
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp).date().isoformat()
    except ValueError:
        return None


def digest_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The digest of one stored measure document (see the module docstring)."""
    digest = {key: value for key, value in doc.items() if key not in DROPPED}
    notes = doc.get("notes") or []
    history = doc.get("history") or []
    stamps = [doc.get("created"), doc.get("updated")]
    stamps += [note.get("at") for note in notes]
    stamps += [change.get("at") for change in history]
    days = [day for day in map(_day, stamps) if day is not None]
    digest["last_activity"] = max(days, default=None)
    done_on = None
    if doc.get("status") == DONE:
        for change in reversed(history):
            if change.get("field") == "status" and change.get("to") == DONE:
                done_on = _day(change.get("at"))
                break
    digest["done_on"] = done_on
    digest["latest_note"] = notes[-1] if notes else None
    digest["note_count"] = len(notes)
    return digest
