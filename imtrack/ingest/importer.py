"""`imtrack import`: bring the measures of a policy document into the ledger.

Identity is the wording: two measures are the same when their texts are equal after
`textnorm.fold_compact` (whitespace removed, full-width/half-width folded) and without the final
punctuation mark (a ledger ends an item with ；or nothing where the document had 。). This holds
across the whole database, whatever file a measure came from, so re-importing a document in
another layout, encoding or bullet style adds nothing.

Agency names are stored by their canonical names (agencies.canonical) and partners never repeat
the lead, as with `imtrack update`. A known measure is never changed except to fill in what it lacks: lead, partners and section,
from a task-division ledger that restates it with （X牵头，Y配合）. A value already there (typed by
a user or brought by an earlier import) is never overwritten. Everything happens in one store
transaction, so an import that fails half-way leaves the database as it was, and it is one
history transaction: `imtrack undo` removes the measures it added (their ids stay retired) and
clears what it filled in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imtrack.domain import clock, history
from imtrack.domain.models import Measure, Status
from imtrack.errors import ImtrackError, InvalidValue
from imtrack.ingest.parser import ParsedMeasure, parse_text
from imtrack.ingest.textio import read_text
from imtrack.storage.base import Store, Transaction
from imtrack.vocab.agencies import canonical, clean_partners, without_lead
from imtrack.vocab.sectors import OTHER, SectorRules, parse_sector
from imtrack.vocab.textnorm import fold_compact

# After NFKC: 。 stays, ；→; ，→, ！→! ？→?
_FINAL_PUNCTUATION = "。;,.!?、"
FILLABLE = ("lead", "partners", "section")


class NoMeasures(ImtrackError):
    """The input holds no measure at all: almost certainly the wrong file or encoding."""


def measure_key(text: str) -> str:
    """The identity of a measure's wording (see the module docstring)."""
    return fold_compact(text).rstrip(_FINAL_PUNCTUATION)


@dataclass(slots=True)
class Update:
    measure: Measure
    filled: dict[str, Any] = field(default_factory=dict)  # field -> the value it got


@dataclass(slots=True)
class ImportResult:
    source: str
    encoding: str | None
    dry_run: bool
    forced_sector: str | None
    parsed: list[ParsedMeasure] = field(default_factory=list)
    added: list[Measure] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    skipped: list[Measure] = field(default_factory=list)  # already present, nothing to fill

    @property
    def unmatched(self) -> list[Measure]:
        """Added measures that no sector rule matched (only when the sector was not forced)."""
        if self.forced_sector is not None:
            return []
        return [m for m in self.added if m.sector == OTHER]

    def to_dict(self) -> dict[str, Any]:
        from imtrack.output.serialize import measure_record

        return {
            "source": self.source,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "found": len(self.parsed),
            "added": [measure_record(m) for m in self.added],
            "updated": [
                {"id": u.measure.id, "text": u.measure.text, "filled": dict(u.filled)} for u in self.updated
            ],
            "skipped": [{"id": m.id, "text": m.text} for m in self.skipped],
            "no_sector_match": [m.id for m in self.unmatched],
        }


def _fill(ledger: Transaction, measure: Measure, parsed: ParsedMeasure, at: str, txn: int) -> dict[str, Any]:
    """Give `measure` the lead/partners/section it lacks, recorded under `txn`; return what was
    filled. Agencies are stored by their canonical names, and partners never repeat the lead."""
    lead = canonical(parsed.lead) if parsed.lead else None
    offered: dict[str, Any] = {"lead": lead, "partners": list(parsed.partners), "section": parsed.section}
    filled: dict[str, Any] = {}
    for name in FILLABLE:
        old, new = getattr(measure, name), offered[name]
        if name == "partners":
            new = clean_partners(new, measure.lead)
        if old or not new:
            continue
        history.record(ledger, measure, name, new, at, txn)
        filled[name] = new
    if "lead" in filled and measure.partners:
        # A lead filled in now may already be listed as a partner: it does not assist itself.
        partners = without_lead(measure.partners, measure.lead)
        if partners != measure.partners:
            history.record(ledger, measure, "partners", partners, at, txn)
            filled["partners"] = partners
    return filled


def plan_import(
    ledger: Transaction,
    parsed: Iterable[ParsedMeasure],
    *,
    source: str,
    rules: SectorRules,
    sector: str | None,
    at: str,
    result: ImportResult,
    txn: int,
) -> ImportResult:
    """Apply the parsed measures to `ledger` (in memory) and record what happened in `result`,
    all under the history transaction `txn`: one `imtrack undo` removes the added measures and
    clears the fills again."""
    known: dict[str, Measure] = {}
    for measure in ledger:
        known.setdefault(measure_key(measure.text), measure)
    before = set(ledger.ids())
    updates: dict[int, Update] = {}
    seen: dict[int, Measure] = {}
    for p in parsed:
        result.parsed.append(p)
        key = measure_key(p.text)
        existing = known.get(key)
        if existing is None:
            lead = canonical(p.lead) if p.lead else None
            measure = Measure(
                id=0,
                text=p.text,
                sector=sector or rules.classify(p.text),
                source=source,
                section=p.section,
                lead=lead,
                partners=clean_partners(p.partners, lead),
                sector_pinned=sector is not None,  # the user chose it: reclassify keeps it
                created=at,
                updated=at,
            )
            known[key] = ledger.add(measure)
            result.added.append(measure)
            continue
        if existing.id not in before:
            continue  # the same measure twice in this document: its first mention counts
        filled = _fill(ledger, existing, p, at, txn)
        seen.setdefault(existing.id, existing)
        if filled:
            updates.setdefault(existing.id, Update(existing)).filled.update(filled)
    history.record_created(ledger, [m.id for m in result.added], at, txn)
    result.updated.extend(updates.values())
    result.skipped.extend(m for i, m in seen.items() if i not in updates)
    return result


def import_text(
    store: Store,
    text: str,
    *,
    name: str,
    source: str,
    rules: SectorRules,
    sector: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import the measures in `text` (read from `name`) as coming from `source`."""
    source = source.strip()
    if not source:
        raise InvalidValue("the source name is empty; give the document's name, e.g. --source '国发〔2023〕16号'")
    slug = parse_sector(sector).slug if sector is not None else None
    parsed = parse_text(text)
    if not parsed:
        raise NoMeasures(
            f"found no measures in {name}: no bulleted (■ ● ◆ …) or numbered (1. / （一） / 一是) "
            f"items; check that it is the right file (and --encoding), nothing was imported"
        )
    result = ImportResult(source=source, encoding=encoding, dry_run=dry_run, forced_sector=slug)
    at = clock.timestamp()
    from imtrack.core.transaction import command
    from imtrack.core.transaction import dry_run as rolled_back

    # A dry run does the same work on the locked ledger and then abandons it: nothing is
    # written, not even the seed of a database that does not exist yet.
    with (rolled_back if dry_run else command)(store) as (ledger, txn):
        plan_import(ledger, parsed, source=source, rules=rules, sector=slug, at=at, result=result, txn=txn)
    return result


def import_file(
    store: Store,
    path: Path,
    *,
    rules: SectorRules,
    source: str | None = None,
    sector: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Read `path` (encoding detected unless given) and import its measures."""
    if sector is not None:
        parse_sector(sector)  # a usage error before any file work
    decoded = read_text(path, encoding)
    return import_text(
        store,
        decoded.text,
        name=str(path),
        source=path.name if source is None else source,
        rules=rules,
        sector=sector,
        encoding=decoded.encoding,
        dry_run=dry_run,
    )


@dataclass(frozen=True, slots=True)
class SourceRow:
    source: str
    count: int
    done: int

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "count": self.count, "done": self.done}


def sources_summary(measures: Iterable[Measure]) -> list[SourceRow]:
    """Each source document with its number of measures (and how many are done), in the order
    the documents were first imported (lowest id first)."""
    counts: dict[str, list[int]] = {}
    for m in sorted(measures, key=lambda m: m.id):
        row = counts.setdefault(m.source, [0, 0])
        row[0] += 1
        row[1] += m.status == Status.DONE.value
    return [SourceRow(source, n, done) for source, (n, done) in counts.items()]
