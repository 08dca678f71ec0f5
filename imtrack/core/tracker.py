"""What the commands do, as plain functions over a Store: no Typer, no Rich.

Each changing function runs in one store transaction (one locked read, at most one write) and
validates everything before it changes anything, so a bad id or value leaves the file as it was."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from imtrack.config import DbLocation, local_rules_path
from imtrack.core.transaction import command, pin_sector
from imtrack.domain import clock
from imtrack.domain.frozen import Frozen
from imtrack.domain.models import Measure, Note, Status, clean_note, parse_status
from imtrack.storage.base import Store
from imtrack.vocab.sectors import parse_sector

if TYPE_CHECKING:
    from datetime import date

    from imtrack.vocab.sectors import SectorRules

# The parser, the bundled data, the rules (tomllib) and history (only changing commands) are
# imported where they are used: every command opens a store through this module, few of them
# seed, classify or write (start-up).


def rules_path_for(db_path: Path | None) -> Path:
    """The sector rules of a ledger: a sector-rules.toml beside a file ledger, else the bundled
    ones (a server ledger has no directory of its own)."""
    from imtrack.resources import data_file

    local = local_rules_path(db_path) if db_path is not None else None
    return local if local is not None and local.is_file() else data_file("sector-rules.toml")


def default_measures(rules: SectorRules, now: str) -> list[Measure]:
    """The bundled default dataset, parsed by the same parser `imtrack import` uses."""
    from imtrack.ingest.parser import parse_text
    from imtrack.resources import data_file, load_toml

    manifest = load_toml(data_file("default-dataset.toml"))
    text = data_file(manifest["file"]).read_text(encoding="utf-8")
    return [
        Measure(
            id=0,
            text=p.text,
            sector=rules.classify(p.text),
            source=manifest["source"],
            section=p.section or manifest["section"],
            lead=p.lead,
            partners=list(p.partners),
            created=now,
            updated=now,
        )
        for p in parse_text(text)
    ]


def open_store(location: DbLocation, command: str = "") -> Store:
    """The ledger's store on its engine (storage/engines.py). A new TinyDB ledger starts with the
    bundled dataset, classified by the rules that apply to it; SQL ledgers start empty."""

    def seed() -> list[Measure]:
        from imtrack.vocab.sectors import load_rules

        return default_measures(load_rules(rules_path_for(location.path)), clock.timestamp())

    from imtrack.storage.engines import open_store as open_engine

    return open_engine(location, command=command, seed=seed)


def get_measure(store: Store, measure_id: int) -> Measure:
    return store.get(measure_id)


class StatusResult(Frozen):
    __slots__ = ("changed", "unchanged", "status")
    changed: list[Measure]
    unchanged: list[Measure]  # already had the status
    status: Status

    def __init__(self, changed: list[Measure], unchanged: list[Measure], status: Status) -> None:
        init = object.__setattr__
        init(self, "changed", changed)
        init(self, "unchanged", unchanged)
        init(self, "status", status)


def set_status(store: Store, ids: Iterable[int], status: str, note: str | None = None) -> StatusResult:
    """`imtrack set-status` on ids, without confirmation (edits.apply_edit does the work)."""
    from imtrack.core.edits import Edit, Selection, apply_edit

    target = parse_status(status) if not isinstance(status, Status) else status
    result = apply_edit(store, Selection(tuple(ids)), Edit.build(status=target.value, note=note))
    changed, unchanged = [], []
    for item in result.plan.items:
        (changed if any(f == "status" for f, _, _ in item.changes) else unchanged).append(item.measure)
    return StatusResult(changed, unchanged, target)


def add_note(store: Store, measure_id: int, text: str, on: date | None = None) -> tuple[Measure, Note]:
    """Record a note; `on`: the day it took effect when not today (edits.effective_on_value)."""
    from imtrack.domain import history

    text = clean_note(text)
    with command(store) as (ledger, txn):
        measure = ledger.get(measure_id)
        note = history.add_note(ledger, measure, text, clock.timestamp(), txn, on)
    return measure, note


def set_sector(store: Store, ids: Iterable[int], sector: str) -> list[Measure]:
    """A user's choice of sector; pinned so that reclassification leaves it alone."""
    from imtrack.domain import history

    slug = parse_sector(sector).slug
    at = clock.timestamp()
    with command(store) as (ledger, txn):
        measures = ledger.get_many(ids)
        for measure in measures:
            history.record(ledger, measure, "sector", slug, at, txn)
            pin_sector(ledger, measure, at, txn)
    return measures


def reclassify(store: Store, rules: SectorRules) -> list[tuple[Measure, str]]:
    """Apply the keyword rules again to every measure whose sector no user has set.
    Returns (measure, previous sector) for each measure that moved."""
    from imtrack.domain import history

    at = clock.timestamp()
    moved = []
    with command(store) as (ledger, txn):
        for measure in ledger:
            if measure.sector_pinned:
                continue
            before = measure.sector
            if history.record(ledger, measure, "sector", rules.classify(measure.text), at, txn):
                moved.append((measure, before))
    return moved
