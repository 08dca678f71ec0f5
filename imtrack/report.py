"""Progress arithmetic: measures -> plain rows. No Rich here; render.py draws the rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from imtrack.models import Measure, Status
from imtrack.sectors import SECTORS, label


@dataclass(slots=True)
class ProgressRow:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Status.DONE.value]

    @property
    def percent_done(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    def add(self, measure: Measure) -> None:
        self.counts[measure.status] = self.counts.get(measure.status, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "counts": dict(self.counts),
            "done": self.done,
            "percent_done": self.percent_done,
        }


@dataclass(slots=True)
class ProgressReport:
    by: str
    rows: list[ProgressRow]
    total: ProgressRow

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "rows": [r.to_dict() for r in self.rows], "total": self.total.to_dict()}


def progress_by_sector(measures: Iterable[Measure]) -> ProgressReport:
    """One row per sector that has measures, in vocabulary order, and a total row."""
    rows = {s.slug: ProgressRow(s.slug, s.label) for s in SECTORS}
    total = ProgressRow("total", "合计")
    for measure in measures:
        row = rows.get(measure.sector)
        if row is None:  # a sector slug from a newer imtrack: still counted, never dropped
            row = rows[measure.sector] = ProgressRow(measure.sector, label(measure.sector))
        row.add(measure)
        total.add(measure)
    return ProgressReport("sector", [r for r in rows.values() if r.total], total)


def sector_counts(measures: Iterable[Measure]) -> dict[str, int]:
    counts = {s.slug: 0 for s in SECTORS}
    for measure in measures:
        counts[measure.sector] = counts.get(measure.sector, 0) + 1
    return counts
