"""A measure's digest: what `report` and the listings read of every measure, so that at 10,000
measures they need not parse and build every note and history entry (issue 6).

The digest of a stored measure document is its stored fields but `notes` and `history` (every one
present, a missing one with the default Measure.from_dict gives it), plus the facts computed from
those two lists that the flags of flags.py need:

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

from datetime import date, datetime
from operator import itemgetter
from typing import Any

DROPPED = ("notes", "history")
DONE = "done"  # models.Status.DONE; not imported so that reading digests stays cheap


def day_of(stamp: Any) -> date | None:
    """The day of an ISO timestamp as recorded (its local date), or None when it has none
    readable. The one reading of a stamp's day: flags.py and report.py use it too."""
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def _day(stamp: Any) -> str | None:
    day = day_of(stamp)
    return day.isoformat() if day else None


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


# The stored fields a digest keeps, with the default Measure.from_dict gives a missing one, so
# that every digest has every key and Summary can read them without a default (models.Measure).
FIELDS = (
    ("text", ""), ("sector", ""), ("status", "not-started"), ("source", ""), ("section", ""),
    ("lead", None), ("partners", ()), ("due", None), ("tags", ()), ("progress", None),
    ("sector_pinned", False), ("created", ""), ("updated", ""),
)


def digest_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The digest of one stored measure document (see the module docstring)."""
    get = doc.get
    digest = {key: get(key, default) for key, default in FIELDS}
    digest["partners"] = list(digest["partners"] or ())
    digest["tags"] = list(digest["tags"] or ())
    digest["sector_pinned"] = bool(digest["sector_pinned"])
    notes = get("notes") or []
    history = get("history") or []
    stamps = [get("created"), get("updated")]
    stamps += [note.get("at") for note in notes]
    stamps += [change.get("at") for change in history]
    digest["last_activity"] = _latest_day(stamps)
    done_on = None
    if get("status") == DONE:
        for change in reversed(history):
            if change.get("field") == "status" and change.get("to") == DONE:
                done_on = _day(change.get("at"))
                break
    digest["done_on"] = done_on
    digest["latest_note"] = notes[-1] if notes else None
    digest["note_count"] = len(notes)
    return digest


class Summary(dict):
    """A measure as `report` and the listings see it: its digest (a dict, plus "id"), read
    through attributes like Measure's (text, sector, status, lead, due, …), the latest note, and
    the two facts flags.py would otherwise compute from the notes and history (`activity_day`,
    `done_day`). It has no notes or history: a command that prints those (`list --format
    json`, `show`, exports) builds the full Measure for the few it prints.

    A dict with item-getter properties rather than a class that copies each field: building
    10,000 of them is one C-level copy each (`report` at 10,000 measures, issue 6). Read-only by
    convention; its lists are the digest's own."""

    __slots__ = ()

    id = property(itemgetter("id"))
    text = property(itemgetter("text"))
    sector = property(itemgetter("sector"))
    status = property(itemgetter("status"))
    source = property(itemgetter("source"))
    section = property(itemgetter("section"))
    lead = property(itemgetter("lead"))
    partners = property(itemgetter("partners"))
    due = property(itemgetter("due"))
    tags = property(itemgetter("tags"))
    progress = property(itemgetter("progress"))
    sector_pinned = property(itemgetter("sector_pinned"))
    created = property(itemgetter("created"))
    updated = property(itemgetter("updated"))
    activity_day = property(itemgetter("last_activity"))
    done_day = property(itemgetter("done_on"))
    note_count = property(itemgetter("note_count"))

    @property
    def latest_note(self) -> Any:
        """The latest note as a models.Note, or None."""
        latest = self["latest_note"]
        if not latest:
            return None
        from imtrack.domain.models import Note

        return Note.from_dict(latest)

    @property
    def latest_note_at(self) -> str | None:
        """When the latest note was written, without making a Note (`list` of 10,000)."""
        latest = self["latest_note"]
        return latest.get("at") if latest else None

    @classmethod
    def of(cls, measure_id: int, digest: dict[str, Any]) -> Summary:
        summary = cls(digest)
        summary["id"] = measure_id
        return summary

    def __repr__(self) -> str:
        return f"Summary(id={self.id}, status={self.status!r}, sector={self.sector!r})"


def summaries(ledger: Any) -> list[Summary]:
    """Every measure of `ledger` as a Summary, in id order, from the store's digests (its index)
    where it has them, so no measure is built."""
    items = [Summary.of(measure_id, digest) for measure_id, digest in ledger.measures.digests()]
    items.sort(key=lambda s: s.id)
    return items
