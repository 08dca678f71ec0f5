"""`imtrack db`: moving a whole ledger between engines and checking one, through the Store
interface only, so any engine copies to any other (TinyDB, SQLite, PostgreSQL) and one check
holds every engine to the same rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from imtrack.domain.models import Measure, Status, check_record
from imtrack.errors import ImtrackError, InvalidValue, NotFound
from imtrack.i18n import _
from imtrack.storage.base import Store

# Metadata each engine keeps for itself (schema, counters): never copied as data.
ENGINE_META = frozenset({"schema_version", "release", "migrations", "next_id", "next_txn"})


@dataclass(frozen=True, slots=True)
class Copied:
    measures: int
    notes: int
    changes: int
    commands: int
    next_id: int


def copy_ledger(
    src: Store,
    dst: Store,
    *,
    force: bool = False,
    track: Callable[[list[Measure]], Iterable[Measure]] | None = None,
) -> Copied:
    """Copy every measure (with its notes, history and authors, under its own id), the
    metadata, the command records and the id and txn counters of `src` into `dst`, in one
    transaction of `dst`. A target that holds anything is refused unless `force`: then its
    measures, metadata and command records are replaced (its counters never go back).
    `track` wraps the measures as they are written (the CLI's progress bar)."""
    src_info, dst_info = src.info(), dst.info()
    if (src_info.engine, src_info.location) == (dst_info.engine, dst_info.location):
        raise InvalidValue(_("source and target are the same ledger ({location}); name another target").format(
            location=src_info.location))
    if not src.exists():
        raise NotFound(_("{location} holds no ledger; nothing was copied").format(location=src_info.location))
    measures = src.find()
    meta = src.meta()
    commands = src.commands()
    if dst.exists() and not force:
        held = dst.count()
        if held or dst.commands(limit=1):
            raise ImtrackError(
                _("{location} already holds a ledger ({held} measures); nothing was copied. "
                  "Copy into a new ledger, or add --force to replace its contents").format(
                    location=dst_info.location, held=held)
            )
    top_id = max((m.id for m in measures), default=0)
    with dst.transaction(seed=False) as tx:
        if force:
            for measure_id in tx.ids():
                tx.remove(measure_id)
            for key in [k for k in tx.meta if k not in ENGINE_META]:
                del tx.meta[key]
        for measure in track(measures) if track is not None else measures:
            measure.revision = 0  # a copy, not a change based on something read from `dst`
            tx.put(measure)
        for key, value in meta.items():
            if key not in ENGINE_META:
                tx.meta[key] = value
        tx.reserve_ids(max(_int(meta.get("next_id"), 1), top_id + 1))
        tx.restore_commands(commands, replace=force)
        tx.reserve_txns(_int(meta.get("next_txn"), 1))
        next_id = tx.next_id
    return Copied(
        len(measures),
        sum(len(m.notes) for m in measures),
        sum(len(m.history) for m in measures),
        len(commands),
        next_id,
    )


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# -- check ------------------------------------------------------------------------------------


def check_ledger(store: Store) -> list[str]:
    """Every problem found, one sentence each (empty: the ledger is sound). Reads only."""
    problems: list[str] = []
    try:
        problems = list(store.integrity_problems())
        if not store.exists():
            return problems
        meta = store.meta()
        commands = store.commands()
        try:
            measures = store.find()
        except ImtrackError:
            if not problems:
                raise
            # the engine named the damaged rows already: check the sound ones as usual
            measures = _readable(store)
    except ImtrackError as exc:  # a damaged ledger: its reading error is the finding, unless
        return problems or [str(exc)]  # the engine listed every problem already (the first is it)
    next_id = _int(meta.get("next_id"), 0)
    next_txn = _int(meta.get("next_txn"), 0)
    known_txns = {c.txn for c in commands}
    for measure in measures:
        problems += _measure_problems(measure, next_id, next_txn, known_txns)
    for record in commands:
        if next_txn and record.txn >= next_txn:
            problems.append(_("command {txn} ({command}) is at or past the next transaction id {next_txn}: "
                              "a later command could reuse its id").format(
                txn=record.txn, command=record.command or _("unnamed"), next_txn=next_txn))
        if _timestamp_problem(record.at):
            problems.append(_("command {txn}: time {at!r} is not an ISO timestamp").format(txn=record.txn, at=record.at))
    return problems


def _readable(store: Store) -> list[Measure]:
    """The measures that can be read, one by one (the others are damaged)."""
    found = []
    for measure_id in store.ids():
        try:
            found.append(store.get(measure_id))
        except ImtrackError:
            continue
    return found


def _measure_problems(measure: Measure, next_id: int, next_txn: int, known_txns: set[int]) -> list[str]:
    where = _("measure {id}").format(id=measure.id)
    found: list[str] = []
    try:
        check_record(measure.to_dict())
    except (KeyError, TypeError, ValueError) as exc:
        found.append(_("{where}: {problem}").format(where=where, problem=exc))
    if measure.status not in {s.value for s in Status}:
        found.append(_("{where}: unknown status {status!r}").format(where=where, status=measure.status))
    from imtrack.vocab.sectors import SECTORS

    if measure.sector not in {s.slug for s in SECTORS}:
        found.append(_("{where}: unknown sector {sector!r}").format(where=where, sector=measure.sector))
    if next_id and measure.id >= next_id:
        found.append(_("{where}: id is at or past the next id {next_id}: a new measure could take it").format(
                where=where, next_id=next_id))
    if measure.revision < 1:
        found.append(_("{where}: revision {revision} (every stored measure has 1 or more)").format(
            where=where, revision=measure.revision))
    for name in ("created", "updated"):
        if _timestamp_problem(getattr(measure, name)):
            found.append(_("{where}: {field} {value!r} is not an ISO timestamp").format(
                where=where, field=name, value=getattr(measure, name)))
    records: list[tuple[str, Any]] = [(_("{where}: note of {at!r}"), n) for n in measure.notes] + [
        (_("{where}: change of {at!r}"), c) for c in measure.history]
    for kind, record in records:
        label = kind.format(where=where, at=record.at)
        if _timestamp_problem(record.at):
            found.append(_("{label}: time is not an ISO timestamp").format(label=label))
        if record.txn is not None:
            if next_txn and record.txn >= next_txn:
                found.append(_("{label}: names command {txn}, at or past the next transaction id {next_txn}").format(
                    label=label, txn=record.txn, next_txn=next_txn))
            elif record.txn not in known_txns:
                found.append(_("{label}: names command {txn}, which has no command record").format(
                    label=label, txn=record.txn))
    return found


def _timestamp_problem(stamp: Any) -> bool:
    if not isinstance(stamp, str) or not stamp:
        return True
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        try:
            date.fromisoformat(stamp)
        except ValueError:
            return True
    return False
