"""`imtrack import`: bring the measures of a policy document into the ledger.

A measure read from a document is first looked for by where it stands in it: the same source,
section path and item number ("（四）" under "二、…") — a re-import after the reader improved finds
the measure it brought before even where the text it reads is now different. Failing that,
identity is the wording: two measures are the same when their texts are equal after
`textnorm.fold_compact` (whitespace removed, full-width/half-width folded) and without the final
punctuation mark (a ledger ends an item with ；or nothing where the document had 。). This holds
across the whole database, whatever file a measure came from, so re-importing a document in
another layout, encoding or bullet style adds nothing.

Agency names are stored by their canonical names at the document's issuing level
(agencies.canonical_at: 发展改革委 in a State Council document is 国家发展改革委) and partners never
repeat the lead, as with `imtrack update`; the names as written, the item's number and section
path and every responsibility clause are kept beside them (Measure's document fields).

What a re-import of the same source reads differently in a measure it finds (its text, lead,
partners or due) is a *revision*: listed, and applied only with `update=True` (`imtrack import --update`), recorded in
the history like any edit. A re-import never creates a second copy of a measure. A known measure is never changed except to fill in what it lacks: lead, partners and section,
from a task-division ledger that restates it with （X牵头，Y配合）. A value already there (typed by
a user or brought by an earlier import) is never overwritten. Everything happens in one store
transaction, so an import that fails half-way leaves the database as it was, and it is one
history transaction: `imtrack undo` removes the measures it added (their ids stay retired) and
clears what it filled in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imtrack.domain import clock, history
from imtrack.domain.models import Measure, Status
from imtrack.errors import ImtrackError, InvalidValue
from imtrack.ingest.parser import BULLETS, ParsedMeasure, Reading, read_document
from imtrack.storage.base import Store, Transaction
from imtrack.vocab.agencies import canonical_at, without_lead
from imtrack.vocab.sectors import OTHER, SectorRules, parse_sector
from imtrack.vocab.textnorm import fold_compact

# After NFKC: 。 stays, ；→; ，→, ！→! ？→?
_FINAL_PUNCTUATION = "。;,.!?、"
FILLABLE = ("lead", "partners", "section", "due")
# Read from the document; filled in on a measure that lacks them (an older import, a backup).
DOCUMENT_FIELDS = ("number", "path", "lead_written", "partners_written", "assignments")
REVISABLE = ("text", "lead", "partners", "due")
# A tag that flags a measure whose text was cut off at the end of the document.
CUT_OFF_TAG = "原文不完整"


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
class Revision:
    """What a re-import reads differently in a measure it found: field -> (stored, read)."""

    measure: Measure
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Agencies:
    """The issuing level a document's agency names are read at (agencies.canonical_at)."""

    level: str = "region"
    place: str = ""

    def name(self, written: str | None) -> str | None:
        return canonical_at(written, self.level, self.place) if written and written.strip() else None

    def partners(self, written: Iterable[str], lead: str | None) -> list[str]:
        """Canonical partners in the order written, without blanks, repeats or the lead."""
        seen = {fold_compact(lead)} if lead else set()
        out: list[str] = []
        for name in written:
            canon = self.name(name)
            if canon and fold_compact(canon) not in seen:
                seen.add(fold_compact(canon))
                out.append(canon)
        return out


@dataclass(slots=True)
class ImportResult:
    source: str
    encoding: str | None
    dry_run: bool
    forced_sector: str | None
    format: str = "text"  # the reader that read the file: text, html, docx, pdf, xlsx
    warnings: list[str] = field(default_factory=list)  # rows read only in part, and why
    parsed: list[ParsedMeasure] = field(default_factory=list)
    added: list[Measure] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    skipped: list[Measure] = field(default_factory=list)  # already present, nothing to fill
    revised: list[Revision] = field(default_factory=list)  # read differently now
    update: bool = False  # were the revisions applied (import --update)?
    reading: Reading | None = None

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
            "format": self.format,
            "warnings": list(self.warnings),
            "dry_run": self.dry_run,
            "found": len(self.parsed),
            "added": [measure_record(m) for m in self.added],
            "updated": [
                {"id": u.measure.id, "text": u.measure.text, "filled": dict(u.filled)} for u in self.updated
            ],
            "skipped": [{"id": m.id, "text": m.text} for m in self.skipped],
            "no_sector_match": [m.id for m in self.unmatched],
            "revised": [
                {"id": r.measure.id, "changes": {f: {"from": a, "to": b} for f, (a, b) in r.changes.items()}}
                for r in self.revised
            ],
            "revisions_applied": self.update,
            "reading": reading_dict(self.reading) if self.reading is not None else None,
        }


def reading_dict(reading: Reading) -> dict[str, Any]:
    """The structure a document was read as (import --dry-run --format json)."""
    return {
        "doc_number": reading.doc_number,
        "issuer": reading.issuer,
        "date": reading.date,
        "level": reading.level,
        "place": reading.place,
        "headings": [{"line": h.line, "level": h.level, "text": h.text, "preamble": h.preamble}
                     for h in reading.headings],
        "measures": [
            {"line": m.line, "number": m.number, "path": list(m.path), "text": m.text, "lead": m.lead,
             "partners": list(m.partners), "due": m.due, "incomplete": m.incomplete,
             "clauses": [{"sentence": c.sentence, "agencies": list(c.agencies), "raw": c.raw}
                         for c in m.clauses]}
            for m in reading.measures
        ],
        "skipped": [{"line": s.line, "text": s.text, "why": s.why} for s in reading.skipped],
    }


def _document_fields(parsed: ParsedMeasure) -> dict[str, Any]:
    return {
        "number": parsed.number,
        "path": list(parsed.path),
        "lead_written": parsed.lead,
        "partners_written": list(parsed.partners),
        "assignments": [
            {"sentence": c.sentence, "agencies": list(c.agencies), "raw": c.raw} for c in parsed.clauses
        ],
    }


def _fill(
    ledger: Transaction, measure: Measure, parsed: ParsedMeasure, agencies: Agencies, at: str, txn: int, source: str
) -> dict[str, Any]:
    """Give `measure` the lead/partners/section it lacks, recorded under `txn`; return what was
    filled. Agencies are stored by their canonical names, and partners never repeat the lead."""
    lead = agencies.name(parsed.lead)
    offered: dict[str, Any] = {
        "lead": lead, "partners": list(parsed.partners), "section": parsed.section, "due": parsed.due,
    }
    filled: dict[str, Any] = {}
    for name in FILLABLE:
        old, new = getattr(measure, name), offered[name]
        if name == "partners":
            new = agencies.partners(new, measure.lead)
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
    # The reading's own record (number, path, names as written, clauses) is not a user's value:
    # it follows the document, without a history entry of its own; only the measure's own
    # document gives it (a ledger restating a national measure does not renumber it).
    if measure.source == source:
        for name, value in _document_fields(parsed).items():
            if value and not getattr(measure, name):
                setattr(measure, name, value)
                ledger.mark_changed(measure)
    return filled


def _revisions(measure: Measure, parsed: ParsedMeasure, agencies: Agencies) -> dict[str, tuple[Any, Any]]:
    """What `parsed` reads differently from the stored `measure` (only what the reading has)."""
    lead = agencies.name(parsed.lead)
    read: dict[str, Any] = {
        "text": parsed.text,
        "lead": lead,
        "partners": agencies.partners(parsed.partners, lead) if lead or parsed.partners else None,
        "due": parsed.due,
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for name in REVISABLE:
        old, new = getattr(measure, name), read[name]
        if new is None or (name == "text" and measure_key(old) == measure_key(new)):
            continue
        if old != new and not (name == "partners" and not new and not old):
            changes[name] = (old, new)
    return changes


def _item_key(source: str, path: Iterable[str], number: str) -> tuple[str, ...] | None:
    """Where a measure stands in its document; None for bullets (■ ■ ■ are not numbers)."""
    if not number or number in BULLETS:
        return None
    return (source, *path, number)


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
    agencies: Agencies | None = None,
    update: bool = False,
) -> ImportResult:
    """Apply the parsed measures to `ledger` (in memory) and record what happened in `result`,
    all under the history transaction `txn`: one `imtrack undo` removes the added measures and
    clears the fills (and applied revisions) again."""
    agencies = agencies or Agencies()
    parsed = list(parsed)
    known: dict[str, Measure] = {}
    placed: dict[tuple[str, ...], list[Measure]] = {}
    for measure in ledger:
        known.setdefault(measure_key(measure.text), measure)
        if (where := _item_key(measure.source, measure.path, measure.number)) is not None:
            placed.setdefault(where, []).append(measure)
    # An item number that the document itself repeats under one path cannot tell its items apart.
    counts: dict[tuple[str, ...], int] = {}
    for p in parsed:
        if (where := _item_key(source, p.path, p.number)) is not None:
            counts[where] = counts.get(where, 0) + 1
    before = set(ledger.ids())
    updates: dict[int, Update] = {}
    revised: dict[int, Revision] = {}
    seen: dict[int, Measure] = {}
    for p in parsed:
        result.parsed.append(p)
        key = measure_key(p.text)
        where = _item_key(source, p.path, p.number)
        existing = None
        if where is not None and counts.get(where) == 1 and len(placed.get(where, ())) == 1:
            existing = placed[where][0]
        if existing is None:
            existing = known.get(key)
        if existing is None:
            lead = agencies.name(p.lead)
            measure = Measure(
                id=0,
                text=p.text,
                sector=sector or rules.classify(p.text),
                source=source,
                section=p.section,
                lead=lead,
                partners=agencies.partners(p.partners, lead),
                due=p.due,
                tags=[CUT_OFF_TAG] if p.incomplete else [],
                sector_pinned=sector is not None,  # the user chose it: reclassify keeps it
                created=at,
                updated=at,
                **_document_fields(p),
            )
            known[key] = ledger.add(measure)
            result.added.append(measure)
            continue
        if existing.id not in before:
            continue  # the same measure twice in this document: its first mention counts
        filled = _fill(ledger, existing, p, agencies, at, txn, source)
        seen.setdefault(existing.id, existing)
        if filled:
            updates.setdefault(existing.id, Update(existing)).filled.update(filled)
        # Only the document a measure came from revises it; another (a ledger restating it)
        # only fills in what it lacks.
        changes = _revisions(existing, p, agencies) if existing.source == source else {}
        if changes and existing.id not in revised:
            revised[existing.id] = Revision(existing, changes)
            if update:
                for name, (_, new) in changes.items():
                    history.record(ledger, existing, name, new, at, txn)
                for name, value in _document_fields(p).items():
                    setattr(existing, name, value)
                ledger.mark_changed(existing)
    history.record_created(ledger, [m.id for m in result.added], at, txn)
    result.updated.extend(updates.values())
    result.revised.extend(revised.values())
    result.update = update
    result.skipped.extend(m for i, m in seen.items() if i not in updates and i not in revised)
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
    issuer: str | None = None,
    update: bool = False,
    tables: Sequence[ParsedMeasure] = (),
    format: str = "text",
    warnings: Sequence[str] = (),
) -> ImportResult:
    """Import the measures in `text` (read from `name`) as coming from `source`, then those of
    its task-division tables (`tables`, read by ingest.tables). `issuer` (a
    name, or national / region / city) overrides the issuing level read from the document;
    `update` applies what a re-import reads differently in measures it finds."""
    source = source.strip()
    if not source:
        raise InvalidValue("the source name is empty; give the document's name, e.g. --source '国发〔2023〕16号'")
    slug = parse_sector(sector).slug if sector is not None else None
    if not text.strip() and not tables:
        raise NoMeasures(f"{name} is empty; check that it is the right file, nothing was imported")
    reading = read_document(text, today=clock.now().date(), issuer=issuer)
    if reading.level in ("city", "province") and not reading.place:
        raise InvalidValue(
            f"a {reading.level} document needs its name: give --issuer with the issuer, e.g. --issuer 包头市人民政府"
        )
    parsed = [*reading.measures, *tables]
    if not parsed:
        raise NoMeasures(_no_measures(name, reading))
    result = ImportResult(
        source=source, encoding=encoding, dry_run=dry_run, forced_sector=slug, format=format,
        warnings=list(warnings), reading=reading,
    )
    at = clock.timestamp()
    agencies = Agencies(reading.level, reading.place)
    from imtrack.core.transaction import command
    from imtrack.core.transaction import dry_run as rolled_back

    def plan(ledger: Transaction, txn: int) -> None:
        plan_import(ledger, parsed, source=source, rules=rules, sector=slug, at=at, result=result, txn=txn,
                    agencies=agencies, update=update)

    # A dry run does the same work on the locked ledger and then abandons it: nothing is
    # written, not even the seed of a database that does not exist yet.
    with (rolled_back if dry_run else command)(store) as (ledger, txn):
        plan(ledger, txn)
    return result


def _no_measures(name: str, reading: Reading) -> str:
    why: dict[str, int] = {}
    for s in reading.skipped:
        if s.why not in ("page furniture", "vertical text", "date line", "signature", "publication note"):
            why[s.why] = why.get(s.why, 0) + 1
    found = "; ".join(f"{n} × {w}" for w, n in sorted(why.items(), key=lambda kv: -kv[1])[:3])
    return (
        f"found no measures in {name}: no bulleted (■ ● ◆ …) or numbered (1. / （一） / 第一条 / 一是) "
        f"item that commits anyone to act" + (f" (skipped: {found})" if found else "")
        + "; check that it is the right file (and --encoding), nothing was imported"
    )


def import_file(
    store: Store,
    path: Path,
    *,
    rules: SectorRules,
    source: str | None = None,
    sector: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    issuer: str | None = None,
    update: bool = False,
) -> ImportResult:
    """Read `path` in whatever format it is (readers/detect.py; text encoding detected unless
    given) and import its measures: those of its paragraphs, then those of its tables."""
    from imtrack.domain.derived import today
    from imtrack.ingest.readers import read_file
    from imtrack.ingest.tables import document_measures

    if sector is not None:
        parse_sector(sector)  # a usage error before any file work
    doc = read_file(path, encoding)
    tables = document_measures(doc, today())
    return import_text(
        store,
        doc.text,
        name=str(path),
        source=path.name if source is None else source,
        rules=rules,
        sector=sector,
        encoding=doc.encoding,
        dry_run=dry_run,
        issuer=issuer,
        update=update,
        tables=tables.measures,
        format=doc.format,
        warnings=tables.warnings,
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
