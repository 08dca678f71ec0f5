"""The facts of the bulletin and the HTML report, gathered once from the functions the `report`
command uses (imtrack.core.report: progress_by, period_report, burnup), so that the tables and
the charts of both formats show the same figures as `imtrack report`.

`progress_rows()` gives the progress table's rows and the stacked-bar chart's data alike;
`overdue_rows()` the overdue-by-lead chart's; `burnup` the cumulative chart's points."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from imtrack.core.report import (
    BurnupPoint,
    PeriodReport,
    ProgressReport,
    burnup,
    burnup_step,
    period_report,
    progress_by,
)
from imtrack.domain.models import Status

STATUSES = tuple(s.value for s in Status)
# at most this many attention items in a document: the rest are counted, not listed
ATTENTION_SHOWN = 30
# at most this many of the period's completions and status changes: the latest (a document of
# 20,000 rows is read by nobody, and python-docx takes a minute to make it); `report --since
# -f json` has them all
PERIOD_SHOWN = 100


@dataclass(slots=True)
class ReportFacts:
    by: str
    progress: ProgressReport
    period: PeriodReport
    burnup: list[BurnupPoint]
    step: str  # week or month
    overdue_by_lead: ProgressReport
    sources: list[str]
    filters: dict[str, list[str]] = field(default_factory=dict)
    today: date | None = None


def gather(
    store: Any,
    by: str,
    settings: Any,
    since: date | None,
    until: date,
    where: Any = None,
    filters: dict[str, list[str]] | None = None,
) -> ReportFacts:
    """Everything both formats show, through the Store interface, for the measures `where` (a
    domain.query.MeasureFilter) selects. Without `since` the period begins on the day the first
    of those measures was recorded."""
    measures = store.find(where)
    if since is None:
        from imtrack.domain.flags import _day

        days = [d for d in (_day(m.created) for m in measures) if d is not None]
        since = min(min(days, default=until), until)
    step = burnup_step(since, until)
    sources = sorted({m.source for m in measures if m.source})
    return ReportFacts(
        by=by,
        progress=progress_by(measures, by, settings),
        period=period_report(store, since, until, where),
        burnup=burnup(store, since, until, step, where),
        step=step,
        overdue_by_lead=progress_by(measures, "lead", settings),
        sources=sources,
        filters={k: v for k, v in (filters or {}).items() if v},
        today=settings.today,
    )


def progress_rows(progress: ProgressReport) -> list[dict[str, Any]]:
    """One row per group and the total: label, the count of each status (Status order), total,
    done percent and overdue. The document's table and the stacked-bar chart both read these."""
    rows = []
    for row in [*progress.rows, progress.total]:
        rows.append(
            {
                "key": row.key,
                "label": row.label,
                "counts": {s: row.counts.get(s, 0) for s in STATUSES},
                "total": row.total,
                "percent_done": row.percent_done,
                "overdue": row.overdue,
            }
        )
    return rows


def overdue_rows(facts: ReportFacts) -> list[tuple[str, int]]:
    """(lead agency, overdue measures) for every lead with any, most first."""
    rows = [(r.label, r.overdue) for r in facts.overdue_by_lead.rows if r.overdue]
    rows.sort(key=lambda r: -r[1])  # stable: progress_by's order among equals
    return rows
