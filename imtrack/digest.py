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


def _latest_day(stamps: list[Any]) -> str | None:
    """The latest readable day among the stamps. Extended ISO stamps (YYYY-MM-DD…) order by
    their first ten characters, so only the latest candidate needs parsing (checked: a day
    like 2024-13-01 is skipped); anything else takes the exact path, parsing every stamp."""
    if all(isinstance(s, str) and len(s) >= 10 and s[4] == "-" and s[7] == "-" for s in stamps if s):
        for stamp in sorted((s for s in stamps if s), key=lambda s: s[:10], reverse=True):
            day = _day(stamp)
            if day is not None:
                return day
        return None
    return max((day for day in map(_day, stamps) if day is not None), default=None)


def digest_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The digest of one stored measure document (see the module docstring)."""
    digest = {key: value for key, value in doc.items() if key not in DROPPED}
    notes = doc.get("notes") or []
    history = doc.get("history") or []
    stamps = [doc.get("created"), doc.get("updated")]
    stamps += [note.get("at") for note in notes]
    stamps += [change.get("at") for change in history]
    digest["last_activity"] = _latest_day(stamps)
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


class Summary:
    """A measure as `report` and the listings see it, read from its digest: the stored fields
    (text, sector, status, lead, due, …) as attributes like Measure's, the latest note, and the
    two facts flags.py would otherwise compute from the notes and history (`activity_day`,
    `done_day`). It has no notes or history: a command that prints those (`list --format
    json`, `show`, exports) builds the full Measure for the few it prints."""

    __slots__ = (
        "id", "text", "sector", "status", "source", "section", "lead", "partners", "due", "tags",
        "progress", "sector_pinned", "created", "updated", "activity_day", "done_day",
        "note_count", "_latest",
    )

    def __init__(self, measure_id: int, digest: dict[str, Any]) -> None:
        get = digest.get
        self.id = measure_id
        self.text = digest["text"]
        self.sector = digest["sector"]
        self.status = get("status", "not-started")
        self.source = get("source", "")
        self.section = get("section", "")
        self.lead = get("lead")
        self.partners = list(get("partners") or ())
        self.due = get("due")
        self.tags = list(get("tags") or ())
        self.progress = get("progress")
        self.sector_pinned = bool(get("sector_pinned", False))
        self.created = get("created", "")
        self.updated = get("updated", "")
        self.activity_day = get("last_activity")
        self.done_day = get("done_on")
        self.note_count = get("note_count", 0)
        self._latest = get("latest_note")

    @property
    def latest_note(self) -> Any:
        """The latest note as a models.Note, or None."""
        if not self._latest:
            return None
        from imtrack.models import Note

        return Note.from_dict(self._latest)

    def __repr__(self) -> str:
        return f"Summary(id={self.id}, status={self.status!r}, sector={self.sector!r})"


def summaries(ledger: Any) -> list[Summary]:
    """Every measure of `ledger` as a Summary, in id order, from the store's digests (its index)
    where it has them, so no measure is built."""
    items = [Summary(measure_id, digest) for measure_id, digest in ledger.measures.digests()]
    items.sort(key=lambda s: s.id)
    return items
