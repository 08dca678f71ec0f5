"""`report --format html`: one self-contained page (no script, no network: styles inline, charts
as inline SVG whose text uses the reader's fonts), readable on a phone and printable.

User text is escaped (html.escape) and control characters are shown as their code."""

from __future__ import annotations

import html
from typing import Any

from imtrack.exchange import charts
from imtrack.exchange.report_facts import (
    ATTENTION_SHOWN,
    PERIOD_SHOWN,
    STATUSES,
    ReportFacts,
    progress_rows,
)
from imtrack.exchange.report_words import Words

STYLE = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       sans-serif; margin: 0 auto; padding: 1rem; max-width: 60rem; color: #1d1d1f;
       line-height: 1.6; background: #fff; }
h1 { font-size: 1.5rem; text-align: center; margin: .5rem 0; }
h2 { font-size: 1.15rem; border-bottom: 2px solid #c00; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; }
p.meta { text-align: center; color: #555; margin: .2rem 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top;
         white-space: nowrap; }
td.w { white-space: normal; min-width: 14em; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #fafafa; }
td.red { background: #fde2e2; } td.yellow { background: #fff5cc; } td.blue { background: #e1ecfb; }
figure { margin: 1rem 0; overflow-x: auto; }
figure svg { width: 100%; min-width: 30rem; height: auto; }  /* a phone scrolls, text stays legible */
@media print { body { max-width: none; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
"""


def _t(text: Any) -> str:
    """User text for HTML: control characters visible, markup escaped."""
    shown = "".join(ch if ch.isprintable() or ch in "\n" else f"\\x{ord(ch):02x}" for ch in str(text))
    return html.escape(shown)


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(),  # type: ignore[assignment]
           classes: list[str] | None = None, cell_classes: list[dict[int, str]] | None = None,
           wide: int | None = None) -> str:
    """A table; `wide` is the column of measure texts, the only one that wraps."""
    out = ['<div class="scroll"><table><thead><tr>']
    out += [f"<th>{_t(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{cls}>")
        for j, cell in enumerate(row):
            names = []
            if j in numeric:
                names.append("n")
            if j == wide:
                names.append("w")
            if cell_classes and j in cell_classes[i]:
                names.append(cell_classes[i][j])
            attr = f' class="{" ".join(names)}"' if names else ""
            out.append(f"<td{attr}>{_t('' if cell is None else cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def progress_table_rows(facts: ReportFacts, words: Words) -> tuple[list[str], list[list[Any]]]:
    """The progress table as the documents show it: head and rows (the total last)."""
    head = [words(f"by_{facts.by}"), words("col_total"), *(words.status(s) for s in STATUSES),
            words("col_percent"), words("col_overdue")]
    rows = []
    for r in progress_rows(facts.progress):
        label = words("total_row") if r["key"] == "total" else r["label"]
        rows.append([label, r["total"], *(r["counts"][s] for s in STATUSES), f"{r['percent_done']}%", r["overdue"]])
    return head, rows


def summary_sentences(facts: ReportFacts, words: Words) -> list[str]:
    total = facts.progress.total
    counts = {s: total.counts.get(s, 0) for s in STATUSES}
    period = facts.period
    return [
        words(
            "summary",
            total=total.total,
            done=counts["done"],
            percent=total.percent_done,
            in_progress=counts["in-progress"],
            not_started=counts["not-started"],
            blocked=counts["blocked"],
            overdue=total.overdue,
        ),
        words(
            "summary_period",
            completed=len(period.completed),
            changes=len(period.status_changes),
            notes=len(period.notes),
            newly_overdue=len(period.newly_overdue),
            no_update=len(period.no_update),
        ),
    ]


def heading_lines(facts: ReportFacts, words: Words) -> list[str]:
    """The lines under the title: source documents, period, scope (filters), date made."""
    sources = "、".join(facts.sources) if words.lang == "zh" else "; ".join(facts.sources)
    lines = [words("subtitle_sources", sources=sources) if facts.sources else words("no_sources"),
             words("period", since=facts.period.since.isoformat(), until=facts.period.until.isoformat())]
    if facts.filters:
        sep = "；" if words.lang == "zh" else "; "
        scope = sep.join(f"{words('filter_' + k)} {', '.join(v)}" for k, v in facts.filters.items())
        lines.append(words("filters", filters=scope))
    if facts.today is not None:
        lines.append(words("made_on", today=facts.today.isoformat()))
    return lines


def attention_rows(facts: ReportFacts, words: Words) -> tuple[list[str], list[list[Any]], list[str]]:
    head = [words("col_colour"), words("col_id"), words("col_measure"), words("col_lead"),
            words("col_due"), words("col_status")]
    items = facts.progress.attention[:ATTENTION_SHOWN]
    rows = [[words(a.colour), a.id, a.text, a.lead or words("no_lead"), a.due or "", words.status(a.status)]
            for a in items]
    return head, rows, [a.colour for a in items]


def change_rows(facts: ReportFacts, words: Words) -> tuple[list[str], list[list[Any]]]:
    head = [words("col_date"), words("col_id"), words("col_change"), words("col_measure")]
    rows = [[c["at"][:10], c["id"], f"{words.status(c['from'] or '')} → {words.status(c['to'] or '')}", c["text"]]
            for c in facts.period.status_changes[-PERIOD_SHOWN:]]
    return head, rows


def completed_rows(facts: ReportFacts, words: Words) -> tuple[list[str], list[list[Any]]]:
    head = [words("col_date"), words("col_id"), words("col_measure"), words("col_lead")]
    rows = [[c["at"][:10], c["id"], c["text"] + (words("late") if c["late"] else ""), c["lead"] or words("no_lead")]
            for c in facts.period.completed[-PERIOD_SHOWN:]]
    return head, rows


def earlier_note(total: int, shown: int, words: Words) -> str | None:
    """The line under a period list cut to its latest rows, if it was cut."""
    return words("earlier_more", shown=shown, n=total - shown) if total > shown else None


def page(facts: ReportFacts, words: Words | None = None) -> str:
    """The whole HTML document."""
    words = words or Words()
    out = [
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if words.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(words('title'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_t(words('title'))}</h1>",
    ]
    out += [f'<p class="meta">{_t(line)}</p>' for line in heading_lines(facts, words)]
    out.append(f"<h2>{_t(words('summary_heading'))}</h2>")
    out += [f"<p>{_t(s)}</p>" for s in summary_sentences(facts, words)]
    out.append(f'<figure id="chart-burnup">{charts.svg_inline("burnup", facts, words)}</figure>')

    out.append(f"<h2>{_t(words('progress_heading', by=words('by_' + facts.by)))}</h2>")
    head, rows = progress_table_rows(facts, words)
    out.append(_table(head, rows, numeric=set(range(1, len(head))),
                      classes=["total" if i == len(rows) - 1 else "" for i in range(len(rows))]))
    out.append(f'<figure id="chart-progress">{charts.svg_inline("progress", facts, words)}</figure>')

    out.append(f"<h2>{_t(words('attention_heading'))}</h2>")
    head, rows, colours = attention_rows(facts, words)
    if rows:
        out.append(_table(head, rows, numeric={1}, cell_classes=[{0: c} for c in colours], wide=2))
        more = len(facts.progress.attention) - len(rows)
        if more > 0:
            out.append(f"<p>{_t(words('attention_more', n=more))}</p>")
    else:
        out.append(f"<p>{_t(words('attention_none'))}</p>")
    out.append(f'<figure id="chart-overdue">{charts.svg_inline("overdue", facts, words)}</figure>')

    out.append(f"<h2>{_t(words('period_heading'))}</h2>")
    out.append(f"<h3>{_t(words('completed_heading'))}</h3>")
    head, rows = completed_rows(facts, words)
    out.append(_table(head, rows, numeric={1}, wide=2) if rows else f"<p>{_t(words('completed_none'))}</p>")
    note = earlier_note(len(facts.period.completed), len(rows), words)
    if note:
        out.append(f"<p>{_t(note)}</p>")
    out.append(f"<h3>{_t(words('changes_heading'))}</h3>")
    head, rows = change_rows(facts, words)
    out.append(_table(head, rows, numeric={1}, wide=3) if rows else f"<p>{_t(words('changes_none'))}</p>")
    note = earlier_note(len(facts.period.status_changes), len(rows), words)
    if note:
        out.append(f"<p>{_t(note)}</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
