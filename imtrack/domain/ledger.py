"""The in-memory ledger a command works on: measures by id plus database metadata.

A store loads one Ledger per command and, for changing commands, writes it back once. The ledger
tracks which measures changed so the store rewrites only what it must."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from imtrack.domain.models import Measure
from imtrack.errors import NotFound
from imtrack.i18n import _
from imtrack.storage.digest import digest_of


class MeasureMap(MutableMapping[int, Measure]):
    """Measures by id, each built from its stored form only when first asked for.

    `show`, `note` and `set-status` touch one measure out of thousands; building every Measure
    (with its notes and history) would cost more than reading the file (bench/RESULTS.md).

    The stored form is whatever the store hands in: a parsed document, or the place of one in
    the file (store index); `build(id, stored)` makes the Measure, `digest(id, stored)` its
    digest (digest.py), and `digests()`, when given, every stored digest at once ({id: digest},
    or None when it has none cheaper than one by one); `columns()`, when given, the store
    index's columns of every measure (storeindex.ColumnView, or None), which `report` counts
    from without reading a digest."""

    __slots__ = ("_build", "_built", "_columns", "_digest", "_digests", "_docs")

    def __init__(
        self,
        docs: dict[int, Any] | None = None,
        build: Callable[[int, Any], Measure] | None = None,
        digest: Callable[[int, Any], dict[str, Any]] | None = None,
        digests: Callable[[], dict[int, dict[str, Any]] | None] | None = None,
        columns: Callable[[], Any] | None = None,
    ) -> None:
        self._docs: dict[int, Any] = docs if docs is not None else {}
        self._built: dict[int, Measure] = {}
        self._build = build
        self._digest = digest
        self._digests = digests
        self._columns = columns

    def __getitem__(self, key: int) -> Measure:
        measure = self._built.get(key)
        if measure is None:
            doc = self._docs[key]
            assert self._build is not None
            measure = self._built[key] = self._build(key, doc)
            self._docs[key] = None  # the stored form is no longer needed here: halves peak memory
        return measure

    def __setitem__(self, key: int, measure: Measure) -> None:
        self._built[key] = measure
        self._docs.setdefault(key, None)

    def __delitem__(self, key: int) -> None:
        del self._docs[key]
        self._built.pop(key, None)

    def __iter__(self) -> Iterator[int]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def built(self) -> Iterator[Measure]:
        """Every measure, building those not built yet (in stored order)."""
        return (self[key] for key in self._docs)

    def digest(self, key: int) -> dict[str, Any]:
        """The digest (digest.py) of one measure, without building it if it is still stored.
        A measure built in this command (and so perhaps changed) is digested as it is now."""
        measure = self._built.get(key)
        if measure is not None:
            return measure_digest(measure)
        stored = self._docs[key]
        return self._digest(key, stored) if self._digest is not None else digest_of(stored)

    def columns(self) -> Any:
        """The stored columns of every measure (storeindex.ColumnView: ids in stored order,
        status/sector codes, due/activity/done/latest-note days, texts), or None when the store has none for some
        measure or any measure was built (and so perhaps changed) in this command: then read
        digests()."""
        if self._columns is None or self._built:
            return None
        view = self._columns()
        if view is None or len(view.ids) != len(self._docs):
            return None
        return view

    def digests(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(id, digest) of every measure, in stored order."""
        bulk = self._digests() if self._digests is not None else None
        for key in self._docs:
            if bulk is not None and key not in self._built:
                found = bulk.get(key)
                if found is not None:
                    yield key, found
                    continue
            yield key, self.digest(key)


def measure_digest(measure: Measure) -> dict[str, Any]:
    """The digest of a measure as the store would write it (without the id: the key is the id)."""
    doc = measure.to_dict()
    del doc["id"]
    return digest_of(doc)


class Ledger:
    def __init__(
        self,
        measures: Iterable[Measure] | MeasureMap = (),
        meta: dict[str, Any] | None = None,
    ):
        if isinstance(measures, MeasureMap):
            self.measures: MeasureMap = measures
        else:
            self.measures = MeasureMap()
            for m in measures:
                self.measures[m.id] = m
        self.meta: dict[str, Any] = dict(meta or {})
        self.dirty: set[int] = set()
        self.removed: set[int] = set()  # ids whose stored documents the next write drops
        self.meta_dirty = False

    def __len__(self) -> int:
        return len(self.measures)

    def __iter__(self) -> Iterator[Measure]:
        """Measures in id order."""
        return iter(sorted(self.measures.built(), key=lambda m: m.id))

    @property
    def changed(self) -> bool:
        return bool(self.dirty) or bool(self.removed) or self.meta_dirty

    @property
    def next_id(self) -> int:
        # Ids are never reused (a deleted id stays retired), so the counter lives in meta rather
        # than being recomputed as max(id) + 1 the way TinyDB does (pitfalls §1f).
        # (Not meta.get("next_id", max(...)): the default would be computed on every call,
        # making a bulk import quadratic: 100,000 adds took minutes.)
        stored = self.meta.get("next_id")
        return int(stored) if stored is not None else max(self.measures, default=0) + 1

    def get(self, measure_id: int) -> Measure:
        try:
            return self.measures[measure_id]
        except KeyError:
            raise NotFound(_("no measure with id {measure_id}; {value}").format(measure_id=measure_id, value=self._id_hint())) from None

    def get_many(self, ids: Iterable[int]) -> list[Measure]:
        """All the measures or none: a missing id fails the whole command before any change."""
        wanted = list(dict.fromkeys(ids))
        missing = [i for i in wanted if i not in self.measures]
        if missing:
            names = ", ".join(map(str, missing))
            noun = "id" if len(missing) == 1 else "ids"
            raise NotFound(_("no measure with {noun} {names}; {value}").format(noun=noun, names=names, value=self._id_hint()))
        return [self.measures[i] for i in wanted]

    def add(self, measure: Measure) -> Measure:
        measure.id = self.next_id
        self.measures[measure.id] = measure
        self.meta["next_id"] = measure.id + 1
        self.meta_dirty = True
        self.dirty.add(measure.id)
        return measure

    def put(self, measure: Measure) -> Measure:
        """Insert or replace a measure under its own id (restoring a backup); the id counter
        moves past it so the id is never handed out again."""
        self.measures[measure.id] = measure
        self.dirty.add(measure.id)
        self.removed.discard(measure.id)
        self.reserve_ids(measure.id + 1)
        return measure

    def remove(self, measure_id: int) -> Measure:
        """Take a measure out of the ledger (undoing its creation); the store's next write drops
        its document. Its id stays retired: the counter is pinned in meta before it goes."""
        measure = self.get(measure_id)
        self.reserve_ids(self.next_id)
        del self.measures[measure_id]
        self.dirty.discard(measure_id)
        self.removed.add(measure_id)
        return measure

    def reserve_ids(self, next_id: int) -> None:
        """Never hand out ids below `next_id` (a restored backup's retired ids stay retired)."""
        if next_id > self.next_id or "next_id" not in self.meta:
            self.meta["next_id"] = max(next_id, self.next_id)
            self.meta_dirty = True

    def mark_changed(self, measure: Measure) -> None:
        self.dirty.add(measure.id)

    def _id_hint(self) -> str:
        if not self.measures:
            return "the database has no measures yet"
        return f"ids run from {min(self.measures)} to {max(self.measures)}; see `imtrack list`"
