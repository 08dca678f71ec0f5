"""Filters for listing measures. Every filter given must hold (AND); values inside one
repeatable filter are alternatives (OR), e.g. `--sector transport --sector digital`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from imtrack.models import Measure, parse_status
from imtrack.sectors import parse_sector
from imtrack.textnorm import fold


@dataclass(frozen=True, slots=True)
class MeasureFilter:
    sectors: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    grep: str = ""  # folded (NFKC, casefold) substring of the measure text
    sources: frozenset[str] = frozenset()  # folded source document names (exact match)

    @classmethod
    def build(
        cls,
        sectors: Iterable[str] = (),
        statuses: Iterable[str] = (),
        grep: str | None = None,
        sources: Iterable[str] = (),
    ) -> MeasureFilter:
        """Validate user input (slugs or Chinese labels) and fold it for matching."""
        return cls(
            sectors=frozenset(parse_sector(s).slug for s in sectors),
            statuses=frozenset(parse_status(s).value for s in statuses),
            grep=fold(grep) if grep else "",
            sources=frozenset(fold(s) for s in sources),
        )

    def matches(self, measure: Measure) -> bool:
        if self.sectors and measure.sector not in self.sectors:
            return False
        if self.statuses and measure.status not in self.statuses:
            return False
        if self.grep and self.grep not in fold(measure.text):
            return False
        if self.sources and fold(measure.source) not in self.sources:
            return False
        return True

    def apply(self, measures: Iterable[Measure]) -> list[Measure]:
        return [m for m in measures if self.matches(m)]
